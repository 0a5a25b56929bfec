package app

import (
	"bytes"
	"html"
	"html/template"
	"regexp"
	"strings"
	"sync"

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
	csrfHole = "zzProofsheetCSRFHolezz"
	backHole = "zzProofsheetBackHolezz"
)

var holes = regexp.MustCompile(csrfHole + "|" + backHole)

// holed is a rendered tile cut at its holes: text, hole, text, …
type holed struct {
	text  []string
	holes []string // csrfHole or backHole, one fewer than text
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

// fill writes h with the guest's values, escaped for the attributes the
// holes sit in.
func (h holed) fill(b *strings.Builder, csrf, back string) {
	for i, t := range h.text {
		b.WriteString(t)
		if i < len(h.holes) {
			v := csrf
			if h.holes[i] == backHole {
				v = back
			}
			b.WriteString(html.EscapeString(v))
		}
	}
}

// renderedTiles are a page's tiles, not chosen [0] and chosen [1].
type renderedTiles struct {
	ids   []uuid.UUID
	tiles [][2]holed
	size  int // of the text, chosen or not, so a grid is built in one go
	holes int
}

// tilesOnce renders a page's tiles once for all the guests asking.
type tilesOnce struct {
	sync.Once
	tiles *renderedTiles
	err   error
}

type tilesKey struct {
	base     string
	annotate bool
}

// guestGrid is the current folder's tiles for this guest, as HTML.
func (a *App) guestGrid(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.GuestPage) (template.HTML, error) {
	v, _ := p.Derived.LoadOrStore(tilesKey{galleryBase(c), g.CanAnnotate()}, &tilesOnce{})
	once := v.(*tilesOnce)
	once.Do(func() { once.tiles, once.err = a.renderTiles(c, g, p) })
	if once.err != nil {
		return "", once.err
	}
	rt, favs := once.tiles, idSet(p.Favourites)
	var b strings.Builder
	csrf, back := csrfToken(c), c.OriginalURL()
	b.Grow(rt.size + rt.holes*(len(csrf)+2*len(back)))
	for i, id := range rt.ids {
		chosen := 0
		if favs[id] {
			chosen = 1
		}
		rt.tiles[i][chosen].fill(&b, csrf, back)
	}
	return template.HTML(b.String()), nil
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
		rt.size += buf.Len()
		rt.holes += len(rt.tiles[i][1].holes)
	}
	return rt, nil
}
