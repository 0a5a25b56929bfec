package auth

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// recoveryAlphabet leaves out characters that are easily confused when a
// code is read from paper or a screen: 0/o, 1/l/i. 31 symbols.
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// Recovery codes are three groups of four symbols, like "abcd-efgh-jkmn":
// 12 * log2(31) ≈ 59 bits each, enough that the SHA-256 of HashToken is a safe
// way to store them and online guessing is pointless.
const (
	recoveryGroups   = 3
	recoveryGroupLen = 4
	maxRecoveryCodes = 100
)

// NewRecoveryCodes makes n distinct single-use recovery codes for an account
// with two-factor authentication. Show plain to the person once; store only
// HashToken of each, and delete a code's hash when it is used.
func NewRecoveryCodes(n int) (plain []string, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, fmt.Errorf("auth: recovery codes: count %d out of range 1..%d", n, maxRecoveryCodes)
	}
	seen := make(map[string]bool, n)
	plain = make([]string, 0, n)
	for len(plain) < n {
		code, err := newRecoveryCode()
		if err != nil {
			return nil, err
		}
		if !seen[code] { // a repeat is astronomically unlikely, but free to rule out
			seen[code] = true
			plain = append(plain, code)
		}
	}
	return plain, nil
}

func newRecoveryCode() (string, error) {
	const symbols = recoveryGroups * recoveryGroupLen
	var b strings.Builder
	b.Grow(symbols + recoveryGroups - 1)
	buf := make([]byte, 2*symbols)
	written := 0
	for written < symbols {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("auth: recovery code: %w", err)
		}
		for _, x := range buf {
			// Take 5 bits (0..31) and reject 31, so each of the 31 symbols
			// is exactly equally likely (no modulo bias).
			x &= 31
			if int(x) >= len(recoveryAlphabet) {
				continue
			}
			if written > 0 && written%recoveryGroupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[x])
			if written++; written == symbols {
				break
			}
		}
	}
	return b.String(), nil
}
