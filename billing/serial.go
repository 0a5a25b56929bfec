package billing

import (
	"fmt"
	"strconv"
	"time"
)

// ist is Indian Standard Time. A fixed zone rather than the tz database: IST has had no
// daylight saving or offset change since 1945, and a fixed zone cannot be missing from a
// minimal container image.
var ist = time.FixedZone("IST", 5*3600+30*60)

// maxSerialLen is Rule 46(b)'s limit on an invoice serial number.
const maxSerialLen = 16

// FinancialYearStart is 1 April 00:00 IST of the financial year holding t.
func FinancialYearStart(t time.Time) time.Time {
	t = t.In(ist)
	y := t.Year()
	if t.Month() < time.April {
		y--
	}
	return time.Date(y, time.April, 1, 0, 0, 0, 0, ist)
}

// FinancialYear names the Indian financial year holding t, "2026-27", reckoned in IST.
func FinancialYear(t time.Time) string {
	y := FinancialYearStart(t).Year()
	return fmt.Sprintf("%d-%02d", y, (y+1)%100)
}

// Serial builds an invoice serial number "INV/26-27/00042": a prefix of 1–4 letters, the
// financial year fy as FinancialYear writes it ("2026-27", shortened to "26-27"), and n
// padded to 5 digits (more when larger). A new series starts with n = 1 each April. It
// fails rather than truncate when the serial would exceed Rule 46's 16 characters.
func Serial(prefix, fy string, n int64) (string, error) {
	if len(prefix) < 1 || len(prefix) > 4 || !allLetters(prefix) {
		return "", fmt.Errorf("billing: invoice serial prefix %q must be 1 to 4 letters", prefix)
	}
	short, ok := shortFY(fy)
	if !ok {
		return "", fmt.Errorf("billing: financial year %q is not of the form 2026-27", fy)
	}
	if n < 1 {
		return "", fmt.Errorf("billing: invoice number %d must be 1 or more", n)
	}
	s := fmt.Sprintf("%s/%s/%05d", prefix, short, n)
	if len(s) > maxSerialLen {
		return "", fmt.Errorf("billing: invoice serial %s is longer than the 16 characters GST allows; use a shorter prefix", s)
	}
	return s, nil
}

// shortFY turns "2026-27" into "26-27", checking that the second year follows the first.
func shortFY(fy string) (string, bool) {
	if len(fy) != 7 || fy[4] != '-' || !allDigits(fy[:4]) || !allDigits(fy[5:]) {
		return "", false
	}
	start, _ := strconv.Atoi(fy[:4])
	end, _ := strconv.Atoi(fy[5:])
	if (start+1)%100 != end {
		return "", false
	}
	return fy[2:], true
}

// ValidSerial reports whether s meets Rule 46(b): 1 to 16 characters, each a letter, a
// digit, '-' or '/'. It does not check uniqueness within the financial year.
func ValidSerial(s string) bool {
	if len(s) < 1 || len(s) > maxSerialLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := rune(s[i])
		if !isDigit(c) && !isUpper(c) && !(c >= 'a' && c <= 'z') && c != '-' && c != '/' {
			return false
		}
	}
	return true
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := rune(s[i]); !isUpper(c) && !(c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(rune(s[i])) {
			return false
		}
	}
	return true
}
