package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/auth"
)

const sentText = "If an account exists for that address, we have sent a link"

func TestForgotPasswordAnswersTheSameForEveryAddress(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Reset", "known@example.com")
	c := ta.Client()
	c.Run(t, []apptest.Scenario{
		{Name: "form", Path: "/password/forgot", Status: http.StatusOK, Contains: []string{`action="/password/forgot"`, `name="_csrf"`}},
		{Name: "bad address", Path: "/password/forgot", Form: url.Values{"email": {"not-an-address"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"name@example.com"}, NotContains: []string{sentText}},
	})
	unknown := c.PostForm("/password/forgot", url.Values{"email": {"nobody@example.com"}})
	known := c.PostForm("/password/forgot", url.Values{"email": {"  Known@Example.com "}})
	if unknown.StatusCode != http.StatusOK || !strings.Contains(unknown.Body, sentText) {
		t.Fatalf("unknown address: %d %.300s", unknown.StatusCode, unknown.Body)
	}
	if known.StatusCode != unknown.StatusCode || known.Body != unknown.Body {
		t.Fatalf("the answers differ:\nunknown: %s\nknown: %s", unknown.Body, known.Body)
	}

	if n := acctCount(t, ta, "SELECT count(*) FROM password_resets"); n != 1 {
		t.Fatalf("%d reset rows, want 1 (for the known address only)", n)
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM email_outbox WHERE to_addr = 'nobody@example.com'"); n != 0 {
		t.Fatal("an e-mail went to an address without an account")
	}
	link := ta.LastMailLink(o.Email)
	tok := strings.TrimPrefix(link, "/password/reset?token=")
	if !strings.HasPrefix(tok, auth.PrefixReset) {
		t.Fatalf("e-mailed link %q", link)
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM password_resets WHERE token_hash = $1 AND expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes'", auth.HashToken(tok)); n != 1 {
		t.Fatal("the reset row is not stored by the token's hash with an hour to live")
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM password_resets WHERE token_hash = $1", tok); n != 0 {
		t.Fatal("the reset token is stored in plain text")
	}
	acctWantAudit(t, ta, o.Email, "password.reset_requested")
}

func TestForgotPasswordIsRateLimited(t *testing.T) {
	tests := []struct {
		name   string
		limit  func(*app.Config)
		emails []string // the last one is refused
	}{
		{"per address", func(c *app.Config) { c.LoginAccountLimit = 2 }, []string{"a@example.com", "a@example.com", "a@example.com"}},
		{"per IP address", func(c *app.Config) { c.LoginIPLimit = 2 }, []string{"a@example.com", "b@example.com", "c@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := apptest.New(t, tt.limit)
			ta.SignUp("Limit", "a@example.com")
			c := ta.Client()
			last := len(tt.emails) - 1
			for _, e := range tt.emails[:last] {
				c.Run(t, []apptest.Scenario{{Path: "/password/forgot", Form: url.Values{"email": {e}}, Status: http.StatusOK, Contains: []string{sentText}}})
			}
			c.Run(t, []apptest.Scenario{{Name: "refused", Path: "/password/forgot", Form: url.Values{"email": {tt.emails[last]}},
				Status: http.StatusTooManyRequests, Contains: []string{"Too many attempts. Try again in"}, NotContains: []string{sentText}}})
		})
	}
}

func TestResetPasswordLinkWorksOnce(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.LoginAccountLimit = 3 })
	o := ta.SignUp("Reset", "reset@example.com")
	const next = "Marigold-Lens-Paper-42"
	visitor := ta.Client()
	visitor.Run(t, []apptest.Scenario{{Path: "/password/forgot", Form: url.Values{"email": {o.Email}}, Status: http.StatusOK}})
	link := ta.LastMailLink(o.Email)
	token := strings.TrimPrefix(link, "/password/reset?token=")
	// The owner forgot the password and locked the account trying.
	for range 3 {
		visitor.Run(t, []apptest.Scenario{{Path: "/login", Form: url.Values{"email": {o.Email}, "password": {"Wrong-guess-77"}}, Status: http.StatusUnauthorized}})
	}
	before := acctPasswordHash(t, ta, o.Email)

	visitor.Run(t, []apptest.Scenario{
		{Name: "form", Path: link, Status: http.StatusOK, Contains: []string{`action="/password/reset"`, `value="` + token + `"`}},
		{Name: "weak password", Path: "/password/reset", Form: url.Values{"token": {token}, "password": {"Password123"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"commonly used passwords"}},
		{Name: "the link survives a refused password", Path: link, Status: http.StatusOK},
	})
	if acctPasswordHash(t, ta, o.Email) != before || acctSessions(t, ta, o.Email) == 0 {
		t.Fatal("a refused reset changed the account")
	}
	visitor.Run(t, []apptest.Scenario{
		{Name: "reset", Path: "/password/reset", Form: url.Values{"token": {token}, "password": {next}}, Status: http.StatusSeeOther, Location: "/login"},
		{Name: "says so", Path: "/login", Status: http.StatusOK, Contains: []string{"Your password has been changed"}},
		{Name: "second use", Path: link, Status: http.StatusGone, Contains: []string{"This link has expired or was already used", `href="/password/forgot"`}},
		{Name: "second post", Path: "/password/reset", Form: url.Values{"token": {token}, "password": {"Another-Good-Pass-8"}},
			Status: http.StatusGone, Contains: []string{"This link has expired or was already used"}},
	})
	if ok, _ := auth.VerifyPassword(acctPasswordHash(t, ta, o.Email), next); !ok {
		t.Fatal("the new password is not stored")
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM password_resets WHERE used_at IS NOT NULL"); n != 1 {
		t.Fatal("the link is not marked used")
	}
	if n := acctSessions(t, ta, o.Email); n != 0 {
		t.Fatalf("%d sessions left after a reset", n)
	}
	o.Client.Run(t, []apptest.Scenario{{Name: "signed out", Path: "/studio", Status: http.StatusSeeOther, Location: "/login"}})
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "the lock was lifted", Path: "/login", Form: url.Values{"email": {o.Email}, "password": {next}}, Status: http.StatusSeeOther, Location: "/studio"},
	})
	acctWantAudit(t, ta, o.Email, "password.reset_requested", "password.reset")
}

func TestResetPasswordDeadLinks(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Reset", "dead@example.com")
	c := ta.Client()
	ask := func() string {
		c.Run(t, []apptest.Scenario{{Path: "/password/forgot", Form: url.Values{"email": {o.Email}}, Status: http.StatusOK}})
		return ta.LastMailLink(o.Email)
	}
	older := ask()
	expired := ask()
	if _, err := ta.Superuser().Exec(t.Context(), "UPDATE password_resets SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	before := acctPasswordHash(t, ta, o.Email)
	post := func(link string) url.Values {
		return url.Values{"token": {strings.TrimPrefix(link, "/password/reset?token=")}, "password": {"Marigold-Lens-Paper-42"}}
	}
	gone := []string{"This link has expired or was already used"}
	c.Run(t, []apptest.Scenario{
		{Name: "expired", Path: expired, Status: http.StatusGone, Contains: gone, NotContains: []string{`name="password"`}},
		{Name: "expired, posted", Path: "/password/reset", Form: post(expired), Status: http.StatusGone, Contains: gone},
		{Name: "replaced by a newer link", Path: "/password/reset", Form: post(older), Status: http.StatusGone, Contains: gone},
		{Name: "unknown", Path: "/password/reset?token=psr_nosuchtoken", Status: http.StatusGone, Contains: gone},
		{Name: "missing", Path: "/password/reset", Status: http.StatusGone, Contains: gone},
	})
	if acctPasswordHash(t, ta, o.Email) != before {
		t.Fatal("a dead link changed the password")
	}
	acctNoAudit(t, ta, o.Email, "password.reset")
	newest := ask()
	c.Run(t, []apptest.Scenario{{Name: "the newest link works", Path: newest, Status: http.StatusOK, Contains: []string{`name="password"`}}})
}
