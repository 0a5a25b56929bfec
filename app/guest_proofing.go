package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// Proofing by a guest: a name and e-mail (asked once, before the first
// favourite or note), favourites against the album's limit, the
// selection sent to the photographer, and notes on photos. Each form
// works without the script (a page or a redirect) and answers the
// script's fetch (Accept: application/json) with JSON.

// identifyForm asks for the guest's name and e-mail. Fav is a photo to
// favourite once the name is given (the form that needed it).
type identifyForm struct {
	Action, Back, Fav string
	Name, Email       string
	Errors            map[string]string
}

// guestBack is where a form returns: back when it is a page of this
// gallery, else fallback. Nothing from outside the gallery is followed.
func guestBack(c *fiber.Ctx, back, fallback string) string {
	base := galleryBase(c)
	inside := back == base || strings.HasPrefix(back, base+"/") || strings.HasPrefix(back, base+"?")
	if !inside || strings.Contains(back, "//") || strings.Contains(back, `\`) {
		return fallback
	}
	return back
}

func (a *App) identifyPage(c *fiber.Ctx, status int, f identifyForm) error {
	return a.renderGuest(c, status, "guest_identify", f)
}

// guestIdentify is POST /g/:token/identify (name, email). The same
// address again is the same guest, favourites and all.
func (a *App) guestIdentify(c *fiber.Ctx) error {
	g := guest(c)
	f := identifyForm{Action: galleryBase(c) + "/identify", Back: guestBack(c, c.FormValue("back"), galleryBase(c)),
		Fav: c.FormValue("fav"), Name: c.FormValue("name"), Email: c.FormValue("email")}
	if err := a.Gallery.Identify(ctx(c), g, f.Name, f.Email); err != nil {
		if wantsJSON(c) || !errors.Is(err, gallery.ErrInvalidInput) {
			return err
		}
		f.Errors = toProblem(err).Errors
		return a.identifyPage(c, fiber.StatusUnprocessableEntity, f)
	}
	if wantsJSON(c) {
		return c.JSON(fiber.Map{"name": g.Guest.Name, "email": g.Guest.Email})
	}
	if id, err := uuid.Parse(f.Fav); err == nil {
		if err := a.Gallery.Favourite(ctx(c), g, id, true); err != nil {
			return a.favouriteRefused(c, g, err, f.Back)
		}
	}
	return c.Redirect(f.Back, fiber.StatusSeeOther)
}

// favouriteJSON is the guest's choice after a change, for the script.
type favouriteJSON struct {
	On    bool   `json:"on"`
	Count int    `json:"count"`
	Limit *int   `json:"limit"`
	Text  string `json:"text"`
}

// guestFavourite is POST /g/:token/p/:photo/favourite (on=1 or 0).
func (a *App) guestFavourite(c *fiber.Ctx) error {
	id, err := paramID(c, "photo")
	if err != nil {
		return err
	}
	g, on := guest(c), c.FormValue("on") != "0"
	back := guestBack(c, c.FormValue("back"), galleryBase(c)+"/p/"+id.String())
	if err := a.Gallery.Favourite(ctx(c), g, id, on); err != nil {
		if errors.Is(err, gallery.ErrNeedName) && !wantsJSON(c) {
			return a.identifyPage(c, fiber.StatusOK, identifyForm{Action: galleryBase(c) + "/identify", Back: back, Fav: id.String()})
		}
		return a.favouriteRefused(c, g, err, back)
	}
	favs, err := a.Gallery.Favourites(ctx(c), g)
	if err != nil {
		return err
	}
	if wantsJSON(c) {
		return c.JSON(favouriteJSON{On: on, Count: len(favs), Limit: g.Album.SelectionLimit, Text: chosenText(len(favs), g.Album.SelectionLimit)})
	}
	return c.Redirect(back, fiber.StatusSeeOther)
}

// favouriteRefused says why a favourite was not added. At the album's
// limit that is a message, not an error page: a flash on the page the
// guest came from, or a 409 for the script.
func (a *App) favouriteRefused(c *fiber.Ctx, g *gallery.GuestAccess, err error, back string) error {
	limit := g.Album.SelectionLimit
	if !errors.Is(err, gallery.ErrConflict) || limit == nil {
		return err
	}
	msg := fmt.Sprintf("You have chosen %s, the most this album allows. Remove one to choose another.", plural(*limit, "photo", "photos"))
	if wantsJSON(c) {
		p := problem(fiber.StatusConflict, msg)
		p.err = err
		return p
	}
	setFlash(c, msg)
	return c.Redirect(back, fiber.StatusSeeOther)
}

// guestFavouritesView is the guest's favourites with the form that sends
// them to the photographer.
type guestFavouritesView struct {
	Base, Title string
	Tiles       []guestTile
	Choice      guestChoice
	Guest       string
	Note, Error string
	CanAnnotate bool
	Identify    identifyForm
}

// guestFavouritesPage is GET /g/:token/favourites.
func (a *App) guestFavouritesPage(c *fiber.Ctx) error {
	v, err := a.guestFavouritesData(c)
	if err != nil {
		return err
	}
	return a.renderGuest(c, fiber.StatusOK, "guest_favourites", v)
}

// guestFavouritesData lists the favourites in album order, folder by
// folder; favourites in folders hidden since are left out, as the
// selection leaves them out.
func (a *App) guestFavouritesData(c *fiber.Ctx) (*guestFavouritesView, error) {
	g := guest(c)
	favs, err := a.Gallery.Favourites(ctx(c), g)
	if err != nil {
		return nil, err
	}
	base := galleryBase(c)
	v := &guestFavouritesView{Base: base, Title: g.Album.Title, CanAnnotate: g.CanAnnotate(),
		Identify: identifyForm{Action: base + "/identify", Back: base + "/favourites"}}
	if g.Guest != nil {
		v.Guest = g.Guest.Name
	}
	if len(favs) > 0 {
		folders, err := a.Gallery.GuestFolders(ctx(c), g)
		if err != nil {
			return nil, err
		}
		set := idSet(favs)
		for i := range folders {
			photos, err := a.Gallery.GuestPhotos(ctx(c), g, folders[i].ID)
			if err != nil {
				return nil, err
			}
			for j := range photos {
				if set[photos[j].ID] {
					v.Tiles = append(v.Tiles, guestTileOf(c, g, &folders[i], &photos[j], true))
				}
			}
		}
	}
	v.Choice = choiceOf(c, g, len(v.Tiles))
	return v, nil
}

// guestSentView confirms a selection sent.
type guestSentView struct {
	Base, Title string
	Photos      string
	Note        string
}

// guestSubmitSelection is POST /g/:token/selection (note). Each sending
// is a new selection for the photographer, frozen as it was sent: a guest
// who changes their mind changes the favourites and sends again.
func (a *App) guestSubmitSelection(c *fiber.Ctx) error {
	g := guest(c)
	note := c.FormValue("note")
	sel, err := a.Gallery.SubmitSelection(ctx(c), g, note)
	if errors.Is(err, gallery.ErrInvalidInput) || errors.Is(err, gallery.ErrNeedName) {
		v, verr := a.guestFavouritesData(c)
		if verr != nil {
			return verr
		}
		v.Note, v.Error = note, toProblem(err).Detail
		return a.renderGuest(c, toProblem(err).Status, "guest_favourites", v)
	}
	if err != nil {
		return err
	}
	// The count is of the frozen photos: favourites in folders hidden
	// since were left out.
	photos, err := a.Gallery.SelectionPhotos(ctx(c), g.Studio(), g.Album.ID, sel.ID)
	if err != nil {
		return err
	}
	return a.renderGuest(c, fiber.StatusOK, "guest_sent", guestSentView{Base: galleryBase(c), Title: g.Album.Title,
		Photos: plural(len(photos), "photo", "photos"), Note: sel.Note})
}

// guestNote is a note on a photo as its guests see it: numbered, with its
// status and the photographer's replies. P* are the mark's position in
// percent, for data attributes (guest.js places marks through the CSSOM).
type guestNote struct {
	ID             uuid.UUID    `json:"id"`
	N              int          `json:"n"`
	Shape          string       `json:"shape"`
	X              float64      `json:"x"`
	Y              float64      `json:"y"`
	W              float64      `json:"w"`
	H              float64      `json:"h"`
	Note           string       `json:"note"`
	Status         string       `json:"status"`
	Author         string       `json:"author"`
	Mine           bool         `json:"mine"`
	At             time.Time    `json:"created_at"`
	Replies        []guestReply `json:"replies"`
	PX, PY, PW, PH string       `json:"-"`
}

type guestReply struct {
	Author string    `json:"author"`
	Body   string    `json:"body"`
	Studio bool      `json:"studio"`
	At     time.Time `json:"created_at"`
}

// guestNotes are the photo's notes with their authors' names.
func (a *App) guestNotes(c *fiber.Ctx, g *gallery.GuestAccess, photo uuid.UUID) ([]guestNote, error) {
	list, err := a.Gallery.GuestAnnotations(ctx(c), g, photo)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, n := range list {
		if n.GuestID != nil {
			ids = append(ids, *n.GuestID)
		}
	}
	names, err := a.Gallery.GuestNames(ctx(c), g.Studio(), ids)
	if err != nil {
		return nil, err
	}
	studio := orDefault(a.guestStudioName(c), "The photographer")
	out := make([]guestNote, len(list))
	for i, n := range list {
		v := guestNote{ID: n.ID, N: i + 1, Shape: n.Shape, X: n.X, Y: n.Y, W: n.W, H: n.H, Note: n.Note, Status: n.Status,
			Author: "A guest", At: n.CreatedAt.UTC(), Replies: []guestReply{}, PX: pct(n.X), PY: pct(n.Y), PW: pct(n.W), PH: pct(n.H)}
		if n.GuestID != nil {
			v.Author = orDefault(names[*n.GuestID], "A guest")
			v.Mine = g.Guest != nil && *n.GuestID == g.Guest.ID
		}
		for _, r := range n.Replies {
			rv := guestReply{Author: studio, Body: r.Body, Studio: r.UserID != nil, At: r.CreatedAt.UTC()}
			if r.GuestID != nil {
				rv.Author = orDefault(names[*r.GuestID], "A guest")
			}
			v.Replies = append(v.Replies, rv)
		}
		out[i] = v
	}
	return out, nil
}

var errNotesNeedPIN = &gallery.Refusal{Reason: "Enter the edit PIN to see and leave notes."}

// guestNotesJSON is GET /g/:token/p/:photo/annotations, for the lightbox.
// Notes are between the photographer and the guests with the edit PIN.
func (a *App) guestNotesJSON(c *fiber.Ctx) error {
	id, err := paramID(c, "photo")
	if err != nil {
		return err
	}
	g := guest(c)
	if !g.CanAnnotate() {
		return fmt.Errorf("app: guest notes: %w", errNotesNeedPIN)
	}
	notes, err := a.guestNotes(c, g, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"annotations": notes})
}

// noteForm is the form for a new note on the photo page.
type noteForm struct {
	Action, Error, Note string
}

// guestAnnotate is POST /g/:token/p/:photo/annotations: kind (rect or
// point), x, y, w, h in fractions of the photo, and a note. It needs the
// annotate PIN (403 with the view PIN) and a name.
func (a *App) guestAnnotate(c *fiber.Ctx) error {
	id, err := paramID(c, "photo")
	if err != nil {
		return err
	}
	g := guest(c)
	page := galleryBase(c) + "/p/" + id.String()
	in, err := noteInput(c)
	var n *gallery.Annotation
	if err == nil {
		n, err = a.Gallery.Annotate(ctx(c), g, id, in)
	}
	switch {
	case err == nil && wantsJSON(c):
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": n.ID, "status": n.Status})
	case err == nil:
		return c.Redirect(page+"#note-"+n.ID.String(), fiber.StatusSeeOther)
	case wantsJSON(c) || errors.Is(err, gallery.ErrNotFound):
		return err
	case errors.Is(err, gallery.ErrNeedName):
		return a.identifyPage(c, fiber.StatusOK, identifyForm{Action: galleryBase(c) + "/identify", Back: page})
	}
	// Shown again on the photo's page, with the note kept.
	p := toProblem(err)
	v, verr := a.guestPhotoData(c)
	if verr != nil {
		return verr
	}
	v.NoteForm.Error, v.NoteForm.Note = p.Detail, in.Note
	return a.renderGuest(c, p.Status, "guest_photo", v)
}

// noteInput reads a note's form; the gallery checks the numbers.
func noteInput(c *fiber.Ctx) (gallery.AnnotationInput, error) {
	in := gallery.AnnotationInput{Shape: c.FormValue("kind"), Note: c.FormValue("note")}
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"x", &in.X}, {"y", &in.Y}, {"w", &in.W}, {"h", &in.H}} {
		s := c.FormValue(f.name)
		if s == "" {
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return in, fmt.Errorf("app: note %s: %w", f.name, &gallery.InputError{Field: f.name, Message: "The mark must be on the photo."})
		}
		*f.dst = v
	}
	return in, nil
}
