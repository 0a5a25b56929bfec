package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/billing"
	"github.com/proofsheet/proofsheet/billing/invoicepdf"
	"github.com/proofsheet/proofsheet/faces"
)

// billingView is the studio's billing page: where the subscription
// stands, what the studio uses, what it can buy, its invoices and whom
// they are made out to.
type billingView struct {
	Enabled         bool // Stripe keys are configured: things can be bought
	Owner           bool // may change anything; staff only read
	Live            bool // a paid subscription is running (plan changes, not checkout)
	PastDue         bool
	HasCustomer     bool // the Stripe portal can be opened
	ProfileComplete bool
	ProfileFirst    bool   // the details' form comes before the plans: to be filled in, or being corrected
	Notice          string // after a return from Checkout
	Plan            planSummary
	Usage           []usageRow
	Over            []string // limits passed (after a downgrade): that data is read-only
	Interval        string   // the interval the toggle starts on: "month" or "year"
	Plans           []planCard
	Products        []productCard
	Collections     []collectionOption // face search collections without an unlock
	Unlocks         []string
	Invoices        []invoiceRow
	Profile         profileForm
	States          []billing.State
	Errors          map[string]string // by section: plans, unlocks, portal
}

type planSummary struct {
	Name, Badge, BadgeClass, Detail string
}

type usageRow struct {
	Label, Used, Limit string
	Value, Max, High   int64 // for the meter; Max 0 when unlimited
	Over               bool
}

type planCard struct {
	Code, Name      string
	Monthly, Yearly string // prices; "" when the plan is not sold so
	Saving          string // of yearly billing over twelve months, "Save 17%"
	Limits          []string
	Current         bool
	Month, Year     planButton // the card's button with each interval chosen
	Note            string
	Free            bool
}

type planButton struct {
	Label    string // "" for no button
	Disabled bool
}

type productCard struct {
	Code, Name, Price, Detail string
	FaceSearch                bool
}

type collectionOption struct {
	ID   uuid.UUID
	Name string
}

type invoiceRow struct {
	Serial, Date, Title, Description, Amount, URL string
	Credit                                        bool
}

type profileForm struct {
	billing.ProfileInput
	Errors map[string]string
}

// ist is India's time: invoices are dated in it, and so is the page.
var ist = time.FixedZone("IST", 5*3600+1800)

func istDay(t time.Time) string { return t.In(ist).Format("2 January 2006") }

// rupees prints paise as the page shows money: ₹1,18,000.00.
func rupees(p int64) string {
	if p < 0 {
		return "−₹" + invoicepdf.FormatPaise(-p)
	}
	return "₹" + invoicepdf.FormatPaise(p)
}

// newBillingView builds the page from what billing and the app measured.
func newBillingView(acct *billing.Account, plans []billing.Plan, products []billing.Product, u billing.Usage, colls []faces.Collection, owner bool) *billingView {
	sub := acct.Subscription
	v := &billingView{
		Enabled: acct.Enabled, Owner: owner, Live: sub.Live(), PastDue: sub.PastDue(), HasCustomer: sub.HasCustomer,
		ProfileComplete: acct.Profile.Complete(), ProfileFirst: !acct.Profile.Complete(), Plan: summarise(&sub, acct.Enabled), Interval: string(billing.Monthly),
		Usage: usageRows(acct.Limits, u), States: billing.States(), Errors: map[string]string{},
		Profile: profileForm{ProfileInput: profileInput(acct.Profile), Errors: map[string]string{}},
	}
	if sub.Live() && sub.Interval == billing.Yearly {
		v.Interval = string(billing.Yearly)
	}
	if !acct.Enabled { // nothing can be bought, so nothing is limited (quota.go)
		none := billing.Limits{StorageBytes: billing.Unlimited, Albums: billing.Unlimited,
			FaceCollections: billing.Unlimited, StaffSeats: billing.Unlimited}
		v.Usage = usageRows(none, u)
	} else {
		for _, e := range acct.Limits.Over(u) {
			v.Over = append(v.Over, e.Message)
		}
	}
	for i := range plans {
		if p := &plans[i]; p.Active || p.Code == sub.Plan.Code {
			v.Plans = append(v.Plans, newPlanCard(p, &sub))
		}
	}
	for _, p := range products {
		if p.Active {
			v.Products = append(v.Products, newProductCard(p))
		}
	}
	v.Collections, v.Unlocks = unlockViews(acct.Unlocks, colls)
	for i := range acct.Invoices {
		v.Invoices = append(v.Invoices, newInvoiceRow(&acct.Invoices[i]))
	}
	return v
}

func profileInput(p billing.Profile) billing.ProfileInput {
	return billing.ProfileInput{LegalName: p.LegalName, Address: p.Address, State: p.StateCode,
		Country: p.Country, GSTIN: p.GSTIN, BillingEmail: p.BillingEmail}
}

// summarise says in words where the subscription stands.
func summarise(sub *billing.Subscription, enabled bool) planSummary {
	s := planSummary{Name: sub.Plan.Name}
	end := ""
	if sub.CurrentPeriodEnd != nil {
		end = istDay(*sub.CurrentPeriodEnd)
	}
	price := ""
	if sub.Interval != "" && sub.Plan.Price(sub.Interval) > 0 {
		price = fmt.Sprintf("Billed %sly: %s a %s, GST included.", sub.Interval, rupees(sub.Plan.Price(sub.Interval)), sub.Interval)
	}
	switch {
	case sub.PastDue():
		s.Badge, s.BadgeClass = "Past due", "danger"
		s.Detail = "The last payment did not go through. Stripe is trying the card again; the plan stays in force meanwhile."
	case sub.Live() && sub.CancelAtPeriodEnd:
		s.Badge, s.BadgeClass = "Ends "+end, "warn"
		s.Detail = fmt.Sprintf("Cancelled: the studio keeps the %s plan until %s, then moves to the free plan.", sub.Plan.Name, end)
	case sub.Live():
		s.Badge, s.BadgeClass = "Active", "ok"
		if sub.Status == "trialing" {
			s.Badge = "Trial"
		}
		s.Detail = strings.TrimSpace(price + " Renews on " + end + ".")
	case sub.Status != "":
		s.Badge, s.BadgeClass = endedBadge(sub.Status), "warn"
		s.Detail = "The subscription has ended; the studio is on the free plan. Choose a plan below to subscribe again."
	case enabled:
		s.Detail = "No subscription. Choose a plan below when the studio needs more."
	default:
		s.Detail = "Billing is off on this server, so no plan limits apply."
	}
	return s
}

func endedBadge(status string) string {
	switch status {
	case "incomplete", "incomplete_expired":
		return "Payment not completed"
	case "unpaid":
		return "Unpaid"
	}
	return "Cancelled"
}

// usageRows sets what the studio uses beside what its plan allows.
func usageRows(l billing.Limits, u billing.Usage) []usageRow {
	rows := []struct {
		label string
		used  int64
		lim   billing.Limit
		bytes bool
	}{
		{"Storage", u.StorageBytes, l.StorageBytes, true},
		{"Albums", u.Albums, l.Albums, false},
		{"Face search collections", u.FaceCollections, l.FaceCollections, false},
		{"Staff seats", u.StaffSeats, l.StaffSeats, false},
	}
	out := make([]usageRow, 0, len(rows))
	for _, r := range rows {
		show := func(n int64) string {
			if r.bytes {
				return humanSize(n)
			}
			return thousands(int(n))
		}
		row := usageRow{Label: r.label, Used: show(r.used), Value: r.used, Limit: "unlimited"}
		if r.bytes && r.used == 0 {
			row.Used = "0 GB"
		}
		if r.lim != billing.Unlimited {
			row.Limit, row.Max, row.Over = show(int64(r.lim)), int64(r.lim), r.used > int64(r.lim)
			row.High = int64(r.lim) * 9 / 10
		}
		out = append(out, row)
	}
	if n := len(l.UnlockedCollections); n > 0 {
		out[2].Label += fmt.Sprintf(" (and %s bought one by one)", plural(n, "unlocked collection", "unlocked collections"))
	}
	if n := l.CollectionCredits; n > 0 {
		out[2].Limit += fmt.Sprintf(", and %s for new collections", plural(n, "unlock", "unlocks"))
	}
	return out
}

func newPlanCard(p *billing.Plan, sub *billing.Subscription) planCard {
	c := planCard{Code: p.Code, Name: p.Name, Free: p.Code == billing.FreePlan, Current: p.Code == sub.Plan.Code}
	if p.MonthlyPaise > 0 {
		c.Monthly = rupees(p.MonthlyPaise) + " a month"
	}
	if p.YearlyPaise > 0 {
		c.Yearly = rupees(p.YearlyPaise) + " a year"
	}
	if p.MonthlyPaise > 0 && p.YearlyPaise > 0 && p.YearlyPaise < 12*p.MonthlyPaise {
		c.Saving = fmt.Sprintf("Save %d%%", 100-p.YearlyPaise*100/(12*p.MonthlyPaise))
	}
	c.Limits = planLimits(p)
	c.Month, c.Year, c.Note = planButtons(p, sub, c.Current)
	return c
}

func planLimits(p *billing.Plan) []string {
	count := func(l billing.Limit, one, many string) string {
		switch l {
		case billing.Unlimited:
			return "Unlimited " + many
		case 0:
			return "No " + many
		}
		return plural(int(l), one, many)
	}
	storage := "Unlimited storage"
	if p.StorageBytes != billing.Unlimited {
		storage = humanSize(int64(p.StorageBytes)) + " of storage"
	}
	return []string{storage, count(p.Albums, "album", "albums"),
		count(p.FaceCollections, "face search collection", "face search collections"),
		count(p.StaffSeats, "staff seat", "staff seats")}
}

// planButtons are a card's button with monthly and with yearly billing
// chosen, and a note when the card offers none.
func planButtons(p *billing.Plan, sub *billing.Subscription, current bool) (month, year planButton, note string) {
	if p.Code == billing.FreePlan {
		if sub.Live() {
			return month, year, "To return to the free plan, cancel under Manage card and cancellation: the paid plan lasts until the end of its period."
		}
		return month, year, ""
	}
	label := "Subscribe to " + p.Name
	if sub.Live() {
		label = "Change to " + p.Name
	}
	for _, b := range []struct {
		iv  billing.Interval
		out *planButton
	}{{billing.Monthly, &month}, {billing.Yearly, &year}} {
		switch {
		case p.Price(b.iv) == 0:
			*b.out = planButton{Label: "Not sold " + string(b.iv) + "ly", Disabled: true}
		case current && sub.Live() && sub.Interval == b.iv:
			*b.out = planButton{Label: "Current plan", Disabled: true}
		case current && sub.Live():
			*b.out = planButton{Label: "Switch to " + string(b.iv) + "ly billing"}
		default:
			*b.out = planButton{Label: label}
		}
	}
	return month, year, ""
}

func newProductCard(p billing.Product) productCard {
	c := productCard{Code: p.Code, Name: p.Name, Price: rupees(p.PricePaise), FaceSearch: p.Kind == billing.KindFaceSearch}
	if c.FaceSearch {
		c.Detail = "Face search for one more collection than the plan allows: one you have, or the next you make. One payment; it stays on for that collection."
	} else {
		c.Detail = fmt.Sprintf("Adds %s of storage to the studio's plan, whichever plan that is. One payment.", humanSize(p.Quantity))
	}
	return c
}

// unlockViews are the collections face search can still be bought for,
// and the unlocks in force in words.
func unlockViews(us []billing.Unlock, colls []faces.Collection) ([]collectionOption, []string) {
	names := map[uuid.UUID]string{}
	unlocked := map[uuid.UUID]bool{}
	for _, c := range colls {
		names[c.ID] = c.Name
	}
	var lines []string
	for _, u := range us {
		since := " (since " + istDay(u.CreatedAt) + ")"
		switch {
		case u.Kind == billing.KindFaceSearch && u.TargetID == nil:
			lines = append(lines, "Face search for the next new collection, waiting to be used"+since)
		case u.Kind == billing.KindFaceSearch:
			unlocked[*u.TargetID] = true
			name, ok := names[*u.TargetID]
			if !ok {
				name = "a deleted collection"
			}
			lines = append(lines, "Face search for “"+name+"”"+since)
		case u.Kind == billing.KindStoragePack:
			lines = append(lines, "Extra storage: "+humanSize(u.Quantity)+since)
		}
	}
	var opts []collectionOption
	for _, c := range colls {
		if !unlocked[c.ID] {
			opts = append(opts, collectionOption{ID: c.ID, Name: c.Name})
		}
	}
	return opts, lines
}

func newInvoiceRow(inv *billing.Invoice) invoiceRow {
	r := invoiceRow{Serial: inv.Serial, Date: inv.IssuedAt.In(ist).Format("2 Jan 2006"), Description: inv.Description(),
		Amount: rupees(inv.Total), URL: invoicePDFPath(inv.ID), Title: "Tax invoice", Credit: inv.Kind == billing.CreditNote}
	if r.Credit {
		r.Title = "Credit note"
		if inv.OriginalSerial != "" {
			r.Title += " for " + inv.OriginalSerial
		}
	}
	return r
}

func invoicePDFPath(id uuid.UUID) string { return "/studio/billing/invoices/" + id.String() + ".pdf" }
