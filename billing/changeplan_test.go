package billing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/billing"
)

func TestChangePlanAgainstStripeMock(t *testing.T) {
	e := newEnv(t)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	e.linkCustomer(e.studio, "cus_1")
	if _, err := e.svc.ChangePlan(e.ctx, e.studio, "max", billing.Monthly, billing.Actor{}); !errors.Is(err, billing.ErrConflict) {
		t.Fatalf("without a subscription: %v", err)
	}
	now := e.clock.Now()
	e.deliver("evt_1", "customer.subscription.created", now.Add(-time.Hour), subscriptionObj("sub_1", "cus_1", "active", "price_1ProMonthly", now.AddDate(0, 1, 0), nil))
	if _, err := e.svc.ChangePlan(e.ctx, e.studio, "pro", billing.Monthly, billing.Actor{}); !errors.Is(err, billing.ErrConflict) {
		t.Errorf("to the same plan: %v", err)
	}
	if _, err := e.svc.ChangePlan(e.ctx, e.studio, "gold", billing.Monthly, billing.Actor{}); !isInputOn(err, "plan") {
		t.Errorf("to an unknown plan: %v", err)
	}
	s, err := e.svc.ChangePlan(e.ctx, e.studio, "max", billing.Yearly, billing.Actor{})
	if err != nil || s.Plan.Code != "max" || s.Interval != billing.Yearly || !s.Live() {
		t.Fatalf("after change: %+v, %v", s, err)
	}
	up := e.stripe.calls("POST", "/v1/subscriptions/sub_1")
	if len(up) != 1 || up[0].IdempotencyKey == "" || up[0].Form.Get("items[0][id]") != "si_sub_1" ||
		up[0].Form.Get("items[0][price]") != "price_1MaxYearly" || up[0].Form.Get("proration_behavior") != "always_invoice" ||
		up[0].Form.Get("metadata[plan]") != "max" {
		t.Errorf("update %+v", up)
	}
	if l, _ := e.svc.Limits(e.ctx, e.studio); l.Plan != "max" || l.Albums != billing.Unlimited {
		t.Errorf("limits after change %+v", l)
	}
	if kinds := e.audits(e.studio); kinds[len(kinds)-1] != "billing.plan_change" {
		t.Errorf("audit %v", kinds)
	}
	// The subscription's own event, older than the change, is stale.
	e.deliver("evt_2", "customer.subscription.updated", now.Add(-time.Minute), subscriptionObj("sub_1", "cus_1", "active", "price_1ProMonthly", now.AddDate(0, 1, 0), nil))
	if s, _ := e.svc.Subscription(e.ctx, e.studio); s.Plan.Code != "max" {
		t.Errorf("stale event undid the change: %+v", s)
	}
}
