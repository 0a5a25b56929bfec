package billing

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/billing/invoicepdf"
)

// Operator is the supplier printed on every invoice: the business running
// Proofsheet.
type Operator struct {
	LegalName        string            `json:"legal_name"`
	Address          string            `json:"address"`
	StateCode        string            `json:"state_code"`
	GSTIN            string            `gorm:"column:gstin" json:"gstin"`
	SAC              map[string]string `gorm:"column:sac;serializer:json" json:"sac"`
	LUTReference     string            `gorm:"column:lut_reference" json:"lut_reference"`
	InvoicePrefix    string            `json:"invoice_prefix"`
	CreditNotePrefix string            `json:"credit_note_prefix"`
	Signatory        string            `json:"signatory"`
	Footer           string            `json:"footer"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// TableName is the one-row operator table.
func (Operator) TableName() string { return "operator_profile" }

// State is the operator's state, where intra-state supplies are taxed.
func (o *Operator) State() State {
	st, _ := StateByCode(o.StateCode)
	return st
}

// OperatorInput is the operator profile as the admin command gives it.
// State is a GST state code ("29") or name ("Karnataka"); SAC maps each
// kind of sale (KindSubscription, KindFaceSearch, KindStoragePack) to its
// services accounting code.
type OperatorInput struct {
	LegalName        string
	Address          string
	State            string
	GSTIN            string
	SAC              map[string]string
	LUTReference     string
	InvoicePrefix    string
	CreditNotePrefix string
	Signatory        string // "For ..." line; "For <legal name>" when empty
	Footer           string // small print on every page
}

var (
	sacRE = regexp.MustCompile(`^99[0-9]{4}$`)
	lutRE = regexp.MustCompile(`^[A-Za-z0-9/-]{1,40}$`)
)

// Operator is the operator profile; ErrNotConfigured until it is set.
func (s *Service) Operator(ctx context.Context) (*Operator, error) {
	var o *Operator
	err := s.Unscoped(ctx, func(tx *gorm.DB) (err error) {
		o, err = operatorIn(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: operator profile: %w", err)
	}
	return o, nil
}

func operatorIn(tx *gorm.DB) (*Operator, error) {
	var o Operator
	err := tx.Take(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotConfigured
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// SetOperator checks and stores the operator profile. Invoices already
// issued keep the supplier they were issued with.
func (s *Service) SetOperator(ctx context.Context, in OperatorInput) (*Operator, error) {
	o, err := in.operator()
	if err != nil {
		return nil, fmt.Errorf("billing: set operator profile: %w", err)
	}
	o.UpdatedAt = s.Now()
	err = s.Unscoped(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO operator_profile (id, legal_name, address, state_code, gstin, sac, lut_reference,
				invoice_prefix, credit_note_prefix, signatory, footer, updated_at)
			VALUES (true, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET legal_name = excluded.legal_name, address = excluded.address,
				state_code = excluded.state_code, gstin = excluded.gstin, sac = excluded.sac,
				lut_reference = excluded.lut_reference, invoice_prefix = excluded.invoice_prefix,
				credit_note_prefix = excluded.credit_note_prefix, signatory = excluded.signatory,
				footer = excluded.footer, updated_at = excluded.updated_at`,
			o.LegalName, o.Address, o.StateCode, o.GSTIN, jsonText(o.SAC), o.LUTReference,
			o.InvoicePrefix, o.CreditNotePrefix, o.Signatory, o.Footer, o.UpdatedAt).Error
	})
	if err != nil {
		return nil, fmt.Errorf("billing: set operator profile: %w", err)
	}
	return o, nil
}

func (in OperatorInput) operator() (*Operator, error) {
	o := &Operator{
		LegalName: strings.TrimSpace(in.LegalName), Address: cleanAddress(in.Address),
		LUTReference: strings.TrimSpace(in.LUTReference), Signatory: strings.TrimSpace(in.Signatory),
		Footer:        strings.TrimSpace(in.Footer),
		InvoicePrefix: strings.ToUpper(strings.TrimSpace(in.InvoicePrefix)), CreditNotePrefix: strings.ToUpper(strings.TrimSpace(in.CreditNotePrefix)),
	}
	if err := checkParty(o.LegalName, o.Address); err != nil {
		return nil, err
	}
	st, ok := parseState(in.State)
	if !ok {
		return nil, invalid("state", "Choose the state of the registered address.")
	}
	o.StateCode = st.Code
	g, err := ParseGSTIN(in.GSTIN)
	if err != nil {
		return nil, invalid("gstin", err.Error())
	}
	if g.State().Code != st.Code {
		return nil, invalid("gstin", fmt.Sprintf("This GSTIN is registered in %s (%s), not in %s (%s) where the address is.", g.State().Name, g.State().Code, st.Name, st.Code))
	}
	o.GSTIN = string(g)
	if o.SAC, err = checkSAC(in.SAC); err != nil {
		return nil, err
	}
	if !lutRE.MatchString(o.LUTReference) {
		return nil, invalid("lut_reference", "Enter the ARN of the Letter of Undertaking: exports to studios abroad are zero-rated under it.")
	}
	if err := checkPrefixes(o.InvoicePrefix, o.CreditNotePrefix); err != nil {
		return nil, err
	}
	for _, f := range []struct{ field, v string }{{"signatory", o.Signatory}, {"footer", o.Footer}} {
		if !invoicepdf.Printable(f.v) || utf8.RuneCountInString(f.v) > 300 {
			return nil, invalid(f.field, fmt.Sprintf("The %s must be at most 300 characters the invoice can print (Latin letters).", f.field))
		}
	}
	return o, nil
}

func checkSAC(in map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range in {
		known := false
		for _, kind := range saleKinds {
			known = known || k == kind
		}
		if !known {
			return nil, invalid("sac", fmt.Sprintf("%q is not a kind of sale; SAC codes are given for %s.", k, strings.Join(saleKinds, ", ")))
		}
		out[k] = strings.TrimSpace(v)
	}
	missing := []string{}
	for _, kind := range saleKinds {
		if !sacRE.MatchString(out[kind]) {
			missing = append(missing, kind)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, invalid("sac", fmt.Sprintf("Give a six-digit SAC starting with 99 (such as 998315) for %s.", strings.Join(missing, ", ")))
	}
	return out, nil
}

func checkPrefixes(inv, cn string) error {
	for _, p := range []struct{ field, v string }{{"invoice_prefix", inv}, {"credit_note_prefix", cn}} {
		if _, err := Serial(p.v, "2026-27", 1); err != nil {
			return invalid(p.field, "A serial prefix is 1 to 4 letters, such as INV or CN.")
		}
	}
	if inv == cn {
		return invalid("credit_note_prefix", "Credit notes need a series of their own: choose a prefix other than the invoices'.")
	}
	return nil
}

// checkParty checks a legal name and address that invoices print.
func checkParty(name, address string) error {
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return invalid("legal_name", "Enter the legal name, at most 200 characters.")
	}
	if !invoicepdf.Printable(name) {
		return invalid("legal_name", "Write the legal name in Latin letters: the invoice cannot print some of its characters.")
	}
	if address == "" || utf8.RuneCountInString(address) > 500 {
		return invalid("address", "Enter the address, at most 500 characters.")
	}
	if !invoicepdf.Printable(address) {
		return invalid("address", "Write the address in Latin letters: the invoice cannot print some of its characters.")
	}
	return nil
}

// cleanAddress trims each line and drops empty ones.
func cleanAddress(s string) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// parseState accepts a state's two-digit code or its name.
func parseState(s string) (State, bool) {
	if st, ok := StateByCode(s); ok {
		return st, true
	}
	return StateByName(s)
}
