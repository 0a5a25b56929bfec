package app

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/billing"
)

// apiBillingRoutes is billing in the JSON API: every member reads, owners
// (with a write token) change. Checkout and the portal answer with the
// Stripe URL to open; an app opens it in a browser.
func (a *App) apiBillingRoutes(r fiber.Router, api func(...fiber.Handler) []fiber.Handler) {
	r.Get("/billing", api(a.apiBilling)...)
	r.Get("/billing/profile", api(a.apiBillingProfile)...)
	r.Put("/billing/profile", api(apiOwner, a.apiSetBillingProfile)...)
	r.Post("/billing/checkout/subscription", api(apiOwner, a.apiCheckoutSubscription)...)
	r.Post("/billing/checkout/unlock", api(apiOwner, a.apiCheckoutUnlock)...)
	r.Put("/billing/subscription", api(apiOwner, a.apiChangePlan)...)
	r.Post("/billing/portal", api(apiOwner, a.apiBillingPortal)...)
	r.Get("/billing/invoices", api(a.apiInvoices)...)
	r.Get("/billing/invoices/:invoice/pdf", api(a.apiInvoicePDF)...)
}

// apiBillingActor is the token's user acting on billing.
func apiBillingActor(c *fiber.Ctx) billing.Actor {
	cl := apiCaller(c)
	return billing.Actor{UserID: cl.User.ID, TokenID: cl.Token.ID, IP: c.IP()}
}

// billingJSON is the studio's billing at a glance, with what it can buy.
type billingJSON struct {
	Enabled      bool                 `json:"billing_enabled"`
	Profile      profileJSON          `json:"profile"`
	Subscription billing.Subscription `json:"subscription"`
	Limits       billing.Limits       `json:"limits"`
	Usage        billing.Usage        `json:"usage"`
	Unlocks      []billing.Unlock     `json:"unlocks"`
	Plans        []billing.Plan       `json:"plans"`
	Products     []billing.Product    `json:"products"`
}

type profileJSON struct {
	billing.Profile
	Complete bool `json:"complete"`
}

func profileOf(p billing.Profile) profileJSON { return profileJSON{Profile: p, Complete: p.Complete()} }

// apiBilling is GET /api/v1/billing: plan, subscription, limits, usage,
// unlocks, and the plans and add-ons on sale.
func (a *App) apiBilling(c *fiber.Ctx) error {
	studio := apiStudio(c)
	acct, err := a.Billing.Account(ctx(c), studio)
	if err != nil {
		return err
	}
	usage, err := a.Usage(ctx(c), studio)
	if err != nil {
		return err
	}
	out := billingJSON{Enabled: acct.Enabled, Profile: profileOf(acct.Profile), Subscription: acct.Subscription,
		Limits: acct.Limits, Usage: usage, Unlocks: acct.Unlocks, Plans: []billing.Plan{}, Products: []billing.Product{}}
	plans, err := a.Billing.Plans(ctx(c))
	if err != nil {
		return err
	}
	for _, p := range plans {
		if p.Active {
			out.Plans = append(out.Plans, p)
		}
	}
	products, err := a.Billing.Products(ctx(c))
	if err != nil {
		return err
	}
	for _, p := range products {
		if p.Active {
			out.Products = append(out.Products, p)
		}
	}
	return c.JSON(out)
}

// apiBillingProfile is GET /api/v1/billing/profile.
func (a *App) apiBillingProfile(c *fiber.Ctx) error {
	p, err := a.Billing.Profile(ctx(c), apiStudio(c))
	if err != nil {
		return err
	}
	return c.JSON(profileOf(p))
}

// apiSetBillingProfile is PUT /api/v1/billing/profile: the whole profile.
func (a *App) apiSetBillingProfile(c *fiber.Ctx) error {
	var in billing.ProfileInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := a.Billing.SetProfile(ctx(c), apiStudio(c), in, apiBillingActor(c))
	if err != nil {
		return err
	}
	return c.JSON(profileOf(p))
}

// planChoice reads a plan and its billing interval from a JSON body.
func planChoice(c *fiber.Ctx) (string, billing.Interval, error) {
	var b struct {
		Plan     string `json:"plan"`
		Interval string `json:"interval"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return "", "", err
	}
	iv, err := billing.ParseInterval(b.Interval)
	return b.Plan, iv, err
}

// apiCheckoutSubscription is POST /api/v1/billing/checkout/subscription.
func (a *App) apiCheckoutSubscription(c *fiber.Ctx) error {
	plan, iv, err := planChoice(c)
	if err != nil {
		return err
	}
	co, err := a.Billing.StartSubscription(ctx(c), apiStudio(c), plan, iv, apiBillingActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(co)
}

// apiCheckoutUnlock is POST /api/v1/billing/checkout/unlock.
func (a *App) apiCheckoutUnlock(c *fiber.Ctx) error {
	var b struct {
		Product  string     `json:"product"`
		TargetID *uuid.UUID `json:"target_id"`
	}
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	studio := apiStudio(c)
	var target *uuid.UUID
	if b.TargetID != nil {
		t, err := a.unlockTarget(ctx(c), studio, b.TargetID.String())
		if err != nil {
			return err
		}
		target = t
	}
	co, err := a.Billing.StartUnlock(ctx(c), studio, b.Product, target, apiBillingActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(co)
}

// apiChangePlan is PUT /api/v1/billing/subscription: another plan or
// interval for the running subscription.
func (a *App) apiChangePlan(c *fiber.Ctx) error {
	plan, iv, err := planChoice(c)
	if err != nil {
		return err
	}
	sub, err := a.Billing.ChangePlan(ctx(c), apiStudio(c), plan, iv, apiBillingActor(c))
	if err != nil {
		return err
	}
	return c.JSON(sub)
}

// apiBillingPortal is POST /api/v1/billing/portal.
func (a *App) apiBillingPortal(c *fiber.Ctx) error {
	url, err := a.Billing.Portal(ctx(c), apiStudio(c), apiBillingActor(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": url})
}

// invoiceJSON is a tax invoice or credit note in the list; the PDF holds
// every particular.
type invoiceJSON struct {
	ID             uuid.UUID  `json:"id"`
	Kind           string     `json:"kind"`
	Serial         string     `json:"serial"`
	IssuedAt       time.Time  `json:"issued_at"`
	Description    string     `json:"description"`
	Currency       string     `json:"currency"`
	Taxable        int64      `json:"taxable"`
	Tax            int64      `json:"tax"`
	Total          int64      `json:"total"`
	SupplyKind     string     `json:"supply_kind"`
	OriginalID     *uuid.UUID `json:"original_id"`
	OriginalSerial *string    `json:"original_serial"`
}

func invoiceOf(inv *billing.Invoice) invoiceJSON {
	out := invoiceJSON{ID: inv.ID, Kind: inv.Kind, Serial: inv.Serial, IssuedAt: inv.IssuedAt.UTC(), Description: inv.Description(),
		Currency: inv.Currency, Taxable: inv.Taxable, Tax: inv.Tax, Total: inv.Total, SupplyKind: inv.SupplyKind, OriginalID: inv.OriginalID}
	if inv.OriginalSerial != "" {
		out.OriginalSerial = &inv.OriginalSerial
	}
	return out
}

// apiInvoices is GET /api/v1/billing/invoices: newest first.
func (a *App) apiInvoices(c *fiber.Ctx) error {
	list, err := a.Billing.Invoices(ctx(c), apiStudio(c))
	if err != nil {
		return err
	}
	out := struct {
		Invoices []invoiceJSON `json:"invoices"`
	}{Invoices: make([]invoiceJSON, 0, len(list))}
	for i := range list {
		out.Invoices = append(out.Invoices, invoiceOf(&list[i]))
	}
	return c.JSON(out)
}

// apiInvoicePDF is GET /api/v1/billing/invoices/{invoice}/pdf.
func (a *App) apiInvoicePDF(c *fiber.Ctx) error {
	id, err := apiID(c, "invoice")
	if err != nil {
		return err
	}
	return a.sendInvoicePDF(c, apiStudio(c), id, apiBillingActor(c))
}
