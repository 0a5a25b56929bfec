package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// guestFolderJSON is a folder as a guest sees it: hidden folders are never
// listed, and what may be downloaded is said up front (gallery.MayDownload),
// so an app shows no button that would be refused.
type guestFolderJSON struct {
	ID                  uuid.UUID `json:"id"`
	Name                string    `json:"name"`
	Position            int       `json:"position"`
	MayDownloadOriginal bool      `json:"may_download_original"`
	MayDownloadWeb      bool      `json:"may_download_web"`
}

// guestPhotoJSON is a photo as a guest sees it, with the addresses of its
// files under the same share: a download address only when the rule
// allows that download.
type guestPhotoJSON struct {
	ID                  uuid.UUID `json:"id"`
	FolderID            uuid.UUID `json:"folder_id"`
	Filename            string    `json:"filename"`
	Kind                string    `json:"kind"`
	MediaType           string    `json:"media_type"`
	Width               int       `json:"width"`
	Height              int       `json:"height"`
	Placeholder         *string   `json:"placeholder"`
	Favourite           bool      `json:"favourite"`
	MayDownloadOriginal bool      `json:"may_download_original"`
	MayDownloadWeb      bool      `json:"may_download_web"`
	ThumbURL            string    `json:"thumb_url"`
	PreviewURL          string    `json:"preview_url"`
	OriginalURL         *string   `json:"original_url"`
	WebURL              *string   `json:"web_url"`
}

// mayDownload reports whether the download rule allows what of folder.
func mayDownload(g *gallery.GuestAccess, f *gallery.Folder, what string) bool {
	return gallery.MayDownload(&g.Album, f, what) == nil
}

// sharePath is the API address of something under the request's share.
func sharePath(c *fiber.Ctx, format string, args ...any) string {
	return "/api/v1/shares/" + c.Params("token") + fmt.Sprintf(format, args...)
}

func guestPhotoOf(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.Photo, f *gallery.Folder, favourite bool) guestPhotoJSON {
	base := sharePath(c, "/photos/%s", p.ID)
	out := guestPhotoJSON{ID: p.ID, FolderID: p.FolderID, Filename: p.Filename, Kind: p.Kind, MediaType: p.MediaType,
		Width: p.Width, Height: p.Height, Favourite: favourite,
		MayDownloadOriginal: mayDownload(g, f, gallery.DownloadOriginal), MayDownloadWeb: mayDownload(g, f, gallery.DownloadWeb),
		ThumbURL: base + "/thumb", PreviewURL: base + "/preview"}
	if p.Placeholder != "" {
		out.Placeholder = &p.Placeholder
	}
	if out.MayDownloadOriginal {
		u := base + "/download?size=" + gallery.DownloadOriginal
		out.OriginalURL = &u
	}
	if out.MayDownloadWeb {
		u := base + "/download?size=" + gallery.DownloadWeb
		out.WebURL = &u
	}
	return out
}

// favouriteSet is the guest's favourites, for the flags on photos.
func (a *App) favouriteSet(c *fiber.Ctx, g *gallery.GuestAccess) (map[uuid.UUID]bool, error) {
	ids, err := a.Gallery.Favourites(ctx(c), g)
	if err != nil {
		return nil, err
	}
	set := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// apiGuestFolders is GET /api/v1/shares/{token}/folders, in order.
func (a *App) apiGuestFolders(c *fiber.Ctx) error {
	g := guest(c)
	list, err := a.Gallery.GuestFolders(ctx(c), g)
	if err != nil {
		return err
	}
	out := struct {
		Folders []guestFolderJSON `json:"folders"`
	}{Folders: make([]guestFolderJSON, 0, len(list))}
	for i := range list {
		f := &list[i]
		out.Folders = append(out.Folders, guestFolderJSON{ID: f.ID, Name: f.Name, Position: f.Position,
			MayDownloadOriginal: mayDownload(g, f, gallery.DownloadOriginal), MayDownloadWeb: mayDownload(g, f, gallery.DownloadWeb)})
	}
	return c.JSON(out)
}

// apiGuestPhotos is GET /api/v1/shares/{token}/folders/{folder}/photos:
// the folder's ready photos in order.
func (a *App) apiGuestPhotos(c *fiber.Ctx) error {
	id, err := apiID(c, "folder")
	if err != nil {
		return err
	}
	g := guest(c)
	list, err := a.Gallery.GuestPhotos(ctx(c), g, id)
	if err != nil {
		return err
	}
	folder, err := a.guestFolder(c, g, id)
	if err != nil {
		return err
	}
	favs, err := a.favouriteSet(c, g)
	if err != nil {
		return err
	}
	out := struct {
		Photos []guestPhotoJSON `json:"photos"`
	}{Photos: make([]guestPhotoJSON, 0, len(list))}
	for i := range list {
		out.Photos = append(out.Photos, guestPhotoOf(c, g, &list[i], folder, favs[list[i].ID]))
	}
	return c.JSON(out)
}

// guestFolder is one folder the guest sees, from the guest's folder list.
func (a *App) guestFolder(c *fiber.Ctx, g *gallery.GuestAccess, id uuid.UUID) (*gallery.Folder, error) {
	list, err := a.Gallery.GuestFolders(ctx(c), g)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, fmt.Errorf("app: guest folder %s: %w", id, gallery.ErrNotFound)
}

// apiGuestPhoto is GET /api/v1/shares/{token}/photos/{photo}.
func (a *App) apiGuestPhoto(c *fiber.Ctx) error {
	id, err := apiID(c, "photo")
	if err != nil {
		return err
	}
	g := guest(c)
	p, f, err := a.Gallery.GuestPhoto(ctx(c), g, id)
	if err != nil {
		return err
	}
	favs, err := a.favouriteSet(c, g)
	if err != nil {
		return err
	}
	return c.JSON(guestPhotoOf(c, g, p, f, favs[id]))
}

// apiGuestRendition answers GET …/photos/{photo}/thumb and …/preview.
func (a *App) apiGuestRendition(r rendition) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := apiID(c, "photo")
		if err != nil {
			return err
		}
		return a.guestRendition(c, guest(c), id, r)
	}
}

// apiGuestDownload is GET …/photos/{photo}/download?size=original|web.
func (a *App) apiGuestDownload(c *fiber.Ctx) error {
	id, err := apiID(c, "photo")
	if err != nil {
		return err
	}
	what, err := downloadSize(c.Query("size"))
	if err != nil {
		return err
	}
	return a.guestDownload(c, guest(c), id, what)
}

// downloadSize reads the size query parameter of a download or zip.
func downloadSize(s string) (string, error) {
	if s != gallery.DownloadOriginal && s != gallery.DownloadWeb {
		return "", queryError("size must be original or web.")
	}
	return s, nil
}
