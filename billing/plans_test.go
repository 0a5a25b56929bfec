package billing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/billing"
)

func TestPlansAreCheckedAndKept(t *testing.T) {
	e := newEnv(t)
	good := billing.PlanInput{Code: "pro", Name: "Pro", MonthlyPaise: 118000, StripeMonthlyPrice: "price_1ProMonthly",
		StorageBytes: 1 << 40, Albums: billing.Unlimited, FaceCollections: 2, StaffSeats: 3, Active: true}
	with := func(f func(*billing.PlanInput)) billing.PlanInput {
		in := good
		f(&in)
		return in
	}
	for _, tt := range []struct {
		name, field string
		in          billing.PlanInput
	}{
		{"bad code", "code", with(func(in *billing.PlanInput) { in.Code = "Pro Plan" })},
		{"no name", "name", with(func(in *billing.PlanInput) { in.Name = "" })},
		{"no price", "price", with(func(in *billing.PlanInput) { in.MonthlyPaise = 0; in.StripeMonthlyPrice = "" })},
		{"price without Stripe price", "stripe_monthly_price", with(func(in *billing.PlanInput) { in.StripeMonthlyPrice = "" })},
		{"Stripe price without price", "stripe_yearly_price", with(func(in *billing.PlanInput) { in.StripeYearlyPrice = "price_1ProYearly" })},
		{"free plan sold", "price", with(func(in *billing.PlanInput) { in.Code = billing.FreePlan })},
		{"no seats", "staff_seats", with(func(in *billing.PlanInput) { in.StaffSeats = 0 })},
		{"negative albums", "albums", with(func(in *billing.PlanInput) { in.Albums = -5 })},
	} {
		_, err := e.svc.SavePlan(e.ctx, tt.in)
		var ie *billing.InputError
		if !errors.As(err, &ie) || ie.Field != tt.field {
			t.Errorf("%s: %v, want an input error on %s", tt.name, err, tt.field)
		}
	}
	p, err := e.svc.SavePlan(e.ctx, good)
	if err != nil || p.Albums != billing.Unlimited || p.StorageBytes != 1<<40 || p.Currency != "INR" {
		t.Fatalf("saved %+v, %v", p, err)
	}
	// A price belongs to one plan or product.
	_, err = e.svc.SaveProduct(e.ctx, billing.ProductInput{Code: "face", Name: "Face search", Kind: billing.KindFaceSearch,
		PricePaise: 59000, StripePrice: "price_1ProMonthly", Active: true})
	if !errors.Is(err, billing.ErrInvalidInput) || !strings.Contains(err.Error(), "plan pro") {
		t.Errorf("reused price: %v", err)
	}
	plans, err := e.svc.Plans(e.ctx)
	if err != nil || len(plans) != 2 || plans[0].Code != billing.FreePlan || plans[1].Code != "pro" {
		t.Fatalf("plans %+v, %v", plans, err)
	}
	if err := e.svc.DeletePlan(e.ctx, billing.FreePlan); !errors.Is(err, billing.ErrConflict) {
		t.Errorf("delete free: %v", err)
	}
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	if _, err := e.su.Exec(e.ctx, "UPDATE studio_billing SET plan_code = 'pro'"); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeletePlan(e.ctx, "pro"); !errors.Is(err, billing.ErrConflict) {
		t.Errorf("delete plan in use: %v", err)
	}
	if err := e.svc.DeletePlan(e.ctx, "gone"); !errors.Is(err, billing.ErrNotFound) {
		t.Errorf("delete missing plan: %v", err)
	}
}

func TestLimitsAddUnlocksToThePlan(t *testing.T) {
	e := newEnv(t)
	e.setOperator("29", karnatakaGST)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	l, err := e.svc.Limits(e.ctx, e.studio)
	if err != nil || l.Plan != billing.FreePlan || l.Albums != 3 || l.StorageBytes != 2<<30 || l.FaceCollections != 0 {
		t.Fatalf("free limits %+v, %v", l, err)
	}
	err = l.Allow(billing.ResourceAlbums, 3, 1)
	var le *billing.LimitError
	if !errors.As(err, &le) || !errors.Is(err, billing.ErrLimitReached) || !strings.Contains(le.Message, "Free plan allows 3 albums") {
		t.Errorf("fourth album: %v", err)
	}
	if err := l.Allow(billing.ResourceAlbums, 2, 1); err != nil {
		t.Errorf("third album: %v", err)
	}

	// A storage pack and a face search unlock, bought and paid.
	e.linkCustomer(e.studio, "cus_1")
	collection := uuid.New() // a face collection of the studio's (faces owns them)
	e.deliver("evt_s1", "checkout.session.completed", e.clock.Now(), unlockSessionObj("cs_storage", "cus_1", e.studio, "storage100", nil, 29500, true))
	e.deliver("evt_s2", "checkout.session.completed", e.clock.Now(), unlockSessionObj("cs_face", "cus_1", e.studio, "face", &collection, 59000, true))
	l, err = e.svc.Limits(e.ctx, e.studio)
	if err != nil || l.StorageBytes != 102<<30 || !l.CollectionUnlocked(collection) || l.FaceCollections != 0 {
		t.Fatalf("limits with unlocks %+v, %v", l, err)
	}
	over := l.Over(billing.Usage{StorageBytes: 103 << 30, Albums: 5, FaceCollections: 0, StaffSeats: 1})
	if len(over) != 2 || over[0].Resource != billing.ResourceStorage || over[1].Resource != billing.ResourceAlbums {
		t.Errorf("over %+v", over)
	}
}
