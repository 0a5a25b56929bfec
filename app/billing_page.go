package app

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/app/auth"
	"github.com/proofsheet/proofsheet/billing"
	"github.com/proofsheet/proofsheet/faces"
)

// billingRoutes are the studio's billing page, its forms (owners only:
// staff read) and Stripe's webhook, which has neither session nor CSRF
// token: its signature is its authentication.
func (a *App) billingRoutes(member func(...fiber.Handler) []fiber.Handler, f *fiber.App) {
	f.Post("/webhooks/stripe", a.stripeWebhook)
	f.Get("/studio/billing", member(a.billingPage)...)
	f.Post("/studio/billing/profile", member(a.requireOwner, a.billingProfileForm)...)
	f.Post("/studio/billing/subscribe", member(a.requireOwner, a.billingSubscribeForm)...)
	f.Post("/studio/billing/change", member(a.requireOwner, a.billingChangeForm)...)
	f.Post("/studio/billing/unlock", member(a.requireOwner, a.billingUnlockForm)...)
	f.Post("/studio/billing/portal", member(a.requireOwner, a.billingPortalForm)...)
	f.Get("/studio/billing/invoices/:id.pdf", member(a.billingInvoicePDF)...)
}

// billingCSP lets the page's forms lead to Stripe: a form whose answer
// redirects to Checkout or the portal is bound by form-action too.
var billingCSP = strings.Replace(contentSecurityPolicy, "form-action 'self'",
	"form-action 'self' https://checkout.stripe.com https://billing.stripe.com", 1)

// pageActor is the signed-in user acting on billing.
func pageActor(c *fiber.Ctx) billing.Actor {
	return billing.Actor{UserID: session(c).UserID, IP: c.IP()}
}

func (a *App) billingPage(c *fiber.Ctx) error {
	v, err := a.billingData(c)
	if err != nil {
		return err
	}
	switch c.Query("checkout") {
	case "success":
		v.Notice = "Thank you. As soon as Stripe confirms the payment (usually within a minute), what you bought and its invoice show here."
	case "cancelled":
		v.Notice = "Checkout was cancelled: nothing was charged."
	}
	return a.renderBilling(c, fiber.StatusOK, v)
}

func (a *App) renderBilling(c *fiber.Ctx, status int, v *billingView) error {
	c.Set("Content-Security-Policy", billingCSP)
	return a.renderStatus(c, status, "billing", v)
}

// billingData reads everything the page shows.
func (a *App) billingData(c *fiber.Ctx) (*billingView, error) {
	s := session(c)
	cx := ctx(c)
	acct, err := a.Billing.Account(cx, s.StudioID)
	if err != nil {
		return nil, err
	}
	plans, err := a.Billing.Plans(cx)
	if err != nil {
		return nil, err
	}
	products, err := a.Billing.Products(cx)
	if err != nil {
		return nil, err
	}
	usage, err := a.Usage(cx, s.StudioID)
	if err != nil {
		return nil, err
	}
	var colls []faces.Collection
	if needsCollections(acct, products) {
		if colls, err = a.Faces.Collections(cx, s.StudioID); err != nil {
			return nil, err
		}
	}
	return newBillingView(acct, plans, products, usage, colls, s.User.Role == auth.RoleOwner), nil
}

// needsCollections reports whether the page names face search
// collections: to offer face search for one, or to say which have it.
func needsCollections(acct *billing.Account, products []billing.Product) bool {
	for _, u := range acct.Unlocks {
		if u.Kind == billing.KindFaceSearch {
			return true
		}
	}
	for _, p := range products {
		if p.Active && p.Kind == billing.KindFaceSearch && acct.Enabled {
			return true
		}
	}
	return false
}

// billingFormError shows the page again with the refusal beside what
// caused it: a field of the billing details, or a section (plans,
// unlocks, portal). Failures on our side or Stripe's go to the error page.
func (a *App) billingFormError(c *fiber.Ctx, err error, section string, edit func(*billingView)) error {
	p := toProblem(err)
	if p.Status >= 500 {
		return err
	}
	c.Locals(localErr, err)
	v, lerr := a.billingData(c)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	if edit != nil {
		edit(v)
	}
	var ie *billing.InputError
	if section == "profile" && errors.As(err, &ie) {
		v.Profile.Errors[ie.Field] = ie.Message
	} else if section == "profile" {
		v.Profile.Errors["profile"] = p.Detail
	} else {
		v.Errors[section] = p.Detail
	}
	return a.renderBilling(c, p.Status, v)
}

func (a *App) billingProfileForm(c *fiber.Ctx) error {
	in := billing.ProfileInput{LegalName: c.FormValue("legal_name"), Address: c.FormValue("address"),
		State: c.FormValue("state"), Country: c.FormValue("country"), GSTIN: c.FormValue("gstin"),
		BillingEmail: c.FormValue("billing_email")}
	if _, err := a.Billing.SetProfile(ctx(c), session(c).StudioID, in, pageActor(c)); err != nil {
		return a.billingFormError(c, err, "profile", func(v *billingView) {
			v.Profile.ProfileInput = in
			v.ProfileFirst = true
		})
	}
	setFlash(c, "Billing details saved. Invoices from now on are made out to them.")
	return c.Redirect("/studio/billing#billing-details", fiber.StatusSeeOther)
}

// billingSubscribeForm starts Stripe Checkout for a plan and sends the
// browser there.
func (a *App) billingSubscribeForm(c *fiber.Ctx) error {
	iv, err := billing.ParseInterval(c.FormValue("interval"))
	if err == nil {
		var co *billing.Checkout
		co, err = a.Billing.StartSubscription(ctx(c), session(c).StudioID, c.FormValue("plan"), iv, pageActor(c))
		if err == nil {
			return c.Redirect(co.URL, fiber.StatusSeeOther)
		}
	}
	return a.billingFormError(c, err, "plans", nil)
}

// billingChangeForm moves a running subscription to another plan or
// interval; Stripe prorates.
func (a *App) billingChangeForm(c *fiber.Ctx) error {
	iv, err := billing.ParseInterval(c.FormValue("interval"))
	if err == nil {
		var sub *billing.Subscription
		sub, err = a.Billing.ChangePlan(ctx(c), session(c).StudioID, c.FormValue("plan"), iv, pageActor(c))
		if err == nil {
			setFlash(c, "The studio is on the "+sub.Plan.Name+" plan now, billed "+string(sub.Interval)+"ly.")
			return c.Redirect("/studio/billing", fiber.StatusSeeOther)
		}
	}
	return a.billingFormError(c, err, "plans", nil)
}

// billingUnlockForm starts Checkout for a one-time product: face search
// for one of the studio's collections, or a storage pack.
func (a *App) billingUnlockForm(c *fiber.Ctx) error {
	studio := session(c).StudioID
	target, err := a.unlockTarget(ctx(c), studio, c.FormValue("collection"))
	if err == nil {
		var co *billing.Checkout
		co, err = a.Billing.StartUnlock(ctx(c), studio, c.FormValue("product"), target, pageActor(c))
		if err == nil {
			return c.Redirect(co.URL, fiber.StatusSeeOther)
		}
	}
	return a.billingFormError(c, err, "unlocks", nil)
}

// unlockTarget reads the face search collection an unlock is for (nil
// for none) and checks that it is the studio's: billing cannot tell a
// collection id from any other.
func (a *App) unlockTarget(cx context.Context, studio uuid.UUID, raw string) (*uuid.UUID, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	notOurs := &billing.InputError{Field: "target_id", Message: "Choose one of the studio's face search collections."}
	id, err := uuid.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, notOurs
	}
	if _, err := a.Faces.Collection(cx, studio, id); errors.Is(err, faces.ErrNotFound) {
		return nil, notOurs
	} else if err != nil {
		return nil, err
	}
	return &id, nil
}

func (a *App) billingPortalForm(c *fiber.Ctx) error {
	url, err := a.Billing.Portal(ctx(c), session(c).StudioID, pageActor(c))
	if err != nil {
		return a.billingFormError(c, err, "portal", nil)
	}
	return c.Redirect(url, fiber.StatusSeeOther)
}

func (a *App) billingInvoicePDF(c *fiber.Ctx) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	return a.sendInvoicePDF(c, session(c).StudioID, id, pageActor(c))
}

// sendInvoicePDF answers with the PDF of one of the studio's invoices or
// credit notes, rendered now if its job has not stored it yet, through
// the app's object sending (ETag, ranges); a download from the first byte
// is audited.
func (a *App) sendInvoicePDF(c *fiber.Ctx, studio, id uuid.UUID, act billing.Actor) error {
	obj, inv, err := a.Billing.InvoicePDF(ctx(c), studio, id)
	if err != nil {
		return err
	}
	obj.Close() // it is stored now; sendObject opens it for the range asked
	return a.sendObject(c, object{
		Studio: studio, Key: inv.PDFKey, Type: "application/pdf", Name: inv.FileName(), Tag: "invoice-" + inv.ID.String(),
		Started: func() error { return a.auditInvoiceDownload(ctx(c), studio, inv, act) },
	})
}

func (a *App) auditInvoiceDownload(cx context.Context, studio uuid.UUID, inv *billing.Invoice, act billing.Actor) error {
	return a.DB.InStudio(cx, studio, func(tx *gorm.DB) error {
		who := audit.Who{UserID: act.UserID, TokenID: act.TokenID, IP: act.IP}
		return a.Audit.Append(cx, tx, audit.NewEntry(studio, who, "billing."+inv.Kind+"_download",
			map[string]any{"invoice_id": inv.ID.String(), "serial": inv.Serial}))
	})
}
