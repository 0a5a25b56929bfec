package app

import (
	"bytes"
	"io"
	"mime"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// selectionJSON is a guest's submitted selection, frozen at submission.
type selectionJSON struct {
	ID          uuid.UUID `json:"id"`
	AlbumID     uuid.UUID `json:"album_id"`
	GuestID     uuid.UUID `json:"guest_id"`
	GuestName   string    `json:"guest_name"`
	GuestEmail  string    `json:"guest_email"`
	LinkLabel   string    `json:"link_label"`
	Note        string    `json:"note"`
	Photos      int       `json:"photos"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// apiSelections is GET /api/v1/albums/{album}/selections, newest first.
func (a *App) apiSelections(c *fiber.Ctx) error {
	album, err := apiID(c, "album")
	if err != nil {
		return err
	}
	list, err := a.Gallery.Selections(ctx(c), apiStudio(c), album)
	if err != nil {
		return err
	}
	out := struct {
		Selections []selectionJSON `json:"selections"`
	}{Selections: make([]selectionJSON, 0, len(list))}
	for _, s := range list {
		out.Selections = append(out.Selections, selectionJSON{ID: s.ID, AlbumID: s.AlbumID, GuestID: s.GuestID,
			GuestName: s.GuestName, GuestEmail: s.GuestEmail, LinkLabel: s.LinkLabel, Note: s.Note, Photos: s.Photos,
			SubmittedAt: s.SubmittedAt.UTC()})
	}
	return c.JSON(out)
}

// apiSelectionPhotos is GET .../selections/{selection}/photos: the chosen
// photos in album order.
func (a *App) apiSelectionPhotos(c *fiber.Ctx) error {
	ids, err := apiIDs(c, "album", "selection")
	if err != nil {
		return err
	}
	photos, err := a.Gallery.SelectionPhotos(ctx(c), apiStudio(c), ids[0], ids[1])
	if err != nil {
		return err
	}
	return c.JSON(struct {
		Photos []photoJSON `json:"photos"`
	}{photosOf(photos)})
}

// selectionFormat is a way to export a selection's file names.
type selectionFormat struct {
	format string // for the audit log
	write  func(io.Writer, []gallery.Photo) error
	name   string
	ctype  string
}

var (
	exportAsCSV       = selectionFormat{"csv", gallery.WriteSelectionCSV, "selection.csv", "text/csv; charset=utf-8"}
	exportAsLightroom = selectionFormat{"lightroom", gallery.WriteLightroomList, "lightroom.txt", "text/plain; charset=utf-8"}
)

// apiSelectionExport is GET .../selection.csv or .../lightroom.txt: the
// chosen file names as a CSV, or as the comma-separated list Lightroom's
// filename filter takes. Exporting client data is audited.
func (a *App) apiSelectionExport(f selectionFormat) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ids, err := apiIDs(c, "album", "selection")
		if err != nil {
			return err
		}
		photos, err := a.Gallery.SelectionPhotos(ctx(c), apiStudio(c), ids[0], ids[1])
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := f.write(&buf, photos); err != nil {
			return err
		}
		err = a.recordAPI(c, "selection.export", map[string]any{"album_id": ids[0].String(),
			"selection_id": ids[1].String(), "format": f.format, "photos": len(photos)})
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, f.ctype)
		c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": f.name}))
		return c.Send(buf.Bytes())
	}
}
