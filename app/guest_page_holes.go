package app

import (
	"bytes"
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/frontend"
	"github.com/proofsheet/proofsheet/gallery"
)

// A guest's gallery page is the same for every guest of a link and folder
// but for the guest's CSRF token and address, count of favourites, and
// which tiles are favourites. So the page is rendered once per cached page
// (gallery.GuestPage.Derived) with holes for those, and each request fills
// them: once the tiles were kept rendered, html/template over the rest of
// the page (layout, lightbox, dialogs) was still half of a page's cost.

// holedPages is off only in the test that compares both ways of rendering.
var holedPages atomic.Bool

func init() { holedPages.Store(true) }

// renderKey is what of a request, besides its cached page, a rendering
// shows. The album's part matters when a guest loaded before a change of
// the album meets a page loaded after it: the old album's rendering must
// not take the new page's place.
type renderKey struct {
	what, base, studio          string
	annotate                    bool
	title, date                 string
	annotatePIN, originals, web bool
}

func keyOf(c *fiber.Ctx, g *gallery.GuestAccess, what string) renderKey {
	a := &g.Album
	return renderKey{what: what, base: galleryBase(c), annotate: g.CanAnnotate(), title: a.Title,
		date: eventDate(a.EventDate), annotatePIN: a.HasAnnotatePIN(), originals: a.OriginalsAllowed, web: a.WebAllowed}
}

// onceValue is a rendering made once for all the guests asking.
type onceValue[T any] struct {
	sync.Once
	v   T
	err error
}

func derived[T any](p *gallery.GuestPage, key renderKey, render func() (T, error)) (T, error) {
	v, ok := p.Derived.Load(key)
	if !ok {
		v, _ = p.Derived.LoadOrStore(key, &onceValue[T]{})
	}
	o := v.(*onceValue[T])
	o.Do(func() { o.v, o.err = render() })
	return o.v, o.err
}

// holedGalleryPage is the gallery page with holes, rendered once.
func (a *App) holedGalleryPage(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.GuestPage) (holed, error) {
	key := keyOf(c, g, "page")
	key.studio = a.guestStudioName(c)
	return derived(p, key, func() (holed, error) {
		v := galleryView(c, g, p)
		v.Choice, v.Grid, v.Identify.Back = choiceHole, gridHole, backHole
		view := a.guestView(c, "guest_gallery", v)
		view.CSRF, view.Flash = csrfHole, ""
		var buf bytes.Buffer
		if err := a.pages.Render(&buf, view); err != nil {
			return holed{}, err
		}
		return cutHoles(buf.String()), nil
	})
}

// guestView is a guest page's view, branded with the studio.
func (a *App) guestView(c *fiber.Ctx, page string, data any) frontend.View {
	brand := &frontend.Guest{Studio: a.guestStudioName(c)}
	if g := guest(c); g != nil && g.In() {
		brand.Home = galleryBase(c)
	}
	return frontend.View{Page: page, Data: data, CSRF: csrfToken(c), RequestID: requestID(c), Flash: takeFlash(c), Guest: brand}
}
