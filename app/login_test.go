package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestSignUpAndLogin(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	o.Client.Run(t, []apptest.Scenario{
		{Name: "signed in after sign-up", Path: "/studio", Status: http.StatusOK, Contains: []string{"Sharma Studio", "Welcome, Owner of Sharma Studio"}},
	})

	c := ta.Client()
	c.Run(t, []apptest.Scenario{
		{Name: "studio needs login", Path: "/studio", Status: http.StatusSeeOther, Location: "/login?next=%2Fstudio"},
		{Name: "wrong password", Path: "/login", Form: url.Values{"email": {o.Email}, "password": {"Wrong-password-99"}},
			Status: http.StatusUnauthorized, Contains: []string{"The e-mail or password is not right."}},
		{Name: "unknown e-mail reads the same", Path: "/login", Form: url.Values{"email": {"nobody@example.com"}, "password": {"Wrong-password-99"}},
			Status: http.StatusUnauthorized, Contains: []string{"The e-mail or password is not right."}},
		{Name: "missing CSRF token", Path: "/login", NoCSRF: true, Form: url.Values{"email": {o.Email}, "password": {o.Password}},
			Status: http.StatusForbidden, Contains: []string{"This form has expired"}},
		{Name: "right password", Path: "/login", Form: url.Values{"email": {o.Email}, "password": {o.Password}, "next": {"/account"}},
			Status: http.StatusSeeOther, Location: "/account"},
		{Name: "then the studio", Path: "/studio", Status: http.StatusOK, Contains: []string{"Sharma Studio"}},
		{Name: "logout", Path: "/logout", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/login"},
		{Name: "signed out", Path: "/studio", Status: http.StatusSeeOther, Location: "/login"},
	})
}

func TestSignUpRejectsBadInput(t *testing.T) {
	ta := apptest.New(t)
	ta.SignUp("First", "taken@example.com")
	form := func(email, pw string) url.Values {
		return url.Values{"studio": {"Studio"}, "name": {"Name"}, "email": {email}, "password": {pw}}
	}
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "short password", Path: "/signup", Form: form("a@example.com", "Ab1"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"at least 12 characters, or at least 8 with a digit"}},
		{Name: "common password", Path: "/signup", Form: form("a@example.com", "Password123"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"commonly used"}},
		{Name: "run of digits", Path: "/signup", Form: form("a@example.com", "Zebra-1234-quilt"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"1234"}},
		{Name: "bad e-mail", Path: "/signup", Form: form("not-an-email", "Correct-Horse-Battery-7"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"name@example.com"}},
		{Name: "taken e-mail", Path: "/signup", Form: form("taken@example.com", "Correct-Horse-Battery-7"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"already exists"}},
	})
	var studios int
	if err := ta.Superuser().QueryRow(t.Context(), "SELECT count(*) FROM studios").Scan(&studios); err != nil {
		t.Fatal(err)
	}
	if studios != 1 {
		t.Fatalf("%d studios after rejected sign-ups, want 1", studios)
	}
}

func TestLoginRateLimitPerAccount(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.LoginAccountLimit = 3 })
	o := ta.SignUp("Limit", "limit@example.com")
	c := ta.Client()
	bad := url.Values{"email": {o.Email}, "password": {"Wrong-password-99"}}
	for range 3 {
		c.Run(t, []apptest.Scenario{{Path: "/login", Form: bad, Status: http.StatusUnauthorized}})
	}
	c.Run(t, []apptest.Scenario{
		{Name: "locked even with the right password", Path: "/login", Form: url.Values{"email": {o.Email}, "password": {o.Password}},
			Status: http.StatusTooManyRequests, Contains: []string{"Too many attempts. Try again in"}},
		{Name: "an unknown e-mail locks the same way", Path: "/login", Form: url.Values{"email": {"ghost@example.com"}, "password": {"x"}},
			Status: http.StatusUnauthorized},
	})
}

func TestLoginRateLimitPerIP(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.LoginIPLimit, c.LoginAccountLimit = 3, 100 })
	o := ta.SignUp("Limit", "limit@example.com")
	c := ta.Client()
	for i := range 3 { // three different accounts from one address
		c.Run(t, []apptest.Scenario{{Path: "/login", Status: http.StatusUnauthorized,
			Form: url.Values{"email": {fmt.Sprintf("guess%d@example.com", i)}, "password": {"x"}}}})
	}
	res := c.PostForm("/login", url.Values{"email": {o.Email}, "password": {o.Password}})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(res.Body, "Try again in 15 minutes") {
		t.Fatalf("address not locked out: %d %.300s", res.StatusCode, res.Body)
	}
	if wait, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || wait < 1 || wait > 900 {
		t.Fatalf("Retry-After %q, want 1..900 seconds", res.Header.Get("Retry-After"))
	}
}

func TestSessionTimeouts(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.SessionIdle = time.Hour })
	su := ta.Superuser()
	cases := []struct {
		name, sql string
	}{
		{"idle too long", "UPDATE sessions SET last_seen_at = now() - interval '61 minutes'"},
		{"past its absolute lifetime", "UPDATE sessions SET expires_at = now() - interval '1 second'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := ta.SignUp("Timeout", strings.ReplaceAll(tc.name, " ", "")+"@example.com")
			o.Client.Run(t, []apptest.Scenario{{Path: "/studio", Status: http.StatusOK}})
			if _, err := su.Exec(t.Context(), tc.sql+" WHERE user_id = (SELECT id FROM users WHERE email = $1)", o.Email); err != nil {
				t.Fatal(err)
			}
			o.Client.Run(t, []apptest.Scenario{{Path: "/studio", Status: http.StatusSeeOther, Location: "/login"}})
			var left int
			if err := su.QueryRow(t.Context(), "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1", o.Email).Scan(&left); err != nil {
				t.Fatal(err)
			}
			if left != 0 {
				t.Fatalf("%d dead sessions kept", left)
			}
		})
	}
}

func TestSessionCookieAndRotation(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Cookie", "cookie@example.com")
	first := o.Client.Cookie("__Host-proofsheet")
	res := o.Client.PostForm("/login", url.Values{"email": {o.Email}, "password": {o.Password}})
	var setCookie string
	for _, h := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "__Host-proofsheet=") {
			setCookie = h
		}
	}
	for _, attr := range []string{"path=/", "HttpOnly", "secure", "SameSite=Lax"} {
		if !strings.Contains(strings.ToLower(setCookie), strings.ToLower(attr)) {
			t.Errorf("session cookie %q lacks %s", setCookie, attr)
		}
	}
	if strings.Contains(strings.ToLower(setCookie), "domain=") {
		t.Errorf("__Host- cookie with a domain: %q", setCookie)
	}
	if second := o.Client.Cookie("__Host-proofsheet"); second == "" || second == first {
		t.Fatal("login did not issue a new session token")
	}
	var stored int
	if err := ta.Superuser().QueryRow(t.Context(), "SELECT count(*) FROM sessions WHERE token_hash = $1 OR token_hash = $2", first, o.Client.Cookie("__Host-proofsheet")).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Fatal("a session token is stored in plain text")
	}
}
