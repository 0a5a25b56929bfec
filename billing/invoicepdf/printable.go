package invoicepdf

import "codeberg.org/go-pdf/fpdf"

// Printable reports whether the PDF's core fonts can print s (Latin-1 and
// the rest of code page 1252, the rupee sign, line breaks). Forms that
// collect what an invoice will print check it up front, so an invoice is
// never refused at issue for a name it cannot print.
func Printable(s string) bool {
	pdf := fpdf.New("P", "mm", "A4", "")
	cp1252 := pdf.UnicodeTranslatorFromDescriptor("")
	if pdf.Error() != nil {
		return false
	}
	return printable(cp1252)(s)
}
