package app_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

// snapshot is every gallery row of a studio as text, to prove nothing
// changed.
func snapshot(t *testing.T, ta *apptest.TestApp, w *world) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"clients", "albums", "folders", "photos", "share_links", "guests", "favourites",
		"selections", "annotations", "annotation_replies", "notifications", "album_activity"} {
		b.WriteString(query[string](t, ta, "SELECT coalesce(string_agg(x::text, '|' ORDER BY x::text), '') FROM "+table+" x WHERE studio_id = $1", w.studio))
	}
	return b.String()
}

// TestGalleryPagesFromAnotherStudio tries every gallery route of the web
// studio with studio A's ids as studio B's owner: each is not found, and
// A's rows stay exactly as they were. The table must name every route
// galleryStudioRoutes registers.
func TestGalleryPagesFromAnotherStudio(t *testing.T) {
	ta := apptest.New(t)
	a := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	b := newWorld(t, ta, "Other Studio", "otto@example.com")
	before := snapshot(t, ta, a)
	A, B := albumPathOf(a.album), albumPathOf(b.album)
	photo, bphoto := A+"/photos/"+a.photo.String(), B+"/photos/"+a.photo.String()
	note := photo + "/annotations/" + a.note.String()
	folder, link, sel := A+"/folders/"+a.folder.String(), A+"/links/"+a.link.String(), A+"/selections/"+a.selection.String()
	client := "/studio/clients/" + a.client.String()
	form := url.Values{"title": {"Taken"}, "name": {"Taken"}, "label": {"Taken"}, "body": {"Taken"}, "view_pin": {"1111"},
		"originals_allowed": {"1"}, "selection_limit": {"1"}, "watermark": {"1"}, "text": {"x"}, "position": {"center"},
		"opacity": {"50"}, "hidden": {"1"}, "download_locked": {"1"}, "direction": {"right"}, "resolved": {"1"},
		"folder": {b.folder.String()}, "action": {"delete"}, "photo": {a.photo.String()}, "status": {"archived"}}
	gets := []string{A, A + "/progress", photo, photo + "/thumb", photo + "/preview", photo + "/original",
		A + "/selections", sel, sel + "/selection.csv", sel + "/lightroom.txt", A + "/activity", client,
		bphoto, bphoto + "/thumb", B + "/selections/" + a.selection.String()}
	posts := []string{A, A + "/pins", A + "/access", A + "/watermark", A + "/rerender", A + "/delete", A + "/folders",
		folder, folder + "/move", folder + "/delete", A + "/photos/bulk", photo + "/cover", photo + "/move", photo + "/delete",
		note + "/replies", note + "/resolve", A + "/links", link + "/revoke", link + "/regenerate", client, client + "/delete",
		bphoto + "/cover", bphoto + "/move", bphoto + "/delete", B + "/photos/" + a.photo.String() + "/annotations/" + a.note.String() + "/replies",
		B + "/links/" + a.link.String() + "/revoke", B + "/folders/" + a.folder.String(), B + "/folders/" + a.folder.String() + "/delete"}
	var scenarios []apptest.Scenario
	for _, p := range gets {
		scenarios = append(scenarios, apptest.Scenario{Path: p, Status: http.StatusNotFound, NotContains: []string{"Sharma wedding"}})
	}
	for _, p := range posts {
		scenarios = append(scenarios, apptest.Scenario{Method: http.MethodPost, Path: p, Form: form, Status: http.StatusNotFound})
	}
	b.owner.Client.Run(t, scenarios)
	// The bulk form with A's photo in B's album, and uploads into A's folder.
	b.owner.Client.Run(t, []apptest.Scenario{{Name: "bulk in B's album", Path: B + "/photos/bulk", Form: form, Status: http.StatusNotFound}})
	for _, p := range []string{folder + "/uploads", B + "/folders/" + a.folder.String() + "/uploads"} {
		ctype, body := multipartBody(t, "file", "img51.jpg", readFace(t, "img51.jpg"))
		req := httptest.NewRequest(http.MethodPost, p, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-CSRF-Token", b.owner.Client.CSRF())
		if res := b.owner.Client.Do(req); res.StatusCode != http.StatusNotFound {
			t.Errorf("upload to %s: %d %s", p, res.StatusCode, res.Body)
		}
	}
	// Lists show only the studio's own.
	b.owner.Client.Run(t, []apptest.Scenario{
		{Name: "albums", Path: "/studio/albums", Status: http.StatusOK, NotContains: []string{a.album.String()}},
		{Name: "clients", Path: "/studio/clients", Status: http.StatusOK, NotContains: []string{a.client.String()}},
		{Name: "notifications", Path: "/studio/notifications", Status: http.StatusOK, NotContains: []string{a.album.String()}},
		{Name: "mark read", Path: "/studio/notifications/read", Form: url.Values{}, Status: http.StatusSeeOther},
	})
	if after := snapshot(t, ta, a); after != before {
		t.Fatal("studio A's rows changed")
	}
	checkEveryRouteTried(t, ta, append(gets, posts...))
}

// checkEveryRouteTried fails when a gallery route is missing from paths.
func checkEveryRouteTried(t *testing.T, ta *apptest.TestApp, paths []string) {
	t.Helper()
	tried := map[string]bool{}
	for _, p := range paths {
		tried[shape(p)] = true
	}
	tried[shape("/studio/albums/x/folders/x/uploads")] = true
	for _, r := range ta.Fiber.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/studio/albums/") && !strings.HasPrefix(r.Path, "/studio/clients/") {
			continue
		}
		if !tried[shape(r.Path)] {
			t.Errorf("route %s %s is not tried from another studio", r.Method, r.Path)
		}
	}
}

// shape turns ids and :params alike into "*".
func shape(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || len(s) == 36 || s == "x" {
			parts[i] = "*"
		}
	}
	return strings.Join(parts, "/")
}
