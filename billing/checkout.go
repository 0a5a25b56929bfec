package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// Checkout is a started Stripe Checkout session: the app sends the browser
// to URL, where Stripe collects the card (never Proofsheet).
type Checkout struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Metadata keys on Stripe objects Proofsheet creates; webhooks read them.
const (
	metaStudio   = "studio_id"
	metaPurpose  = "purpose" // "subscription" or "unlock"
	metaPlan     = "plan"
	metaInterval = "interval"
	metaProduct  = "product"
	metaTarget   = "target_id"
)

// StartSubscription starts a Checkout session for plan at interval. The
// studio needs a complete billing profile (its invoices are made out from
// it) and no running subscription (that one changes through ChangePlan).
func (s *Service) StartSubscription(ctx context.Context, studio uuid.UUID, planCode string, iv Interval, act Actor) (*Checkout, error) {
	if _, err := s.stripeOn(); err != nil {
		return nil, fmt.Errorf("billing: start subscription: %w", err)
	}
	a, p, err := s.checkoutSubject(ctx, studio, planCode, iv)
	if err != nil {
		return nil, fmt.Errorf("billing: start subscription: %w", err)
	}
	customer, err := s.ensureCustomer(ctx, studio, a, act)
	if err != nil {
		return nil, fmt.Errorf("billing: start subscription: %w", err)
	}
	meta := map[string]string{metaStudio: studio.String(), metaPurpose: "subscription", metaPlan: p.Code, metaInterval: string(iv)}
	sp := &stripe.CheckoutSessionParams{
		Params:            params(ctx, attemptKey("checkout", studio)),
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(customer),
		ClientReferenceID: stripe.String(studio.String()),
		LineItems:         []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String(p.StripePrice(iv)), Quantity: stripe.Int64(1)}},
		SubscriptionData:  &stripe.CheckoutSessionSubscriptionDataParams{Metadata: meta},
	}
	return s.startCheckout(ctx, studio, sp, meta, act)
}

// checkoutSubject reads and checks what a subscription checkout needs.
func (s *Service) checkoutSubject(ctx context.Context, studio uuid.UUID, planCode string, iv Interval) (*account, *Plan, error) {
	var a *account
	var p *Plan
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if a, err = accountOf(tx, studio); err != nil {
			return err
		}
		if liveStatuses[a.SubscriptionStatus] {
			return conflict("The studio already has a subscription; change its plan instead of starting another.")
		}
		p, err = sellablePlan(tx, planCode, iv)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if !a.profile().Complete() {
		return nil, nil, invalid("profile", "Complete the billing profile first: invoices are made out to it.")
	}
	return a, p, nil
}

// sellablePlan finds an active plan sold at interval iv.
func sellablePlan(tx *gorm.DB, code string, iv Interval) (*Plan, error) {
	if iv != Monthly && iv != Yearly {
		return nil, invalid("interval", "Choose monthly or yearly billing.")
	}
	p, err := planByCode(tx, code)
	if errors.Is(err, ErrNotFound) || (err == nil && (!p.Active || p.Code == FreePlan)) {
		return nil, invalid("plan", "Choose one of the plans on offer.")
	}
	if err != nil {
		return nil, err
	}
	if p.StripePrice(iv) == "" {
		return nil, invalid("interval", fmt.Sprintf("The %s plan is not sold with %sly billing.", p.Name, iv))
	}
	return p, nil
}

// StartUnlock starts a Checkout session for a one-time product. target is
// the face collection of a face search unlock (the app checks that it is
// the studio's); a storage pack has none.
func (s *Service) StartUnlock(ctx context.Context, studio uuid.UUID, productCode string, target *uuid.UUID, act Actor) (*Checkout, error) {
	if _, err := s.stripeOn(); err != nil {
		return nil, fmt.Errorf("billing: start unlock: %w", err)
	}
	a, p, err := s.unlockSubject(ctx, studio, productCode, target)
	if err != nil {
		return nil, fmt.Errorf("billing: start unlock: %w", err)
	}
	customer, err := s.ensureCustomer(ctx, studio, a, act)
	if err != nil {
		return nil, fmt.Errorf("billing: start unlock: %w", err)
	}
	meta := map[string]string{metaStudio: studio.String(), metaPurpose: "unlock", metaProduct: p.Code}
	if target != nil {
		meta[metaTarget] = target.String()
	}
	sp := &stripe.CheckoutSessionParams{
		Params:            params(ctx, attemptKey("unlock", studio)),
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		Customer:          stripe.String(customer),
		ClientReferenceID: stripe.String(studio.String()),
		LineItems:         []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String(p.StripePrice), Quantity: stripe.Int64(1)}},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: meta},
	}
	return s.startCheckout(ctx, studio, sp, meta, act)
}

func (s *Service) unlockSubject(ctx context.Context, studio uuid.UUID, code string, target *uuid.UUID) (*account, *Product, error) {
	var a *account
	var p *Product
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if a, err = accountOf(tx, studio); err != nil {
			return err
		}
		p, err = productByCode(tx, code)
		if errors.Is(err, ErrNotFound) || (err == nil && !p.Active) {
			return invalid("product", "Choose one of the unlocks on offer.")
		}
		if err != nil {
			return err
		}
		return checkUnlockTarget(tx, studio, p, target)
	})
	if err != nil {
		return nil, nil, err
	}
	if !a.profile().Complete() {
		return nil, nil, invalid("profile", "Complete the billing profile first: invoices are made out to it.")
	}
	return a, p, nil
}

func checkUnlockTarget(tx *gorm.DB, studio uuid.UUID, p *Product, target *uuid.UUID) error {
	if p.Kind != KindFaceSearch {
		if target != nil {
			return invalid("target_id", "A storage pack is for the whole studio, not for one collection.")
		}
		return nil
	}
	if target == nil || *target == uuid.Nil {
		return nil // for the next collection made past the plan (Limits.CollectionCredits)
	}
	var n int64
	err := tx.Model(&Unlock{}).Where("studio_id = ? AND kind = ? AND target_id = ? AND revoked_at IS NULL", studio, KindFaceSearch, *target).Count(&n).Error
	if err != nil {
		return err
	}
	if n > 0 {
		return conflict("Face search is already unlocked for this collection.")
	}
	return nil
}

// startCheckout creates the session and audits it.
func (s *Service) startCheckout(ctx context.Context, studio uuid.UUID, sp *stripe.CheckoutSessionParams, meta map[string]string, act Actor) (*Checkout, error) {
	sp.Metadata = meta
	sp.SuccessURL = stripe.String(s.returnURL("checkout=success&session_id={CHECKOUT_SESSION_ID}"))
	sp.CancelURL = stripe.String(s.returnURL("checkout=cancelled"))
	cs, err := s.Stripe.CheckoutSessions.New(sp)
	if err != nil {
		return nil, fmt.Errorf("billing: start checkout: %w", stripeErr("create checkout session", err))
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		d := map[string]any{"session_id": cs.ID}
		for k, v := range meta {
			if k != metaStudio {
				d[k] = v
			}
		}
		return s.record(ctx, tx, studio, act, "billing.checkout_start", d)
	})
	if err != nil {
		return nil, fmt.Errorf("billing: start checkout: %w", err)
	}
	return &Checkout{ID: cs.ID, URL: cs.URL}, nil
}

// ensureCustomer returns the studio's Stripe customer, creating it once.
// The idempotency key is the studio's, so two checkouts started at once
// create one customer between them.
func (s *Service) ensureCustomer(ctx context.Context, studio uuid.UUID, a *account, act Actor) (string, error) {
	if a.StripeCustomerID != nil {
		return *a.StripeCustomerID, nil
	}
	cp := &stripe.CustomerParams{
		Params: params(ctx, "proofsheet-customer-"+studio.String()),
		Email:  stripe.String(a.BillingEmail),
		Name:   stripe.String(a.LegalName),
	}
	cp.AddMetadata(metaStudio, studio.String())
	c, err := s.Stripe.Customers.New(cp)
	if err != nil {
		return "", stripeErr("create customer", err)
	}
	id := c.ID
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		locked, err := lockAccount(tx, studio)
		if err != nil {
			return err
		}
		if locked.StripeCustomerID != nil {
			id = *locked.StripeCustomerID
			return nil
		}
		if err := tx.Model(locked).Updates(map[string]any{"stripe_customer_id": id, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "billing.customer_create", map[string]any{"customer_id": id})
	})
	return id, err
}

// Portal opens a Stripe billing portal session, where the studio changes
// its card, sees Stripe's receipts and cancels; it returns the URL to send
// the browser to.
func (s *Service) Portal(ctx context.Context, studio uuid.UUID, act Actor) (string, error) {
	if _, err := s.stripeOn(); err != nil {
		return "", fmt.Errorf("billing: portal: %w", err)
	}
	var a *account
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		a, err = accountOf(tx, studio)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("billing: portal: %w", err)
	}
	if a.StripeCustomerID == nil {
		return "", fmt.Errorf("billing: portal: %w", conflict("There is nothing to manage yet: subscribe or buy an unlock first."))
	}
	ps, err := s.Stripe.BillingPortalSessions.New(&stripe.BillingPortalSessionParams{
		Params:    params(ctx, attemptKey("portal", studio)),
		Customer:  a.StripeCustomerID,
		ReturnURL: stripe.String(s.returnURL("")),
	})
	if err != nil {
		return "", fmt.Errorf("billing: portal: %w", stripeErr("create portal session", err))
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return s.record(ctx, tx, studio, act, "billing.portal_open", map[string]any{"portal_session_id": ps.ID})
	})
	if err != nil {
		return "", fmt.Errorf("billing: portal: %w", err)
	}
	return ps.URL, nil
}

// returnURL is the billing page with query (may be empty).
func (s *Service) returnURL(query string) string {
	u := s.BaseURL + s.BillingPath
	if query != "" {
		u += "?" + query
	}
	return u
}
