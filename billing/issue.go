package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// errProfileIncomplete stops an invoice that cannot be made out yet; the
// event's job retries, so the invoice is issued once the studio completes
// its profile.
var errProfileIncomplete = errors.New("the studio's billing profile is incomplete")

// stripeRefs are the Stripe objects a document is for. An invoice's are
// unique, so each payment is invoiced once.
type stripeRefs struct {
	Invoice, PaymentIntent, Charge, CheckoutSession string
}

// issueRequest is a tax document to issue.
type issueRequest struct {
	studio      uuid.UUID
	gross       int64  // paise paid (invoice) or newly refunded (credit note); positive
	description string // what was supplied
	saleKind    string // the operator's SAC key: KindSubscription or a product kind; credit notes take the invoice's SAC
	refs        stripeRefs
	// Credit notes: the invoice credited and the charge's refunded total
	// this note brings the credits to.
	original        *Invoice
	refundedThrough int64
}

// issue issues a tax invoice or credit note inside tx, the studio's
// transaction, and queues its PDF and e-mail. The serial is taken last but
// for the audit entry, so the counter's row lock is held briefly.
func (s *Service) issue(ctx context.Context, tx *gorm.DB, r issueRequest) (*Invoice, error) {
	op, err := operatorIn(tx)
	if err != nil {
		return nil, err
	}
	inv, err := s.draft(tx, op, r)
	if err != nil {
		return nil, err
	}
	prefix := op.InvoicePrefix
	if inv.Kind == CreditNote {
		prefix = op.CreditNotePrefix
	}
	inv.Series, inv.FinancialYear = prefix, FinancialYear(inv.IssuedAt)
	if inv.Number, err = nextNumber(tx, inv.Series, inv.FinancialYear); err != nil {
		return nil, err
	}
	if inv.Serial, err = Serial(prefix, inv.FinancialYear, inv.Number); err != nil {
		return nil, err
	}
	if err := tx.Create(inv).Error; err != nil {
		return nil, fmt.Errorf("insert %s: %w", inv.Serial, err)
	}
	if err := s.record(ctx, tx, r.studio, Actor{}, "billing."+inv.Kind+"_issue", inv.auditDetail()); err != nil {
		return nil, err
	}
	if err := s.Jobs.Enqueue(ctx, tx, DocumentArgs{StudioID: r.studio, InvoiceID: inv.ID}); err != nil {
		return nil, err
	}
	return inv, nil
}

// draft computes everything of the document but its number: the parties,
// the place of supply and the tax split of the gross amount.
func (s *Service) draft(tx *gorm.DB, op *Operator, r issueRequest) (*Invoice, error) {
	if r.gross <= 0 {
		return nil, fmt.Errorf("amount %d paise is not positive", r.gross)
	}
	sac := op.SAC[r.saleKind]
	if r.original != nil && len(r.original.Lines) > 0 {
		sac = r.original.Lines[0].SAC // a credit note credits the same service
	}
	if sac == "" {
		return nil, fmt.Errorf("%w: no SAC for %s", ErrNotConfigured, r.saleKind)
	}
	inv := &Invoice{ID: uuid.Must(uuid.NewV7()), StudioID: &r.studio, Kind: TaxInvoice, IssuedAt: s.Now(),
		Supplier: op.supplier(), Currency: "INR"}
	gross, place := r.gross, (*State)(nil)
	if r.original == nil {
		a, err := accountOf(tx, r.studio)
		if err != nil {
			return nil, err
		}
		p := a.profile()
		if !p.Complete() {
			return nil, errProfileIncomplete
		}
		inv.Recipient, place = recipientOf(p), placeOf(p, op.State())
	} else {
		// A credit note mirrors its invoice's recipient and tax treatment.
		inv.Kind, inv.OriginalID, inv.OriginalSerial = CreditNote, &r.original.ID, r.original.Serial
		inv.Recipient, place, gross = r.original.Recipient, r.original.place(), -r.gross
		inv.RefundedThrough = &r.refundedThrough
	}
	tax, err := SplitGross(gross, op.State(), place)
	if err != nil {
		return nil, err
	}
	inv.setTax(tax, place)
	inv.Lines = []Line{{Description: r.description, SAC: sac, Quantity: 1, Taxable: tax.Taxable}}
	inv.setRefs(r.refs)
	inv.PDFKey = "billing/invoices/" + inv.ID.String() + ".pdf"
	return inv, nil
}

func (inv *Invoice) setTax(t Tax, place *State) {
	inv.Taxable, inv.Tax, inv.Total, inv.TaxHeads = t.Taxable, t.TaxAmount(), t.Total, t.Heads
	if inv.TaxHeads == nil {
		inv.TaxHeads = []TaxHead{}
	}
	switch t.Kind {
	case IntraState:
		inv.SupplyKind = "intra_state"
	case InterState:
		inv.SupplyKind = "inter_state"
	default:
		inv.SupplyKind = "export"
	}
	if place != nil {
		inv.PlaceOfSupplyCode = &place.Code
	}
}

func (inv *Invoice) setRefs(r stripeRefs) {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	inv.StripeInvoiceID, inv.StripePaymentIntentID = opt(r.Invoice), opt(r.PaymentIntent)
	inv.StripeChargeID, inv.StripeCheckoutSessionID = opt(r.Charge), opt(r.CheckoutSession)
}

func (inv *Invoice) auditDetail() map[string]any {
	d := map[string]any{"invoice_id": inv.ID.String(), "serial": inv.Serial, "total": inv.Total,
		"taxable": inv.Taxable, "tax": inv.Tax, "supply": inv.SupplyKind}
	if inv.OriginalSerial != "" {
		d["original_serial"] = inv.OriginalSerial
	}
	return d
}

func (o *Operator) supplier() Supplier {
	st := o.State()
	return Supplier{
		Party:        Party{LegalName: o.LegalName, Address: o.Address, StateCode: st.Code, StateName: st.Name, Country: India, GSTIN: o.GSTIN},
		LUTReference: o.LUTReference, Signatory: o.Signatory, Footer: o.Footer,
	}
}

func recipientOf(p Profile) Party {
	r := Party{LegalName: p.LegalName, Address: p.Address, Country: p.Country, GSTIN: p.GSTIN}
	if st, ok := StateByCode(p.StateCode); ok && p.Country == India {
		r.StateCode, r.StateName = st.Code, st.Name
	}
	return r
}

// placeOf is the place of supply to a studio with profile p.
func placeOf(p Profile, supplier State) *State {
	var g *GSTIN
	if p.GSTIN != "" {
		gs := GSTIN(p.GSTIN)
		g = &gs
	}
	var billing *State
	if st, ok := StateByCode(p.StateCode); ok {
		billing = &st
	}
	return PlaceOfSupply(g, billing, p.Country, supplier)
}

// existingInvoice finds the invoice already issued for any of refs;
// ErrNotFound when the payment has none yet.
func existingInvoice(tx *gorm.DB, studio uuid.UUID, refs stripeRefs) (*Invoice, error) {
	var conds []string
	var args []any
	for _, c := range []struct{ col, v string }{{"stripe_invoice_id", refs.Invoice}, {"stripe_payment_intent_id", refs.PaymentIntent},
		{"stripe_charge_id", refs.Charge}, {"stripe_checkout_session_id", refs.CheckoutSession}} {
		if c.v != "" {
			conds, args = append(conds, c.col+" = ?"), append(args, c.v)
		}
	}
	if len(conds) == 0 {
		return nil, ErrNotFound
	}
	var invs []Invoice
	err := tx.Where("studio_id = ? AND kind = ?", studio, TaxInvoice).Where("("+strings.Join(conds, " OR ")+")", args...).
		Order("issued_at").Limit(1).Find(&invs).Error
	if err != nil {
		return nil, err
	}
	if len(invs) == 0 {
		return nil, ErrNotFound
	}
	return &invs[0], nil
}
