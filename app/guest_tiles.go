package app

import (
	"bytes"
	"html/template"
	"io"

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

// renderedTiles are a page's tiles, not chosen [0] and chosen [1].
type renderedTiles struct {
	ids   []uuid.UUID
	tiles [][2]holed
}

// guestValuesOf is the request's values: its CSRF token and address, the
// guest's count of favourites and the folder's tiles.
func (a *App) guestValuesOf(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.GuestPage, key renderKey) (*guestValues, error) {
	v := &guestValues{csrf: attrEscaper.Replace(csrfToken(c)), back: attrEscaper.Replace(c.OriginalURL()),
		favs: idSet(p.Favourites)}
	// The count is kept rendered too, one per number of favourites.
	choice := key
	choice.what, choice.chosen, choice.named = "choice", len(p.Favourites), g.Guest != nil
	var err error
	v.choice, err = derived(p, choice, func() (template.HTML, error) {
		var buf bytes.Buffer
		err := a.pages.Partial(&buf, "guest_gallery", "guest-choice", choiceOf(c, g, len(p.Favourites)))
		return template.HTML(buf.String()), err
	})
	if err != nil || p.Current == nil {
		return v, err
	}
	key.what = "tiles"
	v.tiles, err = derived(p, key, func() (*renderedTiles, error) { return a.renderTiles(c, g, p) })
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
