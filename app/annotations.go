package app

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// noteView is a guest's note on a photo with the replies to it. The mark's
// position is in percent of the photo, for data attributes: the CSP allows
// no inline styles, so studio.js places the marks through the CSSOM.
type noteView struct {
	gallery.Annotation
	N          int
	Author     string
	Replies    []replyView
	ReplyURL   string
	ResolveURL string
	X, Y, W, H string
}

type replyView struct {
	Body, Author string
	At           time.Time
	Studio       bool // written by the studio, not a guest
}

// notesData loads a photo's notes with the names of who wrote them.
func (a *App) notesData(c *fiber.Ctx, album, photo uuid.UUID) ([]noteView, error) {
	studio := session(c).StudioID
	notes, err := a.Gallery.Annotations(ctx(c), studio, album, photo)
	if err != nil || len(notes) == 0 {
		return nil, err
	}
	var guests []uuid.UUID
	for _, n := range notes {
		if n.GuestID != nil {
			guests = append(guests, *n.GuestID)
		}
		for _, r := range n.Replies {
			if r.GuestID != nil {
				guests = append(guests, *r.GuestID)
			}
		}
	}
	guestNames, err := a.Gallery.GuestNames(ctx(c), studio, guests)
	if err != nil {
		return nil, err
	}
	users, err := a.Accounts.Users(ctx(c), studio)
	if err != nil {
		return nil, err
	}
	userNames := map[uuid.UUID]string{}
	for _, u := range users {
		userNames[u.ID] = u.Name
	}
	name := func(guest, user *uuid.UUID) (string, bool) {
		switch {
		case user != nil:
			return orDefault(userNames[*user], "The studio"), true
		case guest != nil:
			return orDefault(guestNames[*guest], "A guest"), false
		}
		return "A guest", false
	}
	base := photoPath(album, photo) + "/annotations/"
	out := make([]noteView, len(notes))
	for i, n := range notes {
		v := noteView{Annotation: n, N: i + 1, ReplyURL: base + n.ID.String() + "/replies",
			ResolveURL: base + n.ID.String() + "/resolve",
			X:          pct(n.X), Y: pct(n.Y), W: pct(n.W), H: pct(n.H)}
		v.Author, _ = name(n.GuestID, nil)
		for _, r := range n.Replies {
			who, studio := name(r.GuestID, r.UserID)
			v.Replies = append(v.Replies, replyView{Body: r.Body, Author: who, At: r.CreatedAt, Studio: studio})
		}
		out[i] = v
	}
	return out, nil
}

func pct(f float64) string { return fmt.Sprintf("%.3f", f*100) }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func photoAndNote(c *fiber.Ctx) (album, photo, note uuid.UUID, err error) {
	if album, photo, err = albumAndPhoto(c); err != nil {
		return
	}
	note, err = paramID(c, "note")
	return
}

// replyForm answers a note; a mistake shows the photo page again.
func (a *App) replyForm(c *fiber.Ctx) error {
	album, photo, note, err := photoAndNote(c)
	if err != nil {
		return err
	}
	_, err = a.Gallery.Reply(ctx(c), session(c).StudioID, album, note, c.FormValue("body"), galleryActor(c))
	if err != nil {
		return a.photoFormError(c, album, photo, note, err)
	}
	setFlash(c, "Reply added. The guest sees it with the note.")
	return c.Redirect(photoPath(album, photo)+"#note-"+note.String(), fiber.StatusSeeOther)
}

func (a *App) resolveForm(c *fiber.Ctx) error {
	album, photo, note, err := photoAndNote(c)
	if err != nil {
		return err
	}
	resolved := c.FormValue("resolved") == "1"
	if err := a.Gallery.Resolve(ctx(c), session(c).StudioID, album, note, resolved, galleryActor(c)); err != nil {
		return err
	}
	msg := "Note marked resolved."
	if !resolved {
		msg = "Note opened again."
	}
	setFlash(c, msg)
	return c.Redirect(photoPath(album, photo)+"#note-"+note.String(), fiber.StatusSeeOther)
}

// photoFormError shows the photo page again with a mistake next to the note.
func (a *App) photoFormError(c *fiber.Ctx, album, photo, note uuid.UUID, err error) error {
	p := toProblem(err)
	if p.Status != fiber.StatusUnprocessableEntity {
		return err
	}
	v, lerr := a.photoData(c, album, photo)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	v.Errors[note.String()] = p.Detail
	c.Locals(localErr, err)
	return a.renderStatus(c, p.Status, "album_photo", v)
}
