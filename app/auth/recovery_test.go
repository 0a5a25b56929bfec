package auth

import (
	"math"
	"regexp"
	"strings"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, err := NewRecoveryCodes(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("got %d codes, want 10", len(codes))
	}
	format := regexp.MustCompile(`^[abcdefghjkmnpqrstuvwxyz23456789]{4}-[abcdefghjkmnpqrstuvwxyz23456789]{4}-[abcdefghjkmnpqrstuvwxyz23456789]{4}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !format.MatchString(c) {
			t.Errorf("code %q does not look like abcd-efgh-jkmn", c)
		}
		if seen[c] {
			t.Errorf("code %q repeated", c)
		}
		seen[c] = true
	}
	for _, n := range []int{0, -1, maxRecoveryCodes + 1} {
		if _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d): want an error", n)
		}
	}
}

func TestRecoveryCodeEntropy(t *testing.T) {
	if strings.ContainsAny(recoveryAlphabet, "0o1li") {
		t.Errorf("alphabet %q has ambiguous characters", recoveryAlphabet)
	}
	bits := float64(recoveryGroups*recoveryGroupLen) * math.Log2(float64(len(recoveryAlphabet)))
	if bits < 50 {
		t.Errorf("recovery codes carry %.1f bits, want at least 50", bits)
	}
}

// Every symbol of the alphabet must turn up: a bias or an off-by-one in the
// sampling would leave some out over this many draws (probability of a
// symbol missing by chance in 12,000 uniform draws is about 1e-164).
func TestRecoveryCodesUseWholeAlphabet(t *testing.T) {
	codes, err := NewRecoveryCodes(maxRecoveryCodes)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for range 10 {
		for _, c := range codes {
			all.WriteString(c)
		}
		if codes, err = NewRecoveryCodes(maxRecoveryCodes); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range recoveryAlphabet {
		if !strings.ContainsRune(all.String(), r) {
			t.Errorf("symbol %q never drawn", r)
		}
	}
}
