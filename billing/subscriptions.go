package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// clockSkew is how far Stripe's clock may run ahead of ours. An object
// fetched from Stripe is dated this much after our now: an event created
// before the fetch must count as older than it, or its older object would
// replace the fetched one. Events created within the margin after a fetch
// count as stale too and fetch again, which is only one more call.
const clockSkew = time.Minute

// planHint is the plan a subscription was asked for (checkout metadata, a
// plan change), used when its price names no plan of the operator's.
type planHint struct {
	plan     string
	interval Interval
}

// onSubscription applies customer.subscription.created/updated/deleted.
//
// Order-independent: Stripe delivers events in no particular order, so
// each studio keeps the time of the newest subscription object applied.
// An event no newer than that is stale (events carry whole seconds, so a
// tie is stale too): the subscription is fetched from Stripe and its
// current state applied instead. Either way the state is a whole object's,
// never a merge of two.
func (s *Service) onSubscription(ctx context.Context, ev *stripe.Event) error {
	var sub stripe.Subscription
	if err := decode(ev, &sub); err != nil {
		return err
	}
	studio, err := s.studioFor(ctx, studioHints{metadata: sub.Metadata[metaStudio], customer: customerID(sub.Customer), subscription: sub.ID})
	if err != nil {
		return err
	}
	at := time.Unix(ev.Created, 0)
	stale := false
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := claim(tx, ev.ID); err != nil {
			return err
		}
		a, err := lockAccount(tx, studio)
		if err != nil {
			return err
		}
		if a.StripeObjectAt != nil && !at.After(*a.StripeObjectAt) {
			stale = true
			return nil
		}
		outcome, err := s.applySubscription(ctx, tx, a, &sub, at, planHint{}, "event "+ev.ID)
		if err != nil {
			return err
		}
		return s.finish(tx, ev.ID, studio, outcome)
	})
	if err != nil || !stale {
		return err
	}
	return s.refetchSubscription(ctx, ev.ID, studio, sub.ID, planHint{}, "stale event")
}

// refetchSubscription fetches the subscription from Stripe and applies it
// as of now, unless something newer was applied meanwhile.
func (s *Service) refetchSubscription(ctx context.Context, eventID string, studio uuid.UUID, subID string, h planHint, why string) error {
	if s.Stripe == nil {
		return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
			if err := claim(tx, eventID); err != nil {
				return err
			}
			return s.finish(tx, eventID, studio, why+"; billing off, not fetched")
		})
	}
	sub, err := s.Stripe.Subscriptions.Get(subID, &stripe.SubscriptionParams{Params: stripe.Params{Context: ctx}})
	if err != nil {
		return stripeErr("fetch subscription "+subID, err)
	}
	at := s.Now().Add(clockSkew)
	return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := claim(tx, eventID); err != nil {
			return err
		}
		a, err := lockAccount(tx, studio)
		if err != nil {
			return err
		}
		outcome := why + "; a newer state was applied meanwhile"
		if a.StripeObjectAt == nil || at.After(*a.StripeObjectAt) {
			if outcome, err = s.applySubscription(ctx, tx, a, sub, at, h, "fetched for event "+eventID); err != nil {
				return err
			}
			outcome = why + "; fetched and " + outcome
		}
		return s.finish(tx, eventID, studio, outcome)
	})
}

// applySubscription writes a subscription object's state, as of at, to the
// studio's locked row and audits what changed. The studio has the plan
// while the subscription is live, the free plan otherwise.
func (s *Service) applySubscription(ctx context.Context, tx *gorm.DB, a *account, sub *stripe.Subscription, at time.Time, h planHint, source string) (string, error) {
	status := string(sub.Status)
	if a.SubscriptionID != nil && *a.SubscriptionID != sub.ID && liveStatuses[a.SubscriptionStatus] && !liveStatuses[status] {
		return "ignored: subscription " + sub.ID + " is not the studio's live one", nil
	}
	planCode, iv, err := planOf(tx, sub, h, a)
	if err != nil {
		return "", err
	}
	effective, ivp := FreePlan, (*string)(nil)
	if liveStatuses[status] {
		effective = planCode
		if iv != "" {
			ivp = (*string)(&iv)
		}
	}
	var item *string
	if sub.Items != nil && len(sub.Items.Data) > 0 {
		item = &sub.Items.Data[0].ID
	}
	var periodEnd *time.Time
	if sub.CurrentPeriodEnd > 0 {
		t := time.Unix(sub.CurrentPeriodEnd, 0)
		periodEnd = &t
	}
	changed := a.SubscriptionID == nil || *a.SubscriptionID != sub.ID || a.PlanCode != effective ||
		a.SubscriptionStatus != status || a.CancelAtPeriodEnd != sub.CancelAtPeriodEnd || !sameTime(a.CurrentPeriodEnd, periodEnd)
	updates := map[string]any{
		"subscription_id": sub.ID, "subscription_item_id": item, "subscription_status": status,
		"current_period_end": periodEnd, "cancel_at_period_end": sub.CancelAtPeriodEnd, "plan_code": effective,
		"billing_interval": ivp, "stripe_object_at": at, "updated_at": s.Now(),
	}
	if c := customerID(sub.Customer); a.StripeCustomerID == nil && c != "" {
		updates["stripe_customer_id"] = c
	}
	if err := tx.Model(a).Updates(updates).Error; err != nil {
		return "", err
	}
	outcome := fmt.Sprintf("applied: %s, plan %s", status, effective)
	if !changed {
		return outcome + " (unchanged)", nil
	}
	return outcome, s.record(ctx, tx, a.StudioID, Actor{}, "billing.subscription_update", map[string]any{
		"subscription_id": sub.ID, "status": status, "plan": effective, "previous_plan": a.PlanCode,
		"previous_status": a.SubscriptionStatus, "cancel_at_period_end": sub.CancelAtPeriodEnd, "source": source,
	})
}

// planOf finds the plan and interval a subscription is for: by its price
// (the operator's plans name their Stripe prices), else by the metadata
// Proofsheet's checkout put on it, else by the hint, else the studio keeps
// the plan it has.
func planOf(tx *gorm.DB, sub *stripe.Subscription, h planHint, a *account) (string, Interval, error) {
	if sub.Items != nil {
		for _, it := range sub.Items.Data {
			if it.Price == nil {
				continue
			}
			code, iv, err := planByPrice(tx, it.Price.ID)
			if err != nil || code != "" {
				return code, iv, err
			}
		}
	}
	for _, c := range []planHint{{sub.Metadata[metaPlan], Interval(sub.Metadata[metaInterval])}, h} {
		if c.plan == "" {
			continue
		}
		if _, err := planByCode(tx, c.plan); err == nil {
			return c.plan, c.interval, nil
		}
	}
	iv := Interval("")
	if a.BillingInterval != nil {
		iv = Interval(*a.BillingInterval)
	}
	return a.PlanCode, iv, nil
}

// planByPrice is the plan selling a Stripe price and at which interval;
// "" when none does.
func planByPrice(tx *gorm.DB, price string) (string, Interval, error) {
	var ps []Plan
	if err := tx.Where("stripe_monthly_price = ? OR stripe_yearly_price = ?", price, price).Limit(1).Find(&ps).Error; err != nil {
		return "", "", err
	}
	if len(ps) == 0 {
		return "", "", nil
	}
	if ps[0].StripeYearlyPrice == price {
		return ps[0].Code, Yearly, nil
	}
	return ps[0].Code, Monthly, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
