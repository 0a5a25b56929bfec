package billing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/billing"
)

func TestSubscriptionCheckoutAgainstStripeMock(t *testing.T) {
	e := newEnv(t)
	e.setPlans()
	act := billing.Actor{UserID: uuid.New(), IP: "192.0.2.1"}
	if _, err := e.svc.StartSubscription(e.ctx, e.studio, "pro", billing.Monthly, act); !isInputOn(err, "profile") {
		t.Fatalf("without a profile: %v", err)
	}
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	for _, tt := range []struct {
		name, plan, field string
		iv                billing.Interval
	}{
		{"unknown plan", "gold", "plan", billing.Monthly},
		{"free plan", billing.FreePlan, "plan", billing.Monthly},
		{"bad interval", "pro", "interval", "week"},
	} {
		if _, err := e.svc.StartSubscription(e.ctx, e.studio, tt.plan, tt.iv, act); !isInputOn(err, tt.field) {
			t.Errorf("%s: %v, want an input error on %s", tt.name, err, tt.field)
		}
	}
	if len(e.stripe.reqs) != 0 {
		t.Fatalf("refused checkouts called Stripe: %+v", e.stripe.reqs)
	}

	first, err := e.svc.StartSubscription(e.ctx, e.studio, "pro", billing.Yearly, act)
	if err != nil || !strings.HasPrefix(first.URL, "https://") || first.ID == "" {
		t.Fatalf("checkout %+v, %v", first, err)
	}
	if _, err := e.svc.StartSubscription(e.ctx, e.studio, "max", billing.Monthly, act); err != nil {
		t.Fatal(err)
	}
	customers, sessions := e.stripe.calls("POST", "/v1/customers"), e.stripe.calls("POST", "/v1/checkout/sessions")
	if len(customers) != 1 || customers[0].IdempotencyKey != "proofsheet-customer-"+e.studio.String() ||
		customers[0].Form.Get("metadata[studio_id]") != e.studio.String() {
		t.Errorf("customers created: %+v", customers)
	}
	if len(sessions) != 2 || sessions[0].IdempotencyKey == "" || sessions[0].IdempotencyKey == sessions[1].IdempotencyKey {
		t.Fatalf("sessions: %+v", sessions)
	}
	f := sessions[0].Form
	for k, want := range map[string]string{
		"mode": "subscription", "client_reference_id": e.studio.String(), "line_items[0][price]": "price_1ProYearly",
		"metadata[studio_id]": e.studio.String(), "metadata[plan]": "pro", "metadata[interval]": "year",
		"subscription_data[metadata][plan]": "pro", "customer": sessions[1].Form.Get("customer"),
		"cancel_url": "https://proofsheet.example/studio/billing?checkout=cancelled",
	} {
		if f.Get(k) != want || want == "" {
			t.Errorf("session %s = %q, want %q", k, f.Get(k), want)
		}
	}
	sub, _ := e.svc.Subscription(e.ctx, e.studio)
	if !sub.HasCustomer || sub.Plan.Code != billing.FreePlan {
		t.Errorf("after checkout started: %+v", sub)
	}
	if kinds := e.audits(e.studio); strings.Join(kinds, " ") != "billing.profile_update billing.customer_create billing.checkout_start billing.checkout_start" {
		t.Errorf("audit %v", kinds)
	}
	portal, err := e.svc.Portal(e.ctx, e.studio, act)
	if p := e.stripe.calls("POST", "/v1/billing_portal/sessions"); err != nil || portal == "" || len(p) != 1 ||
		p[0].Form.Get("return_url") != "https://proofsheet.example/studio/billing" || p[0].IdempotencyKey == "" {
		t.Errorf("portal %q, %v, %+v", portal, err, p)
	}
}

func TestUnlockCheckoutAgainstStripeMock(t *testing.T) {
	e := newEnv(t)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	collection := uuid.New()
	for _, tt := range []struct {
		name, product, field string
		target               *uuid.UUID
	}{
		{"unknown product", "prints", "product", nil},
		{"storage pack for a collection", "storage100", "target_id", &collection},
	} {
		if _, err := e.svc.StartUnlock(e.ctx, e.studio, tt.product, tt.target, billing.Actor{}); !isInputOn(err, tt.field) {
			t.Errorf("%s: %v, want an input error on %s", tt.name, err, tt.field)
		}
	}
	// Face search with no collection yet is for the next one made.
	if c, err := e.svc.StartUnlock(e.ctx, e.studio, "face", nil, billing.Actor{}); err != nil || c.URL == "" {
		t.Fatalf("unlock checkout for the next collection %+v, %v", c, err)
	}
	c, err := e.svc.StartUnlock(e.ctx, e.studio, "face", &collection, billing.Actor{})
	if err != nil || c.URL == "" {
		t.Fatalf("unlock checkout %+v, %v", c, err)
	}
	s := e.stripe.calls("POST", "/v1/checkout/sessions")
	if len(s) != 2 || s[0].Form.Has("payment_intent_data[metadata][target_id]") {
		t.Fatalf("sessions %+v", s)
	}
	if s[1].Form.Get("mode") != "payment" || s[1].Form.Get("line_items[0][price]") != "price_1FaceSearch" ||
		s[1].Form.Get("payment_intent_data[metadata][target_id]") != collection.String() || s[1].Form.Get("metadata[product]") != "face" {
		t.Errorf("session %+v", s[1])
	}
	// Once unlocked, the collection cannot be bought again.
	e.linkCustomer(e.studio, "cus_1")
	e.setOperator("29", karnatakaGST)
	e.deliver("evt_1", "checkout.session.completed", e.clock.Now(), unlockSessionObj("cs_1", "cus_1", e.studio, "face", &collection, 59000, true))
	if _, err := e.svc.StartUnlock(e.ctx, e.studio, "face", &collection, billing.Actor{}); !errors.Is(err, billing.ErrConflict) {
		t.Errorf("second unlock of a collection: %v", err)
	}
}

func TestBillingOffWithoutStripe(t *testing.T) {
	e := newEnv(t)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	d := e.deps
	d.Stripe = nil
	off := billing.New(d)
	p := event("evt_1", "invoice.paid", e.clock.Now(), map[string]any{"id": "in_1"})
	for name, err := range map[string]error{
		"subscription": func() error {
			_, err := off.StartSubscription(e.ctx, e.studio, "pro", billing.Monthly, billing.Actor{})
			return err
		}(),
		"unlock": func() error {
			_, err := off.StartUnlock(e.ctx, e.studio, "storage100", nil, billing.Actor{})
			return err
		}(),
		"portal": func() error { _, err := off.Portal(e.ctx, e.studio, billing.Actor{}); return err }(),
		"change plan": func() error {
			_, err := off.ChangePlan(e.ctx, e.studio, "max", billing.Monthly, billing.Actor{})
			return err
		}(),
		"webhook": off.ReceiveWebhook(e.ctx, p, sign(p, whsec, e.clock.Now())),
	} {
		if !errors.Is(err, billing.ErrBillingOff) {
			t.Errorf("%s: %v, want ErrBillingOff", name, err)
		}
	}
	a, err := off.Account(e.ctx, e.studio)
	if err != nil || a.Enabled || a.Subscription.Plan.Code != billing.FreePlan || !a.Profile.Complete() || a.Limits.Albums != 3 {
		t.Errorf("account with billing off: %+v, %v", a, err)
	}
	if len(e.stripe.reqs) != 0 || e.count("SELECT count(*) FROM stripe_events") != 0 {
		t.Errorf("billing off reached Stripe or stored an event")
	}
}

func isInputOn(err error, field string) bool {
	var ie *billing.InputError
	return errors.As(err, &ie) && ie.Field == field && ie.Message != ""
}
