package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// Favourites need a name, stop at the album's limit, show on the photos,
// and are submitted as a selection the photographer is told of.
func TestAPIGuestFavouritesAndSelection(t *testing.T) {
	w := newGuestWorld(t, apptest.New(t))
	ctx := context.Background()
	inFirst, _ := w.more(t)
	w.render(t, inFirst)
	limit := 1
	if _, err := w.ta.Gallery.UpdateAlbum(ctx, w.studio, w.album, gallery.AlbumInput{SelectionLimit: &limit}, w.act); err != nil {
		t.Fatal(err)
	}
	view := w.enterShare(t, w.linkToken, guestViewPIN)
	c := w.guestClient(view)
	p := func(parts ...any) string { return guestPath(w.linkToken, parts...) }
	fav := func(photo uuid.UUID) string { return p("photos", photo, "favourite") }
	needName := []string{"Give your name and e-mail address first."}
	c.Run(t, []apptest.Scenario{
		{Name: "no name yet", Method: http.MethodPut, Path: fav(w.photo), Status: http.StatusConflict, Contains: needName,
			Header: map[string]string{"Content-Type": problemJSON}},
		{Name: "no name, no removing", Method: http.MethodDelete, Path: fav(w.photo), Status: http.StatusConflict, Contains: needName},
		{Name: "no favourites yet", Path: p("favourites"), Status: http.StatusOK, Contains: []string{`{"photo_ids":[],"count":0,"limit":1}`}},
		{Name: "no selection yet", Method: http.MethodPost, Path: p("selection"), Status: http.StatusConflict, Contains: needName},
		{Name: "identify", Method: http.MethodPut, Path: p("guest"), JSON: map[string]string{"name": "Meera", "email": "meera@example.com"}, Status: http.StatusOK},
		{Name: "nothing chosen", Method: http.MethodPost, Path: p("selection"), Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"selection":"Choose at least one photo first."}`}},
		{Name: "add", Method: http.MethodPut, Path: fav(w.photo), Status: http.StatusNoContent},
		{Name: "add again", Method: http.MethodPut, Path: fav(w.photo), Status: http.StatusNoContent},
		{Name: "past the limit", Method: http.MethodPut, Path: fav(inFirst), Status: http.StatusConflict, Contains: []string{"you can choose up to 1 photos"}},
		{Name: "listed", Path: p("favourites"), Status: http.StatusOK, Contains: []string{`{"photo_ids":["` + w.photo.String() + `"],"count":1,"limit":1}`}},
		{Name: "flagged", Path: p("photos", w.photo), Status: http.StatusOK, Contains: []string{`"favourite":true`}},
		{Name: "flagged in the folder", Path: p("folders", w.folder, "photos"), Status: http.StatusOK,
			Contains: []string{`"id":"` + w.photo.String() + `","folder_id":"` + w.folder.String() + `","filename":"IMG_2001.jpg"`, `"favourite":true`, `"favourite":false`}},
		{Name: "remove", Method: http.MethodDelete, Path: fav(w.photo), Status: http.StatusNoContent},
		{Name: "remove again", Method: http.MethodDelete, Path: fav(w.photo), Status: http.StatusNoContent},
		{Name: "room again", Method: http.MethodPut, Path: fav(inFirst), Status: http.StatusNoContent},
		{Name: "a note too long", Path: p("selection"), JSON: map[string]string{"note": strings.Repeat("x", 2001)}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"note":`}},
		{Name: "submit", Path: p("selection"), JSON: map[string]string{"note": "Please retouch this one"}, Status: http.StatusCreated,
			Contains: []string{`"note":"Please retouch this one"`, `"photos":1`}},
	})
	var sel uuid.UUID
	if err := w.ta.Superuser().QueryRow(ctx, `SELECT s.id FROM selections s JOIN guests g ON g.id = s.guest_id
		WHERE g.email = 'meera@example.com' AND s.note = 'Please retouch this one'`).Scan(&sel); err != nil {
		t.Fatalf("the selection: %v", err)
	}
	photos, err := w.ta.Gallery.SelectionPhotos(ctx, w.studio, w.album, sel)
	if err != nil || len(photos) != 1 || photos[0].ID != inFirst {
		t.Fatalf("selected %v, %v; want img10 only", photos, err)
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM notifications WHERE studio_id = $1 AND kind = 'selection' AND title = 'Meera chose 1 photos in Sharma wedding'", w.studio); n != 1 {
		t.Fatalf("%d notifications of Meera's selection", n)
	}

	// Stepping up to annotate with the view session keeps the name, and
	// with it the favourites.
	res := c.JSON(http.MethodPost, p("sessions"), map[string]string{"pin": guestAnnotatePIN})
	up := decode[struct{ Token, Access string }](t, res)
	if res.StatusCode != http.StatusCreated || up.Access != gallery.AccessAnnotate {
		t.Fatalf("step up: %d %s", res.StatusCode, res.Body)
	}
	w.guestClient(up.Token).Run(t, []apptest.Scenario{
		{Name: "the same guest", Path: p(), Status: http.StatusOK, Contains: []string{`"access":"annotate"`, `"guest":{"name":"Meera"`}},
		{Name: "the same favourites", Path: p("favourites"), Status: http.StatusOK, Contains: []string{`"photo_ids":["` + inFirst.String() + `"]`}},
	})
}

// Notes need the annotate PIN and a name; bad marks are refused with the
// field named; every guest of the link sees the notes and their replies.
func TestAPIGuestAnnotations(t *testing.T) {
	w := newGuestWorld(t, apptest.New(t))
	notes := guestPath(w.linkToken, "photos", w.photo, "annotations")
	rect := map[string]any{"shape": "rect", "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4, "note": "Remove the exit sign"}
	post := func(name string, body any, status int, contains ...string) apptest.Scenario {
		return apptest.Scenario{Name: name, Path: notes, JSON: body, Status: status, Contains: contains}
	}
	w.identified(t, w.linkToken, guestViewPIN, "Meera").Run(t, []apptest.Scenario{
		post("a view session", rect, http.StatusForbidden, "Enter the annotate PIN to leave notes."),
		{Name: "but it sees the notes", Path: notes, Status: http.StatusOK, Contains: []string{`"note":"Brighten the faces"`}},
	})
	w.guestClient(w.enterShare(t, w.linkToken, guestAnnotatePIN)).Run(t, []apptest.Scenario{
		post("no name yet", rect, http.StatusConflict, "Give your name"),
	})
	c := w.identified(t, w.linkToken, guestAnnotatePIN, "Rohan")
	c.Run(t, []apptest.Scenario{
		post("a rectangle", rect, http.StatusCreated, `"shape":"rect"`, `"x":0.1`, `"h":0.4`, `"note":"Remove the exit sign"`, `"status":"open"`, `"replies":[]`),
		post("a point", map[string]any{"shape": "point", "x": 1, "y": 0, "note": "Crop here"}, http.StatusCreated, `"shape":"point"`, `"w":0`),
		post("off the photo", map[string]any{"shape": "point", "x": 1.5, "y": 0, "note": "x"}, http.StatusUnprocessableEntity, `"errors":{"x":`),
		post("a rectangle past the edge", map[string]any{"shape": "rect", "x": 0.8, "y": 0, "w": 0.5, "h": 0.1, "note": "x"}, http.StatusUnprocessableEntity, `"errors":{"w":`),
		post("a point with a size", map[string]any{"shape": "point", "x": 0.5, "y": 0.5, "w": 0.1, "note": "x"}, http.StatusUnprocessableEntity, `"errors":{"w":`),
		post("a circle", map[string]any{"shape": "circle", "x": 0.5, "y": 0.5, "note": "x"}, http.StatusUnprocessableEntity, `"errors":{"shape":`),
		post("no note", map[string]any{"shape": "point", "x": 0.5, "y": 0.5, "note": " "}, http.StatusUnprocessableEntity, `"errors":{"note":`),
		post("an unknown field", map[string]any{"kind": "point", "x": 0.5, "y": 0.5, "note": "x"}, http.StatusBadRequest, `Unknown field \"kind\"`),
		{Name: "an unknown photo", Path: guestPath(w.linkToken, "photos", uuid.New(), "annotations"), JSON: rect, Status: http.StatusNotFound},
		{Name: "not a photo id", Path: guestPath(w.linkToken, "photos", "IMG_2001", "annotations"), JSON: rect, Status: http.StatusNotFound},
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM annotations WHERE photo_id = $1", w.photo); n != 3 {
		t.Fatalf("%d notes, want the world's and two", n)
	}
	if _, err := w.ta.Gallery.Reply(context.Background(), w.studio, w.album, w.note, "Done, see the new preview.", w.act); err != nil {
		t.Fatal(err)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "all notes with replies", Path: notes, Status: http.StatusOK, Contains: []string{`"note":"Brighten the faces"`,
			`"body":"Done, see the new preview."`, `"note":"Remove the exit sign"`, `"note":"Crop here"`}},
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM notifications WHERE studio_id = $1 AND kind = 'annotation'", w.studio); n != 3 {
		t.Fatalf("%d annotation notifications, want 3", n)
	}
}
