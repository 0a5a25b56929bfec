package billing

import (
	"sort"
	"strings"
)

// State is an Indian state or union territory as GST knows it.
type State struct {
	Code string // two-digit GST state code, the first two characters of a GSTIN
	Name string
	// UT marks a union territory without a legislature of its own: intra-state supplies there
	// carry UTGST instead of SGST. Delhi, Puducherry and Jammu and Kashmir have legislatures
	// and charge SGST, so they are not UT here.
	UT bool
}

// gstStates is the GST state code list. Code 25 (Daman and Diu) was merged into 26 in 2020
// and 28 (Andhra Pradesh before its division) was never issued under GST, so neither is here:
// a GSTIN starting with them is a typo, and a form offering them would only confuse.
var gstStates = [...]State{
	{"01", "Jammu and Kashmir", false},
	{"02", "Himachal Pradesh", false},
	{"03", "Punjab", false},
	{"04", "Chandigarh", true},
	{"05", "Uttarakhand", false},
	{"06", "Haryana", false},
	{"07", "Delhi", false},
	{"08", "Rajasthan", false},
	{"09", "Uttar Pradesh", false},
	{"10", "Bihar", false},
	{"11", "Sikkim", false},
	{"12", "Arunachal Pradesh", false},
	{"13", "Nagaland", false},
	{"14", "Manipur", false},
	{"15", "Mizoram", false},
	{"16", "Tripura", false},
	{"17", "Meghalaya", false},
	{"18", "Assam", false},
	{"19", "West Bengal", false},
	{"20", "Jharkhand", false},
	{"21", "Odisha", false},
	{"22", "Chhattisgarh", false},
	{"23", "Madhya Pradesh", false},
	{"24", "Gujarat", false},
	{"26", "Dadra and Nagar Haveli and Daman and Diu", true},
	{"27", "Maharashtra", false},
	{"29", "Karnataka", false},
	{"30", "Goa", false},
	{"31", "Lakshadweep", true},
	{"32", "Kerala", false},
	{"33", "Tamil Nadu", false},
	{"34", "Puducherry", false},
	{"35", "Andaman and Nicobar Islands", true},
	{"36", "Telangana", false},
	{"37", "Andhra Pradesh", false},
	{"38", "Ladakh", true},
	{"97", "Other Territory", true},
}

// stateAliases are older or official long names that addresses still carry, keyed by
// normalised name.
var stateAliases = map[string]string{
	"andhra pradesh (new)":                "37",
	"orissa":                              "21",
	"pondicherry":                         "34",
	"uttaranchal":                         "05",
	"nct of delhi":                        "07",
	"new delhi":                           "07",
	"national capital territory of delhi": "07",
	"andaman and nicobar":                 "35",
	"dadra and nagar haveli":              "26",
	"daman and diu":                       "26",
	"the dadra and nagar haveli and daman and diu": "26",
}

// StateByCode finds a state by its two-digit GST code ("27").
func StateByCode(code string) (State, bool) {
	code = strings.TrimSpace(code)
	for _, s := range gstStates {
		if s.Code == code {
			return s, true
		}
	}
	return State{}, false
}

// StateByName finds a state by name, ignoring case, surrounding and repeated spaces, and
// "&" written for "and"; a few former names (Orissa, Pondicherry, Uttaranchal) are accepted.
func StateByName(name string) (State, bool) {
	n := normaliseStateName(name)
	if n == "" {
		return State{}, false
	}
	for _, s := range gstStates {
		if strings.ToLower(s.Name) == n {
			return s, true
		}
	}
	if code, ok := stateAliases[n]; ok {
		return StateByCode(code)
	}
	return State{}, false
}

func normaliseStateName(name string) string {
	name = strings.ReplaceAll(strings.ToLower(name), "&", " and ")
	return strings.Join(strings.Fields(name), " ")
}

// States lists every state and union territory sorted by name, for a form's select. The
// slice is the caller's to keep or change.
func States() []State {
	out := make([]State, len(gstStates))
	copy(out, gstStates[:])
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
