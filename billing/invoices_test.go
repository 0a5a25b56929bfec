package billing_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/proofsheet/proofsheet/billing"
)

// invoices lists the studio's documents, oldest first.
func (e *env) invoices(studio uuid.UUID) []billing.Invoice {
	e.t.Helper()
	invs, err := e.svc.Invoices(e.ctx, studio)
	if err != nil {
		e.t.Fatal(err)
	}
	for i, j := 0, len(invs)-1; i < j; i, j = i+1, j-1 {
		invs[i], invs[j] = invs[j], invs[i]
	}
	return invs
}

// retry sets an event's job aside as River does after a failure, or (now)
// makes it due again.
func (e *env) retry(eventID string, now bool) {
	e.t.Helper()
	state := "retryable"
	if now {
		state = "available"
	}
	if _, err := e.su.Exec(e.ctx, "UPDATE river_job SET state = $1 WHERE args->>'event_id' = $2", state, eventID); err != nil {
		e.t.Fatal(err)
	}
}

func TestInvoicePaidIssuesAGSTInvoice(t *testing.T) {
	chandigarhGST := func(t *testing.T) string { return gstinIn(t, "04", "AAGCP7351M") }
	tests := []struct {
		name            string
		operatorState   string
		operatorGSTIN   func(*testing.T) string
		profile         func(*testing.T) billing.ProfileInput
		place           string // "" for export
		supply, heads   string
		taxable, tax    int64
		recipientGSTIN  bool
		recipientCounty string
	}{
		{"intra-state", "29", func(*testing.T) string { return karnatakaGST },
			func(*testing.T) billing.ProfileInput { return billing.ProfileInput{State: "Karnataka"} },
			"29", "intra_state", "CGST 900 9000, SGST 900 9000", 100000, 18000, false, "IN"},
		{"inter-state", "29", func(*testing.T) string { return karnatakaGST },
			func(*testing.T) billing.ProfileInput { return billing.ProfileInput{State: "27"} },
			"27", "inter_state", "IGST 1800 18000", 100000, 18000, false, "IN"},
		{"registered in another state", "29", func(*testing.T) string { return karnatakaGST },
			func(t *testing.T) billing.ProfileInput {
				return billing.ProfileInput{State: "27", GSTIN: gstinIn(t, "27", "AACCF9034R")}
			},
			"27", "inter_state", "IGST 1800 18000", 100000, 18000, true, "IN"},
		{"union territory", "04", chandigarhGST,
			func(*testing.T) billing.ProfileInput { return billing.ProfileInput{State: "Chandigarh"} },
			"04", "intra_state", "CGST 900 9000, UTGST 900 9000", 100000, 18000, false, "IN"},
		{"export", "29", func(*testing.T) string { return karnatakaGST },
			func(*testing.T) billing.ProfileInput { return billing.ProfileInput{Country: "DE"} },
			"", "export", "", 118000, 0, false, "DE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.setOperator(tt.operatorState, tt.operatorGSTIN(t))
			e.setPlans()
			e.setProfile(e.studio, tt.profile(t))
			e.linkCustomer(e.studio, "cus_1")
			e.deliver("evt_1", "invoice.paid", e.clock.Now(), paidInvoiceObj("in_1", "cus_1", "sub_1", 118000, uuid.Nil, e.clock.Now()))
			invs := e.invoices(e.studio)
			if len(invs) != 1 {
				t.Fatalf("%d invoices", len(invs))
			}
			inv := invs[0]
			var heads []string
			for _, h := range inv.TaxHeads {
				heads = append(heads, fmt.Sprintf("%s %d %d", h.Name, h.RateBP, h.Amount))
			}
			place := ""
			if inv.PlaceOfSupplyCode != nil {
				place = *inv.PlaceOfSupplyCode
			}
			if inv.Serial != "INV/26-27/00001" || inv.Kind != billing.TaxInvoice || inv.Total != 118000 || inv.Taxable != tt.taxable ||
				inv.Tax != tt.tax || strings.Join(heads, ", ") != tt.heads || place != tt.place || inv.SupplyKind != tt.supply {
				t.Errorf("invoice %s %s total %d taxable %d tax %d heads %q place %q", inv.Serial, inv.SupplyKind, inv.Total, inv.Taxable, inv.Tax, heads, place)
			}
			if inv.Recipient.LegalName != "Lumen Photography LLP" || (inv.Recipient.GSTIN != "") != tt.recipientGSTIN ||
				inv.Recipient.Country != tt.recipientCounty || inv.Supplier.GSTIN != tt.operatorGSTIN(t) {
				t.Errorf("parties %+v / %+v", inv.Recipient, inv.Supplier)
			}
			if len(inv.Lines) != 1 || inv.Lines[0].SAC != "998315" || inv.Lines[0].Taxable != tt.taxable ||
				inv.Description() != "Proofsheet Pro plan, billed monthly, 5 December 2026 to 5 January 2027" {
				t.Errorf("lines %+v", inv.Lines)
			}
			// Issued once: the same payment again (another event) issues nothing.
			e.deliver("evt_2", "invoice.paid", e.clock.Now(), paidInvoiceObj("in_1", "cus_1", "sub_1", 118000, uuid.Nil, e.clock.Now()))
			if n := len(e.invoices(e.studio)); n != 1 {
				t.Errorf("%d invoices after a second event for one payment", n)
			}
		})
	}
}

// 200 invoices issued at once, for several studios, get the serials 1 to
// 200 of the year with no gap and no duplicate; failed payments among them
// and an issue that rolled back take no number.
func TestInvoiceNumbersAreGaplessUnderConcurrency(t *testing.T) {
	e := newEnv(t)
	e.setOperator("29", karnatakaGST)
	e.setPlans()
	studios := []uuid.UUID{e.studio, e.newStudio("B"), e.newStudio("C"), e.newStudio("D")}
	for i, s := range studios {
		e.setProfile(s, billing.ProfileInput{State: "29"})
		e.linkCustomer(s, fmt.Sprintf("cus_%d", i))
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, cus := studios[i%len(studios)], fmt.Sprintf("cus_%d", i%len(studios))
			errs <- e.receiveAndWork(fmt.Sprintf("evt_%d", i), "invoice.paid",
				paidInvoiceObj(fmt.Sprintf("in_%d", i), cus, "", 118000+int64(i), s, e.clock.Now()))
			if i%50 == 0 {
				errs <- e.receiveAndWork(fmt.Sprintf("evt_f%d", i), "invoice.payment_failed",
					failedInvoiceObj(fmt.Sprintf("in_f%d", i), cus, "", 118000, e.clock.Now()))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	e.wantSerials(n)
	if e.count("SELECT count(*) FROM audit_log WHERE kind = 'billing.payment_failed'") != 4 {
		t.Errorf("failed payments not recorded")
	}

	// An issue that fails after taking its number rolls the number back.
	p := event("evt_rollback", "invoice.paid", e.clock.Now(), paidInvoiceObj("in_rb", "cus_0", "", 5000, e.studio, e.clock.Now()))
	if err := e.svc.ReceiveWebhook(e.ctx, p, sign(p, whsec, e.clock.Now())); err != nil {
		t.Fatal(err)
	}
	e.jobs.failNext.Store(true) // the PDF job, queued after the number is taken
	if err := e.svc.ProcessEvent(e.ctx, "evt_rollback"); err == nil {
		t.Fatal("the refused job did not fail the issue")
	}
	if err := e.svc.ProcessEvent(e.ctx, "evt_rollback"); err != nil {
		t.Fatal(err)
	}
	e.wantSerials(n + 1)
}

// receiveAndWork posts a signed event and works it at once, as a webhook
// and its job would.
func (e *env) receiveAndWork(id, typ string, obj map[string]any) error {
	p := event(id, typ, e.clock.Now(), obj)
	if err := e.svc.ReceiveWebhook(e.ctx, p, sign(p, whsec, e.clock.Now())); err != nil {
		return err
	}
	return e.svc.ProcessEvent(e.ctx, id)
}

// wantSerials checks that the invoices are numbered 1 to n, each with its
// serial.
func (e *env) wantSerials(n int) {
	e.t.Helper()
	rows, err := e.su.Query(e.ctx, "SELECT number, serial FROM invoices ORDER BY number")
	if err != nil {
		e.t.Fatal(err)
	}
	type numbered struct {
		Number int64
		Serial string
	}
	got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[numbered])
	if err != nil {
		e.t.Fatal(err)
	}
	if len(got) != n {
		e.t.Fatalf("%d invoices, want %d", len(got), n)
	}
	for i, g := range got {
		if g.Number != int64(i+1) || g.Serial != fmt.Sprintf("INV/26-27/%05d", i+1) {
			e.t.Fatalf("invoice %d is number %d, %s: a gap or a duplicate", i+1, g.Number, g.Serial)
		}
	}
}

func TestPaymentFailedMarksPastDueAndTakesNoNumber(t *testing.T) {
	e := newEnv(t)
	e.setOperator("29", karnatakaGST)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	e.linkCustomer(e.studio, "cus_1")
	now := e.clock.Now()
	e.deliver("evt_1", "customer.subscription.created", now.Add(-time.Hour), subscriptionObj("sub_1", "cus_1", "active", "price_1ProMonthly", now, nil))
	e.deliver("evt_2", "invoice.paid", now.Add(-time.Hour), paidInvoiceObj("in_1", "cus_1", "sub_1", 118000, uuid.Nil, now))
	e.deliver("evt_3", "invoice.payment_failed", now, failedInvoiceObj("in_2", "cus_1", "sub_1", 118000, now.AddDate(0, 0, 3)))

	s, _ := e.svc.Subscription(e.ctx, e.studio)
	if s.Status != "past_due" || s.Plan.Code != "pro" || !s.PastDue() {
		t.Errorf("after a failed payment: %+v", s)
	}
	if n := e.count("SELECT next FROM invoice_counters WHERE series = 'INV'"); n != 2 || len(e.invoices(e.studio)) != 1 {
		t.Errorf("counter at %d after one invoice and a failed payment", n)
	}
	ms := e.mails(e.studio)
	last := ms[len(ms)-1]
	if last.To != "accounts@lumen.example" || !strings.Contains(last.Body, "could not collect Rs. 1,180.00") ||
		!strings.Contains(last.Body, "8 December 2026") || !strings.Contains(last.Body, "https://proofsheet.example/studio/billing") {
		t.Errorf("mail %+v", last)
	}
	if kinds := e.audits(e.studio); kinds[len(kinds)-1] != "billing.payment_failed" {
		t.Errorf("audit %v", kinds)
	}
	// The next invoice takes the next number.
	e.deliver("evt_4", "invoice.paid", now.Add(time.Minute), paidInvoiceObj("in_2", "cus_1", "sub_1", 118000, uuid.Nil, now))
	if invs := e.invoices(e.studio); len(invs) != 2 || invs[1].Serial != "INV/26-27/00002" {
		t.Errorf("invoices %+v", invs)
	}
}

func TestRefundsIssueCreditNotes(t *testing.T) {
	e := newEnv(t)
	e.setOperator("29", karnatakaGST)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "29"})
	e.linkCustomer(e.studio, "cus_1")
	now := e.clock.Now()

	// A refund whose invoice is not issued yet waits (its job fails, River retries).
	early := event("evt_early", "charge.refunded", now, chargeObj("ch_in_1", "pi_in_1", "in_1", 118000, 59000))
	if err := e.svc.ReceiveWebhook(e.ctx, early, sign(early, whsec, now)); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ProcessEvent(e.ctx, "evt_early"); err == nil {
		t.Fatal("a refund of an uninvoiced charge was worked")
	}
	e.retry("evt_early", false)
	e.deliver("evt_paid", "invoice.paid", now, paidInvoiceObj("in_1", "cus_1", "sub_1", 118000, uuid.Nil, now))
	e.retry("evt_early", true)
	e.work()
	// The whole rest, then a late event of the first refund.
	e.deliver("evt_full", "charge.refunded", now.Add(time.Minute), chargeObj("ch_in_1", "pi_in_1", "in_1", 118000, 118000))
	e.deliver("evt_late", "charge.refunded", now, chargeObj("ch_in_1", "pi_in_1", "in_1", 118000, 59000))

	invs := e.invoices(e.studio)
	if len(invs) != 3 {
		t.Fatalf("%d documents", len(invs))
	}
	orig := invs[0]
	for i, cn := range invs[1:] {
		if cn.Kind != billing.CreditNote || cn.Serial != fmt.Sprintf("CN/26-27/%05d", i+1) || cn.OriginalID == nil ||
			*cn.OriginalID != orig.ID || cn.OriginalSerial != orig.Serial || cn.Total != -59000 || cn.Taxable != -50000 ||
			len(cn.TaxHeads) != 2 || cn.TaxHeads[0].Amount != -4500 || cn.TaxHeads[1].Amount != -4500 ||
			cn.Lines[0].SAC != orig.Lines[0].SAC || !strings.HasPrefix(cn.Description(), "Refund against invoice INV/26-27/00001") {
			t.Errorf("credit note %d: %+v", i+1, cn)
		}
	}
	if n := e.count("SELECT count(*) FROM invoices WHERE serial LIKE 'INV/%'"); n != 1 {
		t.Errorf("refunds took invoice numbers: %d invoices", n)
	}
}

func TestRefundedUnlockIsRevoked(t *testing.T) {
	e := newEnv(t)
	e.setOperator("29", karnatakaGST)
	e.setPlans()
	e.setProfile(e.studio, billing.ProfileInput{State: "27"})
	e.linkCustomer(e.studio, "cus_1")
	collection := uuid.New()
	now := e.clock.Now()
	// Paid later (a bank transfer): nothing until the payment succeeds.
	e.deliver("evt_1", "checkout.session.completed", now, unlockSessionObj("cs_1", "cus_1", e.studio, "face", &collection, 59000, false))
	if l, _ := e.svc.Limits(e.ctx, e.studio); l.CollectionUnlocked(collection) || len(e.invoices(e.studio)) != 0 {
		t.Fatal("unpaid session unlocked or invoiced")
	}
	e.deliver("evt_2", "checkout.session.async_payment_succeeded", now, unlockSessionObj("cs_1", "cus_1", e.studio, "face", &collection, 59000, true))
	invs := e.invoices(e.studio)
	if l, _ := e.svc.Limits(e.ctx, e.studio); !l.CollectionUnlocked(collection) || len(invs) != 1 ||
		invs[0].Lines[0].SAC != "998314" || invs[0].TaxHeads[0].Name != "IGST" || invs[0].Total != 59000 {
		t.Fatalf("paid unlock: %+v", invs)
	}
	e.deliver("evt_3", "charge.refunded", now, chargeObj("ch_1", "pi_cs_1", "", 59000, 59000))
	if l, _ := e.svc.Limits(e.ctx, e.studio); l.CollectionUnlocked(collection) {
		t.Error("refunded unlock still in force")
	}
	invs = e.invoices(e.studio)
	if len(invs) != 2 || invs[1].Total != -59000 || invs[1].Lines[0].SAC != "998314" {
		t.Errorf("credit note %+v", invs)
	}
	if kinds := strings.Join(e.audits(e.studio), " "); !strings.Contains(kinds, "billing.unlock_grant") || !strings.Contains(kinds, "billing.unlock_revoke") {
		t.Errorf("audit %s", kinds)
	}
}

// The PDF of an issued invoice is stored encrypted, e-mailed to the
// billing address, and prints the particulars of Rule 46.
func TestInvoicePDFIsStoredMailedAndComplete(t *testing.T) {
	e := newEnv(t)
	e.setOperator("29", karnatakaGST)
	e.setPlans()
	mh := gstinIn(t, "27", "AACCF9034R")
	e.setProfile(e.studio, billing.ProfileInput{State: "27", GSTIN: mh})
	e.linkCustomer(e.studio, "cus_1")
	e.deliver("evt_1", "invoice.paid", e.clock.Now(), paidInvoiceObj("in_1", "cus_1", "sub_1", 118000, uuid.Nil, e.clock.Now()))
	inv := e.invoices(e.studio)[0]
	if inv.EmailedAt == nil {
		t.Fatal("not e-mailed")
	}
	ms := e.mails(e.studio)
	if len(ms) != 1 || ms[0].To != "accounts@lumen.example" || ms[0].Subject != "Proofsheet tax invoice INV/26-27/00001" ||
		!strings.Contains(ms[0].Body, "Attachment: INV-26-27-00001.pdf application/pdf billing/invoices/"+inv.ID.String()+".pdf") {
		t.Fatalf("mails %+v", ms)
	}
	obj, got, err := e.svc.InvoicePDF(e.ctx, e.studio, inv.ID)
	if err != nil || got.Serial != inv.Serial {
		t.Fatal(err)
	}
	defer obj.Close()
	pdf, _ := io.ReadAll(obj)
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Tax Invoice", "INV/26-27/00001", "5 December 2026",
		"Proofsheet Technologies Pvt Ltd", karnatakaGST, "Karnataka",
		"Lumen Photography LLP", mh, "Maharashtra", "27",
		"998315", "Proofsheet Pro plan, billed monthly", "1,000.00", "IGST", "18%", "180.00", "1,180.00",
		"Rupees One Thousand One Hundred Eighty Only", "Place of supply", "Maharashtra (27)", "Reverse charge", "No",
		"For Proofsheet Technologies Pvt Ltd",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	// Another studio cannot have it.
	if _, _, err := e.svc.InvoicePDF(e.ctx, e.newStudio("Other"), inv.ID); !errors.Is(err, billing.ErrNotFound) {
		t.Errorf("other studio: %v", err)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
