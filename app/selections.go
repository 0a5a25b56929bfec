package app

import (
	"bytes"
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// selectionsView lists an album's submitted selections.
type selectionsView struct {
	Album      *gallery.Album
	AlbumURL   string
	Selections []selectionRow
}

type selectionRow struct {
	gallery.SelectionSummary
	URL string
}

// selectionView is one selection with its photos and exports.
type selectionView struct {
	Album        *gallery.Album
	AlbumURL     string
	Selection    selectionRow
	Photos       []photoTile
	CSVURL       string
	LightroomURL string
	Lightroom    string // the list itself, to copy from the page
}

func selectionPath(album, sel uuid.UUID) string {
	return albumPath(album) + "/selections/" + sel.String()
}

func (a *App) selectionsPage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	studio := session(c).StudioID
	al, err := a.Gallery.Album(ctx(c), studio, id)
	if err != nil {
		return err
	}
	list, err := a.Gallery.Selections(ctx(c), studio, id)
	if err != nil {
		return err
	}
	v := &selectionsView{Album: al, AlbumURL: albumPath(id)}
	for _, s := range list {
		v.Selections = append(v.Selections, selectionRow{SelectionSummary: s, URL: selectionPath(id, s.ID)})
	}
	return a.render(c, "album_selections", v)
}

// selectionData finds one selection of the album and its photos.
func (a *App) selectionData(c *fiber.Ctx) (*gallery.Album, *gallery.SelectionSummary, []gallery.Photo, error) {
	id, err := paramID(c, "id")
	if err != nil {
		return nil, nil, nil, err
	}
	sel, err := paramID(c, "sel")
	if err != nil {
		return nil, nil, nil, err
	}
	studio := session(c).StudioID
	al, err := a.Gallery.Album(ctx(c), studio, id)
	if err != nil {
		return nil, nil, nil, err
	}
	photos, err := a.Gallery.SelectionPhotos(ctx(c), studio, id, sel)
	if err != nil {
		return nil, nil, nil, err
	}
	list, err := a.Gallery.Selections(ctx(c), studio, id)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range list {
		if list[i].ID == sel {
			return al, &list[i], photos, nil
		}
	}
	return nil, nil, nil, gallery.ErrNotFound
}

func (a *App) selectionPage(c *fiber.Ctx) error {
	al, s, photos, err := a.selectionData(c)
	if err != nil {
		return err
	}
	base := selectionPath(al.ID, s.ID)
	v := &selectionView{Album: al, AlbumURL: albumPath(al.ID), Selection: selectionRow{SelectionSummary: *s, URL: base},
		CSVURL: base + "/selection.csv", LightroomURL: base + "/lightroom.txt"}
	for i := range photos {
		v.Photos = append(v.Photos, tileOf(al, &photos[i]))
	}
	var lr bytes.Buffer
	if err := gallery.WriteLightroomList(&lr, photos); err != nil {
		return err
	}
	v.Lightroom = strings.TrimSpace(lr.String())
	return a.render(c, "album_selection", v)
}

type export struct {
	write func(w *bytes.Buffer, photos []gallery.Photo) error
	ext   string
	ctype string
}

var (
	exportCSV = export{func(w *bytes.Buffer, p []gallery.Photo) error { return gallery.WriteSelectionCSV(w, p) },
		".csv", "text/csv; charset=utf-8"}
	exportLightroom = export{func(w *bytes.Buffer, p []gallery.Photo) error { return gallery.WriteLightroomList(w, p) },
		".txt", "text/plain; charset=utf-8"}
)

// selectionExport downloads a selection's file names: a CSV, or the
// comma-separated list Lightroom's filename filter takes.
func (a *App) selectionExport(e export) fiber.Handler {
	return func(c *fiber.Ctx) error {
		al, s, photos, err := a.selectionData(c)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := e.write(&buf, photos); err != nil {
			return err
		}
		name := exportName(al.Title, s.GuestName) + e.ext
		c.Set(fiber.HeaderContentType, e.ctype)
		c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(buf.Bytes())
	}
}

// exportName is "Sharma wedding - Anita" made safe as a file name.
func exportName(album, guest string) string {
	n := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 32 {
			return '-'
		}
		return r
	}, album+" - "+guest)
	return strings.TrimSpace(n)
}
