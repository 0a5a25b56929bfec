package billing

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/proofsheet/proofsheet/billing/invoicepdf"
)

// DocumentArgs is the job that stores an issued document's PDF and e-mails
// it to the studio's billing address, queued with the document.
type DocumentArgs struct {
	StudioID  uuid.UUID `json:"studio_id"`
	InvoiceID uuid.UUID `json:"invoice_id"`
}

// Kind names the job.
func (DocumentArgs) Kind() string { return "billing_document" }

// DocumentWorker works DocumentArgs.
type DocumentWorker struct {
	river.WorkerDefaults[DocumentArgs]
	Billing *Service
}

// Work delivers the document; each step is done once, so a retry after a
// partial run finishes the rest.
func (w *DocumentWorker) Work(ctx context.Context, job *river.Job[DocumentArgs]) error {
	return w.Billing.DeliverDocument(ctx, job.Args.StudioID, job.Args.InvoiceID)
}

// DeliverDocument stores the PDF of an issued invoice or credit note and
// queues the e-mail that carries it, unless done before.
func (s *Service) DeliverDocument(ctx context.Context, studio, id uuid.UUID) error {
	inv, err := s.Invoice(ctx, studio, id)
	if err != nil {
		return fmt.Errorf("billing: deliver document: %w", err)
	}
	if inv.PDFStoredAt == nil {
		if err := s.storePDF(ctx, studio, inv); err != nil {
			return fmt.Errorf("billing: deliver %s: %w", inv.Serial, err)
		}
	}
	if err := s.mailDocument(ctx, studio, id); err != nil {
		return fmt.Errorf("billing: deliver %s: %w", inv.Serial, err)
	}
	return nil
}

// storePDF renders the document and stores it. Rendering is
// deterministic, so storing it again writes the same bytes.
func (s *Service) storePDF(ctx context.Context, studio uuid.UUID, inv *Invoice) error {
	original, err := s.originalOf(ctx, studio, inv)
	if err != nil {
		return err
	}
	pdf, err := invoicepdf.Render(inv.document(original))
	if err != nil {
		return err
	}
	if _, err := s.Blobs.Put(ctx, studio, inv.PDFKey, bytes.NewReader(pdf)); err != nil {
		return fmt.Errorf("store pdf: %w", err)
	}
	now := s.Now()
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Model(&Invoice{}).Where("id = ? AND pdf_stored_at IS NULL", inv.ID).Update("pdf_stored_at", now).Error
	})
	if err != nil {
		return err
	}
	inv.PDFStoredAt = &now
	return nil
}

func (s *Service) originalOf(ctx context.Context, studio uuid.UUID, inv *Invoice) (*Invoice, error) {
	if inv.OriginalID == nil {
		return nil, nil
	}
	return s.Invoice(ctx, studio, *inv.OriginalID)
}

// mailDocument queues the e-mail with the PDF to the studio's billing
// address as it is now, once.
func (s *Service) mailDocument(ctx context.Context, studio, id uuid.UUID) error {
	return s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		var inv Invoice
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("studio_id = ? AND id = ?", studio, id).Take(&inv).Error
		if err != nil {
			return notFound(err)
		}
		if inv.EmailedAt != nil {
			return nil
		}
		a, err := accountOf(tx, studio)
		if err != nil || a.BillingEmail == "" {
			return err // no address: the studio downloads it from its page
		}
		if err := s.Mail.Queue(ctx, tx, studio, s.documentMail(&inv, a)); err != nil {
			return err
		}
		now := s.Now()
		err = tx.Model(&inv).Updates(map[string]any{"emailed_at": now, "emailed_to": a.BillingEmail}).Error
		if err != nil {
			return err
		}
		return s.record(ctx, tx, studio, Actor{}, "billing."+inv.Kind+"_email", map[string]any{
			"invoice_id": inv.ID.String(), "serial": inv.Serial, "to": a.BillingEmail,
		})
	})
}

func (s *Service) documentMail(inv *Invoice, a *account) Message {
	what := "tax invoice"
	if inv.Kind == CreditNote {
		what = "credit note"
	}
	body := fmt.Sprintf("Dear %s,\n\nPlease find attached %s %s of %s for Rs. %s (%s).\n\n"+
		"Your invoices and credit notes are also on your billing page: %s%s\n\n%s\n",
		a.LegalName, what, inv.Serial, istDate(inv.IssuedAt),
		rupees(abs(inv.Total)), inv.Description(), s.BaseURL, s.BillingPath, inv.Supplier.LegalName)
	return Message{
		To:          a.BillingEmail,
		Subject:     fmt.Sprintf("Proofsheet %s %s", what, inv.Serial),
		Body:        body,
		Attachments: []Attachment{{Filename: inv.FileName(), ContentType: "application/pdf", BlobKey: inv.PDFKey}},
	}
}

// document is the invoice as invoicepdf prints it.
func (inv *Invoice) document(original *Invoice) *invoicepdf.Document {
	d := &invoicepdf.Document{
		Kind: invoicepdf.TaxInvoice, Serial: inv.Serial, Date: inv.IssuedAt.In(ist),
		Supplier: pdfParty(inv.Supplier.Party), Recipient: pdfParty(inv.Recipient),
		PlaceOfSupply: inv.placeOfSupplyText(), TaxableTotal: inv.Taxable, Total: inv.Total,
		TotalInWords: RupeesInWords(abs(inv.Total)), Signatory: inv.Supplier.Signatory, Footer: inv.Supplier.Footer,
	}
	if inv.Kind == CreditNote && original != nil {
		d.Kind, d.OriginalSerial, d.OriginalDate = invoicepdf.CreditNote, original.Serial, original.IssuedAt.In(ist)
	}
	for _, l := range inv.Lines {
		d.Lines = append(d.Lines, invoicepdf.Line{Description: l.Description, SAC: l.SAC, Quantity: l.Quantity, Taxable: l.Taxable})
	}
	for _, h := range inv.TaxHeads {
		d.Taxes = append(d.Taxes, invoicepdf.TaxLine{Head: h.Name, Rate: rateText(h.RateBP), Amount: h.Amount})
	}
	if inv.SupplyKind == "export" {
		d.SupplyNote = "Supply meant for export under LUT without payment of IGST, LUT ARN " + inv.Supplier.LUTReference
	}
	return d
}

func pdfParty(p Party) invoicepdf.Party {
	out := invoicepdf.Party{LegalName: p.LegalName, Address: p.Address, StateName: p.StateName, StateCode: p.StateCode, GSTIN: p.GSTIN}
	if p.Country != "" && p.Country != India {
		out.Country = CountryName(p.Country)
	}
	return out
}

func (inv *Invoice) placeOfSupplyText() string {
	st := inv.place()
	if st == nil {
		return "Outside India (export)"
	}
	return fmt.Sprintf("%s (%s)", st.Name, st.Code)
}

// rateText is a rate in basis points as printed: 900 is "9%", 250 "2.5%".
func rateText(bp int) string {
	s := strconv.FormatFloat(float64(bp)/100, 'f', 2, 64)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".") + "%"
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// istDate is the date of t in India, where invoices are dated.
func istDate(t time.Time) string { return t.In(ist).Format("2 January 2006") }

// rupees prints paise as the invoice does, "1,180.00".
func rupees(p int64) string { return invoicepdf.FormatPaise(p) }
