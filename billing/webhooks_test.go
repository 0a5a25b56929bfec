package billing_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/billing"
)

func TestWebhookDeliveriesAreVerified(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	valid := event("evt_valid", "customer.subscription.updated", now, map[string]any{"id": "sub_1", "object": "subscription"})
	oldAPI := []byte(strings.Replace(string(event("evt_old", "invoice.paid", now, map[string]any{"id": "in_1"})), "2023-10-16", "2020-08-27", 1))
	tests := []struct {
		name    string
		payload []byte
		header  string
		want    error // nil: accepted
	}{
		{"valid", valid, sign(valid, whsec, now), nil},
		{"replayed", valid, sign(valid, whsec, now.Add(time.Minute)), nil},
		{"signed with another secret", valid, sign(valid, "whsec_other", now), billing.ErrWebhookSignature},
		{"body changed after signing", []byte(strings.Replace(string(valid), "sub_1", "sub_2", 1)), sign(valid, whsec, now), billing.ErrWebhookSignature},
		{"no signature", valid, "", billing.ErrWebhookSignature},
		{"garbled header", valid, "t=abc,v1", billing.ErrWebhookSignature},
		{"stale timestamp", valid, sign(valid, whsec, now.Add(-10*time.Minute)), billing.ErrWebhookStale},
		{"timestamp from the future", valid, sign(valid, whsec, now.Add(10*time.Minute)), billing.ErrWebhookStale},
		{"other API version", oldAPI, sign(oldAPI, whsec, now), billing.ErrWebhookInvalid},
		{"not JSON", []byte("hello"), sign([]byte("hello"), whsec, now), billing.ErrWebhookInvalid},
	}
	for _, tt := range tests {
		err := e.svc.ReceiveWebhook(e.ctx, tt.payload, tt.header)
		if (tt.want == nil && err != nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// The valid delivery and its replay stored one event and queued one job.
	if n := e.count("SELECT count(*) FROM stripe_events"); n != 1 {
		t.Errorf("%d events stored", n)
	}
	if n := e.count("SELECT count(*) FROM river_job WHERE kind = 'billing_event' AND args->>'event_id' = 'evt_valid'"); n != 1 {
		t.Errorf("%d jobs queued", n)
	}
	// An event billing does not act on is stored as worked, with no job.
	other := event("evt_other", "customer.created", now, map[string]any{"id": "cus_1"})
	if err := e.svc.ReceiveWebhook(e.ctx, other, sign(other, whsec, now)); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM stripe_events WHERE id = 'evt_other' AND processed_at IS NOT NULL AND outcome = 'not handled'"); n != 1 ||
		e.count("SELECT count(*) FROM river_job") != 1 {
		t.Errorf("unhandled event stored wrong or queued")
	}
}

// Subscription events applied in any order end in the newest state: a
// stale one fetches the subscription from Stripe instead of applying its
// own, older object.
func TestSubscriptionEventsInAnyOrder(t *testing.T) {
	e := newEnv(t)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	e.linkCustomer(e.studio, "cus_1")
	now := e.clock.Now()
	end := now.AddDate(0, 1, 0)
	meta := map[string]string{"studio_id": e.studio.String()}
	state := func() *billing.Subscription {
		t.Helper()
		s, err := e.svc.Subscription(e.ctx, e.studio)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// updated (active on Pro) arrives before created (incomplete).
	e.deliver("evt_2", "customer.subscription.updated", now.Add(-time.Minute), subscriptionObj("sub_1", "cus_1", "active", "price_1ProMonthly", end, meta))
	if s := state(); s.Plan.Code != "pro" || s.Status != "active" || s.Interval != billing.Monthly || !s.Live() {
		t.Fatalf("after updated: %+v", s)
	}
	if n := len(e.stripe.calls("GET", "/v1/subscriptions/")); n != 0 {
		t.Fatalf("a fresh event fetched the subscription %d times", n)
	}
	e.deliver("evt_1", "customer.subscription.created", now.Add(-2*time.Minute), subscriptionObj("sub_1", "cus_1", "incomplete", "price_1ProMonthly", end, meta))
	fetched := e.stripe.calls("GET", "/v1/subscriptions/sub_1")
	if len(fetched) != 1 {
		t.Fatalf("stale event fetched %d times", len(fetched))
	}
	// stripe-mock's subscription is active on a price of its own: the
	// studio keeps Pro, and nothing of the stale "incomplete" shows.
	if s := state(); s.Status != "active" || s.Plan.Code != "pro" {
		t.Errorf("after stale created: %+v", s)
	}
	var outcome string
	if err := e.su.QueryRow(e.ctx, "SELECT outcome FROM stripe_events WHERE id = 'evt_1'").Scan(&outcome); err != nil || !strings.HasPrefix(outcome, "stale event; fetched") {
		t.Errorf("outcome %q, %v", outcome, err)
	}

	// Later: cancelled at the period's end, then deleted.
	e.clock.Set(now.Add(time.Hour))
	later := subscriptionObj("sub_1", "cus_1", "active", "price_1ProMonthly", end, meta)
	later["cancel_at_period_end"] = true
	e.deliver("evt_3", "customer.subscription.updated", now.Add(time.Hour), later)
	if s := state(); !s.CancelAtPeriodEnd || s.Plan.Code != "pro" {
		t.Errorf("after cancel at period end: %+v", s)
	}
	e.deliver("evt_4", "customer.subscription.deleted", now.Add(time.Hour+time.Minute), subscriptionObj("sub_1", "cus_1", "canceled", "price_1ProMonthly", end, meta))
	if s := state(); s.Plan.Code != billing.FreePlan || s.Status != "canceled" || s.Live() {
		t.Errorf("after deleted: %+v", s)
	}
	// A replay of an old event changes nothing and fetches nothing.
	p := event("evt_2", "customer.subscription.updated", now.Add(-time.Minute), subscriptionObj("sub_1", "cus_1", "active", "price_1ProMonthly", end, meta))
	if err := e.svc.ReceiveWebhook(e.ctx, p, sign(p, whsec, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	e.work()
	if s := state(); s.Plan.Code != billing.FreePlan || len(e.stripe.calls("GET", "/v1/subscriptions/")) != 1 {
		t.Errorf("replay changed state: %+v", s)
	}
	// Four changes: Pro, the fetched object (stripe-mock's period end), the
	// cancellation, the deletion; none for the replay.
	want := []string{"billing.profile_update", "billing.subscription_update", "billing.subscription_update",
		"billing.subscription_update", "billing.subscription_update"}
	if kinds := e.audits(e.studio); strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Errorf("audit %v, want %v", kinds, want)
	}
}

func TestCheckoutCompletionAppliesTheSubscription(t *testing.T) {
	e := newEnv(t)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	e.linkCustomer(e.studio, "cus_1")
	e.deliver("evt_1", "checkout.session.completed", e.clock.Now(), map[string]any{
		"id": "cs_1", "object": "checkout.session", "mode": "subscription", "payment_status": "paid",
		"customer": "cus_1", "client_reference_id": e.studio.String(), "subscription": "sub_9",
		"metadata": map[string]string{"studio_id": e.studio.String(), "plan": "max", "interval": "year"},
	})
	if n := len(e.stripe.calls("GET", "/v1/subscriptions/sub_9")); n != 1 {
		t.Fatalf("subscription fetched %d times", n)
	}
	s, err := e.svc.Subscription(e.ctx, e.studio)
	if err != nil || s.Plan.Code != "max" || s.Interval != billing.Yearly || s.Status != "active" {
		t.Errorf("after checkout: %+v, %v", s, err)
	}
}

func TestEventOfAnUnknownCustomerIsSetAside(t *testing.T) {
	e := newEnv(t)
	e.deliver("evt_1", "customer.subscription.updated", e.clock.Now(), subscriptionObj("sub_1", "cus_stranger", "active", "price_x", e.clock.Now(), nil))
	if n := e.count("SELECT count(*) FROM stripe_events WHERE outcome = 'no studio' AND processed_at IS NOT NULL"); n != 1 {
		t.Errorf("event of nobody's not set aside")
	}
}

func TestWorkedEventsArePruned(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	for _, id := range []string{"evt_old", "evt_new", "evt_waiting"} {
		p := event(id, "customer.subscription.updated", now, subscriptionObj("sub_"+id, "cus_nobody", "active", "price_x", now, nil))
		if err := e.svc.ReceiveWebhook(e.ctx, p, sign(p, whsec, now)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"evt_old", "evt_new"} {
		if err := e.svc.ProcessEvent(e.ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.su.Exec(e.ctx, "UPDATE stripe_events SET received_at = received_at - interval '31 days' WHERE id IN ('evt_old', 'evt_waiting')"); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.PruneEvents(e.ctx, now.Add(-billing.EventRetention))
	if err != nil || n != 1 || e.count("SELECT count(*) FROM stripe_events WHERE id IN ('evt_new', 'evt_waiting')") != 2 {
		t.Errorf("pruned %d, %v", n, err)
	}
}
