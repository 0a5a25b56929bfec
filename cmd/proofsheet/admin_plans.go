package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/proofsheet/proofsheet/billing"
	"github.com/proofsheet/proofsheet/billing/invoicepdf"
)

// merge copies each field whose flag was given from the flags' record
// onto the stored one.
type merge []struct {
	flag  string
	apply func()
}

func (m merge) onto(given map[string]bool) {
	for _, f := range m {
		if given[f.flag] {
			f.apply()
		}
	}
}

// missing names the flags of need that were not given, for a new record.
func missing(given map[string]bool, need ...string) error {
	var out []string
	for _, n := range need {
		if !given[n] {
			out = append(out, "--"+n)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return fmt.Errorf("a new one needs %s", strings.Join(out, ", "))
}

func planSet(ctx context.Context, args []string, out io.Writer) error {
	var f billing.PlanInput
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&f.Code, "code", "", "the plan's `code`: lower-case letters, digits, - and _ (required)")
		fs.StringVar(&f.Name, "name", "", "the plan's `name` as studios see it")
		fs.Var(paise{&f.MonthlyPaise}, "monthly", "monthly `price` in rupees, GST included; 0: not sold monthly")
		fs.Var(paise{&f.YearlyPaise}, "yearly", "yearly `price` in rupees, GST included; 0: not sold yearly")
		fs.StringVar(&f.StripeMonthlyPrice, "stripe-monthly-price", "", "Stripe `id` (price_...) of the monthly price")
		fs.StringVar(&f.StripeYearlyPrice, "stripe-yearly-price", "", "Stripe `id` (price_...) of the yearly price")
		fs.Var(limit{&f.StorageBytes, true}, "storage-limit", "storage allowed: a `size` such as 100GB, or unlimited")
		fs.Var(limit{&f.Albums, false}, "albums", "albums allowed: a `count` or unlimited")
		fs.Var(limit{&f.FaceCollections, false}, "face-collections", "face search collections allowed: a `count` or unlimited")
		fs.Var(limit{&f.StaffSeats, false}, "staff-seats", "members allowed, owners included: a `count` or unlimited")
		fs.BoolVar(&f.Active, "active", true, "on sale; --active=false stops selling it (studios on it keep it)")
		fs.IntVar(&f.Position, "position", 0, "place among the plans, smallest first (a `number`)")
	}
	return billingCmd(ctx, "plan set", args, flags, func(b *billing.Service, given map[string]bool) error {
		if f.Code == "" {
			return errors.New("admin plan set: --code is required")
		}
		in := f
		old, err := b.Plan(ctx, f.Code)
		switch {
		case err == nil:
			in = planInput(old)
			planMerge(&in, &f).onto(given)
		case errors.Is(err, billing.ErrNotFound):
			if err := missing(given, "name", "storage-limit", "albums", "face-collections", "staff-seats"); err != nil {
				return fmt.Errorf("admin plan set: plan %s is new: %w", f.Code, err)
			}
		default:
			return err
		}
		p, err := b.SavePlan(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "saved plan %s: %s\n", p.Code, describePlan(p))
		return nil
	})
}

func planInput(p *billing.Plan) billing.PlanInput {
	return billing.PlanInput{Code: p.Code, Name: p.Name, MonthlyPaise: p.MonthlyPaise, YearlyPaise: p.YearlyPaise,
		StripeMonthlyPrice: p.StripeMonthlyPrice, StripeYearlyPrice: p.StripeYearlyPrice, StorageBytes: p.StorageBytes,
		Albums: p.Albums, FaceCollections: p.FaceCollections, StaffSeats: p.StaffSeats, Active: p.Active, Position: p.Position}
}

func planMerge(in, f *billing.PlanInput) merge {
	return merge{
		{"name", func() { in.Name = f.Name }},
		{"monthly", func() { in.MonthlyPaise = f.MonthlyPaise }},
		{"yearly", func() { in.YearlyPaise = f.YearlyPaise }},
		{"stripe-monthly-price", func() { in.StripeMonthlyPrice = f.StripeMonthlyPrice }},
		{"stripe-yearly-price", func() { in.StripeYearlyPrice = f.StripeYearlyPrice }},
		{"storage-limit", func() { in.StorageBytes = f.StorageBytes }},
		{"albums", func() { in.Albums = f.Albums }},
		{"face-collections", func() { in.FaceCollections = f.FaceCollections }},
		{"staff-seats", func() { in.StaffSeats = f.StaffSeats }},
		{"active", func() { in.Active = f.Active }},
		{"position", func() { in.Position = f.Position }},
	}
}

func rupees(p int64) string { return "₹" + invoicepdf.FormatPaise(p) }

func price(p int64, per string) string {
	if p == 0 {
		return "not sold " + per + "ly"
	}
	return rupees(p) + " a " + per
}

func size(l billing.Limit) string {
	if l == billing.Unlimited {
		return "unlimited"
	}
	return fmt.Sprintf("%.4g GB", float64(l)/(1<<30))
}

func onSale(active bool) string {
	if active {
		return "on sale"
	}
	return "not on sale"
}

func describePlan(p *billing.Plan) string {
	return fmt.Sprintf("%s, %s, %s; storage %s, albums %s, face search collections %s, staff seats %s; %s",
		p.Name, price(p.MonthlyPaise, "month"), price(p.YearlyPaise, "year"), size(p.StorageBytes),
		p.Albums, p.FaceCollections, p.StaffSeats, onSale(p.Active))
}

func planList(ctx context.Context, b *billing.Service, out io.Writer) error {
	ps, err := b.Plans(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CODE\tNAME\tMONTHLY\tYEARLY\tSTORAGE\tALBUMS\tFACE SEARCH\tSEATS\tSALE\tSTRIPE PRICES")
	for i := range ps {
		p := &ps[i]
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Code, p.Name, rupees(p.MonthlyPaise), rupees(p.YearlyPaise),
			size(p.StorageBytes), p.Albums, p.FaceCollections, p.StaffSeats, onSale(p.Active),
			strings.TrimSpace(p.StripeMonthlyPrice+" "+p.StripeYearlyPrice))
	}
	return w.Flush()
}

// productKinds accepts the kinds' short names too.
var productKinds = map[string]string{
	"face-search": billing.KindFaceSearch, billing.KindFaceSearch: billing.KindFaceSearch,
	"storage-pack": billing.KindStoragePack, billing.KindStoragePack: billing.KindStoragePack,
}

func productSet(ctx context.Context, args []string, out io.Writer) error {
	var f billing.ProductInput
	var quantity billing.Limit
	flags := func(fs *flag.FlagSet) {
		fs.StringVar(&f.Code, "code", "", "the product's `code`: lower-case letters, digits, - and _ (required)")
		fs.StringVar(&f.Name, "name", "", "the product's `name` as studios see it")
		fs.StringVar(&f.Kind, "kind", "", "face-search (for one collection) or storage-pack")
		fs.Var(limit{&quantity, true}, "size", "a storage pack's `size`, such as 100GB")
		fs.Var(paise{&f.PricePaise}, "price", "`price` in rupees, GST included")
		fs.StringVar(&f.StripePrice, "stripe-price", "", "Stripe `id` (price_...) of the one-time price")
		fs.BoolVar(&f.Active, "active", true, "on sale; --active=false stops selling it")
	}
	return billingCmd(ctx, "product set", args, flags, func(b *billing.Service, given map[string]bool) error {
		if f.Code == "" {
			return errors.New("admin product set: --code is required")
		}
		if k, ok := productKinds[f.Kind]; ok {
			f.Kind = k
		} else if given["kind"] {
			return fmt.Errorf("admin product set: --kind %q is not face-search or storage-pack", f.Kind)
		}
		f.Quantity = int64(quantity)
		in, err := productMerge(ctx, b, f, given)
		if err != nil {
			return err
		}
		p, err := b.SaveProduct(ctx, in)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "saved product %s: %s\n", p.Code, describeProduct(p))
		return nil
	})
}

// productMerge is the stored product with the given flags applied, or the
// flags' product when it is new.
func productMerge(ctx context.Context, b *billing.Service, f billing.ProductInput, given map[string]bool) (billing.ProductInput, error) {
	old, err := b.Product(ctx, f.Code)
	if errors.Is(err, billing.ErrNotFound) {
		if err := missing(given, "name", "kind", "price", "stripe-price"); err != nil {
			return f, fmt.Errorf("admin product set: product %s is new: %w", f.Code, err)
		}
		return f, nil
	}
	if err != nil {
		return f, err
	}
	in := billing.ProductInput{Code: old.Code, Name: old.Name, Kind: old.Kind, Quantity: old.Quantity,
		PricePaise: old.PricePaise, StripePrice: old.StripePrice, Active: old.Active}
	merge{
		{"name", func() { in.Name = f.Name }},
		{"kind", func() { in.Kind = f.Kind }},
		{"size", func() { in.Quantity = f.Quantity }},
		{"price", func() { in.PricePaise = f.PricePaise }},
		{"stripe-price", func() { in.StripePrice = f.StripePrice }},
		{"active", func() { in.Active = f.Active }},
	}.onto(given)
	return in, nil
}

func describeProduct(p *billing.Product) string {
	what := "face search for one collection"
	if p.Kind == billing.KindStoragePack {
		what = "storage pack of " + size(billing.Limit(p.Quantity))
	}
	return fmt.Sprintf("%s, %s, %s (%s); %s", p.Name, what, rupees(p.PricePaise), p.StripePrice, onSale(p.Active))
}

func productList(ctx context.Context, b *billing.Service, out io.Writer) error {
	ps, err := b.Products(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CODE\tNAME\tKIND\tSIZE\tPRICE\tSALE\tSTRIPE PRICE")
	for i := range ps {
		p := &ps[i]
		sz := "-"
		if p.Kind == billing.KindStoragePack {
			sz = size(billing.Limit(p.Quantity))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Code, p.Name, p.Kind, sz, rupees(p.PricePaise), onSale(p.Active), p.StripePrice)
	}
	return w.Flush()
}
