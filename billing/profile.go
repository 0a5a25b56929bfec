package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Profile is whom a studio's invoices are made out to.
type Profile struct {
	LegalName    string `json:"legal_name"`
	Address      string `json:"address"`
	StateCode    string `json:"state_code"` // "" outside India
	Country      string `json:"country"`    // ISO 3166 code, "IN"
	GSTIN        string `json:"gstin"`      // "" when unregistered
	BillingEmail string `json:"billing_email"`
}

// Complete reports whether an invoice can be made out from the profile.
func (p Profile) Complete() bool {
	return p.LegalName != "" && p.Address != "" && p.BillingEmail != "" && (p.Country != India || p.StateCode != "")
}

// State is the billing address's state; the zero State outside India.
func (p Profile) State() State {
	st, _ := StateByCode(p.StateCode)
	return st
}

// ProfileInput is the billing profile form. State is a GST state code or
// name, required in India; Country is an ISO code, India when empty.
type ProfileInput struct {
	LegalName    string `json:"legal_name"`
	Address      string `json:"address"`
	State        string `json:"state"`
	Country      string `json:"country"`
	GSTIN        string `json:"gstin"`
	BillingEmail string `json:"billing_email"`
}

// Profile is the studio's billing profile; a studio that never set one gets
// an empty profile in India (Complete is false).
func (s *Service) Profile(ctx context.Context, studio uuid.UUID) (Profile, error) {
	var a *account
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		a, err = accountOf(tx, studio)
		return err
	})
	if err != nil {
		return Profile{}, fmt.Errorf("billing: profile: %w", err)
	}
	return a.profile(), nil
}

// SetProfile checks and stores the studio's billing profile. Invoices
// already issued keep the recipient they were issued to; nothing is saved
// when any field is wrong.
func (s *Service) SetProfile(ctx context.Context, studio uuid.UUID, in ProfileInput, act Actor) (Profile, error) {
	p, err := in.profile()
	if err != nil {
		return Profile{}, fmt.Errorf("billing: set profile: %w", err)
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		a, err := lockAccount(tx, studio)
		if err != nil {
			return err
		}
		err = tx.Model(a).Updates(map[string]any{
			"legal_name": p.LegalName, "address": p.Address, "state_code": p.StateCode, "country": p.Country,
			"gstin": p.GSTIN, "billing_email": p.BillingEmail, "updated_at": s.Now(),
		}).Error
		if err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "billing.profile_update", map[string]any{
			"legal_name": p.LegalName, "state_code": p.StateCode, "country": p.Country,
			"gstin": p.GSTIN, "billing_email": p.BillingEmail,
		})
	})
	if err != nil {
		return Profile{}, fmt.Errorf("billing: set profile: %w", err)
	}
	return p, nil
}

func (in ProfileInput) profile() (Profile, error) {
	p := Profile{LegalName: strings.TrimSpace(in.LegalName), Address: cleanAddress(in.Address)}
	if err := checkParty(p.LegalName, p.Address); err != nil {
		return Profile{}, err
	}
	country := in.Country
	if strings.TrimSpace(country) == "" {
		country = India
	}
	var ok bool
	if p.Country, ok = parseCountry(country); !ok {
		return Profile{}, invalid("country", "Choose the country of the billing address.")
	}
	if err := p.setTaxIdentity(in.State, in.GSTIN); err != nil {
		return Profile{}, err
	}
	email, err := parseEmail(in.BillingEmail)
	if err != nil {
		return Profile{}, err
	}
	p.BillingEmail = email
	return p, nil
}

// setTaxIdentity sets the state and GSTIN. In India the state is required
// (it decides the tax) and a GSTIN must be registered in it, because the
// invoice prints the GSTIN with the recipient's state. Abroad there is
// neither.
func (p *Profile) setTaxIdentity(state, gstin string) error {
	gstin = strings.TrimSpace(gstin)
	if p.Country != India {
		if gstin != "" {
			return invalid("gstin", "A GSTIN is for businesses registered in India; leave it empty for an address abroad, or choose India as the country.")
		}
		return nil
	}
	if strings.TrimSpace(state) == "" {
		return invalid("state", "Choose the state of the billing address: it decides whether CGST and SGST or IGST apply.")
	}
	st, ok := parseState(state)
	if !ok {
		return invalid("state", fmt.Sprintf("%q is not an Indian state or union territory.", strings.TrimSpace(state)))
	}
	p.StateCode = st.Code
	if gstin == "" {
		return nil
	}
	g, err := ParseGSTIN(gstin)
	var ge *GSTINError
	if errors.As(err, &ge) {
		return invalid("gstin", ge.Reason)
	}
	if err != nil {
		return err
	}
	if g.State().Code != st.Code {
		return invalid("gstin", fmt.Sprintf("This GSTIN is registered in %s (%s) but the billing address is in %s (%s); give the address of that registration.", g.State().Name, g.State().Code, st.Name, st.Code))
	}
	p.GSTIN = string(g)
	return nil
}

func parseEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if s == "" || err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.IndexByte(s, '@')+1:], ".") {
		return "", invalid("billing_email", "Enter the e-mail address invoices are sent to, such as accounts@example.com.")
	}
	return s, nil
}

// jsonText is v as JSON text for a jsonb parameter.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps and slices of plain values are passed
	}
	return string(b)
}
