package app_test

import (
	"net/http"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestAPIClients(t *testing.T) {
	w := newAPIWorld(t)
	res := w.write.JSON(http.MethodPost, apiPath("clients"), map[string]string{"name": "  Ravi Kumar ", "email": "Ravi@Example.com", "phone": "+91 98765 43210"})
	ravi := decode[struct{ ID, Name, Email, Phone, Notes string }](t, res)
	if res.StatusCode != http.StatusCreated || ravi.Name != "Ravi Kumar" || ravi.Email != "ravi@example.com" || ravi.Notes != "" {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	one := apiPath("clients", ravi.ID)
	w.write.Run(t, []apptest.Scenario{
		{Name: "by name", Path: apiPath("clients"), Status: http.StatusOK, Contains: []string{`"name":"Anita Sharma"`, `"name":"Ravi Kumar"`}},
		{Name: "one", Path: one, Status: http.StatusOK, Contains: []string{`"phone":"+91 98765 43210"`}},
		{Name: "change the notes only", Method: http.MethodPatch, Path: one, JSON: map[string]string{"notes": "Prefers WhatsApp"}, Status: http.StatusOK,
			Contains: []string{`"notes":"Prefers WhatsApp"`, `"email":"ravi@example.com"`, `"phone":"+91 98765 43210"`}},
		{Name: "no name", JSON: map[string]string{"email": "x@example.com"}, Path: apiPath("clients"), Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"name":"Give the client a name of at most 200 characters."}`}},
		{Name: "bad e-mail", Method: http.MethodPatch, Path: one, JSON: map[string]string{"email": "ravi at example"}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"email":`}},
		{Name: "empty name", Method: http.MethodPatch, Path: one, JSON: map[string]string{"name": " "}, Status: http.StatusUnprocessableEntity,
			Contains: []string{`"errors":{"name":`}},
		{Name: "unknown field", JSON: map[string]string{"name": "x", "vip": "yes"}, Path: apiPath("clients"), Status: http.StatusBadRequest,
			Contains: []string{`Unknown field \"vip\"`}},
		{Name: "wrong type", JSON: `{"name": 7}`, Path: apiPath("clients"), Status: http.StatusBadRequest, Contains: []string{`Field \"name\" must be a JSON string`}},
		{Name: "not an id", Path: apiPath("clients", "nope"), Status: http.StatusNotFound},
		{Name: "delete", Method: http.MethodDelete, Path: one, Status: http.StatusNoContent},
		{Name: "deleted", Path: one, Status: http.StatusNotFound},
		{Name: "deleted twice", Method: http.MethodDelete, Path: one, Status: http.StatusNotFound},
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM clients WHERE studio_id = $1", w.studio); n != 1 {
		t.Fatalf("%d clients, want Anita only", n)
	}
	if n := staffCount(t, w.ta, `SELECT count(*) FROM audit_log WHERE actor = 'token' AND kind IN ('client.create', 'client.update', 'client.delete')
		AND detail->>'client_id' = $1`, ravi.ID); n != 3 {
		t.Fatalf("%d client entries by the token, want 3", n)
	}
	// Deleting a client keeps their albums.
	w.write.Run(t, []apptest.Scenario{
		{Name: "delete Anita", Method: http.MethodDelete, Path: apiPath("clients", w.client), Status: http.StatusNoContent},
		{Name: "her album stays", Path: apiPath("albums", w.album), Status: http.StatusOK, Contains: []string{`"client_id":null`}},
	})
}
