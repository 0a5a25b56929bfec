package app

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/gallery"
)

// apiGuestRoutes is the guest side of the JSON API, for the apps a
// photographer's client uses: everything the /g/:token pages do, under
// /api/v1/shares/:token. The share link's token is in the path (named
// "token", so the log line redacts it); the guest session is a bearer
// token from POST …/sessions. Studio API tokens mean nothing here.
// Handlers are in api_guest_*.go; every file goes out through guest.go.
func (a *App) apiGuestRoutes(r fiber.Router) {
	open := a.openGuest(bearerSession)
	// A dead link is 410 and a draft 404 before anything else; then the
	// session (401); then the body (415).
	share := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{noStore, open, requireJSON}, h...)
	}
	in := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{noStore, open, guestIn, requireJSON}, h...)
	}
	const s = "/shares/:token"
	r.Get(s, share(a.apiShare)...)
	r.Post(s+"/sessions", share(a.apiGuestEnter)...)
	r.Put(s+"/guest", in(a.apiGuestIdentify)...)

	r.Get(s+"/folders", in(a.apiGuestFolders)...)
	r.Get(s+"/folders/:folder/photos", in(a.apiGuestPhotos)...)
	r.Get(s+"/photos/:photo", in(a.apiGuestPhoto)...)
	r.Get(s+"/photos/:photo/thumb", in(a.apiGuestRendition(renditionThumb))...)
	r.Get(s+"/photos/:photo/preview", in(a.apiGuestRendition(renditionPreview))...)
	r.Get(s+"/photos/:photo/download", in(a.apiGuestDownload)...)

	r.Put(s+"/photos/:photo/favourite", in(a.apiGuestFavourite(true))...)
	r.Delete(s+"/photos/:photo/favourite", in(a.apiGuestFavourite(false))...)
	r.Get(s+"/favourites", in(a.apiGuestFavourites)...)
	r.Post(s+"/selection", in(a.apiGuestSubmit)...)
	r.Get(s+"/photos/:photo/annotations", in(a.apiGuestAnnotations)...)
	r.Post(s+"/photos/:photo/annotations", in(a.apiGuestAnnotate)...)

	r.Get(s+"/zip", in(a.apiGuestZip)...)
	r.Post(s+"/zips", in(a.apiGuestPrepareZip)...)
	r.Get(s+"/zips/:zip", in(a.apiGuestZipExport)...)
}

// noStore keeps every guest answer out of shared caches; files override
// it with private revalidation (sendObject).
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

const guestRealm = `Bearer realm="proofsheet-guest"`

// guestIn lets through only a guest past the PIN: a session token of this
// link, alive. A token of another link is no session here.
func guestIn(c *fiber.Ctx) error {
	if guest(c).In() {
		return c.Next()
	}
	if _, sent := bearerToken(c.Get(fiber.HeaderAuthorization)); sent {
		c.Set(fiber.HeaderWWWAuthenticate, guestRealm+`, error="invalid_token"`)
		return problem(fiber.StatusUnauthorized, "This session is not valid for this link: it has expired or belongs to another link. Start a new one with POST …/sessions.")
	}
	c.Set(fiber.HeaderWWWAuthenticate, guestRealm)
	return problem(fiber.StatusUnauthorized, "Start a session with POST …/sessions, then send its token in the Authorization header: Bearer ….")
}

// shareJSON is what anyone holding the link may know before the PIN.
type shareJSON struct {
	Title           string            `json:"title"`
	StudioName      string            `json:"studio_name"`
	EventDate       *gallery.Date     `json:"event_date"`
	ViewPINRequired bool              `json:"view_pin_required"`
	AnnotatePINSet  bool              `json:"annotate_pin_set"`
	LinkExpiresAt   *time.Time        `json:"link_expires_at"`
	Session         *guestSessionJSON `json:"session"`
}

// guestSessionJSON is the caller's own session, when it sent one.
type guestSessionJSON struct {
	Access    string     `json:"access"`
	ExpiresAt time.Time  `json:"expires_at"`
	Guest     *guestJSON `json:"guest"`
}

type guestJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// apiShare is GET /api/v1/shares/{token}: the album's public facts, and
// the caller's session if its bearer token is one of this link.
func (a *App) apiShare(c *fiber.Ctx) error {
	g := guest(c)
	st, err := a.Accounts.Studio(ctx(c), g.Studio())
	if err != nil {
		return err
	}
	out := shareJSON{Title: g.Album.Title, StudioName: st.Name, EventDate: g.Album.EventDate,
		ViewPINRequired: g.Album.HasViewPIN(), AnnotatePINSet: g.Album.HasAnnotatePIN(), LinkExpiresAt: utcp(g.Link.ExpiresAt)}
	if g.In() {
		out.Session = &guestSessionJSON{Access: g.Session.Access, ExpiresAt: g.Session.ExpiresAt.UTC()}
		if g.Guest != nil {
			out.Session.Guest = &guestJSON{Name: g.Guest.Name, Email: g.Guest.Email}
		}
	}
	return c.JSON(out)
}

// newGuestSessionJSON is a session just started: the only time its token
// is shown.
type newGuestSessionJSON struct {
	Token     string    `json:"token"`
	Access    string    `json:"access"`
	ExpiresAt time.Time `json:"expires_at"`
}

// apiGuestEnter is POST /api/v1/shares/{token}/sessions: with the view PIN
// (or none when the album has none) or the annotate PIN. Sent with a
// session of this link, the new session keeps the guest's name, so an app
// can step up from view to annotate. Wrong PINs count towards a lockout,
// whose wait is sent as Retry-After.
func (a *App) apiGuestEnter(c *fiber.Ctx) error {
	var b struct {
		PIN string `json:"pin"`
	}
	if len(apiBody(c)) > 0 {
		if err := decodeJSON(c, &b); err != nil {
			return err
		}
	}
	g := guest(c)
	// Checked before the PIN is: a missing or malformed PIN is not a guess.
	switch {
	case b.PIN == "" && g.Album.HasViewPIN():
		return fieldError("pin", "Enter the PIN the photographer gave you.")
	case b.PIN != "" && !pinShaped(b.PIN):
		return fieldError("pin", "A PIN has 4 to 8 digits.")
	}
	token, err := a.Gallery.Enter(ctx(c), g, b.PIN)
	var lock *gallery.LockoutError
	if errors.As(err, &lock) {
		wait := lock.RetryAfter(a.Gallery.Now())
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait/time.Second)))
	}
	if errors.Is(err, gallery.ErrWrongPIN) {
		c.Set(fiber.HeaderWWWAuthenticate, guestRealm)
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(newGuestSessionJSON{Token: token, Access: g.Session.Access,
		ExpiresAt: g.Session.ExpiresAt.UTC()})
}

// pinShaped is the form of every PIN an album can have (gallery.SetPINs).
func pinShaped(pin string) bool {
	if len(pin) < 4 || len(pin) > 8 {
		return false
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// apiGuestIdentify is PUT /api/v1/shares/{token}/guest: the guest's name
// and e-mail, needed before favourites, selections and notes. The same
// address again is the same guest, favourites and all.
func (a *App) apiGuestIdentify(c *fiber.Ctx) error {
	var b guestJSON
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	g := guest(c)
	if err := a.Gallery.Identify(ctx(c), g, b.Name, b.Email); err != nil {
		return err
	}
	return c.JSON(guestJSON{Name: g.Guest.Name, Email: g.Guest.Email})
}
