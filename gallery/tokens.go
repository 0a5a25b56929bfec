package gallery

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// Guest-facing secrets are 160 random bits in lower-case base32 (32
// characters: short enough for a link in a message, far past guessing).
const secretBytes = 20

var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a random secret and its hash.
func newSecret() (plain, hash string, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	plain = strings.ToLower(secretEncoding.EncodeToString(b))
	return plain, hashSecret(plain), nil
}

// hashSecret is the stored form of a secret: SHA-256 is enough for 160
// random bits, and the lookup is by hash, so no comparison leaks timing.
func hashSecret(plain string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(plain))))
	return hex.EncodeToString(sum[:])
}
