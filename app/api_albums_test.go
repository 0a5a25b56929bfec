package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestAPIAlbums(t *testing.T) {
	w := newAPIWorld(t)
	res := w.write.JSON(http.MethodPost, apiPath("albums"), map[string]any{"title": "Kapoor engagement", "event_date": "2025-11-02",
		"client_id": w.client, "selection_limit": 40, "watermark": map[string]any{"kind": "text", "text": "© Lumen", "position": "bottom-right", "opacity": 0.4}})
	made := decode[struct {
		ID, Title, Status string
		WebAllowed        bool `json:"web_allowed"`
		OriginalsAllowed  bool `json:"originals_allowed"`
	}](t, res)
	if res.StatusCode != http.StatusCreated || made.Status != "draft" || !made.WebAllowed || made.OriginalsAllowed {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	one := apiPath("albums", made.ID)
	otherClient := decode[struct{ ID string }](t, w.other.JSON(http.MethodPost, apiPath("clients"), map[string]string{"name": "Theirs"}))
	w.write.Run(t, []apptest.Scenario{
		{Name: "newest first", Path: apiPath("albums"), Status: http.StatusOK, Contains: []string{`{"albums":[{"id":"` + made.ID}},
		{Name: "one", Path: one, Status: http.StatusOK, Contains: []string{`"event_date":"2025-11-02"`, `"selection_limit":40`,
			`"watermark":{"kind":"text","text":"© Lumen","position":"bottom-right","opacity":0.4}`, `"has_view_pin":false`}},
		{Name: "its folder", Path: one + "/folders", Status: http.StatusOK, Contains: []string{`"name":"Photos"`}},
		{Name: "publish, keep the rest", Method: http.MethodPatch, Path: one, JSON: map[string]any{"status": "published", "originals_allowed": true},
			Status: http.StatusOK, Contains: []string{`"status":"published"`, `"originals_allowed":true`, `"title":"Kapoor engagement"`, `"selection_limit":40`}},
		{Name: "null clears", Method: http.MethodPatch, Path: one, JSON: `{"client_id": null, "event_date": null, "watermark": null, "selection_limit": null}`,
			Status: http.StatusOK, Contains: []string{`"client_id":null`, `"event_date":null`, `"watermark":null`, `"selection_limit":null`}},
		{Name: "no title", JSON: map[string]any{"status": "draft"}, Path: apiPath("albums"), Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"title":"Give the album a title."}`}},
		{Name: "bad date", Method: http.MethodPatch, Path: one, JSON: map[string]any{"event_date": "02/11/2025"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"event_date":`}},
		{Name: "bad status", Method: http.MethodPatch, Path: one, JSON: map[string]any{"status": "live"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"status":"Status is draft, published or archived."}`}},
		{Name: "another studio's client", Method: http.MethodPatch, Path: one, JSON: map[string]any{"client_id": otherClient.ID},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"client_id":"There is no such client."}`}},
		{Name: "not a client id", Method: http.MethodPatch, Path: one, JSON: map[string]any{"client_id": "anita"},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"client_id":`}},
		{Name: "bad watermark", Method: http.MethodPatch, Path: one, JSON: map[string]any{"watermark": map[string]any{"kind": "text", "text": "x", "position": "middle", "opacity": 0.5}},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"watermark":`}},
		{Name: "unknown watermark field", Method: http.MethodPatch, Path: one, JSON: `{"watermark": {"kind": "text", "font": "Comic Sans"}}`,
			Status: http.StatusBadRequest, Contains: []string{`Unknown field \"font\"`}},
		{Name: "wrong type in a nullable field", Method: http.MethodPatch, Path: one, JSON: `{"selection_limit": "forty"}`,
			Status: http.StatusBadRequest, Contains: []string{`Field \"selection_limit\" must be a JSON number`}},
		{Name: "negative limit", Method: http.MethodPatch, Path: one, JSON: `{"selection_limit": -1}`, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"selection_limit":`}},
		{Name: "progress", Path: one + "/progress", Status: http.StatusOK, Contains: []string{`{"total":0,"ready":0,"processing":0,"failed":0,"done":true}`}},
		{Name: "progress of the world's album", Path: apiPath("albums", w.album, "progress"), Status: http.StatusOK,
			Contains: []string{`{"total":1,"ready":1,"processing":0,"failed":0,"done":true}`}},
	})
	if n := staffCount(t, w.ta, `SELECT count(*) FROM audit_log WHERE actor = 'token' AND kind = 'album.update' AND detail->>'album_id' = $1`, made.ID); n != 2 {
		t.Fatalf("%d album.update entries, want 2 (the refused changes write none)", n)
	}

	// Deleting takes everything with it; the stored files go by a job.
	w.write.Run(t, []apptest.Scenario{
		{Name: "delete", Method: http.MethodDelete, Path: apiPath("albums", w.album), Status: http.StatusNoContent},
		{Name: "gone", Path: apiPath("albums", w.album), Status: http.StatusNotFound},
		{Name: "its photos gone", Path: apiPath("albums", w.album, "photos"), Status: http.StatusNotFound},
	})
	for _, table := range []string{"folders", "photos", "share_links", "selections"} {
		if n := staffCount(t, w.ta, "SELECT count(*) FROM "+table+" WHERE album_id = $1", w.album); n != 0 {
			t.Errorf("%d %s left", n, table)
		}
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM annotations WHERE id = $1", w.note); n != 0 {
		t.Error("the note is left")
	}
	if n := staffCount(t, w.ta, `SELECT count(*) FROM river_job WHERE kind = 'gallery.delete_blobs' AND args->>'prefix' = $1`,
		"albums/"+w.album.String()+"/"); n != 1 {
		t.Fatal("no job deletes the album's files")
	}
}

// PINs are written, never read: the album says only whether each is set,
// and neither the answer nor the audit log holds one. (Eight digits: ids
// and hashes in the log held four by chance.)
func TestAPIAlbumPINs(t *testing.T) {
	w := newAPIWorld(t)
	pins := apiPath("albums", w.album, "pins")
	put := func(name string, body any, status int, contains ...string) apptest.Scenario {
		return apptest.Scenario{Name: name, Method: http.MethodPut, Path: pins, JSON: body, Status: status, Contains: contains,
			NotContains: []string{"24681357", "97531"}}
	}
	w.write.Run(t, []apptest.Scenario{
		put("set the view PIN", map[string]string{"view_pin": "24681357"}, http.StatusNoContent),
		{Name: "set, not shown", Path: apiPath("albums", w.album), Status: http.StatusOK,
			Contains: []string{`"has_view_pin":true`, `"has_annotate_pin":true`}, NotContains: []string{"24681357", "pin_hash"}},
		put("the same as the annotate PIN", map[string]string{"view_pin": "97531"}, http.StatusUnprocessableEntity,
			`"errors":{"annotate_pin":"The annotate PIN must differ from the view PIN."}`),
		put("letters", map[string]string{"annotate_pin": "12ab"}, http.StatusUnprocessableEntity, `"errors":{"annotate_pin":"A PIN has digits only."}`),
		put("too short", map[string]string{"view_pin": "123"}, http.StatusUnprocessableEntity, `"errors":{"view_pin":"A PIN has 4 to 8 digits."}`),
		put("a number, not a string", `{"view_pin": 24681357}`, http.StatusBadRequest, `Field \"view_pin\" must be a JSON string`),
		put("clear the annotate PIN", map[string]string{"annotate_pin": ""}, http.StatusNoContent),
		{Name: "cleared", Path: apiPath("albums", w.album), Status: http.StatusOK, Contains: []string{`"has_view_pin":true`, `"has_annotate_pin":false`}},
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM audit_log WHERE kind = 'album.pins' AND actor = 'token'"); n != 2 {
		t.Fatalf("%d album.pins entries by the token, want 2", n)
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM audit_log WHERE detail::text LIKE '%24681357%'"); n != 0 {
		t.Fatal("a PIN is in the audit log")
	}
	var hash string
	if err := w.ta.Superuser().QueryRow(t.Context(), "SELECT view_pin_hash FROM albums WHERE id = $1", w.album).Scan(&hash); err != nil ||
		!strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("view PIN stored as %q (%v)", hash, err)
	}
}
