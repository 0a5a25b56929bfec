package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// folderJSON is a folder of an album as the API shows it.
type folderJSON struct {
	ID             uuid.UUID `json:"id"`
	AlbumID        uuid.UUID `json:"album_id"`
	Name           string    `json:"name"`
	Position       int       `json:"position"`
	Hidden         bool      `json:"hidden"`
	DownloadLocked bool      `json:"download_locked"`
	CreatedAt      time.Time `json:"created_at"`
}

func folderOf(f *gallery.Folder) folderJSON {
	return folderJSON{ID: f.ID, AlbumID: f.AlbumID, Name: f.Name, Position: f.Position, Hidden: f.Hidden,
		DownloadLocked: f.DownloadLocked, CreatedAt: f.CreatedAt.UTC()}
}

func folderInput(c *fiber.Ctx) (gallery.FolderInput, error) {
	var b struct {
		Name           *string `json:"name"`
		Position       *int    `json:"position"`
		Hidden         *bool   `json:"hidden"`
		DownloadLocked *bool   `json:"download_locked"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return gallery.FolderInput{}, err
	}
	if b.Position != nil && (*b.Position < 0 || *b.Position > 100000) {
		return gallery.FolderInput{}, fieldError("position", "A position is a number from 0 to 100,000.")
	}
	return gallery.FolderInput{Name: b.Name, Position: b.Position, Hidden: b.Hidden, DownloadLocked: b.DownloadLocked}, nil
}

// apiFolders is GET /api/v1/albums/{album}/folders, in order.
func (a *App) apiFolders(c *fiber.Ctx) error {
	album, err := apiID(c, "album")
	if err != nil {
		return err
	}
	list, err := a.Gallery.Folders(ctx(c), apiStudio(c), album)
	if err != nil {
		return err
	}
	out := struct {
		Folders []folderJSON `json:"folders"`
	}{Folders: make([]folderJSON, 0, len(list))}
	for i := range list {
		out.Folders = append(out.Folders, folderOf(&list[i]))
	}
	return c.JSON(out)
}

// apiCreateFolder is POST /api/v1/albums/{album}/folders.
func (a *App) apiCreateFolder(c *fiber.Ctx) error {
	album, err := apiID(c, "album")
	if err != nil {
		return err
	}
	in, err := folderInput(c)
	if err != nil {
		return err
	}
	f, err := a.Gallery.CreateFolder(ctx(c), apiStudio(c), album, in, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(folderOf(f))
}

// apiFolder is GET /api/v1/albums/{album}/folders/{folder}.
func (a *App) apiFolder(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "folder")
	if err != nil {
		return err
	}
	list, err := a.Gallery.Folders(ctx(c), apiStudio(c), ids[0])
	if err != nil {
		return err
	}
	for i := range list {
		if list[i].ID == ids[1] {
			return c.JSON(folderOf(&list[i]))
		}
	}
	return gallery.ErrNotFound
}

// apiUpdateFolder is PATCH /api/v1/albums/{album}/folders/{folder}: name,
// order, visibility to guests and the download lock.
func (a *App) apiUpdateFolder(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "folder")
	if err != nil {
		return err
	}
	in, err := folderInput(c)
	if err != nil {
		return err
	}
	f, err := a.Gallery.UpdateFolder(ctx(c), apiStudio(c), ids[0], ids[1], in, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.JSON(folderOf(f))
}

// apiDeleteFolder is DELETE /api/v1/albums/{album}/folders/{folder}: only
// an empty folder, and never an album's last.
func (a *App) apiDeleteFolder(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "folder")
	if err != nil {
		return err
	}
	if err := a.Gallery.DeleteFolder(ctx(c), apiStudio(c), ids[0], ids[1], apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
