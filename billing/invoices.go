package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Kinds of tax document.
const (
	TaxInvoice = "invoice"
	CreditNote = "credit_note"
)

// Party is the supplier or recipient as an invoice printed them.
type Party struct {
	LegalName string `json:"legal_name"`
	Address   string `json:"address"`
	StateCode string `json:"state_code,omitempty"`
	StateName string `json:"state_name,omitempty"`
	Country   string `json:"country"` // ISO code
	GSTIN     string `json:"gstin,omitempty"`
}

// Supplier is the operator as of the invoice, with what it prints besides
// its address.
type Supplier struct {
	Party
	LUTReference string `json:"lut_reference"`
	Signatory    string `json:"signatory,omitempty"`
	Footer       string `json:"footer,omitempty"`
}

// Line is one supplied service. Taxable is in paise, negative on a credit
// note.
type Line struct {
	Description string `json:"description"`
	SAC         string `json:"sac"`
	Quantity    int    `json:"quantity"`
	Taxable     int64  `json:"taxable"`
}

// Invoice is a GST tax invoice or credit note as issued. Money is in
// paise; a credit note's amounts are negative.
type Invoice struct {
	ID                      uuid.UUID  `json:"id"`
	StudioID                *uuid.UUID `json:"-"`
	Kind                    string     `json:"kind"`
	Series                  string     `json:"-"`
	FinancialYear           string     `json:"financial_year"`
	Number                  int64      `json:"number"`
	Serial                  string     `json:"serial"`
	IssuedAt                time.Time  `json:"issued_at"`
	OriginalID              *uuid.UUID `json:"original_id,omitempty"`
	OriginalSerial          string     `gorm:"-" json:"original_serial,omitempty"`
	RefundedThrough         *int64     `json:"-"`
	StripeInvoiceID         *string    `json:"-"`
	StripePaymentIntentID   *string    `json:"-"`
	StripeChargeID          *string    `json:"-"`
	StripeCheckoutSessionID *string    `json:"-"`
	Supplier                Supplier   `gorm:"serializer:json" json:"supplier"`
	Recipient               Party      `gorm:"serializer:json" json:"recipient"`
	PlaceOfSupplyCode       *string    `json:"place_of_supply_code"` // nil: export
	SupplyKind              string     `json:"supply_kind"`
	Currency                string     `json:"currency"`
	Lines                   []Line     `gorm:"serializer:json" json:"lines"`
	Taxable                 int64      `json:"taxable"`
	TaxHeads                []TaxHead  `gorm:"serializer:json" json:"tax_heads"`
	Tax                     int64      `json:"tax"`
	Total                   int64      `json:"total"`
	PDFKey                  string     `gorm:"column:pdf_key" json:"-"`
	PDFStoredAt             *time.Time `gorm:"column:pdf_stored_at" json:"-"`
	EmailedTo               string     `json:"-"`
	EmailedAt               *time.Time `json:"emailed_at,omitempty"`
}

// TableName is the invoices table.
func (Invoice) TableName() string { return "invoices" }

// Description is what the invoice was for (its first line).
func (inv *Invoice) Description() string {
	if len(inv.Lines) == 0 {
		return ""
	}
	return inv.Lines[0].Description
}

// FileName is the PDF's download name, the serial without slashes.
func (inv *Invoice) FileName() string {
	return strings.ReplaceAll(inv.Serial, "/", "-") + ".pdf"
}

// place is the place of supply; nil for an export.
func (inv *Invoice) place() *State {
	if inv.PlaceOfSupplyCode == nil {
		return nil
	}
	st, ok := StateByCode(*inv.PlaceOfSupplyCode)
	if !ok {
		return nil
	}
	return &st
}

// Invoices lists the studio's invoices and credit notes, newest first.
func (s *Service) Invoices(ctx context.Context, studio uuid.UUID) ([]Invoice, error) {
	var out []Invoice
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		out, err = invoicesOf(tx, studio)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: invoices: %w", err)
	}
	return out, nil
}

// Invoice finds one of the studio's invoices or credit notes.
func (s *Service) Invoice(ctx context.Context, studio, id uuid.UUID) (*Invoice, error) {
	var inv *Invoice
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		inv, err = invoiceIn(tx, studio, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: invoice %s: %w", id, err)
	}
	return inv, nil
}

func invoicesOf(tx *gorm.DB, studio uuid.UUID) ([]Invoice, error) {
	out := []Invoice{}
	if err := tx.Where("studio_id = ?", studio).Order("issued_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, err
	}
	serials := map[uuid.UUID]string{}
	for _, inv := range out {
		serials[inv.ID] = inv.Serial
	}
	for i := range out {
		if o := out[i].OriginalID; o != nil {
			if serial, ok := serials[*o]; ok {
				out[i].OriginalSerial = serial
			} else if err := tx.Model(&Invoice{}).Where("id = ?", *o).Pluck("serial", &out[i].OriginalSerial).Error; err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func invoiceIn(tx *gorm.DB, studio, id uuid.UUID) (*Invoice, error) {
	var inv Invoice
	if err := tx.Where("studio_id = ? AND id = ?", studio, id).Take(&inv).Error; err != nil {
		return nil, notFound(err)
	}
	if inv.OriginalID != nil {
		var serial []string
		if err := tx.Model(&Invoice{}).Where("id = ?", *inv.OriginalID).Pluck("serial", &serial).Error; err != nil {
			return nil, err
		}
		if len(serial) == 1 {
			inv.OriginalSerial = serial[0]
		}
	}
	return &inv, nil
}

// InvoicePDF opens the PDF of one of the studio's invoices or credit notes.
// A PDF not stored yet (its job has not run) or lost is rendered and
// stored now: the row holds everything it prints.
func (s *Service) InvoicePDF(ctx context.Context, studio, id uuid.UUID) (Object, *Invoice, error) {
	inv, err := s.Invoice(ctx, studio, id)
	if err != nil {
		return nil, nil, err
	}
	if inv.PDFStoredAt == nil {
		if err := s.storePDF(ctx, studio, inv); err != nil {
			return nil, nil, fmt.Errorf("billing: invoice pdf: %w", err)
		}
	}
	obj, err := s.Blobs.Open(ctx, studio, inv.PDFKey)
	if errors.Is(err, ErrNotFound) {
		if err = s.storePDF(ctx, studio, inv); err == nil {
			obj, err = s.Blobs.Open(ctx, studio, inv.PDFKey)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("billing: invoice pdf %s: %w", inv.Serial, err)
	}
	return obj, inv, nil
}
