package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestAlbumsListCreateAndMistakes(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Lumen Studio", "mira@example.com")
	o.Client.Run(t, []apptest.Scenario{
		{Name: "empty state", Path: "/studio/albums", Status: http.StatusOK,
			Contains: []string{"No albums yet", `action="/studio/albums"`, `href="/studio/albums" aria-current="page"`}},
		{Name: "no title", Path: "/studio/albums", Form: url.Values{"title": {"  "}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Give the album a title of at most 200 characters."}},
		{Name: "bad date", Path: "/studio/albums", Form: url.Values{"title": {"Iyer engagement"}, "event_date": {"14/02/2025"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Give the date as YYYY-MM-DD.", `value="Iyer engagement"`}},
		{Name: "bad client", Path: "/studio/albums", Form: url.Values{"title": {"Iyer engagement"}, "client_id": {"not-a-client"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"There is no such client."}},
		{Name: "no CSRF token", Path: "/studio/albums", Form: url.Values{"title": {"Forged"}}, NoCSRF: true, Status: http.StatusForbidden},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM albums"); n != 0 {
		t.Fatalf("%d albums after only mistakes", n)
	}
	id := createAlbum(t, o.Client, "Iyer engagement", url.Values{"event_date": {"2025-02-14"}})
	if got := query[string](t, ta, "SELECT title || ' ' || status || ' ' || event_date::text FROM albums WHERE id = $1", id); got != "Iyer engagement draft 2025-02-14" {
		t.Fatalf("stored %q", got)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'album.create' AND detail->>'album_id' = $1", id.String()); n != 1 {
		t.Fatalf("%d album.create entries", n)
	}
	o.Client.Run(t, []apptest.Scenario{
		{Name: "flash and empty album", Path: albumPathOf(id), Status: http.StatusOK,
			Contains: []string{"Album “Iyer engagement” created.", "Drop photos here or choose files", "No share links yet", "No view PIN", "14 February 2025", "Draft"}},
		{Name: "listed", Path: "/studio/albums", Status: http.StatusOK,
			Contains: []string{"Iyer engagement", "0 photos", "No photos yet", "14 Feb 2025", albumPathOf(id)}, NotContains: []string{"No albums yet"}},
	})
}

func TestAlbumSettingsArePersisted(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, base := w.owner.Client, albumPathOf(w.album)
	c.Run(t, []apptest.Scenario{
		{Name: "details", Path: base, Form: url.Values{"title": {"Sharma wedding, Jaipur"}, "status": {"archived"}, "client_id": {""}, "event_date": {""}},
			Status: http.StatusSeeOther, Location: base},
		{Name: "bad status", Path: base, Form: url.Values{"title": {"x"}, "status": {"gone"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Status is draft, published or archived.", `id="details" open`}},
		{Name: "originals on, web off, choose 40", Path: base + "/access", Form: url.Values{"originals_allowed": {"1"}, "selection_limit": {"40"}},
			Status: http.StatusSeeOther, Location: base},
		{Name: "limit not a number", Path: base + "/access", Form: url.Values{"selection_limit": {"forty"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"The selection limit is a number of photos, or empty for none."}},
		{Name: "limit zero", Path: base + "/access", Form: url.Values{"selection_limit": {"0"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"The selection limit is a number of photos"}},
		{Name: "page shows the settings", Path: base, Status: http.StatusOK,
			Contains: []string{"Sharma wedding, Jaipur", "Archived", "Originals downloadable", "Web size off", "Choose up to 40", `name="selection_limit" min="1" max="100000" value="40"`}},
	})
	got := query[string](t, ta, `SELECT title || ' ' || status || ' ' || originals_allowed || ' ' || web_allowed || ' ' || selection_limit || ' ' ||
		(client_id IS NULL) || ' ' || (event_date IS NULL) FROM albums WHERE id = $1`, w.album)
	if got != "Sharma wedding, Jaipur archived true false 40 true true" {
		t.Fatalf("stored %q", got)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'album.update' AND detail->>'originals_allowed' = 'true'"); n != 1 {
		t.Fatalf("%d audited download changes", n)
	}
}

func TestPINsAreSetClearedAndNeverShown(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, pins := w.owner.Client, albumPathOf(w.album)+"/pins"
	c.Run(t, []apptest.Scenario{
		{Name: "too short", Path: pins, Form: url.Values{"view_pin": {"123"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"A PIN has 4 to 8 digits."}, NotContains: []string{`value="123"`}},
		{Name: "letters", Path: pins, Form: url.Values{"view_pin": {"12ab"}}, Status: http.StatusUnprocessableEntity, Contains: []string{"A PIN has digits only."}},
		{Name: "same as the annotate PIN", Path: pins, Form: url.Values{"view_pin": {"97531"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"The annotate PIN must differ from the view PIN."}, NotContains: []string{"97531"}},
		{Name: "set and clear at once", Path: pins, Form: url.Values{"annotate_pin": {"8642"}, "clear_annotate_pin": {"1"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Type a new annotate PIN or remove it, not both."}, NotContains: []string{"8642"}},
		{Name: "nothing typed", Path: pins, Form: url.Values{}, Status: http.StatusSeeOther},
		{Name: "set the view PIN", Path: pins, Form: url.Values{"view_pin": {"246813"}}, Status: http.StatusSeeOther, Location: albumPathOf(w.album)},
		{Name: "the page says so, without the PIN", Path: albumPathOf(w.album), Status: http.StatusOK,
			Contains: []string{"The view PIN was set.", "View PIN set", "Annotate PIN set", "New view PIN", `name="clear_view_pin"`}, NotContains: []string{"246813", "97531"}},
	})
	hash := query[string](t, ta, "SELECT view_pin_hash FROM albums WHERE id = $1", w.album)
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("view PIN stored as %q", hash)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE strpos(detail::text, '246813') > 0 OR strpos(detail::text, '97531') > 0"); n != 0 {
		t.Fatal("a PIN is in the audit log")
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'album.pins' AND detail->>'view_pin' = 'set'"); n != 1 {
		t.Fatalf("%d audited view PIN changes", n)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "clear the annotate PIN", Path: pins, Form: url.Values{"clear_annotate_pin": {"1"}}, Status: http.StatusSeeOther},
		{Name: "page", Path: albumPathOf(w.album), Status: http.StatusOK, Contains: []string{"The annotate PIN was removed.", "No annotate PIN"}},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM albums WHERE id = $1 AND annotate_pin_hash IS NULL AND view_pin_hash IS NOT NULL", w.album); n != 1 {
		t.Fatal("the annotate PIN was not cleared, or the view PIN went with it")
	}
}

func TestWatermarkChangeRendersAgain(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, wm := w.owner.Client, albumPathOf(w.album)+"/watermark"
	c.Run(t, []apptest.Scenario{
		{Name: "no text", Path: wm, Form: url.Values{"watermark": {"1"}, "text": {""}, "position": {"center"}, "opacity": {"40"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Watermark text has 1 to 80 characters."}},
		{Name: "bad opacity", Path: wm, Form: url.Values{"watermark": {"1"}, "text": {"© Lumen"}, "position": {"center"}, "opacity": {"lots"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Watermark opacity is a percentage from 1 to 100.", `value="© Lumen"`}},
		{Name: "bad position", Path: wm, Form: url.Values{"watermark": {"1"}, "text": {"© Lumen"}, "position": {"middle"}, "opacity": {"40"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Place the watermark at the centre, a corner, or tiled."}},
		{Name: "set", Path: wm, Form: url.Values{"watermark": {"1"}, "text": {"© Lumen"}, "position": {"bottom-left"}, "opacity": {"35"}},
			Status: http.StatusSeeOther},
		{Name: "page", Path: albumPathOf(w.album), Status: http.StatusOK,
			Contains: []string{"Watermark saved. 1 photo is being processed again", "“© Lumen” on guests' previews", `value="bottom-left" selected`, `value="35"`,
				"0 of 1 photo ready."}},
		{Name: "same again", Path: wm, Form: url.Values{"watermark": {"1"}, "text": {"© Lumen"}, "position": {"bottom-left"}, "opacity": {"35"}}, Status: http.StatusSeeOther},
	})
	got := query[string](t, ta, "SELECT watermark::text FROM albums WHERE id = $1", w.album)
	if !strings.Contains(got, `"text": "© Lumen"`) || !strings.Contains(got, `"opacity": 0.35`) || !strings.Contains(got, `"position": "bottom-left"`) {
		t.Fatalf("stored watermark %s", got)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'album.rerender'"); n != 1 {
		t.Fatalf("%d rerenders, want 1 (an unchanged watermark renders nothing)", n)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM river_job WHERE kind = 'gallery.render'"); n != 2 {
		t.Fatalf("%d render jobs, want the upload's and the rerender's", n)
	}
	c.Run(t, []apptest.Scenario{{Name: "remove", Path: wm, Form: url.Values{"text": {"© Lumen"}}, Status: http.StatusSeeOther}})
	if n := query[int](t, ta, "SELECT count(*) FROM albums WHERE id = $1 AND watermark IS NULL", w.album); n != 1 {
		t.Fatal("the watermark was not removed")
	}
}

func TestAlbumPageShowsProgressAndFailures(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c := w.owner.Client
	for _, name := range []string{"img25.jpg", "img51.jpg"} {
		if res := upload(t, c, w.album, w.second, name, readFace(t, name)); res.StatusCode != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", name, res.StatusCode, res.Body)
		}
	}
	_, err := ta.Superuser().Exec(t.Context(), `UPDATE photos SET status = 'failed', failure = 'The file is damaged: it ends in the middle of the image.'
		WHERE album_id = $1 AND filename = 'img51.jpg'`, w.album)
	if err != nil {
		t.Fatal(err)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "progress JSON", Path: albumPathOf(w.album) + "/progress", Status: http.StatusOK,
			Contains: []string{`"total":3`, `"ready":1`, `"processing":1`, `"failed":1`, `"complete":true`, `"text":"1 of 3 photos ready, 1 failed."`,
				`"failure":"The file is damaged: it ends in the middle of the image."`}},
		{Name: "album page", Path: albumPathOf(w.album) + "?folder=" + w.second.String(), Status: http.StatusOK,
			Contains: []string{"1 of 3 photos ready, 1 failed.", "Could not be processed", "img51.jpg</a>: The file is damaged",
				`id="panel-` + w.second.String() + `" aria-labelledby="tab-` + w.second.String() + `" data-panel="` + w.second.String() + `">`,
				`data-status="processing"`, "Processing…", `data-placeholder="#a1b2c3"`, `data-processing="1"`}},
	})
}

func TestDeleteAlbumNamesWhatIsLost(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c := w.owner.Client
	c.Run(t, []apptest.Scenario{
		{Name: "warning", Path: albumPathOf(w.album), Status: http.StatusOK,
			Contains: []string{"Delete album “Sharma wedding”: 1 photo, 1 share link, 1 guest with their favourites and notes, 1 submitted selection?"}},
		{Name: "no CSRF", Path: albumPathOf(w.album) + "/delete", Form: url.Values{}, NoCSRF: true, Status: http.StatusForbidden},
		{Name: "delete", Path: albumPathOf(w.album) + "/delete", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/studio/albums"},
		{Name: "gone", Path: albumPathOf(w.album), Status: http.StatusNotFound},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM photos"); n != 0 {
		t.Fatalf("%d photos left", n)
	}
}
