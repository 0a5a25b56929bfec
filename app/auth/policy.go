package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password length limits, in characters (Unicode code points).
const (
	// MinPasswordLength is the shortest password accepted, and only with a
	// digit, a lower-case and an upper-case letter.
	MinPasswordLength = 8
	// MinPassphraseLength is the length from which no character classes are
	// required: length beats composition rules, and it lets people use
	// passphrases.
	MinPassphraseLength = 12
	// MaxPasswordLength keeps one login from feeding argon2 a megabyte. It is
	// far above anything a password manager generates.
	MaxPasswordLength = 256
)

// maxRun is the length from which a run of sequential or repeated characters
// (1234, dcba, aaaa) is rejected. Three is too common by chance ("abc" inside
// a word); four is a pattern.
const maxRun = 4

// minContextLength is the shortest context string (such as an e-mail local
// part) that a password may not contain. Shorter ones ("jo") would reject
// reasonable passwords by coincidence.
const minContextLength = 4

// Rules a password can fail, reported in PolicyError.Rule so that callers can
// map them (e.g. to a form field or a translation) without parsing messages.
const (
	RuleLength   = "length"
	RuleTooLong  = "too_long"
	RuleCommon   = "common"
	RuleRun      = "run"
	RulePersonal = "personal"
)

// PolicyError says which password rule failed. Message is plain English meant
// for the person choosing the password.
type PolicyError struct {
	Rule    string
	Message string
}

func (e *PolicyError) Error() string { return e.Message }

// CheckPassword enforces the password policy of DESIGN.md: at least
// MinPassphraseLength characters, or at least MinPasswordLength with a digit, a
// lower-case and an upper-case letter; in either case not in the common
// password list (compared case-insensitively), without runs of four or more
// sequential or repeated characters, and not containing any of context.
//
// context holds things about the person that must not be the password, such
// as their e-mail address (only the part before the @ is used) or name;
// entries shorter than four characters are ignored. It returns nil or a
// *PolicyError. Rules are checked in a fixed order and the first failure is
// reported, so the person fixes one thing at a time.
func CheckPassword(pw string, context ...string) error {
	n := utf8.RuneCountInString(pw)
	if n > MaxPasswordLength {
		return &PolicyError{Rule: RuleTooLong, Message: "Use at most 256 characters."}
	}
	if n < MinPassphraseLength && (n < MinPasswordLength || !hasDigitLowerUpper(pw)) {
		return &PolicyError{Rule: RuleLength, Message: "Use at least 12 characters, or at least 8 with a digit, a lower-case and an upper-case letter."}
	}
	if IsCommonPassword(pw) {
		return &PolicyError{Rule: RuleCommon, Message: "This password is in a list of commonly used passwords."}
	}
	if hasRun(pw, maxRun) {
		return &PolicyError{Rule: RuleRun, Message: "Avoid runs like 1234, abcd or aaaa."}
	}
	if containsContext(pw, context) {
		return &PolicyError{Rule: RulePersonal, Message: "Don't use your e-mail address or name in your password."}
	}
	return nil
}

func hasDigitLowerUpper(pw string) bool {
	var digit, lower, upper bool
	for _, r := range pw {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		}
	}
	return digit && lower && upper
}

// hasRun reports whether pw contains n or more characters in a row that are
// the same (aaaa, !!!!) or step by one up or down (1234, dcba), ignoring case.
// Steps count only between two ASCII digits or two ASCII letters: those are
// the sequences people type; "9:;<" is neighbouring code points but no pattern.
func hasRun(pw string, n int) bool {
	var prev rune
	same, up, down := 0, 0, 0
	for i, r := range strings.ToLower(pw) {
		if i == 0 {
			prev, same, up, down = r, 1, 1, 1
			continue
		}
		same = bump(same, r == prev)
		seq := sameASCIIClass(prev, r)
		up = bump(up, seq && r == prev+1)
		down = bump(down, seq && r == prev-1)
		if same >= n || up >= n || down >= n {
			return true
		}
		prev = r
	}
	return false
}

// bump extends a run when it continues and starts a new one otherwise.
func bump(run int, continues bool) int {
	if continues {
		return run + 1
	}
	return 1
}

func sameASCIIClass(a, b rune) bool {
	isDigit := func(r rune) bool { return '0' <= r && r <= '9' }
	isLetter := func(r rune) bool { return 'a' <= r && r <= 'z' } // already lower-cased
	return (isDigit(a) && isDigit(b)) || (isLetter(a) && isLetter(b))
}

// containsContext reports whether pw contains, ignoring case, any context
// entry of at least minContextLength characters; for an e-mail address only
// the local part counts, since the domain is often shared by everyone at a
// studio and says nothing about the person.
func containsContext(pw string, context []string) bool {
	lower := strings.ToLower(pw)
	for _, c := range context {
		c = strings.ToLower(strings.TrimSpace(c))
		if at := strings.LastIndexByte(c, '@'); at >= 0 {
			c = c[:at]
		}
		if utf8.RuneCountInString(c) < minContextLength {
			continue
		}
		if strings.Contains(lower, c) {
			return true
		}
	}
	return false
}
