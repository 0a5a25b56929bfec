package app_test

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/auth"
)

var (
	tfSecretRe   = regexp.MustCompile(`<code id="totp-secret" class="secret">([A-Z2-7]+=*)</code>`)
	tfQRRe       = regexp.MustCompile(`<img class="qr" src="data:image/png;base64,([^"]+)"`)
	tfRecoveryRe = regexp.MustCompile(`<code class="recovery-code">([a-z0-9-]+)</code>`)
	tfNextRe     = regexp.MustCompile(`<input type="hidden" name="next" value="([^"]*)">`)
)

const (
	tfWrongCodeMsg = "That code is not right or was already used."
	tfEnrolWrong   = "That code is not right. Check that your phone&#39;s clock is set automatically"
)

// tfSecret reads the pending TOTP secret from the two-factor page, as a
// person typing it into an app would.
func tfSecret(t *testing.T, c *apptest.Client) string {
	t.Helper()
	res := c.Get("/account/2fa")
	m := tfSecretRe.FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("two-factor page: %d, no secret: %.600s", res.StatusCode, res.Body)
	}
	return m[1]
}

// tfCode is the TOTP code of secret steps 30-second steps from now. The
// server accepts one step either side of its clock, and each step once.
func tfCode(t *testing.T, secret string, steps int) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, time.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatalf("code for %q: %v", secret, err)
	}
	return code
}

// tfWrongCode is a 6-digit code that no step near now accepts.
func tfWrongCode(t *testing.T, secret string) string {
	t.Helper()
	valid := map[string]bool{}
	for d := -3; d <= 3; d++ {
		valid[tfCode(t, secret, d)] = true
	}
	for i := 123456; ; i++ {
		if c := fmt.Sprintf("%06d", i); !valid[c] {
			return c
		}
	}
}

// tfEnrol turns two-factor on for c's user with the code of the current
// step and returns the secret, that code (now used) and the recovery codes
// shown.
func tfEnrol(t *testing.T, c *apptest.Client) (secret, used string, codes []string) {
	t.Helper()
	secret = tfSecret(t, c)
	used = tfCode(t, secret, 0)
	res := c.PostForm("/account/2fa", url.Values{"code": {used}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Two-factor authentication is on") {
		t.Fatalf("enrol: %d: %.600s", res.StatusCode, res.Body)
	}
	for _, m := range tfRecoveryRe.FindAllStringSubmatch(res.Body, -1) {
		codes = append(codes, m[1])
	}
	return secret, used, codes
}

// tfPassword signs c in with a password and expects the code step.
func tfPassword(t *testing.T, c *apptest.Client, email, password string) {
	t.Helper()
	c.Run(t, []apptest.Scenario{{Name: "password of " + email, Path: "/login",
		Form: url.Values{"email": {email}, "password": {password}}, Status: http.StatusSeeOther, Location: "/login/2fa"}})
}

// tfUser reads a user's two-factor columns as the superuser.
func tfUser(t *testing.T, ta *apptest.TestApp, email string) (enabled, hasSecret bool, lastCounter int64) {
	t.Helper()
	err := ta.Superuser().QueryRow(t.Context(),
		"SELECT totp_enabled_at IS NOT NULL, totp_secret IS NOT NULL, totp_last_counter FROM users WHERE email = $1", email).
		Scan(&enabled, &hasSecret, &lastCounter)
	if err != nil {
		t.Fatal(err)
	}
	return enabled, hasSecret, lastCounter
}

// tfAuditCount counts the entries of a kind in the studio of email whose
// detail has key = value (any detail when key is empty).
func tfAuditCount(t *testing.T, ta *apptest.TestApp, email, kind, key, value string) int {
	t.Helper()
	return acctCount(t, ta, `SELECT count(*) FROM audit_log
		WHERE studio_id = (SELECT studio_id FROM users WHERE email = $1) AND kind = $2 AND ($3 = '' OR detail->>$3 = $4)`,
		email, kind, key, value)
}

func TestTwoFactorEnrolment(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Mehta Frames", "ishaan@example.com")

	res := o.Client.Get("/account/2fa")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Set it up in two steps") || !strings.Contains(res.Body, `<span class="badge">Off</span>`) {
		t.Fatalf("enrolment page: %d: %.600s", res.StatusCode, res.Body)
	}
	secret := tfSecret(t, o.Client)
	if secret != tfSecret(t, o.Client) {
		t.Fatal("reloading the page changed the pending secret, so a phone that scanned it would be wrong")
	}
	if raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "=")); err != nil || len(raw) < 16 {
		t.Fatalf("secret %q: %d bytes, %v", secret, len(raw), err)
	}
	tfWantQR(t, res.Body, o.Email, secret)
	if enabled, hasSecret, _ := tfUser(t, ta, o.Email); enabled || !hasSecret {
		t.Fatalf("after showing the page: enabled %v, secret stored %v; want a pending secret only", enabled, hasSecret)
	}

	o.Client.Run(t, []apptest.Scenario{
		{Name: "wrong code", Path: "/account/2fa", Form: url.Values{"code": {tfWrongCode(t, secret)}},
			Status: http.StatusUnprocessableEntity, Contains: []string{tfEnrolWrong, secret}},
		{Name: "letters", Path: "/account/2fa", Form: url.Values{"code": {"abcdef"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{tfEnrolWrong}},
		{Name: "no CSRF token", Path: "/account/2fa", NoCSRF: true, Form: url.Values{"code": {tfCode(t, secret, 0)}},
			Status: http.StatusForbidden, Contains: []string{"This form has expired"}},
	})
	if enabled, _, _ := tfUser(t, ta, o.Email); enabled {
		t.Fatal("a refused code turned two-factor on")
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes"); n != 0 {
		t.Fatalf("%d recovery codes after refused enrolments", n)
	}
	acctNoAudit(t, ta, o.Email, "twofactor.enabled")
	acctLogin(t, ta.Client(), o.Email, o.Password) // still the password alone

	res = o.Client.PostForm("/account/2fa", url.Values{"code": {tfCode(t, secret, 0)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Two-factor authentication is on") || !strings.Contains(res.Body, "Save these recovery codes now") {
		t.Fatalf("enrol: %d: %.600s", res.StatusCode, res.Body)
	}
	codes := map[string]bool{}
	for _, m := range tfRecoveryRe.FindAllStringSubmatch(res.Body, -1) {
		if !regexp.MustCompile(`^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$`).MatchString(m[1]) {
			t.Errorf("recovery code %q is not three groups of four", m[1])
		}
		codes[m[1]] = true
	}
	if len(codes) != 10 {
		t.Fatalf("%d distinct recovery codes shown, want 10", len(codes))
	}
	if enabled, hasSecret, counter := tfUser(t, ta, o.Email); !enabled || !hasSecret || counter == 0 {
		t.Fatalf("after enrolment: enabled %v, secret %v, last counter %d", enabled, hasSecret, counter)
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes WHERE used_at IS NULL"); n != 10 {
		t.Fatalf("%d unused recovery codes stored, want 10", n)
	}
	for c := range codes {
		if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes WHERE code_hash = $1 OR code_hash = $2", c, auth.HashToken(c)); n != 1 {
			t.Fatalf("recovery code %s: %d rows with its hash (or stored in plain text)", c, n)
		}
	}
	if n := tfAuditCount(t, ta, o.Email, "twofactor.enabled", "method", "totp"); n != 1 {
		t.Fatalf("%d twofactor.enabled entries, want 1", n)
	}
	o.Client.Run(t, []apptest.Scenario{
		{Name: "the page says it is on", Path: "/account/2fa", Status: http.StatusOK,
			Contains:    []string{`<span class="badge ok">On</span>`, "10 of 10 recovery codes left", `action="/account/2fa/disable"`},
			NotContains: []string{secret, "totp-secret", "data:image/png"}},
		{Name: "enrolling again is refused", Path: "/account/2fa", Form: url.Values{"code": {tfCode(t, secret, 1)}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Two-factor authentication is already on."}},
	})
	if n := tfAuditCount(t, ta, o.Email, "twofactor.enabled", "", ""); n != 1 {
		t.Fatalf("%d twofactor.enabled entries after a second attempt, want 1", n)
	}
}

// tfWantQR checks that the page's QR code is a PNG of the otpauth:// URL
// of secret for email, so scanning it and typing the key give one account.
func tfWantQR(t *testing.T, body, email, secret string) {
	t.Helper()
	m := tfQRRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no data: PNG QR code on the page: %.600s", body)
	}
	got, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatalf("QR data URL: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 200 || b.Dx() != b.Dy() {
		t.Fatalf("QR code is %dx%d", b.Dx(), b.Dy())
	}
	raw, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "="))
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Proofsheet", AccountName: email, Period: 30, Secret: raw,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	want, err := auth.TOTPQRCodePNG(key.URL())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the QR code does not encode %s", key.URL())
	}
}

func TestTwoFactorLogin(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Rao Weddings", "kavya@example.com")
	secret, enrolCode, _ := tfEnrol(t, o.Client)

	// The place the person was going to, with a query of two parameters,
	// must survive the code step whole.
	const next = "/account/sessions?from=mail&tab=all"
	c := ta.Client()
	res := c.PostForm("/login", url.Values{"email": {o.Email}, "password": {o.Password}, "next": {next}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login/2fa") {
		t.Fatalf("password: %d to %q, want the code step", res.StatusCode, res.Header.Get("Location"))
	}
	pending := c.Cookie("__Host-proofsheet")
	if n := acctCount(t, ta, "SELECT count(*) FROM sessions WHERE token_hash = $1 AND stage = $2", auth.HashToken(pending), auth.StageMFA); n != 1 {
		t.Fatalf("%d pending sessions for the cookie, want 1", n)
	}
	codePage := c.Get(res.Header.Get("Location"))
	m := tfNextRe.FindStringSubmatch(codePage.Body)
	if codePage.StatusCode != http.StatusOK || m == nil || !strings.Contains(codePage.Body, "Enter your code") {
		t.Fatalf("code page: %d: %.600s", codePage.StatusCode, codePage.Body)
	}
	if got := html.UnescapeString(m[1]); got != next {
		t.Errorf("the code form carries next=%q, want %q", got, next)
	}
	code := tfCode(t, secret, 1)
	c.Run(t, []apptest.Scenario{
		{Name: "no studio with the password alone", Path: "/studio", Status: http.StatusSeeOther, Location: "/login/2fa"},
		{Name: "no account pages either", Path: "/account/sessions", Status: http.StatusSeeOther, Location: "/login/2fa"},
		{Name: "no changes either", Path: "/account/password", Form: url.Values{"current_password": {o.Password}, "new_password": {"Marigold-Lens-Paper-42"}},
			Status: http.StatusSeeOther, Location: "/login/2fa"},
		{Name: "wrong code", Path: "/login/2fa", Form: url.Values{"code": {tfWrongCode(t, secret)}, "next": {next}},
			Status: http.StatusUnauthorized, Contains: []string{tfWrongCodeMsg, "Enter your code"}},
		{Name: "the enrolment's code is used up", Path: "/login/2fa", Form: url.Values{"code": {enrolCode}, "next": {next}},
			Status: http.StatusUnauthorized, Contains: []string{tfWrongCodeMsg}},
		{Name: "still pending", Path: "/studio", Status: http.StatusSeeOther, Location: "/login/2fa"},
		{Name: "no CSRF token", Path: "/login/2fa", NoCSRF: true, Form: url.Values{"code": {code}}, Status: http.StatusForbidden},
		{Name: "right code", Path: "/login/2fa", Form: url.Values{"code": {code[:3] + " " + code[3:]}, "next": {html.UnescapeString(m[1])}},
			Status: http.StatusSeeOther, Location: next},
		{Name: "in", Path: "/studio", Status: http.StatusOK, Contains: []string{"Rao Weddings"}},
	})
	full := c.Cookie("__Host-proofsheet")
	if full == "" || full == pending {
		t.Fatal("the code step did not rotate the session token")
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM sessions WHERE token_hash = $1", auth.HashToken(pending)); n != 0 {
		t.Fatal("the pending session outlived the code step")
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM sessions WHERE token_hash = $1 AND stage = $2", auth.HashToken(full), auth.StageFull); n != 1 {
		t.Fatal("no signed-in session for the new cookie")
	}
	tfWithCookie(t, ta, pending, "/studio", "/login")
	if n := tfAuditCount(t, ta, o.Email, "login.failed", "reason", "second_factor"); n != 2 {
		t.Errorf("%d second-factor failures audited, want 2", n)
	}
	if n := tfAuditCount(t, ta, o.Email, "login.succeeded", "method", "totp"); n != 1 {
		t.Errorf("%d TOTP logins audited, want 1", n)
	}
	acctWantAudit(t, ta, o.Email, "login.password_ok")

	// Someone who saw the code over a shoulder, and has the password too,
	// cannot use it again from another browser.
	thief := ta.Client()
	tfPassword(t, thief, o.Email, o.Password)
	thief.Run(t, []apptest.Scenario{
		{Name: "replayed code", Path: "/login/2fa", Form: url.Values{"code": {code}}, Status: http.StatusUnauthorized, Contains: []string{tfWrongCodeMsg}},
		{Name: "replayer stays out", Path: "/studio", Status: http.StatusSeeOther, Location: "/login/2fa"},
	})
	if n := tfAuditCount(t, ta, o.Email, "login.succeeded", "method", "totp"); n != 1 {
		t.Errorf("%d TOTP logins audited after a replay, want 1", n)
	}
}

// tfWithCookie requests path with only a session cookie and wants a
// redirect to location.
func tfWithCookie(t *testing.T, ta *apptest.TestApp, token, path, location string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: "__Host-proofsheet", Value: token})
	res := ta.Client().Do(req)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), location) {
		t.Fatalf("old cookie on %s: %d to %q, want a redirect to %s", path, res.StatusCode, res.Header.Get("Location"), location)
	}
}

// Wrong codes at the code step count against the account, like wrong
// passwords: after the limit even the right code waits.
func TestTwoFactorWrongCodesAreLimited(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.LoginAccountLimit = 3 })
	o := ta.SignUp("Limit", "limit2fa@example.com")
	secret, _, _ := tfEnrol(t, o.Client)
	c := ta.Client()
	tfPassword(t, c, o.Email, o.Password)
	wrong := tfWrongCode(t, secret)
	for i := range 3 {
		c.Run(t, []apptest.Scenario{{Name: fmt.Sprintf("wrong code %d", i+1), Path: "/login/2fa",
			Form: url.Values{"code": {wrong}}, Status: http.StatusUnauthorized, Contains: []string{tfWrongCodeMsg}}})
	}
	c.Run(t, []apptest.Scenario{
		{Name: "locked even with the right code", Path: "/login/2fa", Form: url.Values{"code": {tfCode(t, secret, 1)}},
			Status: http.StatusTooManyRequests, Contains: []string{"Too many attempts. Try again in"}},
		{Name: "still out", Path: "/studio", Status: http.StatusSeeOther, Location: "/login/2fa"},
	})
	if n := tfAuditCount(t, ta, o.Email, "login.failed", "reason", "second_factor"); n != 3 {
		t.Errorf("%d second-factor failures audited, want 3", n)
	}
	if n := tfAuditCount(t, ta, o.Email, "login.succeeded", "", ""); n != 1 { // the sign-up's
		t.Errorf("%d successful logins audited, want only the sign-up's", n)
	}
	// The limit is the account's, not the pending session's: a new
	// password step does not reset it.
	d := ta.Client()
	tfPassword(t, d, o.Email, o.Password)
	d.Run(t, []apptest.Scenario{{Name: "new browser, same lock", Path: "/login/2fa", Form: url.Values{"code": {tfCode(t, secret, 1)}},
		Status: http.StatusTooManyRequests}})
}

func TestTwoFactorDisable(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Off Switch", "off@example.com")
	secret, enrolCode, codes := tfEnrol(t, o.Client)
	disable := func(password, code string) url.Values { return url.Values{"password": {password}, "code": {code}} }

	o.Client.Run(t, []apptest.Scenario{
		{Name: "wrong password", Path: "/account/2fa/disable", Form: disable("Not-my-password-9", codes[0]),
			Status: http.StatusUnprocessableEntity, Contains: []string{"Your current password is not right."}},
		{Name: "no code", Path: "/account/2fa/disable", Form: disable(o.Password, ""),
			Status: http.StatusUnprocessableEntity, Contains: []string{tfWrongCodeMsg}},
		{Name: "wrong code", Path: "/account/2fa/disable", Form: disable(o.Password, tfWrongCode(t, secret)),
			Status: http.StatusUnprocessableEntity, Contains: []string{tfWrongCodeMsg}},
		{Name: "a used code", Path: "/account/2fa/disable", Form: disable(o.Password, enrolCode),
			Status: http.StatusUnprocessableEntity, Contains: []string{tfWrongCodeMsg}},
		{Name: "no CSRF token", Path: "/account/2fa/disable", NoCSRF: true, Form: disable(o.Password, tfCode(t, secret, 1)),
			Status: http.StatusForbidden},
		{Name: "still on", Path: "/account/2fa", Status: http.StatusOK, Contains: []string{`<span class="badge ok">On</span>`, "10 of 10 recovery codes left"}},
	})
	if enabled, _, _ := tfUser(t, ta, o.Email); !enabled {
		t.Fatal("a refused request turned two-factor off")
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes WHERE used_at IS NULL"); n != 10 {
		t.Fatalf("%d unused recovery codes after refusals, want 10 (a wrong password must not use up the code)", n)
	}
	acctNoAudit(t, ta, o.Email, "twofactor.disabled")

	o.Client.Run(t, []apptest.Scenario{
		{Name: "password and a fresh code", Path: "/account/2fa/disable", Form: disable(o.Password, tfCode(t, secret, 1)),
			Status: http.StatusSeeOther, Location: "/account"},
		{Name: "says so", Path: "/account", Status: http.StatusOK, Contains: []string{"Two-factor authentication is off."}},
		{Name: "the page offers enrolment again", Path: "/account/2fa", Status: http.StatusOK, Contains: []string{"Set it up in two steps"}},
	})
	var hasSecret bool
	if err := ta.Superuser().QueryRow(t.Context(),
		"SELECT totp_secret IS NOT NULL AND totp_secret <> $2 FROM users WHERE email = $1", o.Email, secret).Scan(&hasSecret); err != nil {
		t.Fatal(err)
	}
	if enabled, _, counter := tfUser(t, ta, o.Email); enabled || counter != 0 {
		t.Fatalf("after disabling: enabled %v, last counter %d", enabled, counter)
	}
	if !hasSecret {
		t.Fatal("showing the page again did not make a new secret (the old one must not come back)")
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes"); n != 0 {
		t.Fatalf("%d recovery codes kept after disabling", n)
	}
	if n := tfAuditCount(t, ta, o.Email, "twofactor.disabled", "", ""); n != 1 {
		t.Fatalf("%d twofactor.disabled entries, want 1", n)
	}
	acctLogin(t, ta.Client(), o.Email, o.Password)
}

func TestRecoveryCodes(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Backup Plan", "backup@example.com")
	_, _, codes := tfEnrol(t, o.Client)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(codes))
	}

	// Typed from paper: capitals and spaces instead of dashes still work.
	typed := strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))
	c := ta.Client()
	tfPassword(t, c, o.Email, o.Password)
	c.Run(t, []apptest.Scenario{
		{Name: "a recovery code signs in", Path: "/login/2fa", Form: url.Values{"code": {typed}}, Status: http.StatusSeeOther, Location: "/studio"},
		{Name: "in", Path: "/studio", Status: http.StatusOK},
		{Name: "one fewer left", Path: "/account/2fa", Status: http.StatusOK, Contains: []string{"9 of 10 recovery codes left"}},
	})
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes WHERE used_at IS NOT NULL AND code_hash = $1", auth.HashToken(codes[0])); n != 1 {
		t.Fatal("the recovery code used is not marked used")
	}
	if n := tfAuditCount(t, ta, o.Email, "login.succeeded", "method", "recovery_code"); n != 1 {
		t.Fatalf("%d recovery-code logins audited, want 1", n)
	}

	again := ta.Client()
	tfPassword(t, again, o.Email, o.Password)
	again.Run(t, []apptest.Scenario{
		{Name: "the same code again", Path: "/login/2fa", Form: url.Values{"code": {codes[0]}}, Status: http.StatusUnauthorized, Contains: []string{tfWrongCodeMsg}},
		{Name: "stays out", Path: "/studio", Status: http.StatusSeeOther, Location: "/login/2fa"},
	})

	o.Client.Run(t, []apptest.Scenario{
		{Name: "regenerate with a wrong password", Path: "/account/2fa/recovery", Form: url.Values{"password": {"Not-my-password-9"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Your current password is not right."}},
		{Name: "regenerate without CSRF", Path: "/account/2fa/recovery", NoCSRF: true, Form: url.Values{"password": {o.Password}},
			Status: http.StatusForbidden},
	})
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes WHERE used_at IS NULL"); n != 9 {
		t.Fatalf("%d unused codes after refused regenerations, want 9", n)
	}
	acctNoAudit(t, ta, o.Email, "recovery_codes.regenerated")

	res := o.Client.PostForm("/account/2fa/recovery", url.Values{"password": {o.Password}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Your new recovery codes") || !strings.Contains(res.Body, "Your old codes no longer work.") {
		t.Fatalf("regenerate: %d: %.600s", res.StatusCode, res.Body)
	}
	var fresh []string
	for _, m := range tfRecoveryRe.FindAllStringSubmatch(res.Body, -1) {
		fresh = append(fresh, m[1])
	}
	if len(fresh) != 10 {
		t.Fatalf("%d new codes, want 10", len(fresh))
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes WHERE used_at IS NULL"); n != 10 {
		t.Fatalf("%d unused codes after regenerating, want 10", n)
	}
	if n := acctCount(t, ta, "SELECT count(*) FROM recovery_codes"); n != 10 {
		t.Fatalf("%d codes stored after regenerating, want only the 10 new ones", n)
	}
	if n := tfAuditCount(t, ta, o.Email, "recovery_codes.regenerated", "count", "10"); n != 1 {
		t.Fatalf("%d recovery_codes.regenerated entries, want 1", n)
	}

	old := ta.Client()
	tfPassword(t, old, o.Email, o.Password)
	old.Run(t, []apptest.Scenario{
		{Name: "an unused old code no longer works", Path: "/login/2fa", Form: url.Values{"code": {codes[1]}}, Status: http.StatusUnauthorized},
		{Name: "a new code does", Path: "/login/2fa", Form: url.Values{"code": {fresh[0]}}, Status: http.StatusSeeOther, Location: "/studio"},
	})
}

// With the operator's rule, an owner without two-factor can only enrol or
// sign out; staff are not held to it.
func TestRequireOwner2FA(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.RequireOwner2FA = true })
	o := ta.SignUp("Strict Studio", "strict@example.com")
	const notice = "Your studio requires two-factor authentication for studio owners."
	o.Client.Run(t, []apptest.Scenario{
		{Name: "studio sends to enrolment", Path: "/studio", Status: http.StatusSeeOther, Location: "/account/2fa"},
		{Name: "enrolment says why", Path: "/account/2fa", Status: http.StatusOK,
			Contains: []string{"Set it up to continue.", notice, "totp-secret"}},
		{Name: "account page too", Path: "/account", Status: http.StatusSeeOther, Location: "/account/2fa"},
		{Name: "sessions page too", Path: "/account/sessions", Status: http.StatusSeeOther, Location: "/account/2fa"},
		{Name: "staff page too", Path: "/studio/staff", Status: http.StatusSeeOther, Location: "/account/2fa"},
		{Name: "no inviting", Path: "/studio/staff/invite", Form: url.Values{"email": {"early@example.com"}, "role": {"staff"}},
			Status: http.StatusSeeOther, Location: "/account/2fa"},
	})
	if n := acctCount(t, ta, "SELECT count(*) FROM invites"); n != 0 {
		t.Fatalf("%d invites sent by an owner who has not enrolled", n)
	}
	// Signing in again lands in the same place.
	c := ta.Client()
	c.Run(t, []apptest.Scenario{
		{Name: "password", Path: "/login", Form: url.Values{"email": {o.Email}, "password": {o.Password}}, Status: http.StatusSeeOther, Location: "/studio"},
		{Name: "still sent to enrol", Path: "/studio", Status: http.StatusSeeOther, Location: "/account/2fa"},
		{Name: "signing out is allowed", Path: "/logout", Form: url.Values{}, Status: http.StatusSeeOther, Location: "/login"},
	})

	secret, _, _ := tfEnrol(t, o.Client)
	o.Client.Run(t, []apptest.Scenario{
		{Name: "studio open after enrolling", Path: "/studio", Status: http.StatusOK, Contains: []string{"Strict Studio"}},
		{Name: "no way to turn it off", Path: "/account/2fa", Status: http.StatusOK,
			Contains: []string{"so it stays on"}, NotContains: []string{notice, `action="/account/2fa/disable"`}},
		{Name: "posting the form anyway", Path: "/account/2fa/disable", Form: url.Values{"password": {o.Password}, "code": {tfCode(t, secret, 1)}},
			Status: http.StatusForbidden, Contains: []string{"cannot be turned off"}},
	})
	if enabled, _, _ := tfUser(t, ta, o.Email); !enabled {
		t.Fatal("an owner turned two-factor off against the operator's rule")
	}
	acctNoAudit(t, ta, o.Email, "twofactor.disabled")

	staff := staffJoin(t, ta, staffInvite(t, ta, o, "ravi@example.com", "staff"), "Ravi Kumar")
	staff.Run(t, []apptest.Scenario{
		{Name: "staff use the studio without two-factor", Path: "/studio", Status: http.StatusOK},
		{Name: "and their account pages", Path: "/account/sessions", Status: http.StatusOK},
		{Name: "the page does not press them", Path: "/account/2fa", Status: http.StatusOK,
			Contains: []string{"Set it up in two steps"}, NotContains: []string{notice}},
	})
	if enabled, _, _ := tfUser(t, ta, "ravi@example.com"); enabled {
		t.Fatal("staff two-factor on without enrolling")
	}
}
