package billing

import (
	"fmt"
	"strings"
)

// SupplyKind is how GST applies to one supply, decided by the place of supply.
type SupplyKind int

// Kinds of supply. The zero value is no kind, so a Tax that was never computed shows.
const (
	IntraState SupplyKind = iota + 1 // CGST + SGST (or UTGST)
	InterState                       // IGST
	Export                           // zero-rated export of services under LUT
)

// String is the phrase printed on a tax invoice.
func (k SupplyKind) String() string {
	switch k {
	case IntraState:
		return "Intra-state supply"
	case InterState:
		return "Inter-state supply"
	case Export:
		return "Export of services under LUT, zero-rated"
	}
	return fmt.Sprintf("SupplyKind(%d)", int(k))
}

// TaxHead is one line of tax on an invoice.
type TaxHead struct {
	Name   string `json:"name"`    // CGST, SGST, UTGST or IGST
	RateBP int    `json:"rate_bp"` // rate in basis points: 900 is 9%
	Amount int64  `json:"amount"`  // paise
}

// Tax is a GST-inclusive amount split into taxable value and tax heads, all in paise.
// Taxable plus the heads is exactly Total.
type Tax struct {
	Kind    SupplyKind
	Taxable int64
	Heads   []TaxHead
	Total   int64
}

// TaxAmount is the sum of the tax heads.
func (t Tax) TaxAmount() int64 {
	var sum int64
	for _, h := range t.Heads {
		sum += h.Amount
	}
	return sum
}

// GST rates on Proofsheet's service (SAC 9983, 18%), in basis points.
const (
	halfRateBP = 900
	fullRateBP = 1800
)

// maxGross keeps gross*10000 and taxable*rate inside int64: about 4.6 lakh crore rupees.
const maxGross = (1<<63 - 1) / 20000

// SplitGross splits a GST-inclusive amount (paise) into taxable value and tax. place is the
// place of supply (see PlaceOfSupply); nil means outside India, an export zero-rated under
// the supplier's LUT, where the whole amount is taxable value. A negative gross (a credit
// note) is split as its absolute value and negated, so a refund mirrors its invoice.
//
// Rounding: when some taxable value T makes T + round-half-up(T×rate) for every head add
// up to gross exactly, that T is used (it is unique). Otherwise (about 15% of amounts) the
// heads are taken as the remainder and so differ by one paisa from the rounded
// T×rate; the T chosen is the one whose heads lie nearest the exact rate, the larger T
// on a tie. CGST and SGST/UTGST are always equal, since both are 9% of the same value.
func SplitGross(gross int64, supplier State, place *State) (Tax, error) {
	from, ok := StateByCode(supplier.Code)
	if !ok {
		return Tax{}, fmt.Errorf("billing: split GST: supplier state code %q is not a GST state", supplier.Code)
	}
	if gross > maxGross || gross < -maxGross {
		return Tax{}, fmt.Errorf("billing: split GST: %d paise is too large an amount", gross)
	}
	kind, names, rate := Export, []string(nil), 0
	if place != nil {
		to, ok := StateByCode(place.Code)
		if !ok {
			return Tax{}, fmt.Errorf("billing: split GST: place of supply code %q is not a GST state", place.Code)
		}
		kind, names, rate = headsFor(from, to)
	}
	if gross < 0 {
		t := splitPositive(-gross, kind, names, rate)
		return t.negate(), nil
	}
	return splitPositive(gross, kind, names, rate), nil
}

// headsFor names the tax heads of a supply within India; each head has the same rate.
func headsFor(from, to State) (SupplyKind, []string, int) {
	switch {
	case from.Code != to.Code:
		return InterState, []string{"IGST"}, fullRateBP
	case to.UT:
		return IntraState, []string{"CGST", "UTGST"}, halfRateBP
	default:
		return IntraState, []string{"CGST", "SGST"}, halfRateBP
	}
}

func splitPositive(gross int64, kind SupplyKind, names []string, rateBP int) Tax {
	t := Tax{Kind: kind, Taxable: gross, Total: gross}
	if len(names) == 0 {
		return t
	}
	n := int64(len(names))
	taxable, each := splitTaxable(gross, n, int64(rateBP))
	t.Taxable = taxable
	for _, name := range names {
		t.Heads = append(t.Heads, TaxHead{Name: name, RateBP: rateBP, Amount: each})
	}
	return t
}

// splitTaxable finds taxable value T and a per-head amount h with T + n·h = gross, as
// SplitGross documents. T + n·round(T×rate) grows by at least 1 for each paisa of T, so the
// exact T, if any, lies within a paisa or two of gross/(1 + n×rate); a window of ±4 holds
// it and every near miss.
func splitTaxable(gross, n, rateBP int64) (taxable, each int64) {
	centre := gross * 10000 / (10000 + n*rateBP)
	bestDev := int64(-1)
	for t := centre + 4; t >= centre-4; t-- {
		if t < 0 || t > gross || (gross-t)%n != 0 {
			continue
		}
		h := (gross - t) / n
		if h == roundBP(t, rateBP) {
			return t, h
		}
		dev := h*10000 - t*rateBP
		if dev < 0 {
			dev = -dev
		}
		if bestDev < 0 || dev < bestDev {
			bestDev, taxable, each = dev, t, h
		}
	}
	return taxable, each
}

// roundBP is round-half-up of v×bp/10000 for v ≥ 0.
func roundBP(v, bp int64) int64 { return (v*bp + 5000) / 10000 }

func (t Tax) negate() Tax {
	t.Taxable, t.Total = -t.Taxable, -t.Total
	for i := range t.Heads {
		t.Heads[i].Amount = -t.Heads[i].Amount
	}
	return t
}

// PlaceOfSupply decides where a service to this customer is supplied (IGST Act s.12(2)): a
// registered customer's GSTIN state; otherwise the state of the billing address; nil when
// the customer is outside India (country is an ISO code; anything but "IN" is abroad).
//
// An Indian customer with neither a GSTIN nor a known billing state is supplied in the
// supplier's own state, as s.12(2)(b) says when the recipient's address is not on record:
// never an export, which would drop the tax. Profile validation asks every Indian address
// for its state, so this is the last resort, not the rule.
func PlaceOfSupply(gstin *GSTIN, billingState *State, country string, supplier State) *State {
	if gstin != nil {
		if s := gstin.State(); s.Code != "" {
			return &s
		}
	}
	if !strings.EqualFold(strings.TrimSpace(country), "IN") {
		return nil
	}
	if billingState != nil {
		if s, ok := StateByCode(billingState.Code); ok {
			return &s
		}
	}
	if s, ok := StateByCode(supplier.Code); ok {
		return &s
	}
	return nil
}
