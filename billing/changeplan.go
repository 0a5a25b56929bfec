package billing

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// ChangePlan moves a running subscription to another plan or interval by
// swapping its one item's price. Stripe prorates and charges the difference
// at once (always_invoice), so an upgrade's invoice.paid brings its GST
// invoice; a downgrade's credit goes to the Stripe balance and lowers the
// next payment. The subscription Stripe returns is applied at once; its
// events that follow are then stale or equal and change nothing.
func (s *Service) ChangePlan(ctx context.Context, studio uuid.UUID, planCode string, iv Interval, act Actor) (*Subscription, error) {
	if _, err := s.stripeOn(); err != nil {
		return nil, fmt.Errorf("billing: change plan: %w", err)
	}
	a, p, err := s.changeSubject(ctx, studio, planCode, iv)
	if err != nil {
		return nil, fmt.Errorf("billing: change plan: %w", err)
	}
	item := ""
	if a.SubscriptionItemID != nil {
		item = *a.SubscriptionItemID
	} else if item, err = s.subscriptionItem(ctx, *a.SubscriptionID); err != nil {
		return nil, fmt.Errorf("billing: change plan: %w", err)
	}
	up := &stripe.SubscriptionParams{
		Params:            params(ctx, attemptKey("change-plan", studio)),
		Items:             []*stripe.SubscriptionItemsParams{{ID: stripe.String(item), Price: stripe.String(p.StripePrice(iv))}},
		ProrationBehavior: stripe.String("always_invoice"),
		CancelAtPeriodEnd: stripe.Bool(false),
	}
	up.Metadata = map[string]string{metaStudio: studio.String(), metaPlan: p.Code, metaInterval: string(iv)}
	sub, err := s.Stripe.Subscriptions.Update(*a.SubscriptionID, up)
	if err != nil {
		return nil, fmt.Errorf("billing: change plan: %w", stripeErr("update subscription", err))
	}
	if err := s.applyChange(ctx, studio, sub, p, iv, act); err != nil {
		return nil, fmt.Errorf("billing: change plan: %w", err)
	}
	return s.Subscription(ctx, studio)
}

func (s *Service) changeSubject(ctx context.Context, studio uuid.UUID, planCode string, iv Interval) (*account, *Plan, error) {
	var a *account
	var p *Plan
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if a, err = accountOf(tx, studio); err != nil {
			return err
		}
		if a.SubscriptionID == nil || !liveStatuses[a.SubscriptionStatus] {
			return conflict("The studio has no running subscription to change; choose a plan to subscribe.")
		}
		if p, err = sellablePlan(tx, planCode, iv); err != nil {
			return err
		}
		if a.PlanCode == p.Code && a.BillingInterval != nil && Interval(*a.BillingInterval) == iv {
			return conflict(fmt.Sprintf("The studio is on the %s plan, billed %sly, already.", p.Name, iv))
		}
		return nil
	})
	return a, p, err
}

// subscriptionItem is the id of the subscription's (one) item.
func (s *Service) subscriptionItem(ctx context.Context, subID string) (string, error) {
	sub, err := s.Stripe.Subscriptions.Get(subID, &stripe.SubscriptionParams{Params: stripe.Params{Context: ctx}})
	if err != nil {
		return "", stripeErr("fetch subscription "+subID, err)
	}
	if sub.Items == nil || len(sub.Items.Data) != 1 {
		return "", fmt.Errorf("subscription %s has no single item to change", subID)
	}
	return sub.Items.Data[0].ID, nil
}

// applyChange applies the subscription as Stripe returned it and audits the
// studio's request.
func (s *Service) applyChange(ctx context.Context, studio uuid.UUID, sub *stripe.Subscription, p *Plan, iv Interval, act Actor) error {
	at := s.Now().Add(clockSkew) // as a fetched object: Stripe's now
	return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		a, err := lockAccount(tx, studio)
		if err != nil {
			return err
		}
		from := a.PlanCode
		if a.StripeObjectAt == nil || at.After(*a.StripeObjectAt) {
			if _, err := s.applySubscription(ctx, tx, a, sub, at, planHint{plan: p.Code, interval: iv}, "plan change"); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, studio, act, "billing.plan_change", map[string]any{
			"subscription_id": sub.ID, "from": from, "to": p.Code, "interval": string(iv),
		})
	})
}
