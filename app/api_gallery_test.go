package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// apiWorld is what the gallery API tests work on: the studio Lumen with a
// write and a read token and, made through the gallery service, a client
// and a published album with two folders, a rendered photo, a share link,
// and a guest who favourited the photo, submitted a selection and left a
// note. Other is a second studio with a write token of its own.
type apiWorld struct {
	ta                 *apptest.TestApp
	doc                *apptest.OpenAPI
	write, read, other *apptest.Client
	anon               *apptest.Client // no token
	studio, otherID    uuid.UUID
	act                gallery.Actor
	client             uuid.UUID
	album              uuid.UUID
	folder, second     uuid.UUID
	photo              uuid.UUID
	original           []byte
	thumb, preview     []byte
	link               uuid.UUID
	linkToken          string
	selection          uuid.UUID
	note               uuid.UUID
}

func newAPIWorld(t *testing.T) *apiWorld {
	t.Helper()
	return newAPIWorldOn(t, apptest.New(t))
}

// newAPIWorldOn builds the world on ta (one with a log to read, say).
func newAPIWorldOn(t *testing.T, ta *apptest.TestApp) *apiWorld {
	t.Helper()
	useBlobs(t, ta)
	w := &apiWorld{ta: ta, doc: ta.OpenAPI()}
	owner := ta.SignUp("Lumen Studio", "lumen@example.com")
	w.write = apiClient(ta, w.doc, createToken(t, owner.Client, "Phone app", "write"))
	w.read = apiClient(ta, w.doc, createToken(t, owner.Client, "Viewer", "read"))
	w.anon = apiClient(ta, w.doc, "")
	other := ta.SignUp("Other Studio", "other@example.com")
	w.other = apiClient(ta, w.doc, createToken(t, other.Client, "Theirs", "write"))
	w.studio, w.otherID = studioOf(t, ta, owner.Email), studioOf(t, ta, other.Email)
	u, err := ta.Accounts.UserByEmail(context.Background(), owner.Email)
	if err != nil {
		t.Fatal(err)
	}
	w.act = apptest.Actor(u)
	w.fill(t)
	return w
}

// fill makes the album and everything in it through the service.
func (w *apiWorld) fill(t *testing.T) {
	t.Helper()
	ctx, g := context.Background(), w.ta.Gallery
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cl, err := g.CreateClient(ctx, w.studio, gallery.ClientInput{Name: "Anita Sharma", Email: "anita@example.com"}, w.act)
	must(err)
	w.client = cl.ID
	title, published := "Sharma wedding", gallery.StatusPublished
	al, err := g.CreateAlbum(ctx, w.studio, gallery.AlbumInput{Title: &title, Status: &published, ClientID: &cl.ID}, w.act)
	must(err)
	w.album = al.ID
	folders, err := g.Folders(ctx, w.studio, w.album)
	must(err)
	w.folder = folders[0].ID
	reception := "Reception"
	f, err := g.CreateFolder(ctx, w.studio, w.album, gallery.FolderInput{Name: &reception}, w.act)
	must(err)
	w.second = f.ID
	pin := "97531"
	must(g.SetPINs(ctx, w.studio, w.album, gallery.PINInput{Annotate: &pin}, w.act))
	w.original = readFace(t, "img12.jpg")
	p, err := g.Upload(ctx, w.studio, w.album, w.folder, "IMG_2001.jpg", bytes.NewReader(w.original), w.act)
	must(err)
	w.photo = p.ID
	w.render(t, p.ID)
	l, token, err := g.CreateLink(ctx, w.studio, w.album, gallery.LinkInput{Label: "Anita"}, w.act)
	must(err)
	w.link, w.linkToken = l.ID, token
	guest := w.guest(t, pin, "Rohan")
	must(g.Favourite(ctx, guest, w.photo, true))
	sel, err := g.SubmitSelection(ctx, guest, "These for the album, please")
	must(err)
	w.selection = sel.ID
	n, err := g.Annotate(ctx, guest, w.photo, gallery.AnnotationInput{Shape: "rect", X: 0.25, Y: 0.1, W: 0.5, H: 0.3, Note: "Brighten the faces"})
	must(err)
	w.note = n.ID
}

// render stands in for the render job (no workers run in tests): a
// thumbnail and a preview in the store, and the photo ready.
func (w *apiWorld) render(t *testing.T, photo uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	w.thumb, w.preview = []byte("thumb-of-"+photo.String()), []byte("preview-of-"+photo.String())
	prefix := "albums/" + w.album.String() + "/" + photo.String() + "/"
	for key, b := range map[string][]byte{prefix + "thumb.jpg": w.thumb, prefix + "preview.jpg": w.preview} {
		if _, err := w.ta.Gallery.Blobs.Put(ctx, w.studio, key, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := w.ta.Superuser().Exec(ctx, `UPDATE photos SET status = 'ready', width = 640, height = 480, placeholder = '#a1b2c3',
		thumb_key = $2, preview_key = $3 WHERE id = $1`, photo, prefix+"thumb.jpg", prefix+"preview.jpg")
	if err != nil {
		t.Fatal(err)
	}
}

// guest opens the link, enters pin and gives a name, through the service.
func (w *apiWorld) guest(t *testing.T, pin, name string) *gallery.GuestAccess {
	t.Helper()
	ctx, g := context.Background(), w.ta.Gallery
	ga, err := g.OpenLink(ctx, w.linkToken, "", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	session, err := g.Enter(ctx, ga, pin)
	if err != nil {
		t.Fatal(err)
	}
	if ga, err = g.OpenLink(ctx, w.linkToken, session, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if err := g.Identify(ctx, ga, name, strings.ToLower(name)+"@example.com"); err != nil {
		t.Fatal(err)
	}
	return ga
}

// path builds an API path from parts, ids or strings.
func apiPath(parts ...any) string {
	var b strings.Builder
	b.WriteString("/api/v1")
	for _, p := range parts {
		fmt.Fprintf(&b, "/%v", p)
	}
	return b.String()
}

// apiRoute is one gallery API route with a request that would succeed
// for the right caller.
type apiRoute struct {
	method, path string
	body         any
	tus          bool // sends Tus-Resumable
}

// routes lists every gallery route with an id of the world in it (and
// the few without). An upload is made for the tus routes.
func (w *apiWorld) routes(t *testing.T) []apiRoute {
	t.Helper()
	a, f, p := w.album, w.folder, w.photo
	u := w.startUpload(t, w.write, "routes.jpg", 100)
	return []apiRoute{
		{"GET", apiPath("clients"), nil, false},
		{"POST", apiPath("clients"), map[string]string{"name": "Ravi"}, false},
		{"GET", apiPath("clients", w.client), nil, false},
		{"PATCH", apiPath("clients", w.client), map[string]string{"phone": "+91 98765 43210"}, false},
		{"DELETE", apiPath("clients", w.client), nil, false},
		{"GET", apiPath("albums"), nil, false},
		{"POST", apiPath("albums"), map[string]string{"title": "Engagement"}, false},
		{"GET", apiPath("albums", a), nil, false},
		{"PATCH", apiPath("albums", a), map[string]string{"title": "Renamed"}, false},
		{"DELETE", apiPath("albums", a), nil, false},
		{"GET", apiPath("albums", a, "progress"), nil, false},
		{"PUT", apiPath("albums", a, "pins"), map[string]string{"view_pin": "2468"}, false},
		{"GET", apiPath("albums", a, "folders"), nil, false},
		{"POST", apiPath("albums", a, "folders"), map[string]string{"name": "Portraits"}, false},
		{"GET", apiPath("albums", a, "folders", f), nil, false},
		{"PATCH", apiPath("albums", a, "folders", f), map[string]bool{"hidden": true}, false},
		{"DELETE", apiPath("albums", a, "folders", w.second), nil, false},
		{"POST", apiPath("albums", a, "folders", f, "uploads"), nil, true},
		{"HEAD", u, nil, true},
		{"PATCH", u, nil, true},
		{"DELETE", u, nil, true},
		{"GET", apiPath("albums", a, "photos"), nil, false},
		{"GET", apiPath("albums", a, "photos", p), nil, false},
		{"DELETE", apiPath("albums", a, "photos", p), nil, false},
		{"POST", apiPath("albums", a, "photos", p, "move"), map[string]string{"folder_id": w.second.String()}, false},
		{"POST", apiPath("albums", a, "photos", p, "cover"), nil, false},
		{"GET", apiPath("albums", a, "photos", p, "original"), nil, false},
		{"GET", apiPath("albums", a, "photos", p, "preview"), nil, false},
		{"GET", apiPath("albums", a, "photos", p, "thumb"), nil, false},
		{"GET", apiPath("albums", a, "photos", p, "annotations"), nil, false},
		{"POST", apiPath("albums", a, "annotations", w.note, "replies"), map[string]string{"body": "Done"}, false},
		{"PATCH", apiPath("albums", a, "annotations", w.note), map[string]string{"status": "resolved"}, false},
		{"GET", apiPath("albums", a, "links"), nil, false},
		{"POST", apiPath("albums", a, "links"), map[string]string{"label": "Mother of the bride"}, false},
		{"POST", apiPath("albums", a, "links", w.link, "revoke"), nil, false},
		{"POST", apiPath("albums", a, "links", w.link, "regenerate"), nil, false},
		{"GET", apiPath("albums", a, "selections"), nil, false},
		{"GET", apiPath("albums", a, "selections", w.selection, "photos"), nil, false},
		{"GET", apiPath("albums", a, "selections", w.selection, "selection.csv"), nil, false},
		{"GET", apiPath("albums", a, "selections", w.selection, "lightroom.txt"), nil, false},
		{"GET", apiPath("albums", a, "activity"), nil, false},
		{"GET", apiPath("notifications"), nil, false},
		{"POST", apiPath("notifications", "read"), nil, false},
	}
}

func (r apiRoute) scenario(name string, status int) apptest.Scenario {
	s := apptest.Scenario{Name: name + ": " + r.method + " " + r.path, Method: r.method, Path: r.path, JSON: r.body, Status: status}
	if r.tus {
		s.Request = map[string]string{"Tus-Resumable": "1.0.0"}
		if r.method == http.MethodPatch {
			s.Request["Content-Type"] = "application/offset+octet-stream"
			s.Request["Upload-Offset"] = "0"
			s.JSON = "x"
		}
		if r.method == http.MethodPost {
			s.Request["Upload-Length"] = "100"
			s.Request["Upload-Metadata"] = "filename eC5qcGc="
		}
	}
	return s
}

// hasID reports whether the route names something of the world.
func (r apiRoute) hasID() bool { return strings.Count(r.path, "-") >= 4 }

func TestGalleryAPIRoutesNeedATokenAndWriteScope(t *testing.T) {
	w := newAPIWorld(t)
	routes := w.routes(t)
	var anon, read []apptest.Scenario
	for _, r := range routes {
		anon = append(anon, r.scenario("no token", http.StatusUnauthorized))
		if r.method != http.MethodGet && r.method != http.MethodHead {
			read = append(read, r.scenario("read token", http.StatusForbidden))
		}
	}
	w.anon.Run(t, anon)
	w.read.Run(t, read)
	// Nothing was changed by any of them.
	for table, want := range map[string]int{"clients": 1, "albums": 1, "folders": 2, "photos": 1, "share_links": 1,
		"uploads": 1, "annotation_replies": 0} {
		if n := staffCount(t, w.ta, "SELECT count(*) FROM "+table+" WHERE studio_id = $1", w.studio); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM share_links WHERE revoked_at IS NULL"); n != 1 {
		t.Error("the link was revoked")
	}
}

// Every route with an id answers 404 to another studio's token, and
// changes nothing.
func TestGalleryAPIAnotherStudioFindsNothing(t *testing.T) {
	w := newAPIWorld(t)
	entries := func() int {
		return staffCount(t, w.ta, "SELECT count(*) FROM audit_log WHERE studio_id = $1", w.otherID)
	}
	var scenarios []apptest.Scenario
	before := entries()
	for _, r := range w.routes(t) {
		if r.hasID() {
			scenarios = append(scenarios, r.scenario("another studio", http.StatusNotFound))
		}
	}
	if len(scenarios) < 30 {
		t.Fatalf("only %d routes with ids", len(scenarios))
	}
	w.other.Run(t, scenarios)
	w.other.Run(t, []apptest.Scenario{
		{Name: "their lists are empty", Path: apiPath("albums"), Status: http.StatusOK, Contains: []string{`{"albums":[]}`}},
		{Name: "no clients", Path: apiPath("clients"), Status: http.StatusOK, Contains: []string{`{"clients":[]}`}},
	})
	for table, want := range map[string]int{"clients": 1, "albums": 1, "folders": 2, "photos": 1, "share_links": 1,
		"uploads": 1, "annotation_replies": 0, "selections": 1} {
		if n := staffCount(t, w.ta, "SELECT count(*) FROM "+table+" WHERE studio_id = $1", w.studio); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	var title, folderHidden string
	if err := w.ta.Superuser().QueryRow(t.Context(), `SELECT a.title, f.hidden::text FROM albums a JOIN folders f ON f.album_id = a.id
		WHERE f.id = $1`, w.folder).Scan(&title, &folderHidden); err != nil || title != "Sharma wedding" || folderHidden != "false" {
		t.Errorf("changed: %q %q %v", title, folderHidden, err)
	}
	if n := entries(); n != before {
		t.Errorf("%d audit entries in the other studio, %d before: something was done", n, before)
	}
}

// decode reads a JSON response into v.
func decode[T any](t *testing.T, res *apptest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.Body), &v); err != nil {
		t.Fatalf("decode %d %.300s: %v", res.StatusCode, res.Body, err)
	}
	return v
}
