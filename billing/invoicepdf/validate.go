package invoicepdf

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every error Render returns for a document that
// cannot be printed as a valid GST invoice; the message lists each problem.
var ErrInvalid = errors.New("invoicepdf: invalid document")

// maxSerialLen is the limit of CGST rule 46(b) on invoice serial numbers.
const maxSerialLen = 16

type problems []string

func (p *problems) add(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(p, "; "))
}

// validate reports every problem at once so a caller fixes them in one pass.
// printable reports whether the PDF's core fonts can show a string.
func validate(d *Document, printable func(string) bool) error {
	var p problems
	checkHeader(&p, d)
	checkParty(&p, "supplier", &d.Supplier, true)
	checkParty(&p, "recipient", &d.Recipient, false)
	if strings.TrimSpace(d.PlaceOfSupply) == "" {
		p.add("place of supply is required")
	}
	checkLines(&p, d)
	checkTaxes(&p, d)
	if strings.TrimSpace(d.TotalInWords) == "" {
		p.add("total in words is required")
	}
	for _, f := range textFields(d) {
		if !printable(f.value) {
			p.add("%s %q has characters the PDF fonts cannot print", f.name, f.value)
		}
	}
	return p.err()
}

func checkHeader(p *problems, d *Document) {
	if d.Kind != TaxInvoice && d.Kind != CreditNote {
		p.add("kind must be TaxInvoice or CreditNote, not %d", d.Kind)
	}
	checkSerial(p, "serial", d.Serial)
	if d.Date.IsZero() {
		p.add("date is required")
	}
	if d.Kind != CreditNote {
		if d.OriginalSerial != "" || !d.OriginalDate.IsZero() {
			p.add("original invoice serial and date belong only on a credit note")
		}
		return
	}
	checkSerial(p, "original invoice serial", d.OriginalSerial)
	if d.OriginalDate.IsZero() {
		p.add("original invoice date is required on a credit note")
	} else if !d.Date.IsZero() && d.OriginalDate.After(d.Date) {
		p.add("credit note date %s is before the original invoice date %s",
			formatDate(d.Date), formatDate(d.OriginalDate))
	}
}

func checkSerial(p *problems, name, s string) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		p.add("%s is required", name)
	case n > maxSerialLen:
		p.add("%s %q is %d characters; GST allows at most %d", name, s, n, maxSerialLen)
	case strings.TrimLeft(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/") != "":
		p.add("%s %q may hold only letters, digits, \"-\" and \"/\"", name, s)
	}
}

func checkParty(p *problems, role string, pt *Party, supplier bool) {
	if strings.TrimSpace(pt.LegalName) == "" {
		p.add("%s legal name is required", role)
	}
	if strings.TrimSpace(pt.Address) == "" {
		p.add("%s address is required", role)
	}
	domestic := supplier || pt.Country == "" || strings.EqualFold(pt.Country, "India")
	if domestic && strings.TrimSpace(pt.StateName) == "" {
		p.add("%s state name is required", role)
	}
	if domestic || pt.StateCode != "" {
		if !isDigits(pt.StateCode, 2, 2) {
			p.add("%s state code %q must be two digits", role, pt.StateCode)
		}
	}
	switch {
	case pt.GSTIN == "" && supplier:
		p.add("supplier GSTIN is required")
	case pt.GSTIN != "":
		if err := checkGSTIN(pt.GSTIN, pt.StateCode); err != nil {
			p.add("%s %v", role, err)
		}
	}
}

func checkLines(p *problems, d *Document) {
	if len(d.Lines) == 0 {
		p.add("at least one line is required")
		return
	}
	var sum int64
	for i, l := range d.Lines {
		n := i + 1
		if strings.TrimSpace(l.Description) == "" {
			p.add("line %d description is required", n)
		}
		if !isDigits(l.SAC, 4, 8) {
			p.add("line %d SAC %q must be 4 to 8 digits", n, l.SAC)
		}
		if l.Quantity < 1 {
			p.add("line %d quantity %d must be at least 1", n, l.Quantity)
		}
		if l.Taxable < 0 {
			p.add("line %d taxable value %s is negative", n, formatPaise(l.Taxable))
		}
		sum += l.Taxable
	}
	if sum != d.TaxableTotal {
		p.add("lines add up to %s but taxable total is %s",
			formatPaise(sum), formatPaise(d.TaxableTotal))
	}
}

func checkTaxes(p *problems, d *Document) {
	sum := d.TaxableTotal
	for i, t := range d.Taxes {
		n := i + 1
		if strings.TrimSpace(t.Head) == "" {
			p.add("tax %d head is required", n)
		}
		if strings.TrimSpace(t.Rate) == "" {
			p.add("tax %d (%s) rate is required", n, t.Head)
		}
		if t.Amount < 0 {
			p.add("tax %d (%s) amount %s is negative", n, t.Head, formatPaise(t.Amount))
		}
		sum += t.Amount
	}
	if sum != d.Total {
		p.add("taxable total %s plus taxes is %s but total is %s",
			formatPaise(d.TaxableTotal), formatPaise(sum), formatPaise(d.Total))
	}
}

func isDigits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

type textField struct{ name, value string }

func textFields(d *Document) []textField {
	f := []textField{
		{"serial", d.Serial}, {"original invoice serial", d.OriginalSerial},
		{"place of supply", d.PlaceOfSupply}, {"total in words", d.TotalInWords},
		{"supply note", d.SupplyNote}, {"signatory", d.Signatory}, {"footer", d.Footer},
	}
	for _, pt := range []struct {
		role string
		p    *Party
	}{{"supplier", &d.Supplier}, {"recipient", &d.Recipient}} {
		f = append(f,
			textField{pt.role + " legal name", pt.p.LegalName},
			textField{pt.role + " address", pt.p.Address},
			textField{pt.role + " state name", pt.p.StateName},
			textField{pt.role + " country", pt.p.Country})
	}
	for i, l := range d.Lines {
		f = append(f, textField{fmt.Sprintf("line %d description", i+1), l.Description})
	}
	for i, t := range d.Taxes {
		f = append(f, textField{fmt.Sprintf("tax %d head", i+1), t.Head},
			textField{fmt.Sprintf("tax %d rate", i+1), t.Rate})
	}
	return f
}
