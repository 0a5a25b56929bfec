package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/billing"
)

// Without Stripe keys the page says billing is off in words, offers
// nothing to buy, and every way to buy or to reach Stripe is refused
// with 503 while the rest of the studio works.
func TestBillingPageWhenBillingIsOff(t *testing.T) {
	ta := apptest.New(t)
	o := ta.SignUp("Lumen", "asha@lumen.example")
	o.Client.Run(t, []apptest.Scenario{
		{Name: "the page", Path: "/studio/billing", Status: http.StatusOK,
			Contains:    []string{"<h1>Billing</h1>", "Billing is off on this server", "no plan limits apply", "Billing details", `aria-current="page">Billing`},
			NotContains: []string{"/studio/billing/subscribe", "/studio/billing/portal", "Buy for"}},
		{Name: "a profile can still be kept", Path: "/studio/billing/profile", Form: profileForm(), Status: http.StatusSeeOther},
		{Name: "subscribe", Path: "/studio/billing/subscribe", Form: url.Values{"plan": {"free"}, "interval": {"month"}},
			Status: http.StatusServiceUnavailable, Contains: []string{"Billing is off on this server"}},
		{Name: "portal", Path: "/studio/billing/portal", Form: url.Values{}, Status: http.StatusServiceUnavailable},
		{Name: "the studio works", Path: "/studio/albums", Status: http.StatusOK},
	})
	res := postWebhook(t, ta, []byte(`{}`), "t=1,v1=00")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("webhook with billing off: %d %s", res.StatusCode, res.Body)
	}
}

// The owner's way through the page: every refusal is shown next to what
// caused it (a field of the billing details, the plans, the add-ons, the
// portal), and every purchase leads to Stripe Checkout.
func TestBillingPageOwner(t *testing.T) {
	ta := billingApp(t)
	setupBilling(t, ta)
	o := ta.SignUp("Lumen", "asha@lumen.example")
	studio := studioOf(t, ta, o.Email)
	coll := newCollection(t, ta, studio, "Sharma wedding")
	other := ta.NewStudio("Other Studio")
	otherColl := newCollection(t, ta, other.StudioID, "Not yours")

	res := o.Client.Get("/studio/billing")
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://checkout.stripe.com https://billing.stripe.com") {
		t.Errorf("CSP %q does not let the forms lead to Stripe", csp)
	}
	o.Client.Run(t, []apptest.Scenario{
		{Name: "free plan, nothing bought", Path: "/studio/billing", Status: http.StatusOK,
			Contains: []string{`data-plan-name>Free<`, "No subscription", "₹1,180.00 a month", "₹11,800.00 a year", "Save 17%",
				"Subscribe to Pro", "Subscribe to Max", "Buy for ₹590.00", "Buy for ₹295.00", `<option value="` + coll.String() + `">Sharma wedding</option>`,
				"No invoices yet", "Fill in the billing details above first", "Storage", "of 2 GB", "Staff seats"},
			NotContains: []string{"Manage card and cancellation", otherColl.String()}},
		{Name: "no checkout without a profile", Path: "/studio/billing/subscribe", Form: url.Values{"plan": {"pro"}, "interval": {"month"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Complete the billing profile first"}},
		{Name: "a wrong GSTIN is named beside its field", Path: "/studio/billing/profile",
			Form: with(profileForm(), "gstin", "29AAGCP7351M1ZT"), Status: http.StatusUnprocessableEntity,
			Contains: []string{`id="gstin-error"`, `aria-invalid="true" aria-describedby="gstin-error"`, "The last character of this GSTIN should be S", `value="Lumen Photography LLP"`}},
		{Name: "a GSTIN of another state", Path: "/studio/billing/profile",
			Form: with(profileForm(), "gstin", "27AAPFU0939F1ZV"), Status: http.StatusUnprocessableEntity,
			Contains: []string{`id="gstin-error"`, "Maharashtra"}},
		{Name: "no state in India", Path: "/studio/billing/profile", Form: with(profileForm(), "state", ""),
			Status: http.StatusUnprocessableEntity, Contains: []string{`id="state-error"`, "Choose the state"}},
		{Name: "a bad e-mail", Path: "/studio/billing/profile", Form: with(profileForm(), "billing_email", "accounts"),
			Status: http.StatusUnprocessableEntity, Contains: []string{`id="billing_email-error"`}},
		{Name: "the profile", Path: "/studio/billing/profile", Form: with(profileForm(), "gstin", "29AAGCP7351M1ZS"),
			Status: http.StatusSeeOther, Location: "/studio/billing"},
		{Name: "saved", Path: "/studio/billing", Status: http.StatusOK,
			Contains: []string{"Billing details saved", `value="29AAGCP7351M1ZS"`, `<option value="29" selected>Karnataka</option>`}},
		{Name: "an unknown interval", Path: "/studio/billing/subscribe", Form: url.Values{"plan": {"pro"}, "interval": {"weekly"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Choose monthly or yearly billing"}},
		{Name: "the free plan is not sold", Path: "/studio/billing/subscribe", Form: url.Values{"plan": {"free"}, "interval": {"month"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Choose one of the plans on offer"}},
		{Name: "subscribe", Path: "/studio/billing/subscribe", Form: url.Values{"plan": {"pro"}, "interval": {"year"}},
			Status: http.StatusSeeOther, Location: "https://checkout.stripe.com/"},
		{Name: "face search for another studio's collection", Path: "/studio/billing/unlock",
			Form: url.Values{"product": {"face"}, "collection": {otherColl.String()}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Choose one of the studio&#39;s face search collections."}},
		{Name: "face search for the next new collection", Path: "/studio/billing/unlock", Form: url.Values{"product": {"face"}, "collection": {""}},
			Status: http.StatusSeeOther, Location: "https://checkout.stripe.com/"},
		{Name: "face search for ours", Path: "/studio/billing/unlock", Form: url.Values{"product": {"face"}, "collection": {coll.String()}},
			Status: http.StatusSeeOther, Location: "https://checkout.stripe.com/"},
		{Name: "a storage pack", Path: "/studio/billing/unlock", Form: url.Values{"product": {"storage100"}},
			Status: http.StatusSeeOther, Location: "https://checkout.stripe.com/"},
		{Name: "back from checkout", Path: "/studio/billing?checkout=cancelled", Status: http.StatusOK, Contains: []string{"nothing was charged"}},
		{Name: "the portal, now there is a customer", Path: "/studio/billing/portal", Form: url.Values{}, Status: http.StatusSeeOther, Location: "https://"},
		{Name: "another studio's invoice", Path: "/studio/billing/invoices/" + uuid.NewString() + ".pdf", Status: http.StatusNotFound},
		{Name: "a form without its CSRF token", Path: "/studio/billing/profile", Form: profileForm(), NoCSRF: true, Status: http.StatusForbidden},
	})
	// Each checkout went to Stripe with what it was for, and is audited.
	kinds := query[string](t, ta, `SELECT string_agg(kind || ':' || coalesce(detail->>'plan', detail->>'product', '')
		|| coalesce('@' || (detail->>'target_id'), ''), ',' ORDER BY seq) FROM audit_log WHERE studio_id = $1 AND kind LIKE 'billing.%'`, studio)
	want := "billing.profile_update:,billing.customer_create:,billing.checkout_start:pro,billing.checkout_start:face," +
		"billing.checkout_start:face@" + coll.String() + ",billing.checkout_start:storage100,billing.portal_open:"
	if kinds != want {
		t.Errorf("audit:\n%s\nwant:\n%s", kinds, want)
	}
}

// Staff see the plan, the usage and the invoices, and change nothing.
func TestBillingPageStaffRead(t *testing.T) {
	ta := billingApp(t)
	setupBilling(t, ta)
	o := ta.SignUp("Lumen", "asha@lumen.example")
	o.Client.Run(t, []apptest.Scenario{{Path: "/studio/billing/profile", Form: profileForm(), Status: http.StatusSeeOther}})
	staff := staffJoin(t, ta, staffInvite(t, ta, o, "ravi@lumen.example", "staff"), "Ravi")
	staff.Run(t, []apptest.Scenario{
		{Name: "read", Path: "/studio/billing", Status: http.StatusOK,
			Contains:    []string{"Lumen Photography LLP", "Only studio owners can change billing", "₹1,180.00 a month", "of 2"},
			NotContains: []string{`action="/studio/billing/profile"`, "Subscribe to Pro", "Buy for"}},
		{Name: "no profile change", Path: "/studio/billing/profile", Form: profileForm(), Status: http.StatusForbidden},
		{Name: "no checkout", Path: "/studio/billing/subscribe", Form: url.Values{"plan": {"pro"}, "interval": {"month"}}, Status: http.StatusForbidden},
		{Name: "no portal", Path: "/studio/billing/portal", Form: url.Values{}, Status: http.StatusForbidden},
	})
}

// After Stripe's webhooks a studio has its plan, its invoice (downloadable
// and audited), and usage measured against the new limits.
func TestBillingPageAfterPayment(t *testing.T) {
	ta := billingApp(t)
	o, studio := checkingOut(t, ta)
	payForPlan(t, ta, func(p []byte) { deliver(t, ta, p) }, studio, "pro", "price_1ProMonthly", "month", 118000, 2*time.Minute)
	waitUntil(t, ta, "the events worked", "SELECT count(*) = 3 FROM stripe_events WHERE processed_at IS NOT NULL")
	waitUntil(t, ta, "invoice stored and e-mailed", `SELECT count(*) = 1 FROM invoices WHERE studio_id = $1
		AND pdf_stored_at IS NOT NULL AND emailed_at IS NOT NULL`, studio)
	serial := query[string](t, ta, "SELECT serial FROM invoices WHERE studio_id = $1", studio)
	id := query[uuid.UUID](t, ta, "SELECT id FROM invoices WHERE studio_id = $1", studio)
	o.Client.Run(t, []apptest.Scenario{
		{Name: "paid plan", Path: "/studio/billing", Status: http.StatusOK,
			Contains: []string{`data-plan-name>Pro<`, `data-plan-status>Active<`, "Billed monthly: ₹1,180.00 a month", "Renews on",
				`data-serial="` + serial + `"`, "₹1,180.00", "Proofsheet Pro plan, billed monthly", "Your plan", "Current plan", "Switch to yearly billing",
				"Change to Max", "of 100 GB", "Manage card and cancellation", `action="/studio/billing/change"`}},
		{Name: "the PDF", Path: "/studio/billing/invoices/" + id.String() + ".pdf", Status: http.StatusOK,
			Header:   map[string]string{"Content-Type": "application/pdf", "Content-Disposition": `attachment; filename=` + strings.ReplaceAll(serial, "/", "-") + ".pdf"},
			Contains: []string{"%PDF-"}},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE studio_id = $1 AND kind = 'billing.invoice_download' AND detail->>'serial' = $2", studio, serial); n != 1 {
		t.Errorf("%d download entries in the audit log, want 1", n)
	}
	// Past due shows plainly, with the way out.
	deliver(t, ta, stripeEvent("evt_fail_1", "invoice.payment_failed", time.Now().Add(3*time.Minute), map[string]any{
		"id": "in_fail_1", "object": "invoice", "customer": query[string](t, ta, "SELECT stripe_customer_id FROM studio_billing WHERE studio_id = $1", studio),
		"subscription": query[string](t, ta, "SELECT subscription_id FROM studio_billing WHERE studio_id = $1", studio),
		"currency":     "inr", "amount_paid": 0, "amount_due": 118000, "attempt_count": 1, "status": "open"}))
	waitUntil(t, ta, "past due", "SELECT subscription_status = 'past_due' FROM studio_billing WHERE studio_id = $1", studio)
	o.Client.Run(t, []apptest.Scenario{{Name: "past due", Path: "/studio/billing", Status: http.StatusOK,
		Contains: []string{"data-past-due", "Payment failed", `data-plan-status>Past due<`, `href="#manage"`}}})
}

// Usage counts what the plan limits, and a collection bought one by one
// counts against nothing.
func TestBillingUsage(t *testing.T) {
	ta := billingApp(t)
	setupBilling(t, ta)
	o := ta.SignUp("Lumen", "asha@lumen.example")
	studio := studioOf(t, ta, o.Email)
	album := createAlbum(t, o.Client, "Sharma wedding", nil)
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", album)
	if res := upload(t, o.Client, album, folder, "img12.jpg", readFace(t, "img12.jpg")); res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	size := query[int64](t, ta, "SELECT size FROM photos WHERE album_id = $1", album)
	newCollection(t, ta, studio, "Counted")
	bought := newCollection(t, ta, studio, "Bought")
	_, err := ta.Superuser().Exec(t.Context(), `INSERT INTO studio_unlocks (id, studio_id, product_code, kind, quantity, target_id, stripe_checkout_session_id)
		VALUES ($1, $2, 'face', 'face_search_collection', 1, $3, 'cs_test_bought')`, uuid.New(), studio, bought)
	if err != nil {
		t.Fatal(err)
	}
	other := ta.NewStudio("Other")
	newCollection(t, ta, other.StudioID, "Elsewhere")
	u, err := ta.Usage(context.Background(), studio)
	if err != nil {
		t.Fatal(err)
	}
	if want := (billing.Usage{StorageBytes: size, Albums: 1, FaceCollections: 1, StaffSeats: 1}); u != want || size == 0 {
		t.Fatalf("usage %+v, want %+v", u, want)
	}
	o.Client.Run(t, []apptest.Scenario{{Name: "shown", Path: "/studio/billing", Status: http.StatusOK,
		Contains:    []string{"and 1 unlocked collection bought one by one", "Face search for “Bought”"},
		NotContains: []string{`value="` + bought.String() + `"`}}})
}

// newCollection inserts a face search collection directly: the plan's
// limits are not what these tests are about.
func newCollection(t *testing.T, ta *apptest.TestApp, studio uuid.UUID, name string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if _, err := ta.Superuser().Exec(t.Context(), "INSERT INTO face_collections (id, studio_id, name) VALUES ($1, $2, $3)", id, studio, name); err != nil {
		t.Fatal(err)
	}
	return id
}

// with is v with key set to value.
func with(v url.Values, key, value string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	out.Set(key, value)
	return out
}

// A studio unlocks face search for a collection and is refunded a
// payment, both through Stripe's webhooks: the collection is unlocked and
// invoiced, and the refund brings a credit note for the invoice it
// corrects, downloadable like the invoice.
func TestBillingUnlockAndRefund(t *testing.T) {
	ta := billingApp(t)
	o, studio := checkingOut(t, ta)
	coll := newCollection(t, ta, studio, "Sharma wedding")
	paid := payForPlan(t, ta, func(p []byte) { deliver(t, ta, p) }, studio, "pro", "price_1ProMonthly", "month", 118000, 2*time.Minute)
	o.Client.Run(t, []apptest.Scenario{{Path: "/studio/billing/unlock", Form: url.Values{"product": {"face"}, "collection": {coll.String()}},
		Status: http.StatusSeeOther, Location: "https://checkout.stripe.com/"}})
	session := query[string](t, ta, `SELECT detail->>'session_id' FROM audit_log WHERE studio_id = $1
		AND kind = 'billing.checkout_start' AND detail->>'product' = 'face'`, studio)
	deliver(t, ta, stripeEvent("evt_unlock", "checkout.session.completed", time.Now(), map[string]any{
		"id": session, "object": "checkout.session", "mode": "payment", "status": "complete", "payment_status": "paid",
		"customer": paid.customer, "client_reference_id": studio.String(), "currency": "inr", "amount_total": 59000,
		"payment_intent": "pi_unlock", "metadata": map[string]string{"studio_id": studio.String(), "purpose": "unlock",
			"product": "face", "target_id": coll.String()}}))
	waitUntil(t, ta, "the unlock", "SELECT count(*) = 1 FROM studio_unlocks WHERE target_id = $1", coll)

	// Stripe refunds the subscription's first payment in full.
	deliver(t, ta, stripeEvent("evt_refund", "charge.refunded", time.Now(), map[string]any{
		"id": "ch_" + paid.stripeInvoice, "object": "charge", "amount": 118000, "amount_refunded": 118000, "currency": "inr",
		"refunded": true, "payment_intent": "pi_" + paid.stripeInvoice, "invoice": paid.stripeInvoice}))
	waitUntil(t, ta, "the credit note stored", `SELECT count(*) = 1 FROM invoices WHERE studio_id = $1 AND kind = 'credit_note'
		AND pdf_stored_at IS NOT NULL`, studio)
	original := query[string](t, ta, "SELECT serial FROM invoices WHERE studio_id = $1 AND kind = 'invoice' AND stripe_invoice_id = $2", studio, paid.stripeInvoice)
	cn := query[string](t, ta, "SELECT serial FROM invoices WHERE studio_id = $1 AND kind = 'credit_note'", studio)
	cnID := query[uuid.UUID](t, ta, "SELECT id FROM invoices WHERE studio_id = $1 AND kind = 'credit_note'", studio)
	o.Client.Run(t, []apptest.Scenario{{Name: "the page", Path: "/studio/billing", Status: http.StatusOK,
		Contains:    []string{"Face search for “Sharma wedding”", `data-serial="` + cn + `"`, "Credit note for " + original, "−₹1,180.00", "₹590.00"},
		NotContains: []string{`<option value="` + coll.String() + `"`}}})
	res := o.Client.Get("/studio/billing/invoices/" + cnID.String() + ".pdf")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("credit note PDF: %d", res.StatusCode)
	}
	if txt := pdfText(t, []byte(res.Body)); !strings.Contains(txt, cn) || !strings.Contains(txt, original) || !strings.Contains(txt, "1,180.00") {
		t.Fatalf("the credit note's PDF lacks its serial, the invoice's or the amount:\n%s", txt)
	}
}
