package app

import (
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"
)

func loadWith(args []string, env map[string]string) (Config, error) {
	return Load(flag.NewFlagSet("t", flag.ContinueOnError), args, func(k string) string { return env[k] })
}

func TestConfigDefaultsEnvAndFlags(t *testing.T) {
	c, err := loadWith(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.DatabaseURL != "" {
		t.Fatalf("defaults: addr %q base %q db %q", c.Addr, c.BaseURL, c.DatabaseURL)
	}
	c, err = loadWith([]string{"--session-idle", "5m"}, map[string]string{
		"PROOFSHEET_ADDR": "0.0.0.0:9000", "PROOFSHEET_SESSION_IDLE": "1h", "PROOFSHEET_REQUIRE_OWNER_2FA": "true",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || !c.RequireOwner2FA {
		t.Fatalf("env not applied: %+v", c)
	}
	if c.SessionIdle != 5*time.Minute {
		t.Fatalf("flag should beat env: session idle %s", c.SessionIdle)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unparsable env", nil, map[string]string{"PROOFSHEET_SESSION_IDLE": "soon"}, "PROOFSHEET_SESSION_IDLE"},
		{"cert without key", []string{"--tls-cert", "c.pem"}, nil, "tls-cert and tls-key"},
		{"bad base url", []string{"--base-url", "ftp://x"}, nil, "base-url"},
		{"zero limit", []string{"--login-account-limit", "0"}, nil, "login limits"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "log-level"},
		{"tiny argon2", []string{"--argon2-memory", "8"}, nil, "argon2-memory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadWith(tc.args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestEveryConfigFieldHasASetting(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if _, err := Load(fs, nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	// Config has one setting per field; a new field without a flag would be
	// impossible to set and missing from --help.
	fields := reflect.TypeOf(Config{}).NumField()
	if n != fields {
		t.Fatalf("%d flags for %d Config fields", n, fields)
	}
}
