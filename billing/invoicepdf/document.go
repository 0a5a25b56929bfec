// Package invoicepdf renders a GST tax invoice or credit note, already computed
// by the billing package, as an A4 PDF. It does no tax arithmetic of its own: it
// checks that the figures it is given add up and prints them.
package invoicepdf

import "time"

// Kind selects the document's title and the labels of its serial and date.
type Kind int

const (
	TaxInvoice Kind = iota + 1
	CreditNote
)

// Title is the heading printed on the document.
func (k Kind) Title() string {
	switch k {
	case TaxInvoice:
		return "Tax Invoice"
	case CreditNote:
		return "Credit Note"
	}
	return ""
}

// Party is the supplier or the recipient. Address may hold several lines
// separated by "\n".
type Party struct {
	LegalName string
	Address   string
	StateName string
	StateCode string // two digits, "29" for Karnataka
	GSTIN     string // recipient: empty prints "Unregistered"
	Country   string // recipient: printed under the address when set
}

// Line is one supplied service. Taxable is its taxable value in paise.
type Line struct {
	Description string
	SAC         string
	Quantity    int
	Taxable     int64
}

// TaxLine is the tax charged under one head, such as CGST at "9%", in paise.
type TaxLine struct {
	Head   string
	Rate   string
	Amount int64
}

// Document holds everything printed on the invoice as ready-to-print values.
// Money is in paise. A credit note's amounts may be given with either sign
// (ledgers often keep them negative); they are printed as positive values
// under the "Credit Note" title.
type Document struct {
	Kind           Kind
	Serial         string    // at most 16 characters: letters, digits, "-" and "/"
	Date           time.Time // also the PDF's creation date
	OriginalSerial string    // credit notes: the invoice being credited
	OriginalDate   time.Time // credit notes: that invoice's date

	Supplier  Party
	Recipient Party

	PlaceOfSupply string // "Karnataka (29)" or "Outside India (export)"
	ReverseCharge bool

	Lines        []Line
	TaxableTotal int64
	Taxes        []TaxLine
	Total        int64
	TotalInWords string // "Indian Rupees One Lakh Eighteen Thousand Only"

	SupplyNote string // e.g. the LUT declaration of an export
	Signatory  string // "For Proofsheet Technologies Pvt Ltd"; defaults to "For " + supplier name
	Footer     string // small print at the foot of every page
}
