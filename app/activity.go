package app

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/gallery"
)

// activityPageSize is how many lines one page of album activity shows.
const activityPageSize = 50

// activityView is who did what in an album, newest first.
type activityView struct {
	Album    *gallery.Album
	AlbumURL string
	Rows     []activityRow
	Older    string // the next page, if any
	Newest   string // the first page, when not on it
}

type activityRow struct {
	At       time.Time
	Who      string
	Link     string
	What     string
	PhotoURL string
}

func (a *App) albumActivityPage(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	studio := session(c).StudioID
	al, err := a.Gallery.Album(ctx(c), studio, id)
	if err != nil {
		return err
	}
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	lines, err := a.Gallery.AlbumActivity(ctx(c), studio, id, max(before, 0), activityPageSize+1)
	if err != nil {
		return err
	}
	base := albumPath(id) + "/activity"
	v := &activityView{Album: al, AlbumURL: albumPath(id)}
	if before > 0 {
		v.Newest = base
	}
	if len(lines) > activityPageSize {
		lines = lines[:activityPageSize]
		v.Older = base + "?before=" + strconv.FormatInt(lines[len(lines)-1].ID, 10)
	}
	for _, l := range lines {
		r := activityRow{At: l.At, Who: orDefault(l.GuestName, "A visitor who has not given a name"), Link: l.LinkLabel, What: activityText(l)}
		if l.PhotoID != nil && l.Filename != "" {
			r.PhotoURL = photoPath(id, *l.PhotoID)
		}
		v.Rows = append(v.Rows, r)
	}
	return a.render(c, "album_activity", v)
}

// activityText says in words what a line of activity was.
func activityText(l gallery.ActivityLine) string {
	file := orDefault(l.Filename, "a photo since deleted")
	switch l.Kind {
	case "view":
		if l.Detail["access"] == gallery.AccessAnnotate {
			return "Opened the album with the annotate PIN"
		}
		return "Opened the album"
	case "favourite":
		return "Favourited " + file
	case "unfavourite":
		return "Removed " + file + " from favourites"
	case "annotate":
		return "Left a note on " + file
	case "select":
		return "Submitted a selection of " + plural(number(l.Detail["photos"]), "photo", "photos")
	case "download":
		size := "web size"
		if l.Detail["size"] == gallery.DownloadOriginal {
			size = "original"
		}
		if l.PhotoID != nil {
			return "Downloaded " + file + " (" + size + ")"
		}
		what := "the album"
		if _, ok := l.Detail["folder_id"]; ok {
			what = "a folder"
		}
		return "Downloaded " + what + " as a zip of " + plural(number(l.Detail["files"]), "file", "files") + " (" + size + ")"
	}
	return l.Kind
}

// number reads a count from an activity's detail (JSON numbers are floats).
func number(v any) int {
	f, _ := v.(float64)
	return int(f)
}
