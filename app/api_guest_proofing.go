package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// apiGuestFavourite answers PUT (on) and DELETE (off) of
// /api/v1/shares/{token}/photos/{photo}/favourite. Both are idempotent;
// adding past the album's selection limit is a 409.
func (a *App) apiGuestFavourite(on bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := apiID(c, "photo")
		if err != nil {
			return err
		}
		if err := a.Gallery.Favourite(ctx(c), guest(c), id, on); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

// favouritesJSON is the guest's favourites against the album's limit.
type favouritesJSON struct {
	PhotoIDs []uuid.UUID `json:"photo_ids"`
	Count    int         `json:"count"`
	Limit    *int        `json:"limit"`
}

// apiGuestFavourites is GET /api/v1/shares/{token}/favourites, oldest
// first; none before the guest has given a name.
func (a *App) apiGuestFavourites(c *fiber.Ctx) error {
	g := guest(c)
	ids, err := a.Gallery.Favourites(ctx(c), g)
	if err != nil {
		return err
	}
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return c.JSON(favouritesJSON{PhotoIDs: ids, Count: len(ids), Limit: g.Album.SelectionLimit})
}

// submittedJSON is a selection just submitted, as its guest sees it.
type submittedJSON struct {
	ID          uuid.UUID `json:"id"`
	Note        string    `json:"note"`
	Photos      int       `json:"photos"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// apiGuestSubmit is POST /api/v1/shares/{token}/selection: the guest's
// favourites, frozen and sent to the photographer with an optional note.
func (a *App) apiGuestSubmit(c *fiber.Ctx) error {
	var b struct {
		Note string `json:"note"`
	}
	if len(apiBody(c)) > 0 {
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
	}
	g := guest(c)
	sel, err := a.Gallery.SubmitSelection(ctx(c), g, b.Note)
	if err != nil {
		return err
	}
	// The count is of the frozen photos: favourites in folders hidden
	// since were left out.
	photos, err := a.Gallery.SelectionPhotos(ctx(c), g.Studio(), g.Album.ID, sel.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(submittedJSON{ID: sel.ID, Note: sel.Note, Photos: len(photos),
		SubmittedAt: sel.SubmittedAt.UTC()})
}

// apiGuestAnnotations is GET /api/v1/shares/{token}/photos/{photo}/annotations:
// the photo's notes with their status and the photographer's replies.
func (a *App) apiGuestAnnotations(c *fiber.Ctx) error {
	id, err := apiID(c, "photo")
	if err != nil {
		return err
	}
	list, err := a.Gallery.GuestAnnotations(ctx(c), guest(c), id)
	if err != nil {
		return err
	}
	return c.JSON(annotationsOf(list))
}

// apiGuestAnnotate is POST /api/v1/shares/{token}/photos/{photo}/annotations:
// a note on a point or rectangle, in fractions of the photo's size. It
// needs a session started with the annotate PIN (403 otherwise).
func (a *App) apiGuestAnnotate(c *fiber.Ctx) error {
	id, err := apiID(c, "photo")
	if err != nil {
		return err
	}
	var in gallery.AnnotationInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	n, err := a.Gallery.Annotate(ctx(c), guest(c), id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(annotationOf(n))
}
