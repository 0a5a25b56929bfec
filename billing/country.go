package billing

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// India is the ISO code of the only country with GST.
const India = "IN"

// parseCountry accepts a two-letter ISO 3166 country code in any case and
// returns it canonical and upper-case ("uk" is "GB").
func parseCountry(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 {
		return "", false
	}
	r, err := language.ParseRegion(s)
	if err != nil || !r.IsCountry() {
		return "", false
	}
	return r.Canonicalize().String(), true
}

// CountryName is the English name printed on an invoice ("Germany").
func CountryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.English.Regions().Name(r); n != "" {
		return n
	}
	return code
}
