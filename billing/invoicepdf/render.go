package invoicepdf

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// Render validates d and returns the PDF. The output depends only on d: the
// PDF's creation date is d.Date, so rendering the same document twice gives
// identical bytes. Invalid documents return an error wrapping ErrInvalid.
func Render(d *Document) ([]byte, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: document is nil", ErrInvalid)
	}
	doc := normalized(d)
	pdf := fpdf.New("P", "mm", "A4", "")
	cp1252 := pdf.UnicodeTranslatorFromDescriptor("")
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("invoicepdf: load code page: %w", err)
	}
	if err := validate(doc, printable(cp1252)); err != nil {
		return nil, err
	}
	r := &renderer{pdf: pdf, d: doc, tr: func(s string) string {
		return cp1252(withoutRupeeSign(s))
	}}
	r.setMetadata()
	r.draw()
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("invoicepdf: render %s %s: %w", doc.Kind.Title(), doc.Serial, err)
	}
	return buf.Bytes(), nil
}

// normalized returns a copy with credit-note amounts made positive and the
// signatory defaulted, leaving the caller's document untouched.
func normalized(d *Document) *Document {
	c := *d
	c.Lines = append([]Line(nil), d.Lines...)
	c.Taxes = append([]TaxLine(nil), d.Taxes...)
	if c.Kind == CreditNote && c.Total < 0 {
		c.TaxableTotal, c.Total = -c.TaxableTotal, -c.Total
		for i := range c.Lines {
			c.Lines[i].Taxable = -c.Lines[i].Taxable
		}
		for i := range c.Taxes {
			c.Taxes[i].Amount = -c.Taxes[i].Amount
		}
	}
	if strings.TrimSpace(c.Signatory) == "" && c.Supplier.LegalName != "" {
		c.Signatory = "For " + c.Supplier.LegalName
	}
	return &c
}

// withoutRupeeSign spells out the rupee sign, which cp1252 core fonts lack.
func withoutRupeeSign(s string) string {
	return strings.ReplaceAll(s, "\u20b9", "Rs.")
}

// printable reports whether every rune survives translation to cp1252; the
// translator turns the ones it cannot map into ".", which no rune at or above
// 0x80 maps to legitimately.
func printable(cp1252 func(string) string) func(string) bool {
	return func(s string) bool {
		for _, r := range withoutRupeeSign(s) {
			switch {
			case r == '\n' || r == '\r' || r == '\t':
			case r < 0x20 || r == 0x7f:
				return false
			case r >= 0x80 && cp1252(string(r)) == ".":
				return false
			}
		}
		return true
	}
}

func (r *renderer) setMetadata() {
	d, pdf := r.d, r.pdf
	pdf.SetTitle(d.Kind.Title()+" "+d.Serial, true)
	pdf.SetAuthor(d.Supplier.LegalName, true)
	pdf.SetSubject(fmt.Sprintf("%s %s from %s to %s", d.Kind.Title(), d.Serial,
		d.Supplier.LegalName, d.Recipient.LegalName), true)
	pdf.SetCreator("Proofsheet", true)
	pdf.SetLang("en-IN")
	pdf.SetCreationDate(d.Date)
	pdf.SetModificationDate(d.Date)
	// Fonts and images live in maps; sorting them keeps the bytes stable.
	pdf.SetCatalogSort(true)
}
