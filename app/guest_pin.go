package app

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/gallery"
)

// pinView is the PIN page. Before the PIN a guest learns only the album's
// title and the studio's name: no cover, no date, no count of photos.
type pinView struct {
	Action  string
	Title   string
	Error   string
	Upgrade bool   // in with the view PIN, entering the annotate PIN
	Back    string // the gallery, for a guest who is in already
}

// guestHome is GET /g/:token: the PIN page, or the gallery for a guest
// past it. An album without a view PIN lets the guest straight in.
func (a *App) guestHome(c *fiber.Ctx) error {
	g := guest(c)
	if !g.In() {
		if g.Album.HasViewPIN() {
			return a.pinPage(c, fiber.StatusOK, "")
		}
		if err := a.enterGuest(c, g, ""); err != nil {
			return err
		}
	}
	return a.galleryPage(c, g)
}

func (a *App) pinPage(c *fiber.Ctx, status int, msg string) error {
	g := guest(c)
	v := pinView{Action: galleryBase(c) + "/pin", Title: g.Album.Title, Error: msg, Upgrade: g.In()}
	if g.In() {
		v.Back = galleryBase(c)
	}
	return a.renderGuest(c, status, "guest_pin", v)
}

// guestEnterPIN is POST /g/:token/pin with either PIN: gallery.Enter
// decides which access it gives, and keeps the guest's name when a guest
// in with the view PIN enters the annotate PIN. Wrong PINs are counted,
// audited and locked out by the gallery; the PIN itself goes nowhere.
func (a *App) guestEnterPIN(c *fiber.Ctx) error {
	g := guest(c)
	pin := strings.TrimSpace(c.FormValue("pin"))
	if !isPIN(pin) { // not a guess: nothing is counted
		return a.pinPage(c, fiber.StatusUnprocessableEntity, "A PIN has 4 to 8 digits.")
	}
	could := g.CanAnnotate()
	err := a.enterGuest(c, g, pin)
	var lock *gallery.LockoutError
	switch {
	case errors.As(err, &lock):
		wait := lock.RetryAfter(a.Gallery.Now())
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait/time.Second)))
		return a.pinPage(c, fiber.StatusTooManyRequests, "Too many wrong PINs. Try again in "+waitWords(wait)+".")
	case errors.Is(err, gallery.ErrWrongPIN):
		return a.pinPage(c, fiber.StatusUnauthorized, "That PIN is not right.")
	case err != nil:
		return err
	}
	if g.CanAnnotate() && !could {
		setFlash(c, "You can leave notes now: open a photo and choose “Add a note”.")
	}
	return c.Redirect(galleryBase(c), fiber.StatusSeeOther)
}

// isPIN is the shape of every PIN an album can have (gallery.SetPINs).
func isPIN(s string) bool {
	if len(s) < 4 || len(s) > 8 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// waitWords says a lockout's wait for people: "2 minutes", "4 hours".
func waitWords(d time.Duration) string {
	m := int(math.Ceil(d.Minutes()))
	switch {
	case m <= 1:
		return "a minute"
	case m < 90:
		return fmt.Sprintf("%d minutes", m)
	}
	return fmt.Sprintf("%d hours", int(math.Ceil(d.Hours())))
}
