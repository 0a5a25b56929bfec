package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"unicode"
)

// HashToken returns the SHA-256 hex digest under which a high-entropy secret
// we generated (token, link id, session id, recovery code) is stored. A slow
// hash is unnecessary for these: with 50+ random bits an offline guess is
// hopeless anyway, and a deterministic hash lets the store find the row by
// the hash of what the client presents.
//
// Before hashing, s is lower-cased and stripped of white space and dashes, so
// that a recovery code typed as "ABCD EFGH IJKL" matches "abcd-efgh-ijkl".
// Tokens from NewToken are already in that form, so the normalisation never
// changes them.
func HashToken(s string) string {
	sum := sha256.Sum256([]byte(normalizeToken(s)))
	return hex.EncodeToString(sum[:])
}

// EqualHash compares two hashes (or any two secrets) in constant time, so
// that the time taken does not reveal how many leading characters match.
// Only the lengths may leak, and hashes all have the same length.
func EqualHash(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func normalizeToken(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
