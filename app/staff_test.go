package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

const staffPassword = "Second-Shooter-Lens-5"

// staffInvite sends an invitation from the owner and returns its link.
func staffInvite(t *testing.T, ta *apptest.TestApp, o *apptest.Owner, email, role string) string {
	t.Helper()
	o.Client.Run(t, []apptest.Scenario{{Name: "invite " + email, Path: "/studio/staff/invite",
		Form: url.Values{"email": {email}, "role": {role}}, Status: http.StatusSeeOther, Location: "/studio/staff"}})
	return ta.LastMailLink(strings.ToLower(email))
}

// staffJoin accepts an invitation link in a new browser and returns it, signed in.
func staffJoin(t *testing.T, ta *apptest.TestApp, link, name string) *apptest.Client {
	t.Helper()
	c := ta.Client()
	token := strings.TrimPrefix(link, "/invite?token=")
	c.Run(t, []apptest.Scenario{{Name: name + " joins", Path: "/invite",
		Form: url.Values{"token": {token}, "name": {name}, "password": {staffPassword}}, Status: http.StatusSeeOther, Location: "/studio"}})
	return c
}

// staffCount runs a count query as the superuser.
func staffCount(t *testing.T, ta *apptest.TestApp, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := ta.Superuser().QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInviteAndJoin(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	link := staffInvite(t, ta, o, "Ravi@Example.com", "staff")
	if !strings.HasPrefix(link, "/invite?token=psi_") {
		t.Fatalf("invite link %q", link)
	}
	token := strings.TrimPrefix(link, "/invite?token=")
	if n := staffCount(t, ta, "SELECT count(*) FROM invites WHERE token_hash = $1 OR token_hash LIKE '%psi_%'", token); n != 0 {
		t.Fatal("the invite token is stored in plain text")
	}
	o.Client.Run(t, []apptest.Scenario{
		{Name: "pending on the staff page", Path: "/studio/staff", Status: http.StatusOK, Contains: []string{"Pending invitations", "ravi@example.com"}},
	})

	guest := ta.Client()
	guest.Run(t, []apptest.Scenario{
		{Name: "the link shows the form", Path: link, Status: http.StatusOK,
			Contains: []string{"Join Sharma Studio", `value="ravi@example.com" readonly`, "a member of staff", `name="token"`}},
	})
	staff := staffJoin(t, ta, link, "Ravi Kumar")
	staff.Run(t, []apptest.Scenario{
		{Name: "signed in to the studio", Path: "/studio", Status: http.StatusOK, Contains: []string{"Welcome to Sharma Studio.", "Welcome, Ravi Kumar"}},
		{Name: "staff see the members read-only", Path: "/studio/staff", Status: http.StatusOK,
			Contains: []string{"priya@example.com", "ravi@example.com", "Only studio owners can invite"}, NotContains: []string{"Send invitation", "Remove "}},
		{Name: "staff cannot invite", Path: "/studio/staff/invite", Form: url.Values{"email": {"x@example.com"}, "role": {"owner"}},
			Status: http.StatusForbidden},
		{Name: "staff cannot see activity", Path: "/studio/audit", Status: http.StatusForbidden},
		{Name: "staff cannot remove", Path: "/studio/staff/00000000-0000-0000-0000-000000000000/remove", Form: url.Values{}, Status: http.StatusForbidden},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM users WHERE email = 'ravi@example.com' AND role = 'staff' AND studio_id = (SELECT studio_id FROM users WHERE email = $1)", o.Email); n != 1 {
		t.Fatalf("%d staff users in the owner's studio, want 1", n)
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM invites WHERE accepted_at IS NOT NULL"); n != 1 {
		t.Fatalf("%d accepted invites, want 1", n)
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM invites"); n != 1 {
		t.Fatalf("%d invites after the staff member tried to invite, want 1", n)
	}

	ta.Client().Run(t, []apptest.Scenario{
		{Name: "the link works once", Path: link, Status: http.StatusGone, Contains: []string{"expired or was already used"}},
		{Name: "and cannot be posted again", Path: "/invite", Form: url.Values{"token": {token}, "name": {"Thief"}, "password": {staffPassword}},
			Status: http.StatusGone},
		{Name: "a made-up link", Path: "/invite?token=psi_nothing", Status: http.StatusGone},
	})
	o.Client.Run(t, []apptest.Scenario{
		{Name: "no longer pending", Path: "/studio/staff", Status: http.StatusOK, Contains: []string{"No invitations waiting", "Ravi Kumar"}},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE kind IN ('staff.invited', 'staff.joined')"); n != 2 {
		t.Fatalf("%d staff.invited/staff.joined entries, want 2", n)
	}
}

func TestInviteAsOwner(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Owners", "first@example.com")
	c := staffJoin(t, ta, staffInvite(t, ta, o, "asha@example.com", "owner"), "Asha Rao")
	c.Run(t, []apptest.Scenario{
		{Name: "a second owner sees activity", Path: "/studio/audit", Status: http.StatusOK, Contains: []string{"Joined the studio"}},
		{Name: "and can invite", Path: "/studio/staff", Status: http.StatusOK, Contains: []string{"Send invitation"}},
	})
}

func TestInviteRejectsBadInput(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	ta.SignUp("Elsewhere", "taken@example.com")
	invite := func(email, role string) url.Values { return url.Values{"email": {email}, "role": {role}} }
	o.Client.Run(t, []apptest.Scenario{
		{Name: "account in another studio", Path: "/studio/staff/invite", Form: invite("taken@example.com", "staff"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"already a Proofsheet account", `value="taken@example.com"`}},
		{Name: "already a member", Path: "/studio/staff/invite", Form: invite("priya@example.com", "staff"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"already a member of your studio"}},
		{Name: "bad e-mail", Path: "/studio/staff/invite", Form: invite("not-an-email", "staff"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"name@example.com"}},
		{Name: "unknown role", Path: "/studio/staff/invite", Form: invite("new@example.com", "admin"),
			Status: http.StatusUnprocessableEntity, Contains: []string{"Choose staff or owner."}},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM invites") + staffCount(t, ta, "SELECT count(*) FROM email_outbox"); n != 0 {
		t.Fatalf("%d invites and e-mails after rejected invitations, want 0", n)
	}
}

func TestInviteAgainReplacesTheLink(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	first := staffInvite(t, ta, o, "ravi@example.com", "staff")
	second := staffInvite(t, ta, o, "ravi@example.com", "owner")
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "the first link is dead", Path: first, Status: http.StatusGone},
		{Name: "the second works", Path: second, Status: http.StatusOK, Contains: []string{"as an owner"}},
	})
}

func TestAcceptInviteRefusals(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	link := staffInvite(t, ta, o, "ravi@example.com", "staff")
	token := strings.TrimPrefix(link, "/invite?token=")
	accept := func(name, pw string) url.Values {
		return url.Values{"token": {token}, "name": {name}, "password": {pw}}
	}
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "weak password", Path: "/invite", Form: accept("Ravi", "Password123"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"commonly used", "Join Sharma Studio", `value="Ravi"`}},
		{Name: "short password", Path: "/invite", Form: accept("Ravi", "Ab1"), Status: http.StatusUnprocessableEntity,
			Contains: []string{"at least 12 characters"}},
		{Name: "no name", Path: "/invite", Form: accept(" ", staffPassword), Status: http.StatusUnprocessableEntity,
			Contains: []string{"Enter your name."}},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM users WHERE email = 'ravi@example.com'") +
		staffCount(t, ta, "SELECT count(*) FROM invites WHERE accepted_at IS NOT NULL"); n != 0 {
		t.Fatal("a refused acceptance created a user or used the invite")
	}

	if _, err := ta.Superuser().Exec(t.Context(), "UPDATE invites SET expires_at = now() - interval '1 second'"); err != nil {
		t.Fatal(err)
	}
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "expired link", Path: link, Status: http.StatusGone, Contains: []string{"expired"}},
		{Name: "expired link, posted", Path: "/invite", Form: accept("Ravi", staffPassword), Status: http.StatusGone},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM users WHERE email = 'ravi@example.com'"); n != 0 {
		t.Fatal("an expired invitation created a user")
	}
}

func TestRemoveStaff(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Sharma Studio", "priya@example.com")
	staff := staffJoin(t, ta, staffInvite(t, ta, o, "ravi@example.com", "staff"), "Ravi Kumar")
	var ravi, priya, studio string
	err := ta.Superuser().QueryRow(t.Context(), `SELECT r.id::text, p.id::text, p.studio_id::text FROM users r, users p
		WHERE r.email = 'ravi@example.com' AND p.email = 'priya@example.com'`).Scan(&ravi, &priya, &studio)
	if err != nil {
		t.Fatal(err)
	}
	// An API token Ravi made earlier must stop working with him.
	_, err = ta.Superuser().Exec(t.Context(), `INSERT INTO api_tokens (id, studio_id, user_id, name, token_hash, prefix, scope)
		VALUES (gen_random_uuid(), $1, $2, 'Lightroom', 'hash-of-ravis-token', 'psk_abcd', 'write')`, studio, ravi)
	if err != nil {
		t.Fatal(err)
	}
	staff.Run(t, []apptest.Scenario{{Name: "staff signed in", Path: "/studio", Status: http.StatusOK}})

	o.Client.Run(t, []apptest.Scenario{
		{Name: "the owner sees a named remove button", Path: "/studio/staff", Status: http.StatusOK,
			Contains: []string{"Remove Ravi Kumar", `data-confirm="Remove Ravi Kumar (ravi@example.com) from Sharma Studio?`}},
		{Name: "cannot remove yourself", Path: "/studio/staff/" + priya + "/remove", Form: url.Values{},
			Status: http.StatusUnprocessableEntity, Contains: []string{"You cannot remove yourself."}},
		{Name: "not a member id", Path: "/studio/staff/not-an-id/remove", Form: url.Values{}, Status: http.StatusNotFound},
		{Name: "remove Ravi", Path: "/studio/staff/" + ravi + "/remove", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/studio/staff"},
		{Name: "gone from the list", Path: "/studio/staff", Status: http.StatusOK,
			Contains: []string{"Ravi Kumar was removed"}, NotContains: []string{"ravi@example.com"}},
		{Name: "removing twice", Path: "/studio/staff/" + ravi + "/remove", Form: url.Values{}, Status: http.StatusNotFound},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM users WHERE email = 'priya@example.com' AND disabled_at IS NULL"); n != 1 {
		t.Fatal("the owner was disabled")
	}
	staff.Run(t, []apptest.Scenario{{Name: "Ravi's session is over", Path: "/studio", Status: http.StatusSeeOther, Location: "/login"}})
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "Ravi's login fails like a wrong password", Path: "/login", Form: url.Values{"email": {"ravi@example.com"}, "password": {staffPassword}},
			Status: http.StatusUnauthorized, Contains: []string{"The e-mail or password is not right."}},
	})
	checks := map[string]string{
		"sessions left":      "SELECT count(*) FROM sessions WHERE user_id = $1",
		"live API tokens":    "SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL",
		"enabled accounts":   "SELECT count(*) FROM users WHERE id = $1 AND disabled_at IS NULL",
		"removal not logged": "SELECT 1 - count(*) FROM audit_log WHERE kind = 'staff.removed' AND detail->>'user_id' = $1::text",
	}
	for what, sql := range checks {
		if n := staffCount(t, ta, sql, ravi); n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}

	// Invited back, Ravi gets the same account (the log keeps one name) anew.
	back := staffJoin(t, ta, staffInvite(t, ta, o, "ravi@example.com", "staff"), "Ravi K.")
	back.Run(t, []apptest.Scenario{{Name: "back in", Path: "/studio", Status: http.StatusOK, Contains: []string{"Welcome, Ravi K."}}})
	if n := staffCount(t, ta, "SELECT count(*) FROM users WHERE email = 'ravi@example.com' AND disabled_at IS NULL AND id = $1", ravi); n != 1 {
		t.Fatal("the removed account was not restored")
	}
}
