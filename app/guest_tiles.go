package app

import (
	"bytes"
	"html/template"
	"io"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// A gallery page's tiles are the same for every guest of a link but for
// two things: which photos are the guest's favourites, and the guest's
// CSRF token and return address in each tile's form. html/template spent
// half of a page's time on those same tiles, so each tile is rendered once
// per cached page (gallery.GuestPage.Derived), link and access level, in
// both favourite states, with holes where the guest's values go.

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

// renderedTiles are a page's tiles, not chosen [0] and chosen [1].
type renderedTiles struct {
	ids   []uuid.UUID
	tiles [][2]holed
}

// guestValuesOf is the request's values: its CSRF token and address, the
// guest's count of favourites and the folder's tiles.
func (a *App) guestValuesOf(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.GuestPage) (*guestValues, error) {
	v := &guestValues{csrf: attrEscaper.Replace(csrfToken(c)), back: attrEscaper.Replace(c.OriginalURL()),
		favs: idSet(p.Favourites)}
	var buf bytes.Buffer
	if err := a.pages.Partial(&buf, "guest_gallery", "guest-choice", choiceOf(c, g, len(p.Favourites))); err != nil {
		return nil, err
	}
	v.choice = template.HTML(buf.String())
	if p.Current == nil {
		return v, nil
	}
	var err error
	v.tiles, err = derived(p, keyOf(c, g, "tiles"), func() (*renderedTiles, error) { return a.renderTiles(c, g, p) })
	return v, err
}

// writeGrid writes the folder's tiles, each as chosen or not by the guest.
func (v *guestValues) writeGrid(w io.StringWriter) {
	for i, id := range v.tiles.ids {
		chosen := 0
		if v.favs[id] {
			chosen = 1
		}
		v.tiles.tiles[i][chosen].fill(w, v)
	}
}

func (a *App) renderTiles(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.GuestPage) (*renderedTiles, error) {
	rt := &renderedTiles{ids: make([]uuid.UUID, len(p.Photos)), tiles: make([][2]holed, len(p.Photos))}
	var buf bytes.Buffer
	for i := range p.Photos {
		rt.ids[i] = p.Photos[i].ID
		for chosen, fav := range []bool{false, true} {
			t := guestTileOf(c, g, p.Current, &p.Photos[i], fav)
			t.CSRF, t.Back = csrfHole, backHole
			buf.Reset()
			if err := a.pages.Partial(&buf, "guest_gallery", "guest-tile", t); err != nil {
				return nil, err
			}
			rt.tiles[i][chosen] = cutHoles(buf.String())
		}
	}
	return rt, nil
}
