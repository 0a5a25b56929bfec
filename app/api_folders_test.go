package app_test

import (
	"net/http"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestAPIFolders(t *testing.T) {
	w := newAPIWorld(t)
	folders := apiPath("albums", w.album, "folders")
	res := w.write.JSON(http.MethodPost, folders, map[string]any{"name": "Portraits", "hidden": true})
	made := decode[struct {
		ID       string
		Position int
		Hidden   bool
	}](t, res)
	if res.StatusCode != http.StatusCreated || made.Position != 2 || !made.Hidden {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	one := apiPath("albums", w.album, "folders", made.ID)
	w.write.Run(t, []apptest.Scenario{
		{Name: "in order", Path: folders, Status: http.StatusOK, Contains: []string{`"name":"Photos","position":0`, `"name":"Reception","position":1`,
			`"name":"Portraits","position":2,"hidden":true`}},
		{Name: "one", Path: one, Status: http.StatusOK, Contains: []string{`"name":"Portraits"`}},
		{Name: "a folder of another album", Path: apiPath("albums", w.album, "folders", "00000000-0000-4000-8000-000000000000"), Status: http.StatusNotFound},
		{Name: "lock it, show it, first", Method: http.MethodPatch, Path: one, JSON: map[string]any{"download_locked": true, "hidden": false, "position": 0},
			Status: http.StatusOK, Contains: []string{`"position":0,"hidden":false,"download_locked":true`}},
		{Name: "the same name twice", Method: http.MethodPatch, Path: one, JSON: map[string]any{"name": "Reception"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"name":"This album already has a folder with that name."}`}},
		{Name: "no name", JSON: map[string]any{"hidden": true}, Path: folders, Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"name":`}},
		{Name: "negative position", Method: http.MethodPatch, Path: one, JSON: map[string]any{"position": -1}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"position":`}},
		{Name: "a folder with photos", Method: http.MethodDelete, Path: apiPath("albums", w.album, "folders", w.folder), Status: http.StatusConflict,
			Contains: []string{"move or delete its 1 photos first"}},
		{Name: "an empty one", Method: http.MethodDelete, Path: one, Status: http.StatusNoContent},
		{Name: "gone", Path: one, Status: http.StatusNotFound},
		{Name: "the other empty one", Method: http.MethodDelete, Path: apiPath("albums", w.album, "folders", w.second), Status: http.StatusNoContent},
	})
	var locked bool
	if err := w.ta.Superuser().QueryRow(t.Context(), `SELECT (detail->>'download_locked')::bool FROM audit_log
		WHERE kind = 'folder.update' AND actor = 'token' AND detail->>'folder_id' = $1`, made.ID).Scan(&locked); err != nil || !locked {
		t.Fatalf("folder.update entry: %v %v", locked, err)
	}
	// The last folder stays, however empty.
	if _, err := w.ta.Superuser().Exec(t.Context(), "DELETE FROM photos WHERE album_id = $1", w.album); err != nil {
		t.Fatal(err)
	}
	w.write.Run(t, []apptest.Scenario{
		{Name: "the last folder", Method: http.MethodDelete, Path: apiPath("albums", w.album, "folders", w.folder), Status: http.StatusConflict,
			Contains: []string{"an album keeps at least one folder"}},
	})
}
