package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestSelectionsAndExports(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c := w.owner.Client
	sel := albumPathOf(w.album) + "/selections/" + w.selection.String()
	c.Run(t, []apptest.Scenario{
		{Name: "list", Path: albumPathOf(w.album) + "/selections", Status: http.StatusOK,
			Contains: []string{"Rohan", "rohan@example.com", "Anita", `<td data-label="Photos">1</td>`, "These for the album, please", `href="` + sel + `"`}},
		{Name: "detail", Path: sel, Status: http.StatusOK,
			Contains: []string{"Rohan's selection", `<code id="lightroom-list">img12</code>`, `data-photo="` + w.photo.String() + `"`, sel + "/selection.csv", sel + "/lightroom.txt"}},
		{Name: "CSV", Path: sel + "/selection.csv", Status: http.StatusOK,
			Contains: []string{"filename,size_bytes,width,height\nimg12.jpg,19905,640,480\n"},
			Header:   map[string]string{"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="Sharma wedding - Rohan.csv"`}},
		{Name: "Lightroom", Path: sel + "/lightroom.txt", Status: http.StatusOK, Contains: []string{"img12\n"},
			Header: map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Disposition": `attachment; filename="Sharma wedding - Rohan.txt"`}},
		{Name: "unknown selection", Path: albumPathOf(w.album) + "/selections/" + w.photo.String(), Status: http.StatusNotFound},
	})
	res := c.Get(sel + "/selection.csv")
	if res.Body != "filename,size_bytes,width,height\nimg12.jpg,19905,640,480\n" {
		t.Fatalf("CSV %q", res.Body)
	}
	if res := c.Get(sel + "/lightroom.txt"); res.Body != "img12\n" {
		t.Fatalf("Lightroom list %q", res.Body)
	}
}

func TestActivityAndNotifications(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c := w.owner.Client
	c.Run(t, []apptest.Scenario{
		{Name: "activity", Path: albumPathOf(w.album) + "/activity", Status: http.StatusOK,
			Contains: []string{"Opened the album with the annotate PIN", "Favourited img12.jpg", "Submitted a selection of 1 photo", "Left a note on img12.jpg", "Rohan", w.photoPath()}},
		{Name: "badge", Path: "/studio/albums", Status: http.StatusOK, Contains: []string{`<span class="nav-badge" data-unread>2<span class="sr-only"> unread</span></span>`}},
		{Name: "notifications", Path: "/studio/notifications", Status: http.StatusOK,
			Contains: []string{"Rohan chose 1 photos in Sharma wedding", "Rohan left a note on img12.jpg in Sharma wedding", "Mark all as read", "New"}},
		{Name: "no CSRF", Path: "/studio/notifications/read", Form: url.Values{}, NoCSRF: true, Status: http.StatusForbidden},
		{Name: "mark read", Path: "/studio/notifications/read", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/studio/notifications"},
		{Name: "no badge", Path: "/studio/notifications", Status: http.StatusOK, NotContains: []string{"nav-badge", "Mark all as read"}},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM notifications WHERE read_at IS NULL"); n != 0 {
		t.Fatalf("%d unread", n)
	}
}

func TestActivityPages(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	for range 60 {
		g := w.guest(t, "97531", "Rohan")
		if err := ta.Gallery.Favourite(t.Context(), g, w.photo, false); err != nil {
			t.Fatal(err)
		}
	}
	res := w.owner.Client.Get(albumPathOf(w.album) + "/activity")
	older := regexpFind(t, `href="(/studio/albums/[^"]+/activity\?before=\d+)"`, res.Body)
	w.owner.Client.Run(t, []apptest.Scenario{
		{Name: "older page", Path: older, Status: http.StatusOK, Contains: []string{"Newest", "Favourited img12.jpg"}},
	})
}
