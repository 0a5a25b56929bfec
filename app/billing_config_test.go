package app

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// The Stripe settings come as a pair, look like what Stripe issues, and
// no refusal repeats a secret.
func TestConfigStripeSettings(t *testing.T) {
	const key, whsec = "sk_test_51Hx0Secret", "whsec_0123456789abcdef"
	cases := []struct {
		name string
		env  map[string]string
		want string // "" for valid
	}{
		{"off", nil, ""},
		{"on", map[string]string{"PROOFSHEET_STRIPE_SECRET_KEY": key, "PROOFSHEET_STRIPE_WEBHOOK_SECRET": whsec}, ""},
		{"restricted key against stripe-mock", map[string]string{"PROOFSHEET_STRIPE_SECRET_KEY": "rk_test_abc", "PROOFSHEET_STRIPE_WEBHOOK_SECRET": whsec,
			"PROOFSHEET_STRIPE_API_URL": "http://127.0.0.1:12111"}, ""},
		{"key alone", map[string]string{"PROOFSHEET_STRIPE_SECRET_KEY": key}, "must be set together"},
		{"webhook secret alone", map[string]string{"PROOFSHEET_STRIPE_WEBHOOK_SECRET": whsec}, "must be set together"},
		{"a publishable key", map[string]string{"PROOFSHEET_STRIPE_SECRET_KEY": "pk_live_abc", "PROOFSHEET_STRIPE_WEBHOOK_SECRET": whsec},
			"PROOFSHEET_STRIPE_SECRET_KEY is not a Stripe secret key"},
		{"not a signing secret", map[string]string{"PROOFSHEET_STRIPE_SECRET_KEY": key, "PROOFSHEET_STRIPE_WEBHOOK_SECRET": "sk_test_whoops_wrong_one"},
			"PROOFSHEET_STRIPE_WEBHOOK_SECRET is not a webhook signing secret"},
		{"a bad API URL", map[string]string{"PROOFSHEET_STRIPE_SECRET_KEY": key, "PROOFSHEET_STRIPE_WEBHOOK_SECRET": whsec,
			"PROOFSHEET_STRIPE_API_URL": "localhost:12111"}, `stripe-api-url "localhost:12111"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadWith(nil, c.env)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want == "" && cfg.BillingOn() != (c.env["PROOFSHEET_STRIPE_SECRET_KEY"] != ""):
				t.Fatalf("billing on: %v", cfg.BillingOn())
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			for k, v := range c.env {
				if err != nil && !strings.HasSuffix(k, "_URL") && strings.Contains(err.Error(), v) {
					t.Fatalf("the refusal repeats the secret of %s: %v", k, err)
				}
			}
		})
	}
}

// A secret that reaches a log line anyway (stripe-mock quotes the API key
// in its refusals) is replaced, in the message, in strings, in errors and
// in groups and attributes added beforehand.
func TestLogNeverShowsSecrets(t *testing.T) {
	const key, whsec = "sk_test_51Hx0Secret", "whsec_0123456789abcdef"
	var buf bytes.Buffer
	log := withoutSecrets(slog.New(slog.NewJSONHandler(&buf, nil)), key, whsec, "")
	log.With("component", "billing "+key).Error("stripe said Bearer "+key,
		"err", errors.New("authorization was 'Bearer "+key+"'"),
		slog.Group("req", "header", "t=1,v1="+whsec), "n", 3)
	out := buf.String()
	if strings.Contains(out, key) || strings.Contains(out, whsec) || strings.Count(out, "[redacted]") != 4 || !strings.Contains(out, `"n":3`) {
		t.Fatalf("log line: %s", out)
	}
	if l := withoutSecrets(slog.Default(), "", ""); l != slog.Default() {
		t.Fatal("a logger without secrets to hide is wrapped")
	}
}
