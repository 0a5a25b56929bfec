package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	const (
		msgLength   = "Use at least 12 characters, or at least 8 with a digit, a lower-case and an upper-case letter."
		msgTooLong  = "Use at most 256 characters."
		msgCommon   = "This password is in a list of commonly used passwords."
		msgRun      = "Avoid runs like 1234, abcd or aaaa."
		msgPersonal = "Don't use your e-mail address or name in your password."
	)
	tests := []struct {
		name    string
		pw      string
		context []string
		rule    string // "" means the password is accepted
		msg     string
	}{
		// length and composition
		{"empty", "", nil, RuleLength, msgLength},
		{"7 chars with all classes", "short1A", nil, RuleLength, msgLength},
		{"8 chars no upper", "xk3vbnmq", nil, RuleLength, msgLength},
		{"8 chars no lower", "XK3VBNMQ", nil, RuleLength, msgLength},
		{"8 chars no digit", "XkzvbnmQ", nil, RuleLength, msgLength},
		{"11 lower-case letters", "xkqvbnmqwpz", nil, RuleLength, msgLength},
		{"8 chars with all classes", "Xk3vbnmq", nil, "", ""},
		{"12 lower-case letters", "xkqvbnmqwpzt", nil, "", ""},
		{"12 chars counted as characters, not bytes", "ünïcødéwörds", nil, "", ""},
		{"11 multi-byte chars is too short", "ünïcødéwörd", nil, RuleLength, msgLength},
		{"exactly 256 chars", strings.Repeat("Xk9pqzWm", 32), nil, "", ""},
		{"257 chars", strings.Repeat("Xk9pqzWm", 32) + "x", nil, RuleTooLong, msgTooLong},

		// common passwords, compared case-insensitively
		{"Password1 is common", "Password1", nil, RuleCommon, msgCommon},
		{"12-char keyboard walk is common", "qazwsxedcrfv", nil, RuleCommon, msgCommon},
		{"upper-case common password", "LEAVEMEALONE", nil, RuleCommon, msgCommon},
		{"common with digit and cases", "Zaq12Wsx", nil, RuleCommon, msgCommon},

		// runs
		{"ascending letters, mixed case", "Abcd1234xyz!", nil, RuleRun, msgRun},
		{"ascending digits", "Xk9q1234pzt", nil, RuleRun, msgRun},
		{"descending digits", "Xk94321qpzt", nil, RuleRun, msgRun},
		{"descending letters", "Xk9dcbamqpzt", nil, RuleRun, msgRun},
		{"upper-case run", "Xk9ABCDpzt", nil, RuleRun, msgRun},
		{"repeated letter", "Xk9aaaamqpzt", nil, RuleRun, msgRun},
		{"repeated letter in other case", "Xk9aAaAmqpzt", nil, RuleRun, msgRun},
		{"repeated symbol", "Xk9-!!!!-zt", nil, RuleRun, msgRun},
		{"repeated non-ASCII", "Xk9ééééq", nil, RuleRun, msgRun},
		{"run at the end", "Mqpzt-Xk6789", nil, RuleRun, msgRun},
		{"three in a row is fine", "Xk9abcQpzt", nil, "", ""},
		{"three repeated is fine", "Xk9aaaQpzt", nil, "", ""},
		{"digit to letter is no run", "Xk89abpzt", nil, "", ""},
		{"broken run is fine", "Xk9abcabcpz", nil, "", ""},

		// personal context
		{"contains e-mail local part", "JaneDoe-Studio-99", []string{"janedoe@example.com"}, RulePersonal, msgPersonal},
		{"equals e-mail local part", "Janedoe1983x", []string{"janedoe1983x@example.com"}, RulePersonal, msgPersonal},
		{"contains a name", "Qx7-Proofs-Mw", []string{"Proofs"}, RulePersonal, msgPersonal},
		{"domain alone is fine", "examplePhotos!", []string{"jane@examplephotos.com"}, "", ""},
		{"short local part ignored", "Tr0ub4dor&3x", []string{"tr@example.com"}, "", ""},
		{"unrelated e-mail", "Tr0ub4dor&3x", []string{"jane@example.com", ""}, "", ""},

		// accepted
		{"xkcd example plus one", "Tr0ub4dor&3x", nil, "", ""},
		{"11 chars with all classes", "Tr0ub4dor&3", nil, "", ""},
		{"passphrase with spaces", "purple mango tide", nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.pw, tt.context...)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("CheckPassword(%q) = %v, want nil", tt.pw, err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("CheckPassword(%q) = %v, want *PolicyError", tt.pw, err)
			}
			if pe.Rule != tt.rule || pe.Message != tt.msg || pe.Error() != tt.msg {
				t.Errorf("CheckPassword(%q) = {%s: %s}, want {%s: %s}", tt.pw, pe.Rule, pe.Message, tt.rule, tt.msg)
			}
		})
	}
}

func TestHasRun(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want bool
	}{
		{"1234", 4, true},
		{"123", 4, false},
		{"4321", 4, true},
		{"wxyz", 4, true},
		{"zyxw", 4, true},
		{"yz{|", 4, false}, // code points in a row, but not one class
		{"9:;<", 4, false},
		{"aaaa", 4, true},
		{"1111", 4, true},
		{"12345", 5, true},
		{"1234", 5, false},
		{"", 4, false},
	}
	for _, tt := range tests {
		if got := hasRun(tt.s, tt.n); got != tt.want {
			t.Errorf("hasRun(%q, %d) = %v, want %v", tt.s, tt.n, got, tt.want)
		}
	}
}
