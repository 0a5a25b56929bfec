package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/billing"
)

const (
	testStripeKey = "sk_test_proofsheetapp"
	testWhsec     = "whsec_proofsheet_app_test"
	operatorGSTIN = "29AAGCP7351M1ZS" // Karnataka, check character valid
)

// billingApp is a test app with billing on, talking to stripe-mock.
func billingApp(t *testing.T, mutate ...func(*app.Config)) *apptest.TestApp {
	t.Helper()
	stripeURL := os.Getenv("PROOFSHEET_TEST_STRIPE_URL")
	if stripeURL == "" {
		t.Fatal("PROOFSHEET_TEST_STRIPE_URL is not set: run `eval \"$(scripts/test-services start)\"` first")
	}
	return apptest.New(t, append([]func(*app.Config){func(c *app.Config) {
		c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIURL = testStripeKey, testWhsec, stripeURL
	}}, mutate...)...)
}

// setupBilling enters the operator, a free plan with room for a staff
// member and a collection, the Pro and Max plans and two add-ons, as the
// admin commands would.
func setupBilling(t *testing.T, ta *apptest.TestApp) {
	t.Helper()
	ctx := context.Background()
	_, err := ta.Billing.SetOperator(ctx, billing.OperatorInput{
		LegalName: "Proofsheet Technologies Pvt Ltd", Address: "42 Residency Road\nBengaluru 560025",
		State: "29", GSTIN: operatorGSTIN, LUTReference: "AD290326000123A", InvoicePrefix: "INV", CreditNotePrefix: "CN",
		SAC: map[string]string{billing.KindSubscription: "998315", billing.KindFaceSearch: "998314", billing.KindStoragePack: "998315"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []billing.PlanInput{
		{Code: billing.FreePlan, Name: "Free", StorageBytes: 2 << 30, Albums: 3, FaceCollections: 1, StaffSeats: 2, Active: true},
		{Code: "pro", Name: "Pro", MonthlyPaise: 118000, YearlyPaise: 1180000, StripeMonthlyPrice: "price_1ProMonthly",
			StripeYearlyPrice: "price_1ProYearly", StorageBytes: 100 << 30, Albums: 50, FaceCollections: 2, StaffSeats: 3, Active: true, Position: 1},
		{Code: "max", Name: "Max", MonthlyPaise: 354000, YearlyPaise: 3540000, StripeMonthlyPrice: "price_1MaxMonthly",
			StripeYearlyPrice: "price_1MaxYearly", StorageBytes: billing.Unlimited, Albums: billing.Unlimited, FaceCollections: 10, StaffSeats: 10, Active: true, Position: 2},
	} {
		if _, err := ta.Billing.SavePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []billing.ProductInput{
		{Code: "face", Name: "Face search for one collection", Kind: billing.KindFaceSearch, PricePaise: 59000, StripePrice: "price_1FaceSearch", Active: true},
		{Code: "storage100", Name: "Storage pack, 100 GB", Kind: billing.KindStoragePack, Quantity: 100 << 30, PricePaise: 29500, StripePrice: "price_1Storage100", Active: true},
	} {
		if _, err := ta.Billing.SaveProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
}

// profileForm is a complete billing profile in Karnataka.
// checkingOut is a billed app with its jobs worked and a studio owner who
// filled in the billing details and went to Checkout for Pro, monthly:
// what Stripe's webhooks then tell of.
func checkingOut(t *testing.T, ta *apptest.TestApp) (*apptest.Owner, uuid.UUID) {
	t.Helper()
	setupBilling(t, ta)
	startJobs(t, ta)
	o := ta.SignUp("Lumen", "asha@lumen.example")
	o.Client.Run(t, []apptest.Scenario{
		{Path: "/studio/billing/profile", Form: profileForm(), Status: http.StatusSeeOther},
		{Path: "/studio/billing/subscribe", Form: url.Values{"plan": {"pro"}, "interval": {"month"}}, Status: http.StatusSeeOther},
	})
	return o, studioOf(t, ta, o.Email)
}

func profileForm() url.Values {
	return url.Values{"legal_name": {"Lumen Photography LLP"}, "address": {"12 4th Cross, Indiranagar\nBengaluru 560038"},
		"state": {"29"}, "country": {"IN"}, "gstin": {""}, "billing_email": {"accounts@lumen.example"}}
}

// ---- Stripe's side ----

// stripeEvent is a Stripe event of typ about obj.
func stripeEvent(id, typ string, created time.Time, obj map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": "2023-10-16", "created": created.Unix(), "type": typ,
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": obj},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// stripeSignature is the Stripe-Signature header of payload signed at at.
func stripeSignature(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

// postWebhook delivers payload to /webhooks/stripe with a signature
// header (none when empty), as Stripe does: no cookie, no CSRF token.
func postWebhook(t *testing.T, ta *apptest.TestApp, payload []byte, signature string) *apptest.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", strings.NewReader(string(payload)))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if signature != "" {
		req.Header.Set("Stripe-Signature", signature)
	}
	return ta.Client().Do(req)
}

// deliver signs an event now and posts it; Stripe's answer must be 200.
func deliver(t *testing.T, ta *apptest.TestApp, payload []byte) {
	t.Helper()
	if res := postWebhook(t, ta, payload, stripeSignature(payload, testWhsec, time.Now())); res.StatusCode != http.StatusOK {
		t.Fatalf("webhook: status %d: %s", res.StatusCode, res.Body)
	}
}

// checkoutSessionObj is a completed subscription Checkout session.
func checkoutSessionObj(id, customer, sub string, studio uuid.UUID, plan, interval string, paise int64) map[string]any {
	return map[string]any{
		"id": id, "object": "checkout.session", "mode": "subscription", "status": "complete", "payment_status": "paid",
		"customer": customer, "subscription": sub, "client_reference_id": studio.String(), "currency": "inr", "amount_total": paise,
		"metadata": map[string]string{"studio_id": studio.String(), "purpose": "subscription", "plan": plan, "interval": interval},
	}
}

func subscriptionObj(id, customer, status, price, interval string, periodEnd time.Time, studio uuid.UUID) map[string]any {
	return map[string]any{
		"id": id, "object": "subscription", "customer": customer, "status": status,
		"cancel_at_period_end": false, "current_period_end": periodEnd.Unix(),
		"metadata": map[string]string{"studio_id": studio.String()},
		"items": map[string]any{"object": "list", "data": []any{map[string]any{
			"id": "si_" + id, "object": "subscription_item",
			"price": map[string]any{"id": price, "object": "price", "recurring": map[string]any{"interval": interval}},
		}}},
	}
}

// paidInvoiceObj is Stripe's paid invoice of one period of a subscription.
func paidInvoiceObj(id, customer, sub, price string, paise int64, start, end time.Time) map[string]any {
	return map[string]any{
		"id": id, "object": "invoice", "customer": customer, "subscription": sub, "currency": "inr",
		"amount_paid": paise, "amount_due": paise, "payment_intent": "pi_" + id, "charge": "ch_" + id,
		"billing_reason": "subscription_create", "status": "paid",
		"lines": map[string]any{"object": "list", "data": []any{map[string]any{
			"id": "il_" + id, "object": "line_item", "amount": paise,
			"price":  map[string]any{"id": price, "object": "price"},
			"period": map[string]any{"start": start.Unix(), "end": end.Unix()},
		}}},
	}
}

// subscribed is what a finished subscription checkout left behind.
type subscribed struct {
	session, customer, sub, stripeInvoice string
}

// payForPlan is Stripe's side of a subscription checkout the studio
// started: the session completes, the subscription is created and its
// first invoice is paid. The events go through /webhooks/stripe; the
// caller works the jobs.
//
// The completed session makes billing fetch the subscription from
// stripe-mock, whose fixture ends its period in 2009. The subscription
// event is dated ahead by ahead: more than a minute makes it newer than
// any fetch, so the studio shows its own period; then again a plan change
// within that time is older than it and is not applied.
func payForPlan(t *testing.T, ta *apptest.TestApp, post func([]byte), studio uuid.UUID, plan, price, interval string, paise int64, ahead time.Duration) subscribed {
	t.Helper()
	s := subscribed{session: query[string](t, ta, `SELECT detail->>'session_id' FROM audit_log
		WHERE studio_id = $1 AND kind = 'billing.checkout_start' ORDER BY seq DESC LIMIT 1`, studio),
		customer: query[string](t, ta, "SELECT stripe_customer_id FROM studio_billing WHERE studio_id = $1", studio),
		sub:      "sub_" + strings.ReplaceAll(studio.String(), "-", "")[:14], stripeInvoice: "in_" + strings.ReplaceAll(studio.String(), "-", "")[:14]}
	now := time.Now()
	end := now.AddDate(0, 1, 0)
	if interval == "year" {
		end = now.AddDate(1, 0, 0)
	}
	post(stripeEvent("evt_cs_"+s.session, "checkout.session.completed", now,
		checkoutSessionObj(s.session, s.customer, s.sub, studio, plan, interval, paise)))
	post(stripeEvent("evt_sub_"+s.sub, "customer.subscription.created", now.Add(ahead),
		subscriptionObj(s.sub, s.customer, "active", price, interval, end, studio)))
	post(stripeEvent("evt_in_"+s.stripeInvoice, "invoice.paid", now,
		paidInvoiceObj(s.stripeInvoice, s.customer, s.sub, price, paise, now, end)))
	return s
}

// waitUntil polls a query as the superuser until it returns true.
func waitUntil(t *testing.T, ta *apptest.TestApp, what, sql string, args ...any) {
	t.Helper()
	su := ta.Superuser()
	for range 300 {
		var ok bool
		if err := su.QueryRow(t.Context(), sql, args...).Scan(&ok); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	var jobs string
	_ = su.QueryRow(t.Context(), `SELECT coalesce(string_agg(kind || ' ' || state || ' ' || coalesce(errors::text, ''), E'\n'), '')
		FROM river_job WHERE kind LIKE 'billing%' OR kind = 'mail.send'`).Scan(&jobs)
	t.Fatalf("%s: not within 15 s; jobs:\n%s", what, jobs)
}
