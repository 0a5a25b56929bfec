package app

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// guestTile is one photo of a guest's grid. What the lightbox needs
// travels in data attributes, and the tile is a plain link to the photo's
// page for a browser without the script.
type guestTile struct {
	ID            uuid.UUID
	Name          string
	Page          string // the photo's own page
	Thumb         string
	Preview       string
	Width, Height int
	Ratio         string // class of the nearest aspect ratio (guest.css .ar-*): no inline style
	Placeholder   string
	Fav           bool
	FavURL        string
	Original, Web string // download addresses, only when the download rule allows them
	Notes         string // the notes' address, for a guest with the annotate PIN
	CSRF          string // for the tile's favourite form
	Back          string // where that form returns without the script
}

// guestChoice is the guest's favourites against the album's limit.
type guestChoice struct {
	URL   string // the favourites page
	Count int
	Limit int // 0: no limit
	Text  string
	Named bool // the guest gave a name and e-mail (needed to choose)
}

// guestTab is one folder as a tab.
type guestTab struct {
	Name, URL string
	Current   bool
}

// guestZipLink is one zip a guest may download.
type guestZipLink struct{ Label, URL string }

// guestGalleryView is the gallery: folders as tabs, the current folder's
// photos, and what the guest may do with them.
type guestGalleryView struct {
	Base, Title, Date string
	Cover             *guestTile
	Tabs              []guestTab
	Folder            string
	HasPhotos         bool
	Grid              template.HTML // the folder's tiles (guest_tiles.go)
	Choice            template.HTML // the guest-choice partial, the guest's own
	CanAnnotate       bool
	OfferUpgrade      bool // the album has an annotate PIN this guest has not entered
	Zips              []guestZipLink
	Identify          identifyForm
}

// galleryPage is a guest's gallery: the page kept rendered with holes for
// the guest's values (guest_page_holes.go), filled. A message to show after
// a form (rare) has the template render the page whole.
func (a *App) galleryPage(c *fiber.Ctx, g *gallery.GuestAccess) error {
	var want uuid.UUID
	if q := c.Query("folder"); q != "" {
		id, err := uuid.Parse(q)
		if err != nil {
			return fmt.Errorf("app: guest folder %q: %w", q, gallery.ErrNotFound)
		}
		want = id
	}
	p, err := a.Gallery.GuestGallery(ctx(c), g, want)
	if err != nil {
		return err
	}
	key := keyOf(c, g)
	vals, err := a.guestValuesOf(c, g, p, key)
	if err != nil {
		return err
	}
	if c.Cookies(flashCookie) != "" || wholePages.Load() {
		v := galleryView(c, g, p)
		v.Choice, v.Identify.Back = vals.choice, c.OriginalURL()
		if v.HasPhotos {
			var b strings.Builder
			vals.writeGrid(&b)
			v.Grid = template.HTML(b.String())
		}
		return a.renderGuest(c, fiber.StatusOK, "guest_gallery", v)
	}
	page, err := a.holedGalleryPage(c, g, p, key)
	if err != nil {
		return err
	}
	setPageHeaders(c, fiber.StatusOK)
	page.fill(c.Response().BodyWriter().(io.StringWriter), vals)
	return nil
}

// galleryView is the page but for the guest's own values (Choice, Grid,
// Identify.Back).
func galleryView(c *fiber.Ctx, g *gallery.GuestAccess, p *gallery.GuestPage) guestGalleryView {
	base := galleryBase(c)
	v := guestGalleryView{Base: base, Title: g.Album.Title, Date: eventDate(g.Album.EventDate),
		CanAnnotate: g.CanAnnotate(), OfferUpgrade: g.Album.HasAnnotatePIN() && !g.CanAnnotate(),
		Identify: identifyForm{Action: base + "/identify"}}
	if p.Cover != nil {
		t := guestTileOf(c, g, p.CoverIn, p.Cover, false)
		v.Cover = &t
	}
	if cur := p.Current; cur != nil {
		v.Folder, v.HasPhotos = cur.Name, len(p.Photos) > 0
		v.Zips = zipLinks(base, g, p.Folders, cur)
		if len(p.Folders) > 1 {
			for _, f := range p.Folders {
				v.Tabs = append(v.Tabs, guestTab{Name: f.Name, URL: base + "?folder=" + f.ID.String(), Current: f.ID == cur.ID})
			}
		}
	}
	return v
}

func guestTileOf(c *fiber.Ctx, g *gallery.GuestAccess, f *gallery.Folder, p *gallery.Photo, fav bool) guestTile {
	page := galleryBase(c) + "/p/" + p.ID.String()
	t := guestTile{ID: p.ID, Name: p.Filename, Page: page, Thumb: page + "/thumb", Preview: page + "/preview",
		Width: p.Width, Height: p.Height, Ratio: ratioClass(p.Width, p.Height), Placeholder: p.Placeholder, Fav: fav,
		FavURL: page + "/favourite", CSRF: csrfToken(c), Back: c.OriginalURL()}
	if gallery.MayDownload(&g.Album, f, gallery.DownloadOriginal) == nil {
		t.Original = page + "/download?size=" + gallery.DownloadOriginal
	}
	if gallery.MayDownload(&g.Album, f, gallery.DownloadWeb) == nil {
		t.Web = page + "/download?size=" + gallery.DownloadWeb
	}
	if g.CanAnnotate() {
		t.Notes = page + "/annotations"
	}
	return t
}

// ratioClass names the nearest of guest.css's aspect ratios, 0.40 to 3.00
// in steps of 0.05: the justified grid keeps each photo's shape without an
// inline style, which the Content-Security-Policy forbids.
func ratioClass(w, h int) string {
	r := 1.5
	if w > 0 && h > 0 {
		r = float64(w) / float64(h)
	}
	r = min(max(r, 0.4), 3.0)
	return fmt.Sprintf("ar-%d", int(math.Round(r*20))*5)
}

// zipLinks are the zips of the album and of the current folder the
// download rule allows, web size first.
func zipLinks(base string, g *gallery.GuestAccess, folders []gallery.Folder, cur *gallery.Folder) []guestZipLink {
	var out []guestZipLink
	sizes := []struct{ what, label string }{{gallery.DownloadWeb, "web size"}, {gallery.DownloadOriginal, "originals"}}
	for _, s := range sizes {
		for i := range folders {
			if gallery.MayDownload(&g.Album, &folders[i], s.what) == nil {
				out = append(out, guestZipLink{Label: "All photos, " + s.label, URL: base + "/zip?size=" + s.what})
				break
			}
		}
	}
	if len(folders) < 2 {
		return out
	}
	for _, s := range sizes {
		if gallery.MayDownload(&g.Album, cur, s.what) == nil {
			out = append(out, guestZipLink{Label: cur.Name + ", " + s.label, URL: base + "/zip?size=" + s.what + "&folder=" + cur.ID.String()})
		}
	}
	return out
}

func choiceOf(c *fiber.Ctx, g *gallery.GuestAccess, n int) guestChoice {
	ch := guestChoice{URL: galleryBase(c) + "/favourites", Count: n, Text: chosenText(n, g.Album.SelectionLimit), Named: g.Guest != nil}
	if l := g.Album.SelectionLimit; l != nil {
		ch.Limit = *l
	}
	return ch
}

// chosenText counts the guest's favourites: "12 of 40 chosen" against a
// limit, else "12 photos chosen".
func chosenText(n int, limit *int) string {
	if limit != nil {
		return fmt.Sprintf("%s of %s chosen", thousands(n), thousands(*limit))
	}
	return plural(n, "photo", "photos") + " chosen"
}

func eventDate(d *gallery.Date) string {
	if d == nil {
		return ""
	}
	return d.Format("2 January 2006")
}

func idSet(ids []uuid.UUID) map[uuid.UUID]bool {
	set := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set
}

// guestPhotoView is a photo's own page: the deep link, and the whole
// gallery for a browser without the script.
type guestPhotoView struct {
	Base, Title     string
	Folder          string
	FolderURL       string
	Tile            guestTile
	Prev, Next      string
	Position, Total int
	Choice          guestChoice
	CanAnnotate     bool
	OfferUpgrade    bool
	Notes           []guestNote
	NoteForm        noteForm
	Identify        identifyForm
}

// guestPhotoPage is GET /g/:token/p/:photo.
func (a *App) guestPhotoPage(c *fiber.Ctx) error {
	v, err := a.guestPhotoData(c)
	if err != nil {
		return err
	}
	return a.renderGuest(c, fiber.StatusOK, "guest_photo", v)
}

func (a *App) guestPhotoData(c *fiber.Ctx) (*guestPhotoView, error) {
	id, err := paramID(c, "photo")
	if err != nil {
		return nil, err
	}
	g := guest(c)
	p, f, err := a.Gallery.GuestPhoto(ctx(c), g, id)
	if err != nil {
		return nil, err
	}
	favs, err := a.Gallery.Favourites(ctx(c), g)
	if err != nil {
		return nil, err
	}
	base := galleryBase(c)
	v := &guestPhotoView{Base: base, Title: g.Album.Title, Folder: f.Name, FolderURL: base + "?folder=" + f.ID.String(),
		Tile: guestTileOf(c, g, f, p, idSet(favs)[id]), Choice: choiceOf(c, g, len(favs)),
		CanAnnotate: g.CanAnnotate(), OfferUpgrade: g.Album.HasAnnotatePIN() && !g.CanAnnotate(),
		NoteForm: noteForm{Action: base + "/p/" + id.String() + "/annotations"},
		Identify: identifyForm{Action: base + "/identify", Back: c.OriginalURL()}}
	if err := a.guestNeighbours(c, g, f, v); err != nil {
		return nil, err
	}
	if g.CanAnnotate() {
		if v.Notes, err = a.guestNotes(c, g, id); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// guestNeighbours finds the photos before and after in the folder.
func (a *App) guestNeighbours(c *fiber.Ctx, g *gallery.GuestAccess, f *gallery.Folder, v *guestPhotoView) error {
	photos, err := a.Gallery.GuestPhotos(ctx(c), g, f.ID)
	if err != nil {
		return err
	}
	v.Total = len(photos)
	for i := range photos {
		if photos[i].ID != v.Tile.ID {
			continue
		}
		v.Position = i + 1
		if i > 0 {
			v.Prev = v.Base + "/p/" + photos[i-1].ID.String()
		}
		if i+1 < len(photos) {
			v.Next = v.Base + "/p/" + photos[i+1].ID.String()
		}
	}
	return nil
}
