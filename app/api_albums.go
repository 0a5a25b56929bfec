package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// albumJSON is an album as the API shows it. PINs are never shown, only
// whether they are set.
type albumJSON struct {
	ID               uuid.UUID      `json:"id"`
	Title            string         `json:"title"`
	ClientID         *uuid.UUID     `json:"client_id"`
	EventDate        *gallery.Date  `json:"event_date"`
	Status           string         `json:"status"`
	CoverPhotoID     *uuid.UUID     `json:"cover_photo_id"`
	OriginalsAllowed bool           `json:"originals_allowed"`
	WebAllowed       bool           `json:"web_allowed"`
	HasViewPIN       bool           `json:"has_view_pin"`
	HasAnnotatePIN   bool           `json:"has_annotate_pin"`
	SelectionLimit   *int           `json:"selection_limit"`
	Watermark        *watermarkJSON `json:"watermark"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

type watermarkJSON struct {
	Kind     string  `json:"kind"`
	Text     string  `json:"text"`
	Position string  `json:"position"`
	Opacity  float64 `json:"opacity"`
}

func albumOf(al *gallery.Album) albumJSON {
	out := albumJSON{ID: al.ID, Title: al.Title, ClientID: al.ClientID, EventDate: al.EventDate, Status: al.Status,
		CoverPhotoID: al.CoverPhotoID, OriginalsAllowed: al.OriginalsAllowed, WebAllowed: al.WebAllowed,
		HasViewPIN: al.HasViewPIN(), HasAnnotatePIN: al.HasAnnotatePIN(), SelectionLimit: al.SelectionLimit,
		CreatedAt: al.CreatedAt.UTC(), UpdatedAt: al.UpdatedAt.UTC()}
	if w := al.Watermark; w != nil {
		out.Watermark = &watermarkJSON{Kind: w.Kind, Text: w.Text, Position: w.Position, Opacity: w.Opacity}
	}
	return out
}

// albumBody creates an album or changes the fields it has. A nullable
// field sent as null is cleared; an absent one is kept.
type albumBody struct {
	Title            *string            `json:"title"`
	ClientID         opt[string]        `json:"client_id"`
	EventDate        opt[string]        `json:"event_date"`
	Status           *string            `json:"status"`
	OriginalsAllowed *bool              `json:"originals_allowed"`
	WebAllowed       *bool              `json:"web_allowed"`
	SelectionLimit   opt[int]           `json:"selection_limit"`
	Watermark        opt[watermarkJSON] `json:"watermark"`
}

// input turns the body into the gallery's input; ids and dates are read
// here so a bad one is a 422 naming the field, not a JSON syntax error.
func (b albumBody) input() (gallery.AlbumInput, error) {
	in := gallery.AlbumInput{Title: b.Title, Status: b.Status, OriginalsAllowed: b.OriginalsAllowed, WebAllowed: b.WebAllowed}
	switch {
	case b.ClientID.Null:
		in.ClearClient = true
	case b.ClientID.Set:
		id, err := uuid.Parse(b.ClientID.V)
		if err != nil {
			return in, fieldError("client_id", "There is no such client.")
		}
		in.ClientID = &id
	}
	switch {
	case b.EventDate.Null:
		in.ClearEventDate = true
	case b.EventDate.Set:
		d, err := gallery.ParseDate(b.EventDate.V)
		if err != nil || d == nil {
			return in, fieldError("event_date", "Give the date as YYYY-MM-DD, or null for none.")
		}
		in.EventDate = d
	}
	if b.SelectionLimit.Set {
		n := b.SelectionLimit.V // null is 0: no limit
		in.SelectionLimit = &n
	}
	switch w := b.Watermark.V; {
	case b.Watermark.Null:
		in.ClearWatermark = true
	case b.Watermark.Set:
		in.Watermark = &gallery.Watermark{Kind: w.Kind, Text: w.Text, Position: w.Position, Opacity: w.Opacity}
	}
	return in, nil
}

func (a *App) albumInput(c *fiber.Ctx) (gallery.AlbumInput, error) {
	var b albumBody
	if err := decodeJSON(c, &b); err != nil {
		return gallery.AlbumInput{}, err
	}
	return b.input()
}

// apiAlbums is GET /api/v1/albums: every album, newest first.
func (a *App) apiAlbums(c *fiber.Ctx) error {
	list, err := a.Gallery.Albums(ctx(c), apiStudio(c))
	if err != nil {
		return err
	}
	out := struct {
		Albums []albumJSON `json:"albums"`
	}{Albums: make([]albumJSON, 0, len(list))}
	for i := range list {
		out.Albums = append(out.Albums, albumOf(&list[i]))
	}
	return c.JSON(out)
}

// apiCreateAlbum is POST /api/v1/albums: a draft with one folder, "Photos",
// unless the body says otherwise.
func (a *App) apiCreateAlbum(c *fiber.Ctx) error {
	in, err := a.albumInput(c)
	if err != nil {
		return err
	}
	al, err := a.Gallery.CreateAlbum(ctx(c), apiStudio(c), in, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(albumOf(al))
}

// apiAlbum is GET /api/v1/albums/{album}.
func (a *App) apiAlbum(c *fiber.Ctx) error {
	id, err := apiID(c, "album")
	if err != nil {
		return err
	}
	al, err := a.Gallery.Album(ctx(c), apiStudio(c), id)
	if err != nil {
		return err
	}
	return c.JSON(albumOf(al))
}

// apiUpdateAlbum is PATCH /api/v1/albums/{album}.
func (a *App) apiUpdateAlbum(c *fiber.Ctx) error {
	id, err := apiID(c, "album")
	if err != nil {
		return err
	}
	in, err := a.albumInput(c)
	if err != nil {
		return err
	}
	al, err := a.Gallery.UpdateAlbum(ctx(c), apiStudio(c), id, in, apiGalleryActor(c))
	if err != nil {
		return err
	}
	return c.JSON(albumOf(al))
}

// apiDeleteAlbum is DELETE /api/v1/albums/{album}: everything in it goes,
// its stored files by a background job.
func (a *App) apiDeleteAlbum(c *fiber.Ctx) error {
	id, err := apiID(c, "album")
	if err != nil {
		return err
	}
	if err := a.Gallery.DeleteAlbum(ctx(c), apiStudio(c), id, apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiAlbumProgress is GET /api/v1/albums/{album}/progress: the album's
// photos by status, for a progress bar while renditions are made.
func (a *App) apiAlbumProgress(c *fiber.Ctx) error {
	id, err := apiID(c, "album")
	if err != nil {
		return err
	}
	p, err := a.Gallery.AlbumProgress(ctx(c), apiStudio(c), id)
	if err != nil {
		return err
	}
	return c.JSON(struct {
		gallery.Progress
		Done bool `json:"done"`
	}{p, p.Done()})
}

// apiSetPINs is PUT /api/v1/albums/{album}/pins. A PIN is written, never
// read back: the album shows only whether each is set.
func (a *App) apiSetPINs(c *fiber.Ctx) error {
	id, err := apiID(c, "album")
	if err != nil {
		return err
	}
	var b struct {
		View     *string `json:"view_pin"`
		Annotate *string `json:"annotate_pin"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	in := gallery.PINInput{View: b.View, Annotate: b.Annotate}
	if err := a.Gallery.SetPINs(ctx(c), apiStudio(c), id, in, apiGalleryActor(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
