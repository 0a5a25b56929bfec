package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// renderForGuests renders a photo as w.render does and records its
// preview's size and CRC-32 as the render job would, so zips of the web
// size can be planned with exact lengths. It returns the preview's bytes.
func (w *apiWorld) renderForGuests(t *testing.T, photo uuid.UUID) []byte {
	t.Helper()
	w.render(t, photo)
	preview := w.preview
	_, err := w.ta.Superuser().Exec(context.Background(), "UPDATE photos SET preview_size = $2, preview_crc32 = $3 WHERE id = $1",
		photo, len(preview), int64(crc32.ChecksumIEEE(preview)))
	if err != nil {
		t.Fatal(err)
	}
	return preview
}

// guestFiles is the world with three rendered photos: the world's and
// img10 in the first folder, img11 in "Reception".
type guestFiles struct {
	*apiWorld
	inFirst, inSecond uuid.UUID
	previews          map[uuid.UUID][]byte
}

func newGuestFiles(t *testing.T, mutate ...func(*app.Config)) *guestFiles {
	t.Helper()
	w := newGuestWorld(t, apptest.New(t, mutate...))
	g := &guestFiles{apiWorld: w, previews: map[uuid.UUID][]byte{}}
	g.inFirst, g.inSecond = w.more(t)
	for _, p := range []uuid.UUID{w.photo, g.inFirst, g.inSecond} {
		g.previews[p] = w.renderForGuests(t, p)
	}
	return g
}

func (g *guestFiles) albumInput(t *testing.T, in gallery.AlbumInput) {
	t.Helper()
	if _, err := g.ta.Gallery.UpdateAlbum(context.Background(), g.studio, g.album, in, g.act); err != nil {
		t.Fatal(err)
	}
}

func (g *guestFiles) folderInput(t *testing.T, folder uuid.UUID, in gallery.FolderInput) {
	t.Helper()
	if _, err := g.ta.Gallery.UpdateFolder(context.Background(), g.studio, g.album, folder, in, g.act); err != nil {
		t.Fatal(err)
	}
}

// zipEntries reads a zip, checking every entry's CRC-32 as it goes.
func zipEntries(t *testing.T, body string) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

func names(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// A hidden folder does not exist for guests: its id, and the ids of its
// photos, are 404 on every route that takes them, and nothing is done.
func TestAPIGuestHiddenFolder(t *testing.T) {
	g := newGuestFiles(t)
	hidden := true
	g.folderInput(t, g.second, gallery.FolderInput{Hidden: &hidden})
	c := g.identified(t, g.linkToken, guestAnnotatePIN, "Meera")
	p := func(parts ...any) string { return guestPath(g.linkToken, parts...) }
	note := map[string]any{"shape": "point", "x": 0.5, "y": 0.5, "note": "Here"}
	routes := []apiRoute{
		{"GET", p("folders", g.second, "photos"), nil, false},
		{"GET", p("photos", g.inSecond), nil, false},
		{"GET", p("photos", g.inSecond, "thumb"), nil, false},
		{"GET", p("photos", g.inSecond, "preview"), nil, false},
		{"GET", p("photos", g.inSecond, "download") + "?size=web", nil, false},
		{"PUT", p("photos", g.inSecond, "favourite"), nil, false},
		{"DELETE", p("photos", g.inSecond, "favourite"), nil, false},
		{"GET", p("photos", g.inSecond, "annotations"), nil, false},
		{"POST", p("photos", g.inSecond, "annotations"), note, false},
		{"GET", p("zip") + "?size=web&folder=" + g.second.String(), nil, false},
		{"POST", p("zips"), map[string]string{"size": "web", "folder_id": g.second.String()}, false},
	}
	var scenarios []apptest.Scenario
	for _, r := range routes {
		s := guestScenario("hidden", r, http.StatusNotFound)
		s.NotContains = []string{"img11", "Reception"}
		scenarios = append(scenarios, s)
	}
	scenarios = append(scenarios,
		apptest.Scenario{Name: "not listed", Path: p("folders"), Status: http.StatusOK, Contains: []string{g.folder.String()},
			NotContains: []string{g.second.String(), "Reception"}},
		apptest.Scenario{Name: "an album zip leaves it out", Path: p("zip") + "?size=web", Status: http.StatusOK, NotContains: []string{"img11"}},
	)
	c.Run(t, scenarios)
	for table, want := range map[string]int{"favourites": 1, "annotations": 1, "zip_exports": 0} {
		if n := staffCount(t, g.ta, "SELECT count(*) FROM "+table+" WHERE studio_id = $1", g.studio); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
}

// The download rule on every way out: originals off by default, a folder
// locked against download, and an album zip without the locked folder.
func TestAPIGuestDownloadRules(t *testing.T) {
	g := newGuestFiles(t)
	locked := true
	g.folderInput(t, g.second, gallery.FolderInput{DownloadLocked: &locked})
	c := g.guestClient(g.enterShare(t, g.linkToken, guestViewPIN))
	p := func(parts ...any) string { return guestPath(g.linkToken, parts...) }
	one := p("photos", g.photo)
	web := one + "/download?size=web"
	forbidden := func(name, path, reason string) apptest.Scenario {
		return apptest.Scenario{Name: name, Path: path, Status: http.StatusForbidden, Contains: []string{reason},
			Header: map[string]string{"Content-Type": problemJSON}}
	}
	c.Run(t, []apptest.Scenario{
		{Name: "the photo says what it allows", Path: one, Status: http.StatusOK,
			Contains: []string{`"may_download_original":false`, `"may_download_web":true`, `"original_url":null`,
				`"web_url":"` + web + `"`, `"thumb_url":"` + one + `/thumb"`, `"placeholder":"#a1b2c3"`, `"favourite":false`}},
		{Name: "so does the locked folder", Path: p("folders"), Status: http.StatusOK,
			Contains: []string{`"name":"Reception","position":1,"may_download_original":false,"may_download_web":false`}},
		{Name: "and its photos", Path: p("folders", g.second, "photos"), Status: http.StatusOK,
			Contains: []string{`"filename":"img11.jpg"`, `"may_download_web":false`, `"web_url":null`}},
		forbidden("originals are off", one+"/download?size=original", "Full-resolution downloads are turned off"),
		forbidden("an album zip of originals", p("zip")+"?size=original", "Full-resolution downloads are turned off"),
		forbidden("a locked folder's photo", p("photos", g.inSecond, "download")+"?size=web", "locked downloads"),
		forbidden("a locked folder's zip", p("zip")+"?size=web&folder="+g.second.String(), "locked downloads"),
		{Name: "a locked folder's stored zip", Path: p("zips"), JSON: map[string]string{"size": "web", "folder_id": g.second.String()},
			Status: http.StatusForbidden, Contains: []string{"locked downloads"}},
		{Name: "looking is not downloading", Path: p("photos", g.inSecond, "preview"), Status: http.StatusOK,
			Contains: []string{string(g.previews[g.inSecond])}, Header: map[string]string{"Content-Type": "image/jpeg", "Content-Disposition": ""}},
		{Name: "no size", Path: one + "/download", Status: http.StatusBadRequest, Contains: []string{"size must be original or web"}},
		{Name: "a zip without a size", Path: p("zip"), Status: http.StatusBadRequest},
		{Name: "a zip of not a folder", Path: p("zip") + "?size=web&folder=x", Status: http.StatusBadRequest},
		{Name: "a zip of another album's folder", Path: p("zip") + "?size=web&folder=" + uuid.NewString(), Status: http.StatusNotFound},
		{Name: "a stored zip of a bad size", Path: p("zips"), JSON: map[string]string{"size": "huge"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"size":`}},
	})
	if n := staffCount(t, g.ta, "SELECT downloads FROM share_links WHERE id = $1", g.link); n != 0 {
		t.Fatalf("%d downloads counted after refusals only", n)
	}

	// The web size: the guest's preview, by name, with ranges and
	// revalidation; counted once, at its first byte.
	res := c.Get(web)
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || res.Body != string(g.previews[g.photo]) || res.Header.Get("Content-Disposition") != "attachment; filename=IMG_2001.jpg" ||
		res.Header.Get("Content-Type") != "image/jpeg" || etag == "" {
		t.Fatalf("web download: %d %v", res.StatusCode, res.Header)
	}
	size := strconv.Itoa(len(g.previews[g.photo]))
	c.Run(t, []apptest.Scenario{
		{Name: "resumed", Path: web, Request: map[string]string{"Range": "bytes=4-"}, Status: http.StatusPartialContent,
			Contains: []string{string(g.previews[g.photo][4:])}, Header: map[string]string{"Content-Range": "bytes 4-" + strconv.Itoa(len(g.previews[g.photo])-1) + "/" + size}},
		{Name: "revalidated", Path: web, Request: map[string]string{"If-None-Match": etag}, Status: http.StatusNotModified},
		{Name: "past the end", Path: web, Request: map[string]string{"Range": "bytes=" + size + "-"}, Status: http.StatusRequestedRangeNotSatisfiable},
	})
	if n := staffCount(t, g.ta, "SELECT downloads FROM share_links WHERE id = $1", g.link); n != 1 {
		t.Fatalf("%d downloads counted, want 1 for a download and its resumption", n)
	}

	// The album zip leaves the locked folder out.
	res = c.Get(p("zip") + "?size=web")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" || res.Header.Get("Content-Length") != strconv.Itoa(len(res.Body)) {
		t.Fatalf("album zip: %d %v", res.StatusCode, res.Header)
	}
	got := zipEntries(t, res.Body)
	if !slices.Equal(names(got), []string{"IMG_2001.jpg", "img10.jpg"}) || !bytes.Equal(got["img10.jpg"], g.previews[g.inFirst]) {
		t.Fatalf("album zip holds %v", names(got))
	}

	// Originals allowed: the file as uploaded, alone and in a zip.
	allowed := true
	g.albumInput(t, gallery.AlbumInput{OriginalsAllowed: &allowed})
	c.Run(t, []apptest.Scenario{
		{Name: "originals on", Path: one, Status: http.StatusOK, Contains: []string{`"may_download_original":true`, `"original_url":"` + one + `/download?size=original"`}},
		{Name: "the original", Path: one + "/download?size=original", Status: http.StatusOK, Contains: []string{string(g.original)},
			Header: map[string]string{"Content-Type": "image/jpeg", "Content-Disposition": "attachment; filename=IMG_2001.jpg"}},
		forbidden("still not from the locked folder", p("photos", g.inSecond, "download")+"?size=original", "locked downloads"),
	})
	res = c.Get(p("zip") + "?size=original&folder=" + g.folder.String())
	got = zipEntries(t, res.Body)
	if res.StatusCode != http.StatusOK || !slices.Equal(names(got), []string{"IMG_2001.jpg", "img10.jpg"}) ||
		!bytes.Equal(got["IMG_2001.jpg"], g.original) || !bytes.Equal(got["img10.jpg"], readFace(t, "img10.jpg")) {
		t.Fatalf("folder zip of originals: %d %v", res.StatusCode, names(got))
	}
	if n := staffCount(t, g.ta, "SELECT count(*) FROM audit_log WHERE kind = 'download' AND studio_id = $1 AND actor = 'guest'", g.studio); n != 4 {
		t.Fatalf("%d downloads audited, want 4 (web, album zip, original, folder zip)", n)
	}
}

// buildZip works a stored zip's build job the way River would.
func buildZip(t *testing.T, ta *apptest.TestApp, id uuid.UUID) {
	t.Helper()
	var args gallery.BuildZipArgs
	err := ta.Superuser().QueryRow(context.Background(), `SELECT args FROM river_job WHERE kind = $1 AND args->>'export_id' = $2`,
		gallery.BuildZipArgs{}.Kind(), id.String()).Scan(&args)
	if err != nil {
		t.Fatalf("build job: %v", err)
	}
	job := &river.Job[gallery.BuildZipArgs]{JobRow: &rivertype.JobRow{Attempt: 1, Kind: args.Kind()}, Args: args}
	if err := (&gallery.BuildZipWorker{Gallery: ta.Gallery}).Work(context.Background(), job); err != nil {
		t.Fatalf("build: %v", err)
	}
}

type zipStatus struct {
	ID          uuid.UUID
	Status      string
	Files       int
	Bytes       int64
	DownloadURL *string `json:"download_url"`
}

// A stored zip: asked for, built in the background, polled, then fetched
// and resumed; only through the link that asked for it.
func TestAPIGuestStoredZip(t *testing.T) {
	g := newGuestFiles(t)
	c := g.guestClient(g.enterShare(t, g.linkToken, guestViewPIN))
	p := func(parts ...any) string { return guestPath(g.linkToken, parts...) }
	res := c.JSON(http.MethodPost, p("zips"), map[string]any{"size": "web", "folder_id": nil})
	x := decode[zipStatus](t, res)
	status := p("zips", x.ID)
	if res.StatusCode != http.StatusAccepted || x.Status != "building" || x.Files != 3 || x.DownloadURL != nil || res.Header.Get("Location") != status {
		t.Fatalf("prepare: %d %v %s", res.StatusCode, res.Header, res.Body)
	}
	again := decode[zipStatus](t, c.JSON(http.MethodPost, p("zips"), map[string]any{"size": "web"}))
	if again.ID != x.ID {
		t.Fatalf("asked twice, built twice: %s and %s", x.ID, again.ID)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "building", Path: status, Status: http.StatusOK, Contains: []string{`"status":"building"`, `"download_url":null`, `"size":"web"`, `"folder_id":null`},
			Header: map[string]string{"Cache-Control": "no-store"}},
		{Name: "not yet", Path: status + "?download=1", Status: http.StatusConflict, Contains: []string{"still being made"}},
		{Name: "a bad download flag", Path: status + "?download=yes", Status: http.StatusBadRequest},
		{Name: "unknown zip", Path: p("zips", uuid.New()), Status: http.StatusNotFound},
		{Name: "not an id", Path: p("zips", "latest"), Status: http.StatusNotFound},
		{Name: "no size", Path: p("zips"), JSON: map[string]string{}, Status: http.StatusUnprocessableEntity},
		{Name: "bad folder", Path: p("zips"), JSON: map[string]string{"size": "web", "folder_id": "Reception"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"folder_id":`}},
	})

	buildZip(t, g.ta, x.ID)
	x = decode[zipStatus](t, c.Get(status))
	if x.Status != "ready" || x.Bytes == 0 || x.DownloadURL == nil || *x.DownloadURL != status+"?download=1" {
		t.Fatalf("after the build: %+v", x)
	}
	res = c.Get(*x.DownloadURL)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" || int64(len(res.Body)) != x.Bytes {
		t.Fatalf("the zip: %d %v (%d bytes)", res.StatusCode, res.Header, len(res.Body))
	}
	got := zipEntries(t, res.Body)
	if !slices.Equal(names(got), []string{"Photos/IMG_2001.jpg", "Photos/img10.jpg", "Reception/img11.jpg"}) ||
		!bytes.Equal(got["Reception/img11.jpg"], g.previews[g.inSecond]) {
		t.Fatalf("stored zip holds %v", names(got))
	}
	c.Run(t, []apptest.Scenario{
		{Name: "resumed", Path: *x.DownloadURL, Request: map[string]string{"Range": "bytes=0-9"}, Status: http.StatusPartialContent,
			Contains: []string{res.Body[:10]}, Header: map[string]string{"Content-Range": "bytes 0-9/" + strconv.FormatInt(x.Bytes, 10)}},
	})

	// Another link of the album does not see it.
	_, other := g.newShare(t, "Mother of the bride")
	g.guestClient(g.enterShare(t, other, guestViewPIN)).Run(t, []apptest.Scenario{
		{Name: "another link's zip", Path: guestPath(other, "zips", x.ID), Status: http.StatusNotFound},
		{Name: "nor its file", Path: guestPath(other, "zips", x.ID) + "?download=1", Status: http.StatusNotFound},
	})
}
