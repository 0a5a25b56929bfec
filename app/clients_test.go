package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestClients(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, page := w.owner.Client, "/studio/clients/"+w.client.String()
	c.Run(t, []apptest.Scenario{
		{Name: "list with album counts", Path: "/studio/clients", Status: http.StatusOK,
			Contains: []string{"Anita Sharma", "mailto:anita@example.com", `<td data-label="Albums">1</td>`, `href="/studio/clients" aria-current="page"`}},
		{Name: "bad e-mail", Path: "/studio/clients", Form: url.Values{"name": {"Ravi Iyer"}, "email": {"ravi@"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"That e-mail address does not look right.", `value="Ravi Iyer"`}},
		{Name: "no name", Path: "/studio/clients", Form: url.Values{"name": {""}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Give the client a name of at most 200 characters."}},
		{Name: "add", Path: "/studio/clients", Form: url.Values{"name": {"Ravi Iyer"}, "phone": {"+91 98765 43210"}, "notes": {"Prefers WhatsApp"}},
			Status: http.StatusSeeOther, Location: "/studio/clients"},
		{Name: "listed by name", Path: "/studio/clients", Status: http.StatusOK, Contains: []string{"Ravi Iyer", "91 98765 43210", `<td data-label="Albums">0</td>`}},
		{Name: "their page", Path: page, Status: http.StatusOK,
			Contains: []string{"Anita Sharma", "Sharma wedding", `value="anita@example.com"`,
				"Delete client “Anita Sharma” and their contact details and notes? Their 1 album stays, without a client."}},
		{Name: "edit mistake", Path: page, Form: url.Values{"name": {"Anita Sharma"}, "email": {"not an address"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"That e-mail address does not look right."}},
		{Name: "edit", Path: page, Form: url.Values{"name": {"Anita Sharma-Iyer"}, "email": {"Anita@Example.com"}}, Status: http.StatusSeeOther, Location: page},
		{Name: "no CSRF", Path: page + "/delete", Form: url.Values{}, NoCSRF: true, Status: http.StatusForbidden},
		{Name: "delete", Path: page + "/delete", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/studio/clients"},
		{Name: "gone", Path: page, Status: http.StatusNotFound},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM clients"); n != 1 {
		t.Fatalf("%d clients", n)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM albums WHERE id = $1 AND client_id IS NULL", w.album); n != 1 {
		t.Fatal("the album did not stay, without its client")
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'client.update'"); n != 1 {
		t.Fatalf("%d client.update entries", n)
	}
}
