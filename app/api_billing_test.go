package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
)

// Billing through the API, every answer checked against the OpenAPI
// document: members read, owners with a write token change, another
// studio's invoice is not found, and the studio's own PDF downloads.
func TestAPIBilling(t *testing.T) {
	ta := billingApp(t)
	setupBilling(t, ta)
	startJobs(t, ta)
	doc := ta.OpenAPI()
	o := ta.SignUp("Lumen", "asha@lumen.example")
	studio := studioOf(t, ta, o.Email)
	write := apiClient(ta, doc, createToken(t, o.Client, "Phone app", "write"))
	read := apiClient(ta, doc, createToken(t, o.Client, "Viewer", "read"))
	staff := apiClient(ta, doc, createToken(t, staffJoin(t, ta, staffInvite(t, ta, o, "ravi@lumen.example", "staff"), "Ravi"), "Ravi's", "write"))
	other := ta.SignUp("Other", "someone@other.example")
	theirs := apiClient(ta, doc, createToken(t, other.Client, "Theirs", "write"))
	coll := newCollection(t, ta, studio, "Sharma wedding")
	otherColl := newCollection(t, ta, studioOf(t, ta, other.Email), "Not yours")
	profile := map[string]any{"legal_name": "Lumen Photography LLP", "address": "12 4th Cross\nBengaluru 560038",
		"state": "Karnataka", "gstin": "29AAGCP7351M1ZS", "billing_email": "accounts@lumen.example"}
	json := map[string]string{"Content-Type": "application/json"}
	prob := map[string]string{"Content-Type": problemJSON}

	read.Run(t, []apptest.Scenario{
		{Name: "a read token reads", Path: "/api/v1/billing", Status: http.StatusOK, Header: json,
			Contains: []string{`"billing_enabled":true`, `"plan":{"code":"free"`, `"usage":{"storage_bytes":0,"albums":0,"face_collections":1,"staff_seats":2}`,
				`"code":"pro"`, `"monthly_paise":118000`, `"code":"storage100"`, `"complete":false`}},
		{Name: "an empty profile", Path: "/api/v1/billing/profile", Status: http.StatusOK, Contains: []string{`"legal_name":""`, `"country":"IN"`}},
		{Name: "no invoices", Path: "/api/v1/billing/invoices", Status: http.StatusOK, Contains: []string{`{"invoices":[]}`}},
		{Name: "a read token may not set", Method: http.MethodPut, Path: "/api/v1/billing/profile", JSON: profile, Status: http.StatusForbidden},
		{Name: "nor check out", Path: "/api/v1/billing/checkout/subscription", JSON: map[string]string{"plan": "pro", "interval": "month"}, Status: http.StatusForbidden},
	})
	staff.Run(t, []apptest.Scenario{
		{Name: "staff read", Path: "/api/v1/billing", Status: http.StatusOK},
		{Name: "staff may not set", Method: http.MethodPut, Path: "/api/v1/billing/profile", JSON: profile, Status: http.StatusForbidden,
			Contains: []string{"Only studio owners"}},
		{Name: "nor open the portal", Method: http.MethodPost, Path: "/api/v1/billing/portal", Status: http.StatusForbidden},
	})
	write.Run(t, []apptest.Scenario{
		{Name: "checkout needs a profile", Path: "/api/v1/billing/checkout/subscription", JSON: map[string]string{"plan": "pro", "interval": "month"},
			Status: http.StatusUnprocessableEntity, Header: prob, Contains: []string{`"errors":{"profile":"Complete the billing profile first`}},
		{Name: "a bad GSTIN", Method: http.MethodPut, Path: "/api/v1/billing/profile", JSON: with2(profile, "gstin", "29AAGCP7351M1Z"),
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"gstin":`}},
		{Name: "an unknown field", Method: http.MethodPut, Path: "/api/v1/billing/profile", JSON: with2(profile, "pan", "AAGCP7351M"),
			Status: http.StatusBadRequest, Contains: []string{`Unknown field \"pan\"`}},
		{Name: "the profile", Method: http.MethodPut, Path: "/api/v1/billing/profile", JSON: profile, Status: http.StatusOK,
			Contains: []string{`"state_code":"29"`, `"gstin":"29AAGCP7351M1ZS"`, `"complete":true`}},
		{Name: "an unknown plan", Path: "/api/v1/billing/checkout/subscription", JSON: map[string]string{"plan": "gold", "interval": "month"},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"plan":`}},
		{Name: "a weekly plan", Path: "/api/v1/billing/checkout/subscription", JSON: map[string]string{"plan": "pro", "interval": "week"},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"interval":`}},
		{Name: "no change without a subscription", Method: http.MethodPut, Path: "/api/v1/billing/subscription",
			JSON: map[string]string{"plan": "max", "interval": "year"}, Status: http.StatusConflict, Contains: []string{"no running subscription"}},
		{Name: "checkout", Path: "/api/v1/billing/checkout/subscription", JSON: map[string]string{"plan": "pro", "interval": "monthly"},
			Status: http.StatusCreated, Contains: []string{`"url":"https://checkout.stripe.com/`, `"id":"cs_`}},
		{Name: "face search for another studio's collection", Path: "/api/v1/billing/checkout/unlock",
			JSON: map[string]any{"product": "face", "target_id": otherColl}, Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"target_id":`}},
		{Name: "face search for ours", Path: "/api/v1/billing/checkout/unlock", JSON: map[string]any{"product": "face", "target_id": coll},
			Status: http.StatusCreated, Contains: []string{`"url":"https://checkout.stripe.com/`}},
		{Name: "a storage pack for a collection", Path: "/api/v1/billing/checkout/unlock", JSON: map[string]any{"product": "storage100", "target_id": coll},
			Status: http.StatusUnprocessableEntity, Contains: []string{"for the whole studio"}},
		{Name: "the portal", Method: http.MethodPost, Path: "/api/v1/billing/portal", Status: http.StatusCreated, Contains: []string{`"url":"https://`}},
	})

	payForPlan(t, ta, func(p []byte) { deliver(t, ta, p) }, studio, "pro", "price_1ProMonthly", "month", 118000, 0)
	waitUntil(t, ta, "the events worked", "SELECT count(*) = 3 FROM stripe_events WHERE processed_at IS NOT NULL")
	waitUntil(t, ta, "the invoice", "SELECT count(*) = 1 FROM invoices WHERE studio_id = $1 AND pdf_stored_at IS NOT NULL", studio)
	inv := query[uuid.UUID](t, ta, "SELECT id FROM invoices WHERE studio_id = $1", studio)
	serial := query[string](t, ta, "SELECT serial FROM invoices WHERE studio_id = $1", studio)
	pdf := "/api/v1/billing/invoices/" + inv.String() + "/pdf"
	read.Run(t, []apptest.Scenario{
		{Name: "the plan", Path: "/api/v1/billing", Status: http.StatusOK,
			Contains: []string{`"plan":{"code":"pro"`, `"interval":"month"`, `"status":"active"`, `"storage_bytes":107374182400`}},
		{Name: "the invoice", Path: "/api/v1/billing/invoices", Status: http.StatusOK,
			Contains: []string{`"serial":"` + serial + `"`, `"kind":"invoice"`, `"total":118000`, `"tax":18000`, `"supply_kind":"intra_state"`}},
		{Name: "its PDF", Path: pdf, Status: http.StatusOK, Contains: []string{"%PDF-"},
			Header: map[string]string{"Content-Type": "application/pdf", "Content-Disposition": "attachment; filename=" + strings.ReplaceAll(serial, "/", "-") + ".pdf"}},
		{Name: "not an id", Path: "/api/v1/billing/invoices/nope/pdf", Status: http.StatusNotFound},
		{Name: "no such invoice", Path: "/api/v1/billing/invoices/" + uuid.NewString() + "/pdf", Status: http.StatusNotFound},
	})
	theirs.Run(t, []apptest.Scenario{
		{Name: "another studio's invoice", Path: pdf, Status: http.StatusNotFound, Header: prob},
		{Name: "another studio's list", Path: "/api/v1/billing/invoices", Status: http.StatusOK, Contains: []string{`{"invoices":[]}`}},
	})
	write.Run(t, []apptest.Scenario{
		{Name: "a second subscription", Path: "/api/v1/billing/checkout/subscription", JSON: map[string]string{"plan": "max", "interval": "year"},
			Status: http.StatusConflict, Contains: []string{"already has a subscription"}},
		{Name: "a change of plan", Method: http.MethodPut, Path: "/api/v1/billing/subscription", JSON: map[string]string{"plan": "max", "interval": "year"},
			Status: http.StatusOK, Contains: []string{`"plan":{"code":"max"`, `"interval":"year"`}},
	})
	if n := staffCount(t, ta, "SELECT count(*) FROM audit_log WHERE studio_id = $1 AND kind = 'billing.invoice_download' AND actor = 'token'", studio); n != 1 {
		t.Errorf("%d token downloads audited, want 1", n)
	}
}

// With billing off the API says so: reading works, buying is a 503.
func TestAPIBillingOff(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	o := ta.SignUp("Lumen", "asha@lumen.example")
	write := apiClient(ta, doc, createToken(t, o.Client, "Phone app", "write"))
	write.Run(t, []apptest.Scenario{
		{Name: "read", Path: "/api/v1/billing", Status: http.StatusOK, Contains: []string{`"billing_enabled":false`}},
		{Name: "checkout", Path: "/api/v1/billing/checkout/subscription", JSON: map[string]string{"plan": "pro", "interval": "month"},
			Status: http.StatusServiceUnavailable, Header: map[string]string{"Content-Type": problemJSON}, Contains: []string{"Billing is off"}},
		{Name: "portal", Method: http.MethodPost, Path: "/api/v1/billing/portal", Status: http.StatusServiceUnavailable},
	})
}

// with2 is m with key set to value.
func with2(m map[string]any, key string, value any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	out[key] = value
	return out
}
