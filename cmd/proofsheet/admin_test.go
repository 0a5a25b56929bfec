package main

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app/apptest"
)

// adminEnv points the command at the test's database with cheap hashing.
func adminEnv(t *testing.T) *apptest.TestApp {
	ta := apptest.New(t)
	t.Setenv("PROOFSHEET_DATABASE_URL", ta.DatabaseURL)
	t.Setenv("PROOFSHEET_ARGON2_MEMORY", "64")
	t.Setenv("PROOFSHEET_ARGON2_TIME", "1")
	// The test app's object store and master key, not ./var.
	t.Setenv("PROOFSHEET_DATA_DIR", ta.Config.DataDir)
	t.Setenv("PROOFSHEET_MASTER_KEY", apptest.TestMasterKey)
	return ta
}

func login(t *testing.T, ta *apptest.TestApp, email, password string, status int) {
	t.Helper()
	ta.Client().Run(t, []apptest.Scenario{{Name: "login " + email, Path: "/login", Status: status,
		Form: url.Values{"email": {email}, "password": {password}}}})
}

func TestAdminCreateStudioAndResetPassword(t *testing.T) {
	ta := adminEnv(t)
	var out bytes.Buffer
	err := adminCmd(t.Context(), []string{"create-studio", "--studio", "Lumen", "--name", "Asha Rao",
		"--email", "Asha@Example.com"}, strings.NewReader("Kite-Harbour-Lantern-4\n"), &out)
	if err != nil {
		t.Fatalf("create-studio: %v", err)
	}
	if !strings.HasPrefix(out.String(), `created studio "Lumen" with owner asha@example.com`) ||
		strings.Contains(out.String(), "Kite-Harbour") {
		t.Fatalf("output %q", out.String())
	}
	login(t, ta, "asha@example.com", "Kite-Harbour-Lantern-4", http.StatusSeeOther)

	var role, studio string
	err = ta.Superuser().QueryRow(t.Context(), `SELECT u.role, s.name FROM users u JOIN studios s ON s.id = u.studio_id
		WHERE u.email = 'asha@example.com'`).Scan(&role, &studio)
	if err != nil || role != "owner" || studio != "Lumen" {
		t.Fatalf("user row: role %q studio %q err %v", role, studio, err)
	}

	out.Reset()
	err = adminCmd(t.Context(), []string{"reset-password", "--email", "asha@example.com"}, strings.NewReader(""), &out)
	if err != nil {
		t.Fatalf("reset-password: %v", err)
	}
	m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out.String())
	if m == nil || len(m[1]) != 23 {
		t.Fatalf("output %q, want a generated password", out.String())
	}
	login(t, ta, "asha@example.com", "Kite-Harbour-Lantern-4", http.StatusUnauthorized)
	login(t, ta, "asha@example.com", m[1], http.StatusSeeOther)

	var kinds string
	err = ta.Superuser().QueryRow(t.Context(), `SELECT string_agg(kind, ',' ORDER BY seq) FROM audit_log a
		JOIN studios s ON s.id = a.studio_id WHERE s.name = 'Lumen' AND kind IN ('studio.created', 'password.reset')`).Scan(&kinds)
	if err != nil || kinds != "studio.created,password.reset" {
		t.Fatalf("audit kinds %q err %v", kinds, err)
	}
}

func TestAdminRefusesBadInput(t *testing.T) {
	ta := adminEnv(t)
	ta.SignUp("Beta", "beta@example.com")
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"no action", nil, "", "say create-studio or reset-password"},
		{"unknown action", []string{"delete-studio"}, "", `unknown action "delete-studio"`},
		{"missing flags", []string{"create-studio", "--email", "x@example.com"}, "", "--studio and --name are required"},
		{"weak password", []string{"create-studio", "--studio", "S", "--name", "N", "--email", "n@example.com"}, "password1234\n", "commonly used passwords"},
		{"taken e-mail", []string{"create-studio", "--studio", "S", "--name", "N", "--email", "beta@example.com"}, "Kite-Harbour-Lantern-4", "already exists"},
		{"unknown user", []string{"reset-password", "--email", "nobody@example.com"}, "", "nobody@example.com"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := adminCmd(t.Context(), c.args, strings.NewReader(c.stdin), &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one containing %q", c.name, err, c.want)
		}
	}
	var n int
	if err := ta.Superuser().QueryRow(t.Context(), `SELECT count(*) FROM studios`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("studios %d (err %v), want only Beta", n, err)
	}
}
