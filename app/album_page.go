package app

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// albumView is the album page: header and details, the privacy settings
// (PINs, downloads, selection limit, watermark), share links, and the
// folders as tabs with their photos.
type albumView struct {
	Album        *gallery.Album
	URL          string
	ClientName   string
	Clients      []gallery.Client
	Statuses     []option
	Details      albumForm
	EditOpen     bool // the details form is open (after a mistake in it)
	Folders      []folderView
	Progress     gallery.Progress
	ProgressText string
	Failed       []photoTile

	Links       []linkRow
	PINAttempts []pinAttempt
	NewLink     *newLinkView // the address, shown once after create or regenerate
	LinkForm    linkForm
	MinExpiry   string // today, for the date picker
	LinkDefault string // the default expiry, in words

	Watermark watermarkForm
	Positions []option

	HiddenFolders int
	LockedFolders int
	FaceSearch    albumFaces // faces_album.go

	DeleteWarning string            // what deleting the album takes with it
	RerenderText  string            // the confirmation before processing everything again
	Errors        map[string]string // a form's mistake, by section
	Accepted      string            // file kinds, in words
	Limits        string            // upload size limits, in words
	TileTemplate  photoTile         // the empty tile studio.js fills in for a new upload
}

// folderView is one tab of the album page.
type folderView struct {
	gallery.Folder
	Photos      []photoTile
	Active      bool
	First, Last bool
	UploadURL   string
	URL         string
}

// photoTile is one photo in the grid.
type photoTile struct {
	ID, Filename, Status, Failure, Placeholder string
	URL, ThumbURL                              string
	Folder                                     string
	Width, Height                              int
	Cover                                      bool
	Selectable                                 bool // a checkbox for the bulk actions
}

type watermarkForm struct {
	On                      bool
	Text, Position, Opacity string
}

var watermarkPositions = []option{
	{Value: "bottom-right", Label: "Bottom right"}, {Value: "bottom-left", Label: "Bottom left"},
	{Value: "top-right", Label: "Top right"}, {Value: "top-left", Label: "Top left"},
	{Value: "center", Label: "Centre"}, {Value: "tile", Label: "Tiled across the photo"},
}

var albumStatuses = []option{
	{Value: gallery.StatusDraft, Label: "Draft: links do not open it yet"},
	{Value: gallery.StatusPublished, Label: "Published: links open it"},
	{Value: gallery.StatusArchived, Label: "Archived"},
}

// uploadLimitsText says how large a file may be, from the gallery's limits.
func (a *App) uploadLimitsText() string {
	l := a.Gallery.Limits
	img, vid := l.MaxImageBytes, l.MaxVideoBytes
	if img <= 0 {
		img = gallery.DefaultMaxImageBytes
	}
	if vid <= 0 {
		vid = gallery.DefaultMaxVideoBytes
	}
	return "Up to " + humanSize(img) + " per photo or PDF and " + humanSize(vid) + " per video."
}

func photoPath(album, photo uuid.UUID) string {
	return albumPath(album) + "/photos/" + photo.String()
}

// albumData loads everything the album page shows, in the session's studio.
func (a *App) albumData(c *fiber.Ctx, id uuid.UUID) (*albumView, error) {
	studio := session(c).StudioID
	al, err := a.Gallery.Album(ctx(c), studio, id)
	if err != nil {
		return nil, err
	}
	clients, err := a.Gallery.Clients(ctx(c), studio)
	if err != nil {
		return nil, err
	}
	folders, err := a.Gallery.Folders(ctx(c), studio, id)
	if err != nil {
		return nil, err
	}
	photos, err := a.Gallery.Photos(ctx(c), studio, id, uuid.Nil)
	if err != nil {
		return nil, err
	}
	counts, err := a.Gallery.AlbumCounts(ctx(c), studio, id)
	if err != nil {
		return nil, err
	}
	v := &albumView{Album: al, URL: albumPath(id), Clients: clients, Errors: map[string]string{},
		Accepted: gallery.Accepted, Details: detailsOf(al), Watermark: watermarkOf(al),
		DeleteWarning: deleteWarning(al, counts),
		TileTemplate:  photoTile{Status: gallery.PhotoProcessing, Selectable: true}}
	for _, cl := range clients {
		if al.ClientID != nil && cl.ID == *al.ClientID {
			v.ClientName = cl.Name
		}
	}
	v.Statuses = choose(albumStatuses, al.Status)
	v.Positions = choose(watermarkPositions, v.Watermark.Position)
	v.Folders = a.folderTabs(al, folders, photos, c.Query("folder"))
	for _, p := range photos {
		v.Progress.Total++
		switch p.Status {
		case gallery.PhotoReady:
			v.Progress.Ready++
		case gallery.PhotoProcessing:
			v.Progress.Processing++
		case gallery.PhotoFailed:
			v.Progress.Failed++
			v.Failed = append(v.Failed, tileOf(al, &p))
		}
	}
	v.ProgressText = progressText(v.Progress)
	v.RerenderText = "Process all " + plural(v.Progress.Total, "photo", "photos") + " of “" + al.Title +
		"” again? Guests do not see each photo until it is ready again."
	for _, f := range folders {
		if f.Hidden {
			v.HiddenFolders++
		}
		if f.DownloadLocked {
			v.LockedFolders++
		}
	}
	v.Limits = a.uploadLimitsText()
	if err := a.linksData(c, v); err != nil {
		return nil, err
	}
	if v.FaceSearch, err = a.albumFaceSearch(c, al); err != nil {
		return nil, err
	}
	return v, nil
}

// folderTabs groups the photos by folder; the folder asked for is the
// open tab, else the first.
func (a *App) folderTabs(al *gallery.Album, folders []gallery.Folder, photos []gallery.Photo, want string) []folderView {
	out := make([]folderView, len(folders))
	at := map[uuid.UUID]int{}
	active := 0
	for i, f := range folders {
		out[i] = folderView{Folder: f, First: i == 0, Last: i == len(folders)-1,
			URL:       albumPath(al.ID) + "/folders/" + f.ID.String(),
			UploadURL: albumPath(al.ID) + "/folders/" + f.ID.String() + "/uploads"}
		at[f.ID] = i
		if f.ID.String() == want {
			active = i
		}
	}
	for i := range photos {
		if j, ok := at[photos[i].FolderID]; ok {
			t := tileOf(al, &photos[i])
			t.Selectable = true
			out[j].Photos = append(out[j].Photos, t)
		}
	}
	if len(out) > 0 {
		out[active].Active = true
	}
	return out
}

func tileOf(al *gallery.Album, p *gallery.Photo) photoTile {
	t := photoTile{ID: p.ID.String(), Filename: p.Filename, Status: p.Status, Failure: p.Failure,
		Placeholder: p.Placeholder, URL: photoPath(al.ID, p.ID), Width: p.Width, Height: p.Height,
		Folder: p.FolderID.String(), Cover: al.CoverPhotoID != nil && *al.CoverPhotoID == p.ID}
	if p.ThumbKey != "" {
		t.ThumbURL = t.URL + "/thumb"
	}
	return t
}

func detailsOf(al *gallery.Album) albumForm {
	f := albumForm{Title: al.Title, Status: al.Status}
	if al.ClientID != nil {
		f.ClientID = al.ClientID.String()
	}
	if al.EventDate != nil {
		f.EventDate = al.EventDate.String()
	}
	return f
}

func watermarkOf(al *gallery.Album) watermarkForm {
	w := al.Watermark
	if w == nil {
		return watermarkForm{Position: "bottom-right", Opacity: "40"}
	}
	return watermarkForm{On: true, Text: w.Text, Position: w.Position, Opacity: fmt.Sprintf("%.0f", w.Opacity*100)}
}

func choose(opts []option, value string) []option {
	out := make([]option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == value
		out[i] = o
	}
	return out
}

// deleteWarning names what deleting the album loses.
func deleteWarning(al *gallery.Album, n gallery.AlbumCounts) string {
	lost := []string{plural(n.Photos, "photo", "photos"), plural(n.Links, "share link", "share links")}
	if n.Guests > 0 {
		lost = append(lost, plural(n.Guests, "guest with their favourites and notes", "guests with their favourites and notes"))
	}
	if n.Selections > 0 {
		lost = append(lost, plural(n.Selections, "submitted selection", "submitted selections"))
	}
	return "Delete album “" + al.Title + "”: " + strings.Join(lost, ", ") +
		"? Every link stops working at once. This cannot be undone."
}
