package app_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/auth"
)

const (
	sessFirefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	sessIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	sessCurl    = "curl/8.5.0"
)

// sessLogin signs a new client in with a password from a browser that
// sends ua, and returns it.
func sessLogin(t *testing.T, ta *apptest.TestApp, email, password, ua string) *apptest.Client {
	t.Helper()
	c := ta.Client()
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {c.CSRF()}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", ua)
	if res := c.Do(req); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/studio" {
		t.Fatalf("login %s as %q: %d to %q", email, ua, res.StatusCode, res.Header.Get("Location"))
	}
	return c
}

// sessID is the id of c's session, found by its cookie's hash.
func sessID(t *testing.T, ta *apptest.TestApp, c *apptest.Client) string {
	t.Helper()
	var id string
	err := ta.Superuser().QueryRow(t.Context(), "SELECT id::text FROM sessions WHERE token_hash = $1",
		auth.HashToken(c.Cookie("__Host-proofsheet"))).Scan(&id)
	if err != nil {
		t.Fatalf("session of the client's cookie: %v", err)
	}
	return id
}

func sessExists(t *testing.T, ta *apptest.TestApp, id string) bool {
	t.Helper()
	return acctCount(t, ta, "SELECT count(*) FROM sessions WHERE id = $1", id) == 1
}

func revokePath(id string) string { return "/account/sessions/" + id + "/revoke" }

func TestSessionsPageAndRevoke(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Many Devices", "many@example.com")
	laptop := sessLogin(t, ta, o.Email, o.Password, sessFirefox)
	phone := sessLogin(t, ta, o.Email, o.Password, sessIPhone)
	me, laptopID, phoneID := sessID(t, ta, o.Client), sessID(t, ta, laptop), sessID(t, ta, phone)

	res := o.Client.Get("/account/sessions")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sessions page: %d", res.StatusCode)
	}
	for _, want := range []string{"Where you are signed in", "This device", "Firefox on Linux", "Safari on iPhone",
		`action="` + revokePath(laptopID) + `"`, `action="` + revokePath(phoneID) + `"`,
		`action="/account/sessions/revoke-all"`, "2 other session(s) end"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("sessions page lacks %q: %.1500s", want, res.Body)
		}
	}
	if strings.Contains(res.Body, revokePath(me)) {
		t.Error("the current session is offered a sign-out button of its own")
	}
	if n := strings.Count(res.Body, "This device"); n != 1 {
		t.Errorf("%d sessions marked as this device, want 1", n)
	}

	o.Client.Run(t, []apptest.Scenario{
		{Name: "no CSRF token", Path: revokePath(laptopID), NoCSRF: true, Form: url.Values{}, Status: http.StatusForbidden,
			Contains: []string{"This form has expired"}},
		{Name: "a wrong CSRF token", Path: revokePath(laptopID), Form: url.Values{"_csrf": {strings.Repeat("x", 43)}}, Status: http.StatusForbidden},
	})
	if !sessExists(t, ta, laptopID) {
		t.Fatal("a forged request revoked a session")
	}
	laptop.Run(t, []apptest.Scenario{{Name: "laptop still in", Path: "/studio", Status: http.StatusOK}})

	o.Client.Run(t, []apptest.Scenario{
		{Name: "revoke the laptop", Path: revokePath(laptopID), Form: url.Values{}, Status: http.StatusSeeOther, Location: "/account/sessions"},
		{Name: "the page says so", Path: "/account/sessions", Status: http.StatusOK,
			Contains: []string{"That session has been signed out.", "Safari on iPhone", "This device"}, NotContains: []string{"Firefox on Linux", laptopID}},
		{Name: "revoking it twice", Path: revokePath(laptopID), Form: url.Values{}, Status: http.StatusNotFound},
		{Name: "not a session id", Path: revokePath("not-a-uuid"), Form: url.Values{}, Status: http.StatusNotFound},
		{Name: "this one stays", Path: "/studio", Status: http.StatusOK},
	})
	laptop.Run(t, []apptest.Scenario{{Name: "the laptop is signed out", Path: "/studio", Status: http.StatusSeeOther, Location: "/login"}})
	phone.Run(t, []apptest.Scenario{{Name: "the phone is not", Path: "/studio", Status: http.StatusOK}})
	if sessExists(t, ta, laptopID) || !sessExists(t, ta, me) || !sessExists(t, ta, phoneID) {
		t.Fatal("revoking removed the wrong rows")
	}
	if n := tfAuditCount(t, ta, o.Email, "session.revoked", "session_id", laptopID); n != 1 {
		t.Fatalf("%d session.revoked entries for the laptop, want 1", n)
	}
	if n := tfAuditCount(t, ta, o.Email, "session.revoked", "", ""); n != 1 {
		t.Fatalf("%d session.revoked entries, want 1 (refused requests are not revocations)", n)
	}

	o.Client.Run(t, []apptest.Scenario{
		{Name: "revoking this very session signs out", Path: revokePath(me), Form: url.Values{}, Status: http.StatusSeeOther, Location: "/login"},
		{Name: "signed out", Path: "/studio", Status: http.StatusSeeOther, Location: "/login"},
	})
	if sessExists(t, ta, me) || !sessExists(t, ta, phoneID) {
		t.Fatal("revoking the current session removed the wrong rows")
	}
}

// Nobody can end someone else's session: not staff of the same studio, not
// the owner of another one.
func TestSessionsOfOthersAreNotFound(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Home Studio", "home@example.com")
	staff := staffJoin(t, ta, staffInvite(t, ta, o, "crew@example.com", "staff"), "Crew Member")
	stranger := ta.SignUp("Other Studio", "other@example.com")
	ownerID := sessID(t, ta, o.Client)

	for name, c := range map[string]*apptest.Client{"staff of the same studio": staff, "another studio's owner": stranger.Client} {
		c.Run(t, []apptest.Scenario{
			{Name: name + " revokes the owner's session", Path: revokePath(ownerID), Form: url.Values{}, Status: http.StatusNotFound},
			{Name: name + " does not see it", Path: "/account/sessions", Status: http.StatusOK, NotContains: []string{ownerID}},
		})
	}
	if !sessExists(t, ta, ownerID) {
		t.Fatal("another user ended the owner's session")
	}
	o.Client.Run(t, []apptest.Scenario{{Name: "owner still in", Path: "/studio", Status: http.StatusOK}})
	for _, email := range []string{o.Email, stranger.Email} {
		if n := tfAuditCount(t, ta, email, "session.revoked", "", ""); n != 0 {
			t.Fatalf("%d session.revoked entries in the studio of %s, want 0", n, email)
		}
	}
}

func TestSessionsSignOutEverywhereElse(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Clean Slate", "slate@example.com")
	others := []*apptest.Client{
		sessLogin(t, ta, o.Email, o.Password, sessFirefox),
		sessLogin(t, ta, o.Email, o.Password, sessIPhone),
		sessLogin(t, ta, o.Email, o.Password, sessCurl),
	}
	me := sessID(t, ta, o.Client)

	o.Client.Run(t, []apptest.Scenario{
		{Name: "without the CSRF token", Path: "/account/sessions/revoke-all", NoCSRF: true, Form: url.Values{}, Status: http.StatusForbidden},
	})
	if n := acctSessions(t, ta, o.Email); n != 4 {
		t.Fatalf("%d sessions after a forged sign-out, want 4", n)
	}
	acctNoAudit(t, ta, o.Email, "session.revoked_all")

	o.Client.Run(t, []apptest.Scenario{
		{Name: "sign out everywhere else", Path: "/account/sessions/revoke-all", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/account/sessions"},
		{Name: "the page says how many", Path: "/account/sessions", Status: http.StatusOK,
			Contains:    []string{"3 other sessions were signed out.", "This device"},
			NotContains: []string{"Firefox on Linux", "Safari on iPhone", `data-label="Device">curl`, `action="/account/sessions/revoke-all"`}},
		{Name: "this one stays", Path: "/studio", Status: http.StatusOK},
	})
	for _, c := range others {
		c.Run(t, []apptest.Scenario{{Name: "other session ended", Path: "/studio", Status: http.StatusSeeOther, Location: "/login"}})
	}
	if n := acctSessions(t, ta, o.Email); n != 1 || !sessExists(t, ta, me) {
		t.Fatalf("%d sessions left, want only the current one", n)
	}
	if n := tfAuditCount(t, ta, o.Email, "session.revoked_all", "count", "3"); n != 1 {
		t.Fatalf("%d session.revoked_all entries with count 3, want 1", n)
	}

	o.Client.Run(t, []apptest.Scenario{
		{Name: "again, with nothing to end", Path: "/account/sessions/revoke-all", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/account/sessions"},
		{Name: "says there was nothing", Path: "/account/sessions", Status: http.StatusOK, Contains: []string{"There were no other sessions to sign out."}},
	})
}
