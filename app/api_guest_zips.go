package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// A guest gets many photos at once in two ways: GET …/zip streams a zip
// now (exact length, nothing stored), and POST …/zips has one built in the
// background and kept for a day, for downloads large enough to need
// resuming. GET …/zips/{zip} is the stored zip's status as JSON; with
// ?download=1 it is the file itself. One address per representation, so
// no Accept negotiation and no Vary.

// apiGuestZip is GET /api/v1/shares/{token}/zip?size=original|web[&folder=id]:
// the album, or one folder, as a zip. An album zip leaves out folders
// locked against download; a locked folder asked for by id is refused.
func (a *App) apiGuestZip(c *fiber.Ctx) error {
	what, err := downloadSize(c.Query("size"))
	if err != nil {
		return err
	}
	var folder *uuid.UUID
	if s := c.Query("folder"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return queryError("folder must be a folder id.")
		}
		folder = &id
	}
	return a.guestZip(c, guest(c), folder, what)
}

// zipExportJSON is a stored zip as its guest sees it.
type zipExportJSON struct {
	ID          uuid.UUID  `json:"id"`
	FolderID    *uuid.UUID `json:"folder_id"`
	Size        string     `json:"size"`
	Name        string     `json:"name"`
	Status      string     `json:"status"`
	Files       int        `json:"files"`
	Bytes       int64      `json:"bytes"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	DownloadURL *string    `json:"download_url"` // once ready
}

func zipExportOf(c *fiber.Ctx, x *gallery.ZipExport) zipExportJSON {
	out := zipExportJSON{ID: x.ID, FolderID: x.FolderID, Size: x.What, Name: x.Name, Status: x.Status, Files: x.Files,
		Bytes: x.Size, CreatedAt: x.CreatedAt.UTC(), ExpiresAt: x.ExpiresAt.UTC()}
	if x.Status == "ready" {
		u := sharePath(c, "/zips/%s?download=1", x.ID)
		out.DownloadURL = &u
	}
	return out
}

// apiGuestPrepareZip is POST /api/v1/shares/{token}/zips: start building
// a stored zip (or find the one already building for the same folder and
// size). 202 with its status and its address in Location.
func (a *App) apiGuestPrepareZip(c *fiber.Ctx) error {
	var b struct {
		FolderID *string `json:"folder_id"`
		Size     string  `json:"size"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.Size != gallery.DownloadOriginal && b.Size != gallery.DownloadWeb {
		return fieldError("size", "Choose the original or the web size.")
	}
	var folder *uuid.UUID
	if b.FolderID != nil {
		id, err := uuid.Parse(*b.FolderID)
		if err != nil {
			return fieldError("folder_id", "There is no such folder in this album.")
		}
		folder = &id
	}
	x, err := a.Gallery.PrepareZip(ctx(c), guest(c), folder, b.Size)
	if err != nil {
		return err
	}
	c.Location(sharePath(c, "/zips/%s", x.ID))
	return c.Status(fiber.StatusAccepted).JSON(zipExportOf(c, x))
}

// apiGuestZipExport is GET /api/v1/shares/{token}/zips/{zip}: its status,
// or with ?download=1 the zip itself (ranges honoured; 409 while it is
// being built, 410 when building failed).
func (a *App) apiGuestZipExport(c *fiber.Ctx) error {
	id, err := apiID(c, "zip")
	if err != nil {
		return err
	}
	switch c.Query("download") {
	case "":
	case "1":
		return a.guestZipExport(c, guest(c), id)
	default:
		return queryError("download must be 1, or left out for the status.")
	}
	x, err := a.Gallery.GuestZipExport(ctx(c), guest(c), id)
	if err != nil {
		return err
	}
	return c.JSON(zipExportOf(c, x))
}
