package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/audit"
)

// auditUserID is a user's id, read as the superuser.
func auditUserID(t *testing.T, ta *apptest.TestApp, email string) string {
	t.Helper()
	var id string
	if err := ta.Superuser().QueryRow(t.Context(), "SELECT id::text FROM users WHERE email = $1", email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestAuditPageFilters(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	staffJoin(t, ta, staffInvite(t, ta, o, "ravi@example.com", "staff"), "Ravi Kumar")
	other := ta.SignUp("Other Studio", "other@example.com")
	for _, email := range []string{o.Email, other.Email} {
		ta.Client().Run(t, []apptest.Scenario{{Path: "/login", Status: http.StatusUnauthorized,
			Form: url.Values{"email": {email}, "password": {"Wrong-password-99"}}}})
	}
	ravi, stranger := auditUserID(t, ta, "ravi@example.com"), auditUserID(t, ta, other.Email)

	o.Client.Run(t, []apptest.Scenario{
		{Name: "everything, newest first", Path: "/studio/audit", Status: http.StatusOK,
			Contains: []string{"Created the studio", "Signed in", "Invited someone", "Joined the studio", "Failed sign-in",
				"Ravi Kumar", "priya@example.com", `<option value="` + ravi + `" >Ravi Kumar (ravi@example.com)</option>`},
			NotContains: []string{"other@example.com", "Other Studio", "Older"}},
		{Name: "logins only", Path: "/studio/audit?kind=login.", Status: http.StatusOK,
			Contains:    []string{"Signed in", "Failed sign-in", `<option value="login." selected>Logins</option>`, "Clear filters"},
			NotContains: []string{"Created the studio", "Invited someone", "Joined the studio"}},
		{Name: "staff changes only", Path: "/studio/audit?kind=staff.", Status: http.StatusOK,
			Contains:    []string{"Invited someone", "Joined the studio", "email: ravi@example.com, invite: ", "role: staff"},
			NotContains: []string{"Failed sign-in", "Created the studio"}},
		{Name: "an exact kind", Path: "/studio/audit?kind=login.failed", Status: http.StatusOK,
			Contains: []string{"Failed sign-in", "reason: password"}, NotContains: []string{"Signed in"}},
		{Name: "one person", Path: "/studio/audit?actor=" + ravi, Status: http.StatusOK,
			Contains:    []string{"Joined the studio", `<option value="` + ravi + `" selected>`},
			NotContains: []string{"Created the studio", "Failed sign-in"}},
		{Name: "a person of another studio", Path: "/studio/audit?actor=" + stranger, Status: http.StatusOK,
			Contains: []string{"No activity matches these filters."}, NotContains: []string{"Failed sign-in"}},
		{Name: "a bad person", Path: "/studio/audit?actor=robert%27%29%3B%20DROP", Status: http.StatusBadRequest,
			Contains: []string{"Choose a person from the list."}},
		{Name: "a bad kind", Path: "/studio/audit?kind=%3Cscript%3E", Status: http.StatusBadRequest},
		{Name: "a bad page", Path: "/studio/audit?before=-3", Status: http.StatusBadRequest},
	})
	other.Client.Run(t, []apptest.Scenario{
		{Name: "the other studio sees only its own", Path: "/studio/audit", Status: http.StatusOK,
			Contains: []string{"other@example.com", "Failed sign-in"}, NotContains: []string{"priya@example.com", "ravi@example.com", "Invited someone"}},
	})
}

func TestAuditPagePages(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Busy Studio", "busy@example.com") // entries 1 and 2
	studio := studioOf(t, ta, o.Email)
	for i := range 60 { // entries 3..62, n = 0..59
		err := ta.DB.InStudio(context.Background(), studio, func(tx *gorm.DB) error {
			return ta.Audit.Append(context.Background(), tx, audit.Entry{StudioID: studio, Actor: audit.ActorSystem, Kind: "test.ping", Detail: map[string]any{"n": i}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cell := func(n int) string { return fmt.Sprintf(`<span class="small">n: %d</span>`, n) }
	o.Client.Run(t, []apptest.Scenario{
		{Name: "first page: the newest 50", Path: "/studio/audit", Status: http.StatusOK,
			Contains: []string{cell(59), cell(10), `href="/studio/audit?before=13">Older</a>`, "system"}, NotContains: []string{cell(9), "Newest"}},
		{Name: "second page", Path: "/studio/audit?before=13", Status: http.StatusOK,
			Contains: []string{cell(9), cell(0), "Created the studio", `href="/studio/audit">Newest</a>`}, NotContains: []string{cell(10), ">Older<"}},
		{Name: "paging keeps the filter", Path: "/studio/audit?kind=test.", Status: http.StatusOK,
			Contains: []string{`href="/studio/audit?before=13&amp;kind=test.">Older</a>`}},
		{Name: "filtered second page", Path: "/studio/audit?kind=test.&before=13", Status: http.StatusOK,
			Contains: []string{cell(9), cell(0), `href="/studio/audit?kind=test.">Newest</a>`}, NotContains: []string{"Created the studio"}},
	})
}
