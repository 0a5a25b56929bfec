package app_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/auth"
)

var newTokenCode = regexp.MustCompile(`<code id="new-token">(psk_[a-z2-7]{52})</code>`)

// createToken makes a token on the tokens page and returns its secret.
func createToken(t *testing.T, c *apptest.Client, name, scope string) string {
	t.Helper()
	res := c.PostForm("/studio/tokens", url.Values{"name": {name}, "scope": {scope}})
	m := newTokenCode.FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create token %q: status %d, no token shown: %.600s", name, res.StatusCode, res.Body)
	}
	return m[1]
}

// tokenRow reads a token's row as the superuser, by its secret's hash.
type tokenRow struct {
	ID                  uuid.UUID
	Name, Scope, Prefix string
	LastUsed, Revoked   *time.Time
}

func tokenByPlain(t *testing.T, ta *apptest.TestApp, plain string) tokenRow {
	t.Helper()
	var r tokenRow
	err := ta.Superuser().QueryRow(t.Context(), `SELECT id, name, scope, prefix, last_used_at, revoked_at
		FROM api_tokens WHERE token_hash = $1`, auth.HashToken(plain)).Scan(&r.ID, &r.Name, &r.Scope, &r.Prefix, &r.LastUsed, &r.Revoked)
	if err != nil {
		t.Fatalf("token row: %v", err)
	}
	return r
}

func TestTokensPageShowsTheSecretOnceAndStoresItsHash(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	o.Client.Run(t, []apptest.Scenario{
		{Name: "empty list", Path: "/studio/tokens", Status: http.StatusOK,
			Contains: []string{"No API tokens yet", `name="scope" value="read" checked`, "Create token"}, NotContains: []string{"new-token"}},
	})
	plain := createToken(t, o.Client, "Lightroom plug-in", "write")
	res := o.Client.Get("/studio/tokens")
	if strings.Contains(res.Body, plain) || strings.Contains(res.Body, `id="new-token"`) {
		t.Fatal("the secret is shown a second time")
	}
	row := tokenByPlain(t, ta, plain)
	if row.Name != "Lightroom plug-in" || row.Scope != "write" || row.Prefix != plain[:8] || row.LastUsed != nil {
		t.Fatalf("stored %+v", row)
	}
	for _, want := range []string{"Lightroom plug-in", row.Prefix + "…", "Read and write", "Never", "/studio/tokens/" + row.ID.String() + "/revoke"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	// Nothing but the hash of the secret is kept, in any column.
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens t WHERE strpos(t::text, $1) > 0", plain[len("psk_"):]); n != 0 {
		t.Fatal("the secret is stored")
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE strpos(detail::text, $1) > 0", plain[8:]); n != 0 {
		t.Fatal("the secret is in the audit log")
	}
	if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE kind = 'token.created' AND actor = 'user'
		AND detail->>'api_token_id' = $1 AND detail->>'scope' = 'write'`, row.ID.String()); n != 1 {
		t.Fatalf("%d token.created entries, want 1", n)
	}
}

func TestTokensPageRefusesBadInputAndMissingCSRF(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	form := func(name, scope string) url.Values { return url.Values{"name": {name}, "scope": {scope}} }
	o.Client.Run(t, []apptest.Scenario{
		{Name: "no CSRF token", Path: "/studio/tokens", Form: form("Script", "read"), NoCSRF: true, Status: http.StatusForbidden},
		{Name: "no name", Path: "/studio/tokens", Form: form("   ", "read"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"Name the token in 1 to 80 characters"}, NotContains: []string{"new-token"}},
		{Name: "name too long", Path: "/studio/tokens", Form: form(strings.Repeat("é", 81), "read"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"Name the token"}},
		{Name: "unknown scope keeps the name", Path: "/studio/tokens", Form: form("Script", "admin"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"Choose read or write access.", `value="Script"`}},
		{Name: "80 characters are fine", Path: "/studio/tokens", Form: form(strings.Repeat("é", 80), "read"), Status: http.StatusOK,
			Contains: []string{`id="new-token"`}},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens"); n != 1 {
		t.Fatalf("%d tokens, want only the valid one", n)
	}
}

func TestTokensPageRevoke(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	plain := createToken(t, o.Client, "Old laptop", "read")
	row := tokenByPlain(t, ta, plain)
	revoke := "/studio/tokens/" + row.ID.String() + "/revoke"
	o.Client.Run(t, []apptest.Scenario{
		{Name: "no CSRF token", Path: revoke, Form: url.Values{}, NoCSRF: true, Status: http.StatusForbidden},
		{Name: "revoke", Path: revoke, Form: url.Values{}, Status: http.StatusSeeOther, Location: "/studio/tokens"},
		{Name: "gone from the list", Path: "/studio/tokens", Status: http.StatusOK,
			Contains: []string{"“Old laptop” was revoked", "No API tokens yet"}},
		{Name: "twice", Path: revoke, Form: url.Values{}, Status: http.StatusNotFound},
		{Name: "not an id", Path: "/studio/tokens/nope/revoke", Form: url.Values{}, Status: http.StatusNotFound},
	})
	if tokenByPlain(t, ta, plain).Revoked == nil {
		t.Fatal("revoked_at not set")
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'token.revoked' AND detail->>'api_token_id' = $1", row.ID.String()); n != 1 {
		t.Fatalf("%d token.revoked entries, want 1", n)
	}
	api := ta.Client()
	api.Bearer = plain
	api.Run(t, []apptest.Scenario{{Name: "the revoked token is refused", Path: "/api/v1/me", Status: http.StatusUnauthorized}})
}

// Owners see and may revoke every member's tokens; staff only their own.
func TestTokensOwnersSeeEveryonesStaffTheirOwn(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	staff := staffJoin(t, ta, staffInvite(t, ta, o, "ravi@example.com", "staff"), "Ravi Kumar")
	ownerTok := tokenByPlain(t, ta, createToken(t, o.Client, "Owner's script", "write"))
	staffTok := tokenByPlain(t, ta, createToken(t, staff, "Ravi's phone", "read"))
	staff.Run(t, []apptest.Scenario{
		{Name: "staff see their own", Path: "/studio/tokens", Status: http.StatusOK,
			Contains: []string{"Ravi&#39;s phone"}, NotContains: []string{"Owner&#39;s script", "Member"}},
		{Name: "staff cannot revoke the owner's", Path: "/studio/tokens/" + ownerTok.ID.String() + "/revoke", Form: url.Values{}, Status: http.StatusNotFound},
	})
	o.Client.Run(t, []apptest.Scenario{
		{Name: "owners see everyone's", Path: "/studio/tokens", Status: http.StatusOK,
			Contains: []string{"Owner&#39;s script", "Ravi&#39;s phone", "Ravi Kumar", "Member"}},
		{Name: "owners may revoke staff tokens", Path: "/studio/tokens/" + staffTok.ID.String() + "/revoke", Form: url.Values{}, Status: http.StatusSeeOther},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM api_tokens WHERE revoked_at IS NOT NULL"); n != 1 {
		t.Fatalf("%d revoked tokens, want 1 (staff's)", n)
	}
}

func TestAuthenticateToken(t *testing.T) {
	ta := apptest.New(t)
	u := ta.NewStudio("Token Studio")
	act := auth.Actor{UserID: u.ID, IP: "192.0.2.1"}
	created, err := ta.Accounts.CreateToken(t.Context(), u.StudioID, u.ID, "  CI  ", auth.ScopeRead, act)
	if err != nil {
		t.Fatal(err)
	}
	if created.Name != "CI" || !strings.HasPrefix(created.Plain, "psk_") || created.TokenHash != auth.HashToken(created.Plain) {
		t.Fatalf("created %+v", created.APIToken)
	}
	tok, user, err := ta.Accounts.AuthenticateToken(t.Context(), created.Plain)
	if err != nil || tok.ID != created.ID || user.ID != u.ID {
		t.Fatalf("authenticate: %v, %+v", err, tok)
	}
	first := tokenByPlain(t, ta, created.Plain).LastUsed
	if first == nil {
		t.Fatal("last_used_at not set")
	}
	if _, _, err := ta.Accounts.AuthenticateToken(t.Context(), created.Plain); err != nil {
		t.Fatal(err)
	}
	if again := tokenByPlain(t, ta, created.Plain).LastUsed; !again.Equal(*first) {
		t.Fatalf("last_used_at written again within a minute: %v, then %v", first, again)
	}
	for _, bad := range []string{"", "psk_", "pss_" + created.Plain[4:], created.Plain + "x", created.Plain[:20]} {
		if _, _, err := ta.Accounts.AuthenticateToken(t.Context(), bad); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("%q: %v, want ErrNotFound", bad, err)
		}
	}
	// A removed member's token is refused even if it was somehow not revoked.
	if _, err := ta.Superuser().Exec(t.Context(), "UPDATE users SET disabled_at = now() WHERE id = $1", u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ta.Accounts.AuthenticateToken(t.Context(), created.Plain); !errors.Is(err, auth.ErrNotFound) {
		t.Fatalf("disabled user: %v, want ErrNotFound", err)
	}
}

func TestCreateTokenLimits(t *testing.T) {
	ta := apptest.New(t)
	u := ta.NewStudio("Busy Studio")
	act := auth.Actor{UserID: u.ID}
	for i := range 50 {
		if _, err := ta.Accounts.CreateToken(t.Context(), u.StudioID, u.ID, "t", auth.ScopeRead, act); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	_, err := ta.Accounts.CreateToken(t.Context(), u.StudioID, u.ID, "one too many", auth.ScopeRead, act)
	var ie *auth.InputError
	if !errors.As(err, &ie) || !strings.Contains(ie.Message, "50 tokens") {
		t.Fatalf("51st token: %v", err)
	}
	for _, name := range []string{"", "\t", "bell\a", strings.Repeat("x", 81)} {
		if _, err := ta.Accounts.CreateToken(t.Context(), u.StudioID, u.ID, name, auth.ScopeRead, act); !errors.Is(err, auth.ErrInvalidInput) {
			t.Errorf("name %q: %v, want ErrInvalidInput", name, err)
		}
	}
}
