package app_test

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/proofsheet/proofsheet/app"
)

// pdfText is the text pdftotext reads from a PDF.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: run `scripts/setup --test` (Debian poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// The invoice of a payment is e-mailed to the billing address with its PDF
// attached: a multipart/mixed message whose PDF part, decoded, is the
// invoice with its serial and total.
func TestBillingInvoiceMailHasPDF(t *testing.T) {
	sink := newSMTPSink(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	p, _ := strconv.Atoi(port)
	ta := billingApp(t, func(c *app.Config) {
		c.SMTPHost, c.SMTPPort, c.SMTPFrom = host, p, "Proofsheet <billing@proofsheet.example>"
	})
	_, studio := checkingOut(t, ta)
	payForPlan(t, ta, func(p []byte) { deliver(t, ta, p) }, studio, "pro", "price_1ProMonthly", "month", 118000, 2*time.Minute)

	var raw string
	select {
	case raw = <-sink.got:
	case <-time.After(30 * time.Second):
		t.Fatal("no e-mail reached the SMTP server")
	}
	rcpt, data, _ := strings.Cut(raw, "\n")
	msg, err := mail.ReadMessage(strings.NewReader(data + "\n"))
	if err != nil {
		t.Fatalf("not an e-mail: %v\n%s", err, data)
	}
	serial := query[string](t, ta, "SELECT serial FROM invoices WHERE studio_id = $1", studio)
	if rcpt != "accounts@lumen.example" || msg.Header.Get("Subject") != "Proofsheet tax invoice "+serial {
		t.Fatalf("to %s, subject %q", rcpt, msg.Header.Get("Subject"))
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	text := nextPart(t, parts)
	if text.ctype != "text/plain" || !strings.Contains(text.body, "Please find attached tax invoice "+serial) {
		t.Fatalf("first part %s:\n%s", text.ctype, text.body)
	}
	att := nextPart(t, parts)
	name := strings.ReplaceAll(serial, "/", "-") + ".pdf"
	if att.ctype != "application/pdf" || att.filename != name || att.encoding != "base64" {
		t.Fatalf("attachment %s %q (%s), want application/pdf %q in base64", att.ctype, att.filename, att.encoding, name)
	}
	for _, l := range strings.Split(strings.TrimSpace(att.body), "\n") {
		if len(l) > 76 {
			t.Fatalf("a base64 line of %d characters", len(l))
		}
	}
	pdf, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(att.body, "\n", ""))
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("attachment is not a PDF: %v", err)
	}
	if txt := pdfText(t, pdf); !strings.Contains(txt, serial) || !strings.Contains(txt, "1,180.00") || !strings.Contains(txt, "Lumen Photography LLP") {
		t.Fatalf("the PDF lacks its serial, total or recipient:\n%s", txt)
	}
	if _, err := parts.NextPart(); err != io.EOF {
		t.Fatalf("more parts than the text and the PDF: %v", err)
	}
	waitUntil(t, ta, "marked sent", "SELECT sent_at IS NOT NULL FROM email_outbox WHERE to_addr = 'accounts@lumen.example'")
}

type mailPart struct{ ctype, filename, encoding, body string }

func nextPart(t *testing.T, r *multipart.Reader) mailPart {
	t.Helper()
	p, err := r.NextPart()
	if err != nil {
		t.Fatalf("part: %v", err)
	}
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
	return mailPart{ctype: ct, filename: p.FileName(), encoding: p.Header.Get("Content-Transfer-Encoding"), body: string(b)}
}
