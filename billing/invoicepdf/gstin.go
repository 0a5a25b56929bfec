package invoicepdf

import (
	"fmt"
	"strings"
)

const gstinAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// checkGSTIN catches typing errors before they reach a legal document: the
// length, the state prefix, and the GSTN check character. It leaves the middle
// unconstrained because UN bodies and non-resident taxpayers get GSTINs that
// do not follow the PAN pattern.
func checkGSTIN(g, stateCode string) error {
	if len(g) != 15 {
		return fmt.Errorf("GSTIN %q must be 15 characters, not %d", g, len(g))
	}
	for _, r := range g {
		if !strings.ContainsRune(gstinAlphabet, r) {
			return fmt.Errorf("GSTIN %q may hold only digits and capital letters", g)
		}
	}
	if g[:2] != stateCode {
		return fmt.Errorf("GSTIN %q does not start with its state code %q", g, stateCode)
	}
	if want := gstinCheckChar(g[:14]); g[14] != want {
		return fmt.Errorf("GSTIN %q has a wrong check character (mistyped?)", g)
	}
	return nil
}

// gstinCheckChar is GSTN's Luhn mod 36 over the first 14 characters.
func gstinCheckChar(s string) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(gstinAlphabet, s[i]) * (i%2 + 1)
		sum += v/36 + v%36
	}
	return gstinAlphabet[(36-sum%36)%36]
}
