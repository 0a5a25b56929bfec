package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// photoView is a photo's own page: the preview with the guests' notes
// drawn over it, the notes with replies, and what can be done to it.
type photoView struct {
	Album         *gallery.Album
	AlbumURL      string
	Photo         *gallery.Photo
	Tile          photoTile
	PreviewURL    string
	OriginalURL   string
	FolderName    string
	Folders       []option // where it can move
	Notes         []noteView
	Open          int // notes not resolved
	Prev, Next    string
	Size          string
	DeleteWarning string
	Errors        map[string]string
}

func albumAndPhoto(c *fiber.Ctx) (uuid.UUID, uuid.UUID, error) {
	album, err := paramID(c, "id")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	photo, err := paramID(c, "photo")
	return album, photo, err
}

func (a *App) photoPage(c *fiber.Ctx) error {
	album, photo, err := albumAndPhoto(c)
	if err != nil {
		return err
	}
	v, err := a.photoData(c, album, photo)
	if err != nil {
		return err
	}
	return a.render(c, "album_photo", v)
}

func (a *App) photoData(c *fiber.Ctx, album, photo uuid.UUID) (*photoView, error) {
	studio := session(c).StudioID
	al, err := a.Gallery.Album(ctx(c), studio, album)
	if err != nil {
		return nil, err
	}
	p, err := a.Gallery.Photo(ctx(c), studio, album, photo)
	if err != nil {
		return nil, err
	}
	v := &photoView{Album: al, AlbumURL: albumPath(album), Photo: p, Tile: tileOf(al, p),
		OriginalURL: photoPath(album, photo) + "/original", Size: humanSize(p.Size), Errors: map[string]string{}}
	if p.PreviewKey != "" {
		v.PreviewURL = photoPath(album, photo) + "/preview"
	}
	if err := a.photoNeighbours(c, v); err != nil {
		return nil, err
	}
	notes, err := a.notesData(c, album, photo)
	if err != nil {
		return nil, err
	}
	v.Notes = notes
	for _, n := range notes {
		if n.Status != "resolved" {
			v.Open++
		}
	}
	v.DeleteWarning = "Delete “" + p.Filename + "” from “" + al.Title + "”"
	if len(notes) > 0 {
		v.DeleteWarning += " with " + plural(len(notes), "note", "notes") + " on it"
	}
	v.DeleteWarning += "? Guests' favourites of it go too. This cannot be undone."
	return v, nil
}

// photoNeighbours finds the folder names and the photos before and after.
func (a *App) photoNeighbours(c *fiber.Ctx, v *photoView) error {
	studio, album := session(c).StudioID, v.Album.ID
	folders, err := a.Gallery.Folders(ctx(c), studio, album)
	if err != nil {
		return err
	}
	for _, f := range folders {
		if f.ID == v.Photo.FolderID {
			v.FolderName = f.Name
		}
		v.Folders = append(v.Folders, option{Value: f.ID.String(), Label: f.Name, Selected: f.ID == v.Photo.FolderID})
	}
	photos, err := a.Gallery.Photos(ctx(c), studio, album, v.Photo.FolderID)
	if err != nil {
		return err
	}
	for i, p := range photos {
		if p.ID != v.Photo.ID {
			continue
		}
		if i > 0 {
			v.Prev = photoPath(album, photos[i-1].ID)
		}
		if i+1 < len(photos) {
			v.Next = photoPath(album, photos[i+1].ID)
		}
	}
	return nil
}

// humanSize is a file size for people: 24.3 MB.
func humanSize(n int64) string {
	one := func(f float64, unit string) string {
		return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") + " " + unit
	}
	switch {
	case n >= 1<<30:
		return one(float64(n)/(1<<30), "GB")
	case n >= 1<<20:
		return one(float64(n)/(1<<20), "MB")
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (a *App) setCoverForm(c *fiber.Ctx) error {
	album, photo, err := albumAndPhoto(c)
	if err != nil {
		return err
	}
	if err := a.Gallery.SetCover(ctx(c), session(c).StudioID, album, photo, galleryActor(c)); err != nil {
		return err
	}
	setFlash(c, "This photo is now the album's cover.")
	return c.Redirect(photoPath(album, photo), fiber.StatusSeeOther)
}

func (a *App) movePhotoForm(c *fiber.Ctx) error {
	album, photo, err := albumAndPhoto(c)
	if err != nil {
		return err
	}
	folder, err := uuid.Parse(c.FormValue("folder"))
	if err != nil {
		return inputError("folder_id", "Choose a folder of this album.")
	}
	p, err := a.Gallery.MovePhoto(ctx(c), session(c).StudioID, album, photo, folder, galleryActor(c))
	if err != nil {
		return err
	}
	setFlash(c, "“"+p.Filename+"” moved.")
	return c.Redirect(photoPath(album, photo), fiber.StatusSeeOther)
}

func (a *App) deletePhotoForm(c *fiber.Ctx) error {
	album, photo, err := albumAndPhoto(c)
	if err != nil {
		return err
	}
	studio := session(c).StudioID
	p, err := a.Gallery.Photo(ctx(c), studio, album, photo)
	if err != nil {
		return err
	}
	if err := a.Gallery.DeletePhoto(ctx(c), studio, album, photo, galleryActor(c)); err != nil {
		return err
	}
	return backToAlbum(c, album, p.FolderID, "photos", "“"+p.Filename+"” was deleted.")
}

// bulkPhotosForm moves or deletes the photos ticked in the grid, one by
// one: each is its own transaction and audit entry, so a failure part-way
// leaves the done ones done and says how far it got.
func (a *App) bulkPhotosForm(c *fiber.Ctx) error {
	album, err := paramID(c, "id")
	if err != nil {
		return err
	}
	var ids []uuid.UUID
	for _, raw := range c.Request().PostArgs().PeekMulti("photo") {
		id, err := uuid.Parse(string(raw))
		if err != nil {
			return a.albumFormError(c, album, "photos", inputError("photo", "Choose photos of this album."), nil)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return a.albumFormError(c, album, "photos", inputError("photo", "Tick the photos first, then choose what to do with them."), nil)
	}
	studio, act := session(c).StudioID, galleryActor(c)
	back := uuid.Nil
	var do func(id uuid.UUID) error
	var done string
	switch c.FormValue("action") {
	case "delete":
		do = func(id uuid.UUID) error { return a.Gallery.DeletePhoto(ctx(c), studio, album, id, act) }
		done = " deleted."
	case "move":
		if back, err = uuid.Parse(c.FormValue("folder")); err != nil {
			return a.albumFormError(c, album, "photos", inputError("folder_id", "Choose the folder to move them to."), nil)
		}
		do = func(id uuid.UUID) error {
			_, err := a.Gallery.MovePhoto(ctx(c), studio, album, id, back, act)
			return err
		}
		done = " moved."
	default:
		return a.albumFormError(c, album, "photos", inputError("action", "Choose to move or delete the ticked photos."), nil)
	}
	for i, id := range ids {
		if err := do(id); err != nil {
			if i == 0 {
				return a.albumFormError(c, album, "photos", err, nil)
			}
			return backToAlbum(c, album, back, "photos", plural(i, "photo was", "photos were")+done+" The next one failed: "+toProblem(err).Detail)
		}
	}
	return backToAlbum(c, album, back, "photos", plural(len(ids), "photo", "photos")+done)
}

type rendition string

const (
	renditionThumb    rendition = "thumb"
	renditionPreview  rendition = "preview"
	renditionOriginal rendition = "original"
)

// photoRendition streams a photo's thumbnail, preview or original to the
// studio from the encrypted store, with ETag revalidation and, for
// originals, single byte ranges (video scrubbing, resumed downloads).
func (a *App) photoRendition(r rendition) fiber.Handler {
	return func(c *fiber.Ctx) error {
		album, photo, err := albumAndPhoto(c)
		if err != nil {
			return err
		}
		studio := session(c).StudioID
		p, err := a.Gallery.Photo(ctx(c), studio, album, photo)
		if err != nil {
			return err
		}
		key, ctype := p.ThumbKey, "image/jpeg"
		switch r {
		case renditionPreview:
			key = p.PreviewKey
		case renditionOriginal:
			key, ctype = p.OriginalKey, p.MediaType
		}
		if key == "" {
			return problem(fiber.StatusNotFound, "This photo is still being processed, or could not be.")
		}
		o := object{Studio: studio, Key: key, Type: ctype, Tag: photoTag(string(r), p.SHA256)}
		if r == renditionOriginal {
			o.Name = p.Filename
		}
		return a.sendObject(c, o)
	}
}
