package app

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/frontend"
	"github.com/proofsheet/proofsheet/gallery"
)

// The guest pages: what a photographer's client sees through a share link,
// at /g/:token. The link is resolved first on every route (a dead link is
// a 410 page whatever else the request holds), then the CSRF check of the
// forms, then the guest session. The token is the route parameter "token",
// so the request log writes [token] instead. Handlers: guest_pin.go (the
// PIN), guest_gallery.go (gallery and photo pages), guest_proofing.go
// (name, favourites, selection, notes), guest_files.go (images, downloads,
// zips). Every file goes out through guest.go.
func (a *App) guestRoutes(f *fiber.App) {
	open := a.openGuest(cookieSession)
	// A page may hold forms; it needs the CSRF cookie and check.
	page := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.guestErrors, open, a.csrf}, h...)
	}
	in := func(h ...fiber.Handler) []fiber.Handler {
		return page(append([]fiber.Handler{a.guestEntered(true)}, h...)...)
	}
	// Images and downloads: no forms, no cookie but the session's.
	file := func(h ...fiber.Handler) []fiber.Handler {
		return append([]fiber.Handler{a.guestErrors, open, a.guestEntered(false)}, h...)
	}
	const g = "/g/:token"
	f.Get(g, page(a.guestHome)...)
	f.Post(g+"/pin", page(a.guestEnterPIN)...)
	f.Post(g+"/identify", in(a.guestIdentify)...)
	f.Get(g+"/favourites", in(a.guestFavouritesPage)...)
	f.Post(g+"/selection", in(a.guestSubmitSelection)...)
	f.Get(g+"/zip", in(a.guestZipPage)...)
	f.Post(g+"/zips", in(a.guestPrepareZip)...)
	f.Get(g+"/zips/:zip", in(a.guestZipStatus)...)
	f.Get(g+"/p/:photo", in(a.guestPhotoPage)...)
	f.Get(g+"/p/:photo/thumb", file(a.guestImage(renditionThumb))...)
	f.Get(g+"/p/:photo/preview", file(a.guestImage(renditionPreview))...)
	f.Get(g+"/p/:photo/download", file(a.guestFile)...)
	f.Post(g+"/p/:photo/favourite", in(a.guestFavourite)...)
	f.Get(g+"/p/:photo/annotations", in(a.guestNotesJSON)...)
	f.Post(g+"/p/:photo/annotations", in(a.guestAnnotate)...)
}

// galleryBase is the address of the request's gallery.
func galleryBase(c *fiber.Ctx) string { return "/g/" + c.Params("token") }

// wantsJSON reports a request from the pages' script, which asks for
// JSON; a plain form or link gets a page or a redirect.
func wantsJSON(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}

// guestEntered lets through a guest past the PIN. For pages, an album
// without a view PIN lets the guest straight in (a deep link to a photo
// works at once), and one with a PIN sends them to it; images, downloads
// and the script's requests get a 401.
func (a *App) guestEntered(pages bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		g := guest(c)
		switch {
		case g.In():
		case !pages || wantsJSON(c):
			return problem(fiber.StatusUnauthorized, "Enter the gallery's PIN first: open the link you were sent again.")
		case c.Method() == fiber.MethodGet && !g.Album.HasViewPIN():
			if err := a.enterGuest(c, g, ""); err != nil {
				return err
			}
		default:
			return c.Redirect(galleryBase(c), fiber.StatusSeeOther)
		}
		return c.Next()
	}
}

// enterGuest starts a guest session with pin (none for an album without a
// view PIN) and hands the browser its cookie, named after the link so
// each link keeps its own session. The session's expiry is the cookie's.
func (a *App) enterGuest(c *fiber.Ctx, g *gallery.GuestAccess, pin string) error {
	token, err := a.Gallery.Enter(ctx(c), g, pin)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: guestCookie(c.Params("token")), Value: token, Path: "/", Expires: g.Session.ExpiresAt,
		Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	return nil
}

// renderGuest writes a page in the guest layout, branded with the studio.
func (a *App) renderGuest(c *fiber.Ctx, status int, page string, data any) error {
	view := a.guestView(c, page, data)
	setPageHeaders(c, status)
	return a.pages.Render(c.Response().BodyWriter(), view)
}

// guestView is a guest page's view, branded with the studio.
func (a *App) guestView(c *fiber.Ctx, page string, data any) frontend.View {
	brand := &frontend.Guest{Studio: a.guestStudioName(c)}
	if g := guest(c); g != nil && g.In() {
		brand.Home = galleryBase(c)
	}
	return frontend.View{Page: page, Data: data, CSRF: csrfToken(c), RequestID: requestID(c), Flash: takeFlash(c), Guest: brand}
}

// setPageHeaders starts an HTML page's answer, never stored by a cache.
func setPageHeaders(c *fiber.Ctx, status int) {
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
}

const localGuestStudio = "guest_studio_name"

// guestStudioName is the name of the studio that shared the link, read
// once per request. A dead link still names its studio.
func (a *App) guestStudioName(c *fiber.Ctx) string {
	var known uuid.UUID
	if g := guest(c); g != nil {
		if g.StudioName != "" {
			return g.StudioName
		}
		known = g.Studio()
	}
	return a.studioNameOnce(c, known, a.Gallery.LinkStudio)
}

// studioNameOnce is the name of the studio behind a guest's page: known,
// or else found from the token in the path (a dead link or invite still
// names its studio). Read once per request; "" when there is none.
func (a *App) studioNameOnce(c *fiber.Ctx, known uuid.UUID, byToken func(context.Context, string) (uuid.UUID, error)) string {
	if name, ok := c.Locals(localGuestStudio).(string); ok {
		return name
	}
	studio := known
	if tok := c.Params("token"); studio == uuid.Nil && tok != "" {
		studio, _ = byToken(ctx(c), tok)
	}
	name := ""
	if studio != uuid.Nil {
		if st, err := a.Accounts.Studio(ctx(c), studio); err == nil {
			name = st.Name
		}
	}
	c.Locals(localGuestStudio, name)
	return name
}

// guestProblem is the first half of answering a guest's failed request,
// shared by share-link and face-invite pages: the problem, logged when it
// is the server's, and no file headers left on what becomes an error page.
func (a *App) guestProblem(c *fiber.Ctx, err error) *Problem {
	p := toProblem(err)
	c.Locals(localErr, err)
	if p.Status >= 500 {
		a.Log.Error("request failed", "request_id", requestID(c), "route", c.Route().Path, "err", err)
	}
	// A file's headers may be set already; an error page is no attachment.
	for _, h := range []string{fiber.HeaderContentDisposition, fiber.HeaderETag, fiber.HeaderAcceptRanges, fiber.HeaderContentRange} {
		c.Response().Header.Del(h)
	}
	return p
}

// guestErrors answers every failure of a guest route: problem+json to the
// pages' script, else a page in the guest layout that says what happened
// in plain words and names the studio when it is known.
func (a *App) guestErrors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	p := a.guestProblem(c, err)
	if wantsJSON(c) {
		if errors.Is(err, gallery.ErrNeedName) {
			p.Errors = map[string]string{"name": p.Detail}
		}
		return c.Status(p.Status).JSON(p, "application/problem+json")
	}
	return a.renderGuest(c, p.Status, "guest_error", a.guestErrorView(c, p, err))
}

// guestErrorView is an error in a guest's words.
type guestErrorView struct {
	Status  int
	Title   string
	Detail  string
	Back    string // the gallery, when the guest can go back to it
	Request string
}

func (a *App) guestErrorView(c *fiber.Ctx, p *Problem, err error) guestErrorView {
	v := guestErrorView{Status: p.Status, Title: p.Title, Detail: p.Detail, Request: requestID(c)}
	studio := orDefault(a.guestStudioName(c), "the photographer")
	switch {
	case errors.Is(err, gallery.ErrLinkGone):
		v.Title = "This link has ended"
		v.Detail = "This link has expired or was turned off. Ask " + studio + " for a new one."
	case errors.Is(err, gallery.ErrNotPublished):
		v.Title = "This gallery is not open yet"
		v.Detail = studio + " has not opened this gallery yet. Ask them when it will be ready."
	case p.Status == http.StatusNotFound && guest(c) == nil:
		v.Title = "There is no gallery at this address"
		v.Detail = "Check that the whole link was copied, or ask the photographer to send it again."
	case p.Status == http.StatusNotFound:
		v.Title = "Not found"
		v.Detail = "This photo or folder is not in the gallery, or is no longer shared."
	case p.Status == http.StatusForbidden:
		v.Title = "Not allowed"
	}
	if g := guest(c); g != nil && g.In() {
		v.Back = galleryBase(c)
	}
	return v
}
