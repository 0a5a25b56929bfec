package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func TestHashTokenNormalisesRecoveryCodes(t *testing.T) {
	want := HashToken("abcd-efgh-jkmn")
	same := []string{"abcdefghjkmn", "ABCD-EFGH-JKMN", "abcd efgh jkmn", " abcd-efgh-jkmn\n", "AbCd\tEfGh-JkMn"}
	for _, s := range same {
		if got := HashToken(s); got != want {
			t.Errorf("HashToken(%q) = %s, want %s", s, got, want)
		}
	}
	differ := []string{"abcd-efgh-jkmm", "abcd-efgh-jkm", "abcd-efgh-jkmnp", ""}
	for _, s := range differ {
		if HashToken(s) == want {
			t.Errorf("HashToken(%q) equals the hash of another code", s)
		}
	}
	sum := sha256.Sum256([]byte("abcdefghjkmn"))
	if want != hex.EncodeToString(sum[:]) {
		t.Errorf("HashToken is not SHA-256 hex of the normalised code")
	}
}

func TestEqualHash(t *testing.T) {
	a := HashToken("one")
	tests := []struct {
		x, y string
		want bool
	}{
		{a, a, true},
		{a, HashToken("one"), true},
		{a, HashToken("two"), false},
		{a, a[:len(a)-1], false},
		{"", "", true},
		{a, "", false},
	}
	for _, tt := range tests {
		if got := EqualHash(tt.x, tt.y); got != tt.want {
			t.Errorf("EqualHash(%q, %q) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
}
