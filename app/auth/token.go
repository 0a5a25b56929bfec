package auth

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
)

// Prefixes for the kinds of tokens Proofsheet issues. The prefix stays in the
// plain token so that a leaked one is recognisable (in logs, support tickets,
// secret scanners) and its kind is known without a database look-up.
const (
	PrefixAPIToken = "psk_" // API tokens for native apps
	PrefixSession  = "pss_" // session ids in cookies
	PrefixReset    = "psr_" // password reset links
	PrefixInvite   = "psi_" // staff invitation links
)

const (
	tokenRandomBytes = 32 // 256 bits: unguessable, and no birthday collisions
	maxPrefixLength  = 16
)

// NewToken makes a random token: prefix followed by 32 random bytes in
// lower-case base32 without padding (52 characters: case-insensitive, no
// characters that need escaping in URLs or cookies, selectable with a double
// click). It returns the plain token, to hand out once, and its hash,
// HashToken(plain) = SHA-256 hex of the whole plain token, to store.
//
// prefix may be empty or consist of lower-case ASCII letters, digits and
// underscores, so that HashToken's normalisation leaves the token unchanged.
func NewToken(prefix string) (plain string, hash string, err error) {
	if !validTokenPrefix(prefix) {
		return "", "", fmt.Errorf("auth: token prefix %q: use at most %d of a-z, 0-9 and _", prefix, maxPrefixLength)
	}
	b := make([]byte, tokenRandomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: new token: %w", err)
	}
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	plain = prefix + strings.ToLower(enc.EncodeToString(b))
	return plain, HashToken(plain), nil
}

func validTokenPrefix(prefix string) bool {
	if len(prefix) > maxPrefixLength {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
