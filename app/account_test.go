package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/auth"
)

func TestChangePassword(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Kapoor Photo", "anil@example.com")
	elsewhere := ta.Client()
	acctLogin(t, elsewhere, o.Email, o.Password)
	before := acctPasswordHash(t, ta, o.Email)
	const next = "Marigold-Lens-Paper-42"
	change := func(current, next string) url.Values {
		return url.Values{"current_password": {current}, "new_password": {next}}
	}

	o.Client.Run(t, []apptest.Scenario{
		{Name: "account page", Path: "/account", Status: http.StatusOK, Contains: []string{
			"Owner of Kapoor Photo", "anil@example.com", "Studio owner", `href="/account/2fa"`, "Set up two-factor",
			`href="/account/sessions"`, `action="/account/password"`, `name="_csrf"`,
			"Last changed " + time.Now().Format("2 Jan 2006")}},
		{Name: "wrong current password", Path: "/account/password", Form: change("Not-my-password-9", next),
			Status: http.StatusUnprocessableEntity, Contains: []string{"Your current password is not right."}},
		{Name: "common new password", Path: "/account/password", Form: change(o.Password, "Password123"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"commonly used passwords"}},
		{Name: "short new password", Path: "/account/password", Form: change(o.Password, "Ab1x"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"at least 12 characters, or at least 8 with a digit"}},
		{Name: "a run in the new password", Path: "/account/password", Form: change(o.Password, "Zebra-1234-quilt"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"Avoid runs like 1234"}},
		{Name: "e-mail in the new password", Path: "/account/password", Form: change(o.Password, "anil-Mountain-River"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"use your e-mail address or name in your password"}},
		{Name: "same as before", Path: "/account/password", Form: change(o.Password, o.Password),
			Status: http.StatusUnprocessableEntity, Contains: []string{"different from your current one"}},
	})
	if acctPasswordHash(t, ta, o.Email) != before {
		t.Fatal("a rejected change altered the password hash")
	}
	elsewhere.Run(t, []apptest.Scenario{{Name: "other session untouched by failures", Path: "/studio", Status: http.StatusOK}})
	acctNoAudit(t, ta, o.Email, "password.changed")

	o.Client.Run(t, []apptest.Scenario{
		{Name: "change", Path: "/account/password", Form: change(o.Password, next), Status: http.StatusSeeOther, Location: "/account"},
		{Name: "says so", Path: "/account", Status: http.StatusOK, Contains: []string{"Your password has been changed. 1 other session was signed out."}},
		{Name: "this session stays", Path: "/studio", Status: http.StatusOK},
	})
	elsewhere.Run(t, []apptest.Scenario{{Name: "the other session ended", Path: "/studio", Status: http.StatusSeeOther, Location: "/login"}})
	after := acctPasswordHash(t, ta, o.Email)
	if ok, _ := auth.VerifyPassword(after, next); !ok || after == before {
		t.Fatal("the new password is not what is stored")
	}
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "old password refused", Path: "/login", Form: url.Values{"email": {o.Email}, "password": {o.Password}}, Status: http.StatusUnauthorized},
		{Name: "new password works", Path: "/login", Form: url.Values{"email": {o.Email}, "password": {next}}, Status: http.StatusSeeOther, Location: "/studio"},
	})
	acctWantAudit(t, ta, o.Email, "password.changed")
}

// Someone holding a stolen session cannot guess the password through the
// change form: failures are limited per user, like logins.
func TestChangePasswordLimitsGuesses(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.LoginAccountLimit = 3 })
	o := ta.SignUp("Guess", "guess@example.com")
	bad := url.Values{"current_password": {"Wrong-guess-77"}, "new_password": {"Marigold-Lens-Paper-42"}}
	for range 3 {
		o.Client.Run(t, []apptest.Scenario{{Path: "/account/password", Form: bad, Status: http.StatusUnprocessableEntity}})
	}
	before := acctPasswordHash(t, ta, o.Email)
	o.Client.Run(t, []apptest.Scenario{{Name: "locked even with the right password", Path: "/account/password",
		Form:   url.Values{"current_password": {o.Password}, "new_password": {"Marigold-Lens-Paper-42"}},
		Status: http.StatusTooManyRequests, Contains: []string{"Too many attempts"}}})
	if acctPasswordHash(t, ta, o.Email) != before {
		t.Fatal("password changed while locked")
	}
}

// acctLogin signs c in with a password only.
func acctLogin(t *testing.T, c *apptest.Client, email, password string) {
	t.Helper()
	res := c.PostForm("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/studio" {
		t.Fatalf("login %s: %d %s", email, res.StatusCode, res.Header.Get("Location"))
	}
}

func acctPasswordHash(t *testing.T, ta *apptest.TestApp, email string) string {
	t.Helper()
	var h string
	if err := ta.Superuser().QueryRow(t.Context(), "SELECT password_hash FROM users WHERE email = $1", email).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// acctCount runs a count query as the superuser.
func acctCount(t *testing.T, ta *apptest.TestApp, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := ta.Superuser().QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// acctSessions counts the stored sessions of a user.
func acctSessions(t *testing.T, ta *apptest.TestApp, email string) int {
	return acctCount(t, ta, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1", email)
}

// acctAuditKinds lists the audit kinds of the studio of email, oldest first.
func acctAuditKinds(t *testing.T, ta *apptest.TestApp, email string) []string {
	t.Helper()
	rows, err := ta.Superuser().Query(t.Context(),
		"SELECT kind FROM audit_log WHERE studio_id = (SELECT studio_id FROM users WHERE email = $1) ORDER BY seq", email)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var kinds []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	return kinds
}

func acctWantAudit(t *testing.T, ta *apptest.TestApp, email string, kinds ...string) {
	t.Helper()
	got := acctAuditKinds(t, ta, email)
	for _, k := range kinds {
		if !slices.Contains(got, k) {
			t.Errorf("audit log lacks %q: %v", k, got)
		}
	}
}

func acctNoAudit(t *testing.T, ta *apptest.TestApp, email, kind string) {
	t.Helper()
	if got := acctAuditKinds(t, ta, email); slices.Contains(got, kind) {
		t.Errorf("audit log has %q: %v", kind, got)
	}
}
