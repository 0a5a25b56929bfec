package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestHashPasswordRoundTrip(t *testing.T) {
	p := TestParams()
	tests := []struct {
		name, pw, try string
		want          bool
	}{
		{"same password", "Tr0ub4dor&3x", "Tr0ub4dor&3x", true},
		{"wrong password", "Tr0ub4dor&3x", "Tr0ub4dor&3X", false},
		{"prefix of password", "Tr0ub4dor&3x", "Tr0ub4dor&3", false},
		{"empty attempt", "Tr0ub4dor&3x", "", false},
		{"unicode", "Ünïcødé pässwörd", "Ünïcødé pässwörd", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := HashPassword(p, tt.pw)
			if err != nil {
				t.Fatal(err)
			}
			got, err := VerifyPassword(h, tt.try)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("VerifyPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHashPasswordFormatAndSalt(t *testing.T) {
	p := TestParams()
	a, err := HashPassword(p, "same password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := HashPassword(p, "same password")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of the same password are equal: %s", a)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(a) {
		t.Errorf("hash %q is not the expected PHC string", a)
	}
}

func TestDefaultParamsHash(t *testing.T) {
	h, err := HashPassword(DefaultParams(), "Tr0ub4dor&3x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("hash %q does not record the default parameters", h)
	}
	if ok, err := VerifyPassword(h, "Tr0ub4dor&3x"); !ok || err != nil {
		t.Errorf("VerifyPassword = %v, %v; want true, nil", ok, err)
	}
}

// Hashes made by the reference implementation (Debian's argon2 command:
// echo -n "correct horse" | argon2 proofsheetsalt01 -id -t T -m M -p P -l 32 -e)
// must verify, so stored hashes stay portable between implementations.
func TestVerifyPasswordReferenceVectors(t *testing.T) {
	vectors := []string{
		"$argon2id$v=19$m=64,t=1,p=1$cHJvb2ZzaGVldHNhbHQwMQ$/6xjTUC+6XGhCMaxpPqlNnoFkXVP4qxihszcs+Plgew",
		"$argon2id$v=19$m=65536,t=2,p=2$cHJvb2ZzaGVldHNhbHQwMQ$EhQayFADIT6wFOoSY1h62fH4mz3ObOF6hTpHaSt9yPs",
	}
	for _, v := range vectors {
		if ok, err := VerifyPassword(v, "correct horse"); !ok || err != nil {
			t.Errorf("VerifyPassword(%s, right) = %v, %v; want true, nil", v, ok, err)
		}
		if ok, err := VerifyPassword(v, "correct horsE"); ok || err != nil {
			t.Errorf("VerifyPassword(%s, wrong) = %v, %v; want false, nil", v, ok, err)
		}
	}
}

func TestVerifyPasswordRejectsBadHashes(t *testing.T) {
	const salt, key = "cHJvb2ZzaGVldHNhbHQwMQ", "/6xjTUC+6XGhCMaxpPqlNnoFkXVP4qxihszcs+Plgew"
	tests := []struct {
		name, encoded string
		want          error
	}{
		{"empty", "", ErrInvalidHash},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", ErrInvalidHash},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, ErrIncompatibleVersion},
		{"missing version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key, ErrInvalidHash},
		{"too many threads", "$argon2id$v=19$m=65536,t=1,p=300$" + salt + "$" + key, ErrInvalidHash},
		{"padded base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key, ErrInvalidHash},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA", ErrInvalidHash},
		{"trailing field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$", ErrInvalidHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := VerifyPassword(tt.encoded, "correct horse")
			if ok || !errors.Is(err, tt.want) {
				t.Errorf("VerifyPassword = %v, %v; want false, %v", ok, err, tt.want)
			}
		})
	}
}

func TestHashPasswordLimits(t *testing.T) {
	if _, err := HashPassword(TestParams(), strings.Repeat("x", 4*MaxPasswordLength+1)); !errors.Is(err, ErrPasswordTooLong) {
		t.Errorf("over-long password: err = %v, want ErrPasswordTooLong", err)
	}
	if _, err := HashPassword(TestParams(), strings.Repeat("€", MaxPasswordLength)); err != nil {
		t.Errorf("%d three-byte characters: err = %v, want nil", MaxPasswordLength, err)
	}
	bad := TestParams()
	bad.Threads = 0
	if _, err := HashPassword(bad, "pw"); err == nil {
		t.Error("zero threads: want an error")
	}
}

func TestNeedsRehash(t *testing.T) {
	h, err := HashPassword(TestParams(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	stronger := TestParams()
	stronger.Memory *= 2
	longerSalt := TestParams()
	longerSalt.SaltLength = 32
	tests := []struct {
		name    string
		encoded string
		want    Params
		rehash  bool
	}{
		{"same params", h, TestParams(), false},
		{"more memory wanted", h, stronger, true},
		{"longer salt wanted", h, longerSalt, true},
		{"default params wanted", h, DefaultParams(), true},
		{"unreadable hash", "garbage", TestParams(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsRehash(tt.encoded, tt.want); got != tt.rehash {
				t.Errorf("NeedsRehash = %v, want %v", got, tt.rehash)
			}
		})
	}
}
