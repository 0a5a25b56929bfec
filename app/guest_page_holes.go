package app

import (
	"bytes"
	"html/template"
	"io"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// A guest's gallery page is the same for every guest of a link and folder
// but for the guest's CSRF token and address, count of favourites, and
// which tiles are favourites. So the page is rendered once per cached page
// (gallery.GuestPage.Derived) with holes for those, and each request fills
// them: once the tiles were kept rendered, html/template over the rest of
// the page (layout, lightbox, dialogs) was still half of a page's cost.

// wholePages has the template render every gallery page; only the test
// that compares both ways of rendering sets it.
var wholePages atomic.Bool

// The holes are plain letters, which every escaper leaves as they are.
const (
	csrfHole   = "zzProofsheetCSRFHolezz"
	backHole   = "zzProofsheetBackHolezz"
	choiceHole = "zzProofsheetChoiceHolezz" // the guest's count of favourites
	gridHole   = "zzProofsheetGridHolezz"   // the guest's tiles
)

var holes = regexp.MustCompile(strings.Join([]string{csrfHole, backHole, choiceHole, gridHole}, "|"))

// holed is rendered HTML cut at its holes: text, hole, text, …
type holed struct {
	text  []string
	holes []string // one fewer than text
}

func cutHoles(s string) holed {
	var h holed
	at := 0
	for _, m := range holes.FindAllStringIndex(s, -1) {
		h.text = append(h.text, s[at:m[0]])
		h.holes = append(h.holes, s[m[0]:m[1]])
		at = m[1]
	}
	h.text = append(h.text, s[at:])
	return h
}

// guestValues are one request's values for the holes, escaped already.
type guestValues struct {
	csrf, back string
	choice     template.HTML
	tiles      *renderedTiles // nil when the guest sees no folder
	favs       map[uuid.UUID]bool
}

// attrEscaper escapes a value for a quoted attribute as html/template
// does, so a filled page is byte for byte the page the template renders.
var attrEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// fill writes h with the request's values.
func (h holed) fill(w io.StringWriter, v *guestValues) {
	for i, t := range h.text {
		_, _ = w.WriteString(t)
		if i == len(h.holes) {
			break
		}
		switch h.holes[i] {
		case csrfHole:
			_, _ = w.WriteString(v.csrf)
		case backHole:
			_, _ = w.WriteString(v.back)
		case choiceHole:
			_, _ = w.WriteString(string(v.choice))
		case gridHole:
			v.writeGrid(w)
		}
	}
}

// renderKey is what of a request, besides its cached page, a rendering
// shows. The album's part matters when a guest loaded before a change of
// the album meets a page loaded after it: the old album's rendering must
// not take the new page's place.
type renderKey struct {
	what, base, studio          string
	annotate                    bool
	title, date                 string
	annotatePIN, originals, web bool
	limit, chosen               int // the album's selection limit; the guest's count (the count's own rendering)
	named                       bool
}

// keyOf is the request's key, made once; each rendering sets what.
func keyOf(c *fiber.Ctx, g *gallery.GuestAccess) renderKey {
	a := &g.Album
	k := renderKey{base: galleryBase(c), annotate: g.CanAnnotate(), title: a.Title,
		date: eventDate(a.EventDate), annotatePIN: a.HasAnnotatePIN(), originals: a.OriginalsAllowed, web: a.WebAllowed}
	if a.SelectionLimit != nil {
		k.limit = *a.SelectionLimit
	}
	return k
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
func (a *App) holedGalleryPage(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.GuestPage, key renderKey) (holed, error) {
	key.what, key.studio = "page", a.guestStudioName(c)
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
