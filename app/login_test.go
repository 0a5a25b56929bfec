package app_test

import (
	"net/http"
	"net/url"
	"testing"

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
