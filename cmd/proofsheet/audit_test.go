package main

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestAuditVerifyCommand(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Alpha", "alpha@example.com")
	ta.SignUp("Beta", "beta@example.com")
	ta.Client().Run(t, []apptest.Scenario{{Path: "/login", Status: http.StatusUnauthorized,
		Form: url.Values{"email": {o.Email}, "password": {"Wrong-password-99"}}}})
	t.Setenv("PROOFSHEET_DATABASE_URL", ta.DatabaseURL)

	var out bytes.Buffer
	if err := run(t.Context(), []string{"audit", "verify"}, &out); err != nil {
		t.Fatalf("intact log: %v; output %q", err, out.String())
	}
	if got := out.String(); got != "audit log OK: 5 entries in 2 studios\n" {
		t.Fatalf("output %q", got)
	}

	_, err := ta.Superuser().Exec(t.Context(), `UPDATE audit_log SET detail = '{"x":1}'
		WHERE seq = 2 AND studio_id = (SELECT studio_id FROM users WHERE email = $1)`, o.Email)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = run(t.Context(), []string{"audit", "verify"}, &out)
	if err == nil || !strings.Contains(err.Error(), "not intact") {
		t.Fatalf("tampered log: err %v, want a failure", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "(Alpha): entry 2 altered") {
		t.Fatalf("output %q, want one line naming entry 2 of Alpha as altered", out.String())
	}
}

func TestAuditCommandNeedsAnAction(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"audit"}, &out); err == nil || !strings.Contains(err.Error(), "verify") {
		t.Fatalf("err %v, want a hint to say verify", err)
	}
}
