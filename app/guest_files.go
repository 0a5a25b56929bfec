package app

import (
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// Files for guests: thumbnails and previews (looking is not downloading),
// single downloads under the download rule, and zips. A zip up to
// Config.ZipPrepareOver bytes streams at once; a larger one is offered as
// "Prepare download": built in the background, kept a day, and served
// with ranges so a broken download resumes. All of it goes out through
// guest.go.

// guestImage answers GET /g/:token/p/:photo/thumb and …/preview.
func (a *App) guestImage(r rendition) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := paramID(c, "photo")
		if err != nil {
			return err
		}
		return a.guestRendition(c, guest(c), id, r)
	}
}

// guestFile is GET /g/:token/p/:photo/download?size=original|web.
func (a *App) guestFile(c *fiber.Ctx) error {
	id, err := paramID(c, "photo")
	if err != nil {
		return err
	}
	return a.guestDownload(c, guest(c), id, c.Query("size"))
}

// guestZipView offers a large zip for preparing, or shows one being made.
type guestZipView struct {
	Base, Title   string
	Action        string // POST here to prepare
	Folder, What  string // the form's fields
	Name          string
	Files, Size   string
	StatusURL     string // polled by guest.js while the zip is made
	Text          string
	Building      bool
	PrepareOffer  bool
	ExpiresInDays int
}

// zipFolder reads the folder of a zip: none for the whole album. An id
// that is not one is a folder not found.
func zipFolder(s string) (*uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("app: zip folder %q: %w", s, gallery.ErrNotFound)
	}
	return &id, nil
}

// guestZipPage is GET /g/:token/zip?size=original|web[&folder=id]: the
// zip itself, or for a very large one the page that offers to prepare it.
// A locked folder asked for by id is refused with the gallery's reason;
// the album's zip leaves locked folders out.
func (a *App) guestZipPage(c *fiber.Ctx) error {
	g, what := guest(c), c.Query("size")
	folder, err := zipFolder(c.Query("folder"))
	if err != nil {
		return err
	}
	z, err := a.Gallery.GuestZip(ctx(c), g, folder, what)
	if err != nil {
		return err
	}
	size, err := z.Size()
	if err != nil {
		return fmt.Errorf("app: zip size: %w", err)
	}
	if size <= int64(a.Config.ZipPrepareOver) {
		return a.guestZip(c, g, folder, what)
	}
	return a.renderGuest(c, fiber.StatusOK, "guest_zip", guestZipView{Base: galleryBase(c), Title: g.Album.Title,
		Action: galleryBase(c) + "/zips", Folder: c.Query("folder"), What: what, Name: z.Name,
		Files: plural(len(z.Entries), "file", "files"), Size: humanSize(size), PrepareOffer: true})
}

// guestPrepareZip is POST /g/:token/zips (size, folder): start building a
// stored zip, or find the one already building, and show its progress.
func (a *App) guestPrepareZip(c *fiber.Ctx) error {
	folder, err := zipFolder(c.FormValue("folder"))
	if err != nil {
		return err
	}
	x, err := a.Gallery.PrepareZip(ctx(c), guest(c), folder, c.FormValue("size"))
	if err != nil {
		return err
	}
	return c.Redirect(galleryBase(c)+"/zips/"+x.ID.String(), fiber.StatusSeeOther)
}

// zipStatusJSON is a stored zip's state, for the polling page.
type zipStatusJSON struct {
	Status   string `json:"status"` // building, ready or failed
	Name     string `json:"name"`
	Files    int    `json:"files"`
	Bytes    int64  `json:"bytes"`
	Text     string `json:"text"`
	Download string `json:"download_url,omitempty"`
}

// guestZipStatus is GET /g/:token/zips/:zip: its state as JSON for the
// script; for a browser, the zip once ready (with ranges), else the page
// that waits for it.
func (a *App) guestZipStatus(c *fiber.Ctx) error {
	id, err := paramID(c, "zip")
	if err != nil {
		return err
	}
	c.Vary(fiber.HeaderAccept)
	g := guest(c)
	x, err := a.Gallery.GuestZipExport(ctx(c), g, id)
	if err != nil {
		return err
	}
	url := galleryBase(c) + "/zips/" + id.String()
	text := zipText(x, a.Gallery.Now())
	if wantsJSON(c) {
		out := zipStatusJSON{Status: x.Status, Name: x.Name, Files: x.Files, Bytes: x.Size, Text: text}
		if x.Status == "ready" {
			out.Download = url
		}
		return c.JSON(out)
	}
	if x.Status != "building" {
		return a.guestZipExport(c, g, id)
	}
	return a.renderGuest(c, fiber.StatusOK, "guest_zip", guestZipView{Base: galleryBase(c), Title: g.Album.Title,
		Name: x.Name, Files: plural(x.Files, "file", "files"), StatusURL: url, Text: text, Building: true,
		ExpiresInDays: int(gallery.ZipLife / (24 * time.Hour))})
}

// zipText says where a stored zip is, in words.
func zipText(x *gallery.ZipExport, now time.Time) string {
	switch x.Status {
	case "ready":
		return fmt.Sprintf("Ready: %s, %s.", plural(x.Files, "file", "files"), humanSize(x.Size))
	case "failed":
		return "This zip could not be made. Go back to the gallery and ask for it again."
	}
	return fmt.Sprintf("Putting %s together (started %s ago). Large albums take a few minutes.",
		plural(x.Files, "file", "files"), sinceWords(now.Sub(x.CreatedAt)))
}

// sinceWords says how long ago, rounded down: "less than a minute".
func sinceWords(d time.Duration) string {
	switch m := int(d.Minutes()); {
	case m < 1:
		return "less than a minute"
	case m == 1:
		return "a minute"
	case m < 90:
		return fmt.Sprintf("%d minutes", m)
	}
	return fmt.Sprintf("%d hours", int(d.Hours()))
}
