package app_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Stripe's deliveries through /webhooks/stripe: a signed event is taken
// at once and its job applies it; a replay is taken and changes nothing;
// a forged, stale or malformed one is refused with 400 and stores nothing.
func TestWebhookStripe(t *testing.T) {
	ta := billingApp(t)
	_, studio := checkingOut(t, ta)
	customer := query[string](t, ta, "SELECT stripe_customer_id FROM studio_billing WHERE studio_id = $1", studio)
	now := time.Now()
	valid := stripeEvent("evt_valid", "customer.subscription.created", now,
		subscriptionObj("sub_valid", customer, "active", "price_1MaxYearly", "year", now.AddDate(1, 0, 0), studio))
	other := stripeEvent("evt_other", "customer.subscription.updated", now,
		subscriptionObj("sub_valid", customer, "canceled", "price_1MaxYearly", "year", now, studio))

	cases := []struct {
		name    string
		payload []byte
		sig     string
		status  int
		body    string
	}{
		{"valid", valid, stripeSignature(valid, testWhsec, now), http.StatusOK, `"received":true`},
		{"signed with another secret", other, stripeSignature(other, "whsec_someone_else", now), http.StatusBadRequest, "signature invalid"},
		{"no signature", other, "", http.StatusBadRequest, "signature invalid"},
		{"a body changed after signing", []byte(strings.Replace(string(other), "canceled", "active", 1)), stripeSignature(other, testWhsec, now), http.StatusBadRequest, "signature invalid"},
		{"signed 10 minutes ago", other, stripeSignature(other, testWhsec, now.Add(-10*time.Minute)), http.StatusBadRequest, "timestamp"},
		{"signed 10 minutes ahead", other, stripeSignature(other, testWhsec, now.Add(10*time.Minute)), http.StatusBadRequest, "timestamp"},
		{"not JSON", []byte("not json"), stripeSignature([]byte("not json"), testWhsec, now), http.StatusBadRequest, "payload invalid"},
		{"another API version", []byte(strings.Replace(string(other), "2023-10-16", "2025-01-27.acacia", 1)),
			stripeSignature([]byte(strings.Replace(string(other), "2023-10-16", "2025-01-27.acacia", 1)), testWhsec, now), http.StatusBadRequest, "payload invalid"},
	}
	for _, c := range cases {
		res := postWebhook(t, ta, c.payload, c.sig)
		if res.StatusCode != c.status || !strings.Contains(res.Body, c.body) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, res.StatusCode, res.Body, c.status, c.body)
		}
	}
	waitUntil(t, ta, "the valid event applied", `SELECT plan_code = 'max' AND billing_interval = 'year' AND subscription_status = 'active'
		FROM studio_billing WHERE studio_id = $1`, studio)
	waitUntil(t, ta, "the event marked worked", "SELECT processed_at IS NOT NULL FROM stripe_events WHERE id = 'evt_valid'")
	if n := staffCount(t, ta, "SELECT count(*) FROM stripe_events"); n != 1 {
		t.Fatalf("%d events stored, want only the valid one", n)
	}

	// The same event again, freshly signed as Stripe's retries are: taken,
	// and nothing more happens.
	res := postWebhook(t, ta, valid, stripeSignature(valid, testWhsec, time.Now()))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("replay: %d %s", res.StatusCode, res.Body)
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM river_job WHERE kind = 'billing_event'"); n != 1 {
		t.Errorf("%d event jobs after a replay, want 1", n)
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE studio_id = $1 AND kind = 'billing.subscription_update'", studio); n != 1 {
		t.Errorf("%d subscription updates audited after a replay, want 1", n)
	}
}

// A sender of refused deliveries is slowed down: after 30 in a window its
// address is answered 429 without a look. Stripe's own deliveries are
// never refused, so they never count.
func TestWebhookRateLimitsRefusals(t *testing.T) {
	ta := billingApp(t)
	bad := stripeEvent("evt_forged", "invoice.paid", time.Now(), map[string]any{"id": "in_x", "object": "invoice"})
	sig := stripeSignature(bad, "whsec_forger", time.Now())
	for i := range 30 {
		if res := postWebhook(t, ta, bad, sig); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("refusal %d: %d %s", i+1, res.StatusCode, res.Body)
		}
	}
	res := postWebhook(t, ta, bad, sig)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("31st refusal: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM rate_limits WHERE hits = 30 AND key ~ '^[0-9a-f]{64}$'"); n != 1 {
		t.Errorf("%d counters at 30, want 1: the address's, hashed", n)
	}
}

// A delivery larger than any event is refused before it is read.
func TestWebhookBodyLimit(t *testing.T) {
	ta := billingApp(t)
	big := []byte(`{"id":"evt_big","padding":"` + strings.Repeat("x", 600<<10) + `"}`)
	res := postWebhook(t, ta, big, stripeSignature(big, testWhsec, time.Now()))
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("big delivery: %d %.200s", res.StatusCode, res.Body)
	}
	if n := staffCount(t, ta, "SELECT count(*) FROM stripe_events"); n != 0 {
		t.Fatalf("%d events stored", n)
	}
}
