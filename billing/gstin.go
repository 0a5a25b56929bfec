package billing

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// GSTIN is a GST identification number that passed ParseGSTIN: 15 upper-case characters,
// a state code, the holder's PAN, an entity number, 'Z' and a check character.
type GSTIN string

// GSTINError says in a sentence a studio owner understands what is wrong with a GSTIN.
type GSTINError struct {
	Reason string
}

func (e *GSTINError) Error() string { return e.Reason }

func gstinErr(format string, args ...any) error {
	return &GSTINError{Reason: fmt.Sprintf(format, args...)}
}

// gstinLen is the length of every GSTIN.
const gstinLen = 15

// ParseGSTIN checks a GSTIN typed by a person: it trims spaces and accepts lower case, then
// checks the length, the state code, the PAN, the entity number, the fixed 'Z' and the
// check character. Only the regular taxpayer form is accepted ('Z' in position 14), the one
// a studio or its business client has; TDS/TCS and non-resident forms are not.
func ParseGSTIN(s string) (GSTIN, error) {
	s = upperASCII(strings.TrimSpace(s))
	if s == "" {
		return "", gstinErr("GSTIN is empty.")
	}
	if n := utf8.RuneCountInString(s); n != gstinLen {
		return "", gstinErr("GSTIN must be 15 characters; this one has %d.", n)
	}
	for i, r := range []rune(s) {
		if !isDigit(r) && !isUpper(r) {
			return "", gstinErr("GSTIN has only letters and digits; character %d is %q.", i+1, r)
		}
	}
	if err := checkGSTINParts(s); err != nil {
		return "", err
	}
	if want := gstinCheckChar(s[:14]); s[14] != want {
		return "", gstinErr("The last character of this GSTIN should be %c; check it for a typo.", want)
	}
	return GSTIN(s), nil
}

// checkGSTINParts checks positions 1–14 of a 15-character upper-case ASCII GSTIN.
func checkGSTINParts(s string) error {
	if !isDigit(rune(s[0])) || !isDigit(rune(s[1])) {
		return gstinErr("GSTIN starts with a two-digit state code; %q is not one.", s[:2])
	}
	if _, ok := StateByCode(s[:2]); !ok {
		return gstinErr("GSTIN starts with a state code; %s is not one.", s[:2])
	}
	// The PAN is five letters, four digits and a letter.
	for i := 2; i < 12; i++ {
		wantDigit := i >= 7 && i < 11
		if wantDigit && !isDigit(rune(s[i])) {
			return gstinErr("Characters 3 to 12 of a GSTIN are the PAN (5 letters, 4 digits, 1 letter); character %d should be a digit, not %c.", i+1, s[i])
		}
		if !wantDigit && !isUpper(rune(s[i])) {
			return gstinErr("Characters 3 to 12 of a GSTIN are the PAN (5 letters, 4 digits, 1 letter); character %d should be a letter, not %c.", i+1, s[i])
		}
	}
	if s[12] == '0' {
		return gstinErr("Character 13 of a GSTIN counts the holder's registrations in the state and starts at 1; it cannot be 0.")
	}
	if s[13] != 'Z' {
		return gstinErr("Character 14 of a GSTIN is always Z; this one has %c.", s[13])
	}
	return nil
}

// gstinCheckChar computes the GSTN check character of the first 14 characters: each
// character's value (0-9, then A-Z as 10-35) is multiplied by 1 and 2 alternately from the
// left, the base-36 digits of each product are added, and the check value brings the sum
// up to a multiple of 36.
func gstinCheckChar(first14 string) byte {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	sum := 0
	for i := 0; i < len(first14); i++ {
		p := strings.IndexByte(alphabet, first14[i]) * (1 + i%2)
		sum += p/36 + p%36
	}
	return alphabet[(36-sum%36)%36]
}

// State is the state the GSTIN is registered in; the zero State if the GSTIN was made by
// conversion rather than ParseGSTIN and its code is not a state.
func (g GSTIN) State() State {
	if len(g) < 2 {
		return State{}
	}
	s, _ := StateByCode(string(g[:2]))
	return s
}

// upperASCII upper-cases only a-z: Unicode case mapping would turn look-alikes such as the
// dotless ı into ASCII letters and accept text that is not a GSTIN.
func upperASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
