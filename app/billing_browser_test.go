package app_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/proofsheet/proofsheet/app/apptest"
)

// TestBrowserBillingToPaidPlan drives the billing page in Chromium at
// phone and laptop size from the free plan to a paid one: the billing
// details (a wrong GSTIN first), the yearly toggle, Subscribe, which lands
// on stripe-mock's Checkout URL (answered by a stand-in, never the real
// Stripe), Stripe's webhooks, and the page with the plan active and the
// invoice, whose PDF is downloaded and read.
func TestBrowserBillingToPaidPlan(t *testing.T) {
	for _, v := range []apptest.Viewport{apptest.Phone, apptest.Laptop} {
		t.Run(v.Name, func(t *testing.T) { billingToPaidPlan(t, v) })
	}
}

// fakeCheckout answers for https://checkout.stripe.com in the browser
// (its name resolves here, its certificate is taken): a page that stands
// for Stripe's, and the paths it was asked for.
type fakeCheckout struct {
	addr  string
	mu    sync.Mutex
	paths []string
}

func newFakeCheckout(t *testing.T) *fakeCheckout {
	f := &fakeCheckout{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.paths = append(f.paths, r.URL.Path)
		f.mu.Unlock()
		if r.URL.Path == "/favicon.ico" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Checkout</title><h1>Stripe Checkout (stand-in)</h1>`)
	}))
	t.Cleanup(srv.Close)
	f.addr = srv.Listener.Addr().String()
	return f
}

func (f *fakeCheckout) asked(prefix string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.paths {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func billingToPaidPlan(t *testing.T, v apptest.Viewport) {
	checkout := newFakeCheckout(t)
	ta := billingApp(t)
	setupBilling(t, ta)
	startJobs(t, ta)
	base := ta.Listen()
	b := apptest.NewBrowser(t, base, v,
		chromedp.Flag("host-resolver-rules", "MAP checkout.stripe.com "+checkout.addr),
		chromedp.Flag("ignore-certificate-errors", true))
	email := "asha@" + v.Name + ".example.com"
	b.Open("/signup")
	b.Fill(`form[action="/signup"]`, "studio", "Lumen Studio", "name", "Asha Rao", "email", email, "password", tourPassword)
	if got := b.Submit(`form[action="/signup"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("sign up: %d", got)
	}
	studio := studioOf(t, ta, email)
	navTo(t, b, "/studio/billing")
	page(t, b, "billing-free", "Billing")
	wantText(t, b, "[data-plan-name]", "Free")
	wantText(t, b, "#invoices .empty", "No invoices yet")

	fillBillingDetails(t, b)
	choosePlan(t, b, checkout)

	// Stripe's side: its webhooks reach the server over HTTP, signed.
	payForPlan(t, ta, func(p []byte) { postHTTP(t, base, p) }, studio, "pro", "price_1ProYearly", "year", 1180000, 2*time.Minute)
	waitUntil(t, ta, "the events worked", "SELECT count(*) = 3 FROM stripe_events WHERE processed_at IS NOT NULL")
	waitUntil(t, ta, "the invoice stored", "SELECT count(*) = 1 FROM invoices WHERE studio_id = $1 AND pdf_stored_at IS NOT NULL", studio)
	serial := query[string](t, ta, "SELECT serial FROM invoices WHERE studio_id = $1", studio)

	if got := b.Open("/studio/billing?checkout=success&session_id=cs_test"); got != http.StatusOK {
		t.Fatalf("back from checkout: %d", got)
	}
	page(t, b, "billing-paid", "Billing")
	wantText(t, b, "[data-plan-name]", "Pro")
	wantText(t, b, "[data-plan-status]", "Active")
	wantText(t, b, "[data-current-plan]", "Billed yearly: ₹11,800.00 a year")
	wantText(t, b, "table.invoices", serial)
	wantText(t, b, "table.invoices", "₹11,800.00")
	wantText(t, b, "[data-plan=pro] .badge", "Your plan")

	txt := pdfText(t, downloadPDF(t, b, "table.invoices a[download]"))
	for _, want := range []string{serial, "11,800.00", "Lumen Photography LLP", "Proofsheet Technologies Pvt Ltd", operatorGSTIN} {
		if !strings.Contains(txt, want) {
			t.Errorf("the downloaded PDF lacks %q:\n%s", want, txt)
		}
	}
}

// fillBillingDetails enters the billing details, with a mistyped GSTIN
// first to see the error beside its field.
func fillBillingDetails(t *testing.T, b *apptest.Browser) {
	t.Helper()
	form := `form[action="/studio/billing/profile"]`
	b.Fill(form, "legal_name", "Lumen Photography LLP", "address", "12 4th Cross, Indiranagar\nBengaluru 560038",
		"gstin", "29AAGCP7351M1ZT", "billing_email", "accounts@lumen.example")
	apptest.Eval[bool](b, `(() => { document.querySelector('select[name="state"]').value = "29"; return true; })()`)
	b.ExpectConsoleError("status of 422")
	if got := b.Submit(form + " button[type=submit]"); got != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong GSTIN: status %d, want 422", got)
	}
	page(t, b, "billing-details-error", "Billing")
	wantText(t, b, "#gstin-error", "should be S")
	if got := apptest.Eval[string](b, `document.querySelector('[name="legal_name"]').value`); got != "Lumen Photography LLP" {
		t.Errorf("the form lost the legal name: %q", got)
	}
	b.Fill(form, "gstin", "29AAGCP7351M1ZS")
	if got := b.Submit(form + " button[type=submit]"); got != http.StatusOK {
		t.Fatalf("billing details: status %d", got)
	}
	wantText(t, b, ".flash", "Billing details saved")
}

// choosePlan picks yearly billing and subscribes to Pro, which leads the
// browser to stripe-mock's Checkout URL.
func choosePlan(t *testing.T, b *apptest.Browser, checkout *fakeCheckout) {
	t.Helper()
	wantText(t, b, "[data-plan=pro] .price.iv-month", "₹1,180.00 a month")
	b.Click(`.interval-toggle input[value="year"]`)
	hidden := apptest.Eval[string](b, `getComputedStyle(document.querySelector('[data-plan="pro"] button.iv-month')).display`)
	if hidden != "none" {
		t.Errorf("the monthly button still shows (display %q) with yearly billing chosen", hidden)
	}
	wantText(t, b, "[data-plan=pro] .price.iv-year", "₹11,800.00 a year")
	page(t, b, "billing-plans-yearly", "Billing")
	if got := b.Submit(`[data-plan="pro"] button.iv-year`); got != http.StatusOK {
		t.Fatalf("subscribe: status %d", got)
	}
	href := apptest.Eval[string](b, "location.href")
	if !strings.HasPrefix(href, "https://checkout.stripe.com/pay/") || !checkout.asked("/pay/") {
		t.Fatalf("subscribe led to %s, want stripe-mock's Checkout URL", href)
	}
	b.Screenshot("billing-checkout")
}

// postHTTP delivers a webhook over the network, signed now.
func postHTTP(t *testing.T, base string, payload []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/webhooks/stripe", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Stripe-Signature", stripeSignature(payload, testWhsec, time.Now()))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("webhook over HTTP: %d", res.StatusCode)
	}
}

// downloadPDF fetches the link's PDF in the page, with the page's session.
func downloadPDF(t *testing.T, b *apptest.Browser, link string) []byte {
	t.Helper()
	enc := apptest.Eval[string](b, fmt.Sprintf(`fetch(document.querySelector(%q).href).then(async (r) => {
  if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") return "status " + r.status + " " + r.headers.get("Content-Type");
  let s = ""; new Uint8Array(await r.arrayBuffer()).forEach((c) => { s += String.fromCharCode(c); });
  return btoa(s);
})`, link))
	pdf, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("download: %.80s", enc)
	}
	return pdf
}
