package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// account is a studio's row of studio_billing: its profile and the state of
// its subscription as the newest Stripe object applied said.
type account struct {
	StudioID           uuid.UUID `gorm:"primaryKey"`
	LegalName          string
	Address            string
	StateCode          string
	Country            string
	GSTIN              string `gorm:"column:gstin"`
	BillingEmail       string
	StripeCustomerID   *string
	PlanCode           string
	BillingInterval    *string
	SubscriptionID     *string
	SubscriptionItemID *string
	SubscriptionStatus string
	CurrentPeriodEnd   *time.Time
	CancelAtPeriodEnd  bool
	StripeObjectAt     *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (account) TableName() string { return "studio_billing" }

func (a *account) profile() Profile {
	return Profile{LegalName: a.LegalName, Address: a.Address, StateCode: a.StateCode, Country: a.Country,
		GSTIN: a.GSTIN, BillingEmail: a.BillingEmail}
}

// accountOf reads the studio's row, or the defaults of a studio that has
// none yet (free plan, India).
func accountOf(tx *gorm.DB, studio uuid.UUID) (*account, error) {
	var as []account
	if err := tx.Where("studio_id = ?", studio).Limit(1).Find(&as).Error; err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return &account{StudioID: studio, PlanCode: FreePlan, Country: India}, nil
	}
	return &as[0], nil
}

// lockAccount creates the studio's row if need be and locks it for the
// rest of tx: changes to one studio's subscription are applied one at a
// time.
func lockAccount(tx *gorm.DB, studio uuid.UUID) (*account, error) {
	if err := tx.Exec("INSERT INTO studio_billing (studio_id) VALUES (?) ON CONFLICT DO NOTHING", studio).Error; err != nil {
		return nil, err
	}
	var a account
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("studio_id = ?", studio).Take(&a).Error; err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// Subscription statuses in which the studio has its plan. past_due keeps
// it while Stripe retries the card; the studio is told to update it.
var liveStatuses = map[string]bool{"active": true, "trialing": true, "past_due": true}

// Subscription is a studio's plan and where its subscription stands.
type Subscription struct {
	Plan              Plan       `json:"plan"`
	Interval          Interval   `json:"interval,omitempty"`
	Status            string     `json:"status"` // Stripe's status; "" without a subscription
	CurrentPeriodEnd  *time.Time `json:"current_period_end,omitempty"`
	CancelAtPeriodEnd bool       `json:"cancel_at_period_end"`
	HasCustomer       bool       `json:"has_customer"` // the billing portal can be opened
}

// Live reports whether a paid subscription is running (so a plan change
// goes through ChangePlan rather than a new checkout).
func (s *Subscription) Live() bool { return liveStatuses[s.Status] }

// PastDue reports whether the last payment failed and Stripe is retrying.
func (s *Subscription) PastDue() bool { return s.Status == "past_due" }

// Account is everything the studio's billing page shows, read at once.
type Account struct {
	Profile      Profile      `json:"profile"`
	Subscription Subscription `json:"subscription"`
	Limits       Limits       `json:"limits"`
	Unlocks      []Unlock     `json:"unlocks"`
	Invoices     []Invoice    `json:"invoices"`
	Enabled      bool         `json:"billing_enabled"`
}

// Account reads the studio's profile, subscription, limits, unlocks and
// invoices in one transaction.
func (s *Service) Account(ctx context.Context, studio uuid.UUID) (*Account, error) {
	out := &Account{Enabled: s.Enabled()}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		a, err := accountOf(tx, studio)
		if err != nil {
			return err
		}
		out.Profile = a.profile()
		if out.Subscription, err = subscriptionOf(tx, a); err != nil {
			return err
		}
		if out.Unlocks, err = unlocksOf(tx, studio); err != nil {
			return err
		}
		out.Limits = limitsOf(&out.Subscription.Plan, out.Unlocks)
		out.Invoices, err = invoicesOf(tx, studio)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: account: %w", err)
	}
	return out, nil
}

// Subscription is the studio's plan and subscription state.
func (s *Service) Subscription(ctx context.Context, studio uuid.UUID) (*Subscription, error) {
	var sub Subscription
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		a, err := accountOf(tx, studio)
		if err != nil {
			return err
		}
		sub, err = subscriptionOf(tx, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: subscription: %w", err)
	}
	return &sub, nil
}

func subscriptionOf(tx *gorm.DB, a *account) (Subscription, error) {
	p, err := planByCode(tx, a.PlanCode)
	if err != nil {
		return Subscription{}, fmt.Errorf("plan %s: %w", a.PlanCode, err)
	}
	sub := Subscription{Plan: *p, Status: a.SubscriptionStatus, CurrentPeriodEnd: a.CurrentPeriodEnd,
		CancelAtPeriodEnd: a.CancelAtPeriodEnd, HasCustomer: a.StripeCustomerID != nil}
	if a.BillingInterval != nil {
		sub.Interval = Interval(*a.BillingInterval)
	}
	return sub, nil
}
