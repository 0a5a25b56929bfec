package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/billing"
)

// admin runs an admin command and returns what it printed.
func runAdmin(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := adminCmd(t.Context(), args, strings.NewReader(""), &out)
	return out.String(), err
}

func mustAdmin(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runAdmin(t, args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return out
}

// The operator's plans: created with every field, changed a field at a
// time (the others kept), listed, and deleted unless a studio is on them.
func TestAdminPlans(t *testing.T) {
	ta := adminEnv(t)
	ctx := context.Background()
	out := mustAdmin(t, "plan", "set", "--code", "pro", "--name", "Pro", "--monthly", "1,180", "--yearly", "11800.50",
		"--stripe-monthly-price", "price_1ProMonthly", "--stripe-yearly-price", "price_1ProYearly",
		"--storage-limit", "100GB", "--albums", "50", "--face-collections", "2", "--staff-seats", "3", "--position", "1")
	if !strings.Contains(out, "saved plan pro: Pro, ₹1,180.00 a month, ₹11,800.50 a year; storage 100 GB, albums 50, face search collections 2, staff seats 3; on sale") {
		t.Fatalf("set: %q", out)
	}
	mustAdmin(t, "plan", "set", "--code", "pro", "--albums", "unlimited", "--active=false")
	p, err := ta.Billing.Plan(ctx, "pro")
	if err != nil {
		t.Fatal(err)
	}
	if p.Albums != billing.Unlimited || p.Active || p.MonthlyPaise != 118000 || p.YearlyPaise != 1180050 ||
		p.StorageBytes != 100<<30 || p.StripeYearlyPrice != "price_1ProYearly" || p.Position != 1 {
		t.Fatalf("after a partial set: %+v", p)
	}
	list := mustAdmin(t, "plan", "list")
	for _, want := range []string{"CODE", "free", "pro", "Pro", "₹1,180.00", "unlimited", "not on sale", "price_1ProMonthly price_1ProYearly"} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	// A studio on the plan keeps it: it cannot be deleted.
	studio := ta.NewStudio("Lumen").StudioID
	if _, err := ta.Superuser().Exec(t.Context(), "INSERT INTO studio_billing (studio_id, plan_code) VALUES ($1, 'pro')", studio); err != nil {
		t.Fatal(err)
	}
	if _, err := runAdmin(t, "plan", "delete", "--code", "pro"); err == nil || !strings.Contains(err.Error(), "make it inactive") {
		t.Fatalf("delete a plan in use: %v", err)
	}
	if _, err := ta.Superuser().Exec(t.Context(), "UPDATE studio_billing SET plan_code = 'free'"); err != nil {
		t.Fatal(err)
	}
	if out := mustAdmin(t, "plan", "delete", "--code", "pro"); out != "deleted plan pro\n" {
		t.Fatalf("delete: %q", out)
	}
}

// Products and the operator profile, set whole and then in part.
func TestAdminProductsAndOperator(t *testing.T) {
	ta := adminEnv(t)
	ctx := context.Background()
	out := mustAdmin(t, "product", "set", "--code", "storage100", "--name", "Storage pack, 100 GB", "--kind", "storage-pack",
		"--size", "100GB", "--price", "295", "--stripe-price", "price_1Storage100")
	if !strings.Contains(out, "saved product storage100: Storage pack, 100 GB, storage pack of 100 GB, ₹295.00 (price_1Storage100); on sale") {
		t.Fatalf("set: %q", out)
	}
	mustAdmin(t, "product", "set", "--code", "face", "--name", "Face search", "--kind", "face_search_collection",
		"--price", "590", "--stripe-price", "price_1FaceSearch")
	mustAdmin(t, "product", "set", "--code", "face", "--price", "650.00")
	p, err := ta.Billing.Product(ctx, "face")
	if err != nil || p.PricePaise != 65000 || p.Kind != billing.KindFaceSearch || p.Name != "Face search" {
		t.Fatalf("after a partial set: %+v %v", p, err)
	}
	if list := mustAdmin(t, "product", "list"); !strings.Contains(list, "storage100") || !strings.Contains(list, "₹650.00") {
		t.Fatalf("list:\n%s", list)
	}

	if _, err := runAdmin(t, "operator", "show"); err == nil || !strings.Contains(err.Error(), "no operator profile yet") {
		t.Fatalf("show before set: %v", err)
	}
	mustAdmin(t, "operator", "set", "--legal-name", "Proofsheet Technologies Pvt Ltd", "--address", `42 Residency Road\nBengaluru 560025`,
		"--state", "Karnataka", "--gstin", "29AAGCP7351M1ZS", "--sac-subscription", "998315", "--sac-face-search", "998314",
		"--sac-storage-pack", "998315", "--lut", "AD290326000123A", "--invoice-prefix", "INV", "--credit-note-prefix", "CN",
		"--signatory", "For Proofsheet Technologies Pvt Ltd", "--footer", "Thank you")
	mustAdmin(t, "operator", "set", "--footer", "Questions: billing@proofsheet.example")
	o, err := ta.Billing.Operator(ctx)
	if err != nil || o.Address != "42 Residency Road\nBengaluru 560025" || o.StateCode != "29" || o.SAC[billing.KindFaceSearch] != "998314" ||
		o.Footer != "Questions: billing@proofsheet.example" || o.Signatory != "For Proofsheet Technologies Pvt Ltd" {
		t.Fatalf("operator %+v, err %v", o, err)
	}
	show := mustAdmin(t, "operator", "show")
	for _, want := range []string{"legal name:         Proofsheet Technologies Pvt Ltd", "42 Residency Road, Bengaluru 560025", "Karnataka (29)", "invoice prefix:     INV"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}
}

// Mistakes are refused with what to do, and change nothing.
func TestAdminBillingRefusesBadInput(t *testing.T) {
	ta := adminEnv(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no verb", []string{"plan"}, "admin plan: say set, list or delete"},
		{"unknown verb", []string{"operator", "delete"}, "admin operator: say set or show"},
		{"no code", []string{"plan", "set", "--name", "Pro"}, "--code is required"},
		{"a new plan without limits", []string{"plan", "set", "--code", "pro", "--name", "Pro", "--monthly", "1180", "--stripe-monthly-price", "price_1A"},
			"plan pro is new: a new one needs --storage-limit, --albums, --face-collections, --staff-seats"},
		{"a price in words", []string{"plan", "set", "--code", "pro", "--monthly", "eleven"}, `"eleven" is not an amount in rupees`},
		{"three decimals", []string{"plan", "set", "--code", "pro", "--monthly", "1180.505"}, "is not an amount in rupees"},
		{"a size without a number", []string{"plan", "set", "--code", "pro", "--storage-limit", "lots"}, `"lots" is not a size`},
		{"a negative count", []string{"plan", "set", "--code", "pro", "--albums", "-3"}, `"-3" is not a count`},
		{"a price without its Stripe price", []string{"plan", "set", "--code", "pro", "--name", "Pro", "--monthly", "1180",
			"--storage-limit", "1GB", "--albums", "1", "--face-collections", "0", "--staff-seats", "1"}, "needs its Stripe price id"},
		{"a price for the free plan", []string{"plan", "set", "--code", "free", "--monthly", "10"}, "The free plan has no price"},
		{"delete the free plan", []string{"plan", "delete", "--code", "free"}, "cannot be deleted"},
		{"delete nothing", []string{"product", "delete", "--code", "nothing"}, `there is no product "nothing"`},
		{"an unknown kind", []string{"product", "set", "--code", "x", "--kind", "prints"}, `--kind "prints" is not face-search or storage-pack`},
		{"a new product without a price", []string{"product", "set", "--code", "x", "--name", "X", "--kind", "face-search"}, "needs --price, --stripe-price"},
		{"an operator without a GSTIN", []string{"operator", "set", "--legal-name", "P", "--address", "A", "--state", "29"}, "GSTIN"},
	}
	for _, c := range cases {
		if _, err := runAdmin(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one containing %q", c.name, err, c.want)
		}
	}
	ps, err := ta.Billing.Plans(context.Background())
	if err != nil || len(ps) != 1 || ps[0].MonthlyPaise != 0 {
		t.Fatalf("plans after refusals: %+v %v", ps, err)
	}
}
