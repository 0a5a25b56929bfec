package billing

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func mustState(t *testing.T, code string) State {
	t.Helper()
	s, ok := StateByCode(code)
	if !ok {
		t.Fatalf("no state %q", code)
	}
	return s
}

func TestSplitGross(t *testing.T) {
	cgstSGST := func(each int64) []TaxHead {
		return []TaxHead{{"CGST", 900, each}, {"SGST", 900, each}}
	}
	cgstUTGST := func(each int64) []TaxHead {
		return []TaxHead{{"CGST", 900, each}, {"UTGST", 900, each}}
	}
	igst := func(a int64) []TaxHead { return []TaxHead{{"IGST", 1800, a}} }
	tests := []struct {
		name            string
		gross           int64
		supplier, place string // "" place: outside India
		kind            SupplyKind
		taxable         int64
		heads           []TaxHead
	}{
		{"intra round", 1_18_000, "27", "27", IntraState, 1_00_000, cgstSGST(9000)},
		{"inter round", 1_18_000, "27", "29", InterState, 1_00_000, igst(18000)},
		{"UT intra", 1_18_000, "04", "04", IntraState, 1_00_000, cgstUTGST(9000)},
		{"UT place, other supplier", 1_18_000, "27", "04", InterState, 1_00_000, igst(18000)},
		{"Delhi charges SGST", 1_18_000, "07", "07", IntraState, 1_00_000, cgstSGST(9000)},
		{"export", 1_18_000, "27", "", Export, 1_18_000, nil},
		{"export from a UT", 999, "38", "", Export, 999, nil},
		{"zero", 0, "27", "27", IntraState, 0, cgstSGST(0)},
		{"one paisa intra", 1, "27", "27", IntraState, 1, cgstSGST(0)},
		{"one paisa inter", 1, "27", "29", InterState, 1, igst(0)},
		{"smallest taxed", 11, "27", "27", IntraState, 9, cgstSGST(1)},
		{"odd paise inter exact", 99, "27", "29", InterState, 84, igst(15)},
		// 83 + 2×7 = 97 and 84 + 2×8 = 100: nothing adds to 99, heads are 8 on 83 (7.47).
		{"odd paise intra off by one", 99, "27", "27", IntraState, 83, cgstSGST(8)},
		// 51 (4.59) and 49 (4.41) are equally near; the larger taxable value wins.
		{"tie goes to larger taxable", 59, "27", "27", IntraState, 51, cgstSGST(4)},
		{"inter exact 59", 59, "27", "29", InterState, 50, igst(9)},
		// 84,661 + 2×7,619 = 99,899 and 84,662 + 2×7,620 = 99,902; 7,619 is 0.58 below
		// 9% of 84,662, nearer than 7,620 is to 9% of 84,660 (0.60 above).
		{"₹999 plan intra off by one", 99_900, "29", "29", IntraState, 84_662, cgstSGST(7_619)},
		{"₹999 plan inter exact", 99_900, "29", "27", InterState, 84_661, igst(15_239)},
		{"₹9,99,999.99 inter exact", 9_99_99_999, "27", "33", InterState, 8_47_45_762, igst(1_52_54_237)},
		// 0.09 × 8,47,45,761 = 76,27,118.49; no taxable value adds up exactly.
		{"₹9,99,999.99 intra off by one", 9_99_99_999, "27", "27", IntraState, 8_47_45_761, cgstSGST(76_27_119)},
		{"credit note intra", -1_18_000, "27", "27", IntraState, -1_00_000, cgstSGST(-9000)},
		{"credit note odd paise", -99, "27", "27", IntraState, -83, cgstSGST(-8)},
		{"credit note export", -500, "27", "", Export, -500, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var place *State
			if tt.place != "" {
				p := mustState(t, tt.place)
				place = &p
			}
			got, err := SplitGross(tt.gross, mustState(t, tt.supplier), place)
			if err != nil {
				t.Fatal(err)
			}
			want := Tax{Kind: tt.kind, Taxable: tt.taxable, Heads: tt.heads, Total: tt.gross}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("SplitGross(%d) =\n %+v\nwant\n %+v", tt.gross, got, want)
			}
			if got.Taxable+got.TaxAmount() != tt.gross {
				t.Errorf("taxable %d + tax %d != gross %d", got.Taxable, got.TaxAmount(), tt.gross)
			}
		})
	}
}

func TestSplitGrossUsesTableNotCallerFlags(t *testing.T) {
	// A State built by hand without UT still gets UTGST: the code decides.
	ch := State{Code: "04"}
	got, err := SplitGross(1_18_000, ch, &ch)
	if err != nil {
		t.Fatal(err)
	}
	if got.Heads[1].Name != "UTGST" {
		t.Errorf("heads %+v, want CGST and UTGST", got.Heads)
	}
}

func TestSplitGrossErrors(t *testing.T) {
	mh := mustState(t, "27")
	bad := State{Code: "25", Name: "Daman and Diu"}
	tests := []struct {
		name     string
		gross    int64
		supplier State
		place    *State
		want     string
	}{
		{"unknown supplier", 100, State{}, &mh, `supplier state code ""`},
		{"retired supplier code", 100, bad, &mh, `supplier state code "25"`},
		{"unknown place", 100, mh, &bad, `place of supply code "25"`},
		{"too large", maxGross + 1, mh, &mh, "too large"},
		{"too small", -maxGross - 1, mh, &mh, "too large"},
		{"most negative", -1 << 63, mh, nil, "too large"},
	}
	for _, tt := range tests {
		_, err := SplitGross(tt.gross, tt.supplier, tt.place)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
	if _, err := SplitGross(maxGross, mh, &mh); err != nil {
		t.Errorf("SplitGross(maxGross): %v", err)
	}
}

// halfUp is round-half-up of v×bp/10000, written apart from the code under test.
func halfUp(v, bp int64) int64 {
	q, r := v*bp/10000, v*bp%10000
	if 2*r >= 10000 {
		q++
	}
	return q
}

// checkSplit checks every promise SplitGross makes for a non-negative gross against a
// brute-force search of taxable values well beyond the window the code searches.
func checkSplit(t *testing.T, gross int64, got Tax, heads int, rate int64) (exact bool) {
	t.Helper()
	if got.Total != gross || got.Taxable+got.TaxAmount() != gross || len(got.Heads) != heads {
		t.Fatalf("gross %d: %+v does not add up", gross, got)
	}
	each := got.Heads[0].Amount
	for _, h := range got.Heads {
		if h.Amount != each || h.RateBP != int(rate) || h.Amount < 0 {
			t.Fatalf("gross %d: unequal or negative heads %+v", gross, got.Heads)
		}
	}
	if d := each - halfUp(got.Taxable, rate); d < -1 || d > 1 {
		t.Fatalf("gross %d: head %d is %d paise from %d", gross, each, d, halfUp(got.Taxable, rate))
	}
	n, best := int64(heads), int64(-1)
	centre := gross * 100 / 118
	for tv := max(0, centre-20); tv <= min(gross, centre+20); tv++ {
		if tv+n*halfUp(tv, rate) == gross {
			if got.Taxable != tv || each != halfUp(tv, rate) {
				t.Fatalf("gross %d: taxable %d adds up exactly, got %+v", gross, tv, got)
			}
			return true
		}
		if (gross-tv)%n == 0 {
			dev := (gross-tv)/n*10000 - tv*rate
			if best < 0 || abs64(dev) < best {
				best = abs64(dev)
			}
		}
	}
	if dev := abs64(each*10000 - got.Taxable*rate); dev != best {
		t.Fatalf("gross %d: %+v is %d from the exact rate, the nearest possible is %d", gross, got, dev, best)
	}
	return false
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func TestSplitGrossProperties(t *testing.T) {
	mh, ka, la := mustState(t, "27"), mustState(t, "29"), mustState(t, "38")
	rng := rand.New(rand.NewPCG(1, 2))
	grosses := make([]int64, 0, 60_000)
	for g := int64(0); g < 50_000; g++ {
		grosses = append(grosses, g)
	}
	for range 10_000 {
		grosses = append(grosses, rng.Int64N(maxGross))
	}
	kinds := []struct {
		supplier, place State
		heads           int
		rate            int64
	}{{mh, mh, 2, 900}, {la, la, 2, 900}, {mh, ka, 1, 1800}}
	for _, k := range kinds {
		inexact := 0
		for _, g := range grosses {
			got, err := SplitGross(g, k.supplier, &k.place)
			if err != nil {
				t.Fatal(err)
			}
			if !checkSplit(t, g, got, k.heads, k.rate) {
				inexact++
			}
			neg, err := SplitGross(-g, k.supplier, &k.place)
			if err != nil || !reflect.DeepEqual(neg, got.negate()) {
				t.Fatalf("SplitGross(%d) = %+v, %v; want the mirror of %+v", -g, neg, err, got)
			}
		}
		// 18 of every 118 amounts cannot be met exactly, for either rate structure.
		if share := float64(inexact) / float64(len(grosses)); share < 0.14 || share > 0.17 {
			t.Errorf("%s→%s: %.3f of amounts inexact, want about 0.153", k.supplier.Name, k.place.Name, share)
		}
	}
}

func TestPlaceOfSupply(t *testing.T) {
	mh, ka := mustState(t, "27"), mustState(t, "29")
	registered := GSTIN("29AAGCB7383J1Z4")
	unchecked := GSTIN("99AAGCB7383J1Z4")
	tests := []struct {
		name    string
		gstin   *GSTIN
		billing *State
		country string
		want    string // "" for nil
	}{
		{"registered: GSTIN state wins over address", &registered, &mh, "IN", "29"},
		{"registered without address", &registered, nil, "IN", "29"},
		{"registered, foreign address", &registered, nil, "US", "29"},
		{"unregistered: billing state", nil, &mh, "IN", "27"},
		{"country case and spaces", nil, &ka, " in ", "29"},
		{"abroad", nil, nil, "US", ""},
		{"abroad with a state", nil, &mh, "GB", ""},
		{"no country", nil, &mh, "", ""},
		{"India without a state: the supplier's state", nil, nil, "IN", "29"},
		{"unknown billing state code: the supplier's state", nil, &State{Code: "25"}, "IN", "29"},
		{"GSTIN with no real state falls back", &unchecked, &mh, "IN", "27"},
	}
	for _, tt := range tests {
		got := PlaceOfSupply(tt.gstin, tt.billing, tt.country, ka)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("%s: got %+v, want nil", tt.name, *got)
		case tt.want != "" && (got == nil || *got != mustState(t, tt.want)):
			t.Errorf("%s: got %v, want state %s", tt.name, got, tt.want)
		}
	}
}

func TestPlaceOfSupplyReturnsFreshState(t *testing.T) {
	mh := mustState(t, "27")
	got := PlaceOfSupply(nil, &mh, "IN", mustState(t, "29"))
	got.Name = "changed"
	if mh.Name != "Maharashtra" || mustState(t, "27").Name != "Maharashtra" {
		t.Error("changing the returned state changed the caller's or the table's")
	}
}

func TestSupplyKindString(t *testing.T) {
	tests := []struct {
		k    SupplyKind
		want string
	}{
		{IntraState, "Intra-state supply"},
		{InterState, "Inter-state supply"},
		{Export, "Export of services under LUT, zero-rated"},
		{0, "SupplyKind(0)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("SupplyKind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
	}
}

func TestTaxAmount(t *testing.T) {
	tests := []struct {
		tax  Tax
		want int64
	}{
		{Tax{}, 0},
		{Tax{Heads: []TaxHead{{"IGST", 1800, 180}}}, 180},
		{Tax{Heads: []TaxHead{{"CGST", 900, 90}, {"SGST", 900, 91}}}, 181},
		{Tax{Heads: []TaxHead{{"CGST", 900, -90}, {"SGST", 900, -90}}}, -180},
	}
	for _, tt := range tests {
		if got := tt.tax.TaxAmount(); got != tt.want {
			t.Errorf("%+v.TaxAmount() = %d, want %d", tt.tax, got, tt.want)
		}
	}
}
