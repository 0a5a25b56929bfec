package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestAPISelections(t *testing.T) {
	w := newAPIWorld(t)
	sel := apiPath("albums", w.album, "selections", w.selection)
	w.read.Run(t, []apptest.Scenario{
		{Name: "list", Path: apiPath("albums", w.album, "selections"), Status: http.StatusOK,
			Contains: []string{`"id":"` + w.selection.String(), `"guest_name":"Rohan"`, `"guest_email":"rohan@example.com"`,
				`"link_label":"Anita"`, `"note":"These for the album, please"`, `"photos":1`}},
		{Name: "its photos", Path: sel + "/photos", Status: http.StatusOK, Contains: []string{`{"photos":[{"id":"` + w.photo.String(), `"filename":"IMG_2001.jpg"`}},
		{Name: "CSV", Path: sel + "/selection.csv", Status: http.StatusOK, Contains: []string{"filename,size_bytes,width,height\nIMG_2001.jpg,"},
			Header: map[string]string{"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": "attachment; filename=selection.csv"}},
		{Name: "Lightroom", Path: sel + "/lightroom.txt", Status: http.StatusOK, Contains: []string{"IMG_2001\n"},
			Header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}},
		{Name: "another album's selection", Path: apiPath("albums", w.album, "selections", w.album, "photos"), Status: http.StatusNotFound},
	})
	if n := staffCount(t, w.ta, `SELECT count(*) FROM audit_log WHERE kind = 'selection.export' AND actor = 'token'
		AND detail->>'selection_id' = $1`, w.selection); n != 2 {
		t.Fatalf("%d exports audited, want 2", n)
	}
}

func TestAPIAnnotations(t *testing.T) {
	w := newAPIWorld(t)
	list := apiPath("albums", w.album, "photos", w.photo, "annotations")
	note := apiPath("albums", w.album, "annotations", w.note)
	w.write.Run(t, []apptest.Scenario{
		{Name: "the guest's note", Path: list, Status: http.StatusOK, Contains: []string{`"id":"` + w.note.String(), `"shape":"rect"`, `"x":0.25`,
			`"w":0.5`, `"note":"Brighten the faces"`, `"status":"open"`, `"resolved_at":null`, `"replies":[]`}},
		{Name: "reply", Path: note + "/replies", JSON: map[string]string{"body": "Done, see the new preview."}, Status: http.StatusCreated,
			Contains: []string{`"annotation_id":"` + w.note.String(), `"body":"Done, see the new preview."`, `"guest_id":null`}},
		{Name: "empty reply", Path: note + "/replies", JSON: map[string]string{"body": "  "}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"body":`}},
		{Name: "resolve", Method: http.MethodPatch, Path: note, JSON: map[string]string{"status": "resolved"}, Status: http.StatusNoContent},
		{Name: "bad status", Method: http.MethodPatch, Path: note, JSON: map[string]string{"status": "done"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"status":"The status is open or resolved."}`}},
		{Name: "resolved, with the reply", Path: list, Status: http.StatusOK, Contains: []string{`"status":"resolved"`, `"body":"Done, see the new preview."`},
			NotContains: []string{`"resolved_at":null`}},
		{Name: "a note of another album", Method: http.MethodPatch, Path: apiPath("albums", w.second, "annotations", w.note),
			JSON: map[string]string{"status": "open"}, Status: http.StatusNotFound},
	})
	// The guest sees the status and the reply.
	g := w.guest(t, "97531", "Rohan")
	notes, err := w.ta.Gallery.GuestAnnotations(context.Background(), g, w.photo)
	if err != nil || len(notes) != 1 || notes[0].Status != "resolved" || len(notes[0].Replies) != 1 {
		t.Fatalf("the guest sees %+v (%v)", notes, err)
	}
}

func TestAPIActivityAndNotifications(t *testing.T) {
	w := newAPIWorld(t)
	activity := apiPath("albums", w.album, "activity")
	var kinds []string
	next, pages := activity+"?limit=2", 0
	for next != "" && pages < 20 {
		page := decode[struct {
			Activity []struct {
				ID        int64
				Kind      string
				GuestName string `json:"guest_name"`
			}
			Next *string
		}](t, w.read.Get(next))
		for _, a := range page.Activity {
			kinds = append(kinds, a.Kind)
		}
		next, pages = "", pages+1
		if page.Next != nil {
			next = *page.Next
		}
	}
	total := staffCount(t, w.ta, "SELECT count(*) FROM album_activity WHERE album_id = $1", w.album)
	if len(kinds) != total || total < 3 || kinds[0] != "annotate" {
		t.Fatalf("paged through %v, want %d lines newest first", kinds, total)
	}
	w.read.Run(t, []apptest.Scenario{
		{Name: "names resolved", Path: activity, Status: http.StatusOK, Contains: []string{`"kind":"favourite"`, `"guest_name":"Rohan"`,
			`"link_label":"Anita"`, `"filename":"IMG_2001.jpg"`, `"next":null`}},
		{Name: "bad before", Path: activity + "?before=0", Status: http.StatusBadRequest},
		{Name: "bad limit", Path: activity + "?limit=201", Status: http.StatusBadRequest},
		{Name: "notifications", Path: apiPath("notifications"), Status: http.StatusOK,
			Contains: []string{`"kind":"annotation"`, `"kind":"selection"`, `"title":"Rohan chose 1 photos in Sharma wedding"`, `"unread":2`}},
		{Name: "bad limit", Path: apiPath("notifications") + "?limit=x", Status: http.StatusBadRequest},
	})
	w.write.Run(t, []apptest.Scenario{
		{Name: "mark read", Method: http.MethodPost, Path: apiPath("notifications", "read"), Status: http.StatusNoContent},
		{Name: "read", Path: apiPath("notifications") + "?limit=1", Status: http.StatusOK, Contains: []string{`"unread":0`}, NotContains: []string{`"read_at":null`}},
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM notifications WHERE studio_id = $1 AND read_at IS NULL", w.studio); n != 0 {
		t.Fatalf("%d unread", n)
	}
}
