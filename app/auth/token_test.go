package auth

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	for _, prefix := range []string{PrefixAPIToken, PrefixSession, PrefixReset, PrefixInvite, ""} {
		plain, hash, err := NewToken(prefix)
		if err != nil {
			t.Fatalf("NewToken(%q): %v", prefix, err)
		}
		rest, ok := strings.CutPrefix(plain, prefix)
		if !ok {
			t.Errorf("token %q lacks prefix %q", plain, prefix)
		}
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(rest))
		if err != nil || len(raw) != 32 || rest != strings.ToLower(rest) {
			t.Errorf("token body %q is not 32 bytes of lower-case base32 (%d bytes, %v)", rest, len(raw), err)
		}
		sum := sha256.Sum256([]byte(plain))
		if hash != hex.EncodeToString(sum[:]) {
			t.Errorf("hash %s is not SHA-256 hex of %q", hash, plain)
		}
		if HashToken(plain) != hash {
			t.Errorf("HashToken(plain) = %s, want the hash NewToken returned, %s", HashToken(plain), hash)
		}
	}
}

func TestNewTokenUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		plain, hash, err := NewToken(PrefixAPIToken)
		if err != nil {
			t.Fatal(err)
		}
		if seen[plain] || seen[hash] {
			t.Fatalf("token %q repeated", plain)
		}
		seen[plain], seen[hash] = true, true
	}
}

func TestNewTokenRejectsBadPrefixes(t *testing.T) {
	// Each of these would be changed by HashToken's normalisation or is
	// unreasonable, so a token with it could not be found by its hash.
	for _, prefix := range []string{"PSK_", "ps-k_", "ps k_", "psk_é", strings.Repeat("p", maxPrefixLength+1)} {
		if _, _, err := NewToken(prefix); err == nil {
			t.Errorf("NewToken(%q): want an error", prefix)
		}
	}
}
