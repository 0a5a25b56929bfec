package app

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// photoJSON is a photo (or video, or PDF) as the API shows it. sha256 lets
// an app skip files the album already has before uploading them.
type photoJSON struct {
	ID          uuid.UUID  `json:"id"`
	AlbumID     uuid.UUID  `json:"album_id"`
	FolderID    uuid.UUID  `json:"folder_id"`
	Filename    string     `json:"filename"`
	MediaType   string     `json:"media_type"`
	Kind        string     `json:"kind"`
	Size        int64      `json:"size"`
	SHA256      string     `json:"sha256"`
	Width       int        `json:"width"`
	Height      int        `json:"height"`
	TakenAt     *time.Time `json:"taken_at"`
	Position    int        `json:"position"`
	Status      string     `json:"status"`
	Failure     *string    `json:"failure"`
	Placeholder *string    `json:"placeholder"`
	CreatedAt   time.Time  `json:"created_at"`
}

func photoOf(p *gallery.Photo) photoJSON {
	out := photoJSON{ID: p.ID, AlbumID: p.AlbumID, FolderID: p.FolderID, Filename: p.Filename, MediaType: p.MediaType,
		Kind: p.Kind, Size: p.Size, SHA256: hex.EncodeToString(p.SHA256), Width: p.Width, Height: p.Height,
		TakenAt: utcp(p.TakenAt), Position: p.Position, Status: p.Status, CreatedAt: p.CreatedAt.UTC()}
	if p.Failure != "" {
		out.Failure = &p.Failure
	}
	if p.Placeholder != "" {
		out.Placeholder = &p.Placeholder
	}
	return out
}

func photosOf(list []gallery.Photo) []photoJSON {
	out := make([]photoJSON, 0, len(list))
	for i := range list {
		out = append(out, photoOf(&list[i]))
	}
	return out
}

const (
	apiPhotosDefault = 100
	apiPhotosMax     = 500
)

// apiPhotos is GET /api/v1/albums/{album}/photos: the album's photos (or
// one folder's) in order, every status, a page at a time.
func (a *App) apiPhotos(c *fiber.Ctx) error {
	album, err := apiID(c, "album")
	if err != nil {
		return err
	}
	limit, err := pageLimit(c, apiPhotosDefault, apiPhotosMax)
	if err != nil {
		return err
	}
	var folder, after uuid.UUID
	if s := c.Query("folder"); s != "" {
		if folder, err = uuid.Parse(s); err != nil {
			return queryError("folder must be a folder id.")
		}
	}
	if s := c.Query("after"); s != "" {
		if after, err = uuid.Parse(s); err != nil {
			return queryError("after must be the id of the last photo of the previous page.")
		}
	}
	list, err := a.Gallery.PhotoPage(ctx(c), apiStudio(c), album, folder, after, limit+1)
	if isField(err, "after") {
		return queryError(safeMessage(err))
	}
	if err != nil {
		return err
	}
	out := struct {
		Photos []photoJSON `json:"photos"`
		Next   *string     `json:"next"`
	}{}
	if len(list) > limit {
		list = list[:limit]
		q := fmt.Sprintf("/api/v1/albums/%s/photos?after=%s&limit=%d", album, list[limit-1].ID, limit)
		if folder != uuid.Nil {
			q += "&folder=" + folder.String()
		}
		out.Next = &q
	}
	out.Photos = photosOf(list)
	return c.JSON(out)
}

// apiPhoto is GET /api/v1/albums/{album}/photos/{photo}.
func (a *App) apiPhoto(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "photo")
	if err != nil {
		return err
	}
	p, err := a.Gallery.Photo(ctx(c), apiStudio(c), ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.JSON(photoOf(p))
}

// apiDeletePhoto is DELETE /api/v1/albums/{album}/photos/{photo}, with its
// stored files, favourites and notes.
func (a *App) apiDeletePhoto(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "photo")
	if err != nil {
		return err
	}
	if err := a.Gallery.DeletePhoto(ctx(c), apiStudio(c), ids[0], ids[1], apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiMovePhoto is POST /api/v1/albums/{album}/photos/{photo}/move: to the
// end of another folder of the album.
func (a *App) apiMovePhoto(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "photo")
	if err != nil {
		return err
	}
	var b struct {
		FolderID string `json:"folder_id"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	folder, err := uuid.Parse(b.FolderID)
	if err != nil {
		return fieldError("folder_id", "There is no such folder in this album.")
	}
	p, err := a.Gallery.MovePhoto(ctx(c), apiStudio(c), ids[0], ids[1], folder, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.JSON(photoOf(p))
}

// apiSetCover is POST /api/v1/albums/{album}/photos/{photo}/cover; it
// answers with the album.
func (a *App) apiSetCover(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "photo")
	if err != nil {
		return err
	}
	studio := apiStudio(c)
	if err := a.Gallery.SetCover(ctx(c), studio, ids[0], ids[1], apiGalleryActor(c)); err != nil {
		return err
	}
	al, err := a.Gallery.Album(ctx(c), studio, ids[0])
	if err != nil {
		return err
	}
	return c.JSON(albumOf(al))
}

// apiFile is a stored file of a photo the studio may fetch.
type apiFile string

const (
	fileOriginal apiFile = "original"
	filePreview  apiFile = "preview"
	fileThumb    apiFile = "thumb"
)

// apiPhotoFile streams a photo's original, preview or thumbnail from the
// encrypted store, with ETag revalidation and single byte ranges (resumed
// downloads, video scrubbing). Studio members may fetch every file of
// their studio: the guests' download rule does not apply to them. An
// original fetched from its start is audited; a range further in is the
// same download going on.
func (a *App) apiPhotoFile(what apiFile) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ids, err := apiIDs(c, "album", "photo")
		if err != nil {
			return err
		}
		p, err := a.Gallery.Photo(ctx(c), apiStudio(c), ids[0], ids[1])
		if err != nil {
			return err
		}
		key, ctype := p.ThumbKey, "image/jpeg"
		switch what {
		case filePreview:
			key = p.PreviewKey
		case fileOriginal:
			key, ctype = p.OriginalKey, p.MediaType
		}
		if key == "" {
			return problem(fiber.StatusNotFound, "This photo is still being processed, or could not be: it has no "+string(what)+" yet.")
		}
		o := object{Studio: apiStudio(c), Key: key, Type: ctype, Tag: photoTag(string(what), p.SHA256)}
		if what == fileOriginal {
			o.Name = p.Filename
			o.Started = func() error {
				return a.recordAPI(c, "photo.download", map[string]any{"album_id": p.AlbumID.String(),
					"photo_id": p.ID.String(), "filename": p.Filename, "what": string(what)})
			}
		}
		return a.sendObject(c, o)
	}
}
