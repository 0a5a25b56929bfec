package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Errors returned by the password hashing functions.
var (
	// ErrInvalidHash means a stored hash is not an argon2id PHC string this
	// package can read (corrupt row, or a different algorithm).
	ErrInvalidHash = errors.New("auth: invalid password hash")
	// ErrIncompatibleVersion means the hash was made by another argon2 version.
	ErrIncompatibleVersion = errors.New("auth: incompatible argon2 version")
	// ErrPasswordTooLong guards argon2 against absurd inputs; CheckPassword
	// rejects such passwords earlier with a readable message.
	ErrPasswordTooLong = errors.New("auth: password too long")
)

// maxPasswordBytes bounds what we hash: MaxPasswordLength characters of at
// most 4 bytes each in UTF-8.
const maxPasswordBytes = 4 * MaxPasswordLength

// Bounds on parameters, both for hashing and for hashes read back. A corrupt
// or hostile stored hash must not make one login allocate gigabytes or loop
// for minutes.
const (
	maxMemoryKiB  = 1 << 20 // 1 GiB
	maxTime       = 16
	maxThreads    = 16
	minSaltLength = 8
	maxSaltLength = 64
	minKeyLength  = 16
	maxKeyLength  = 64
)

// Params are argon2id cost parameters. They are written into every hash, so
// changing the defaults never breaks existing hashes: VerifyPassword reads the
// parameters back, and NeedsRehash tells the caller when to upgrade a hash
// after a successful login.
type Params struct {
	Memory     uint32 // memory in KiB
	Time       uint32 // number of passes over the memory
	Threads    uint8  // degree of parallelism
	SaltLength uint32 // bytes of random salt
	KeyLength  uint32 // bytes of derived key
}

// DefaultParams are the production parameters: 64 MiB, 2 passes, 2 lanes,
// which is above OWASP's argon2id minimums (e.g. 46 MiB/t=1/p=1 or
// 19 MiB/t=2/p=1) and costs in the order of 100 ms on one core. Each
// concurrent hash holds Memory, so callers should bound concurrent logins.
func DefaultParams() Params {
	return Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLength: 16, KeyLength: 32}
}

// TestParams are deliberately weak parameters that keep test suites fast.
// Never use them outside tests.
func TestParams() Params {
	return Params{Memory: 64, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}
}

// validate rejects parameters argon2 would silently adjust (memory below
// 8 KiB per lane) or that exceed the bounds above.
func (p Params) validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("auth: argon2 threads %d out of range 1..%d", p.Threads, maxThreads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("auth: argon2 time %d out of range 1..%d", p.Time, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("auth: argon2 memory %d KiB out of range %d..%d", p.Memory, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLength < minSaltLength || p.SaltLength > maxSaltLength:
		return fmt.Errorf("auth: argon2 salt length %d out of range %d..%d", p.SaltLength, minSaltLength, maxSaltLength)
	case p.KeyLength < minKeyLength || p.KeyLength > maxKeyLength:
		return fmt.Errorf("auth: argon2 key length %d out of range %d..%d", p.KeyLength, minKeyLength, maxKeyLength)
	}
	return nil
}

// phcBase64 is the PHC string format's base64: standard alphabet, no padding.
// Strict so that only one spelling of a hash is accepted.
func phcBase64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

// HashPassword hashes pw with argon2id and a fresh random salt, returning a
// PHC string: $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>. The format is the
// one the reference implementation and most other libraries read, so hashes
// stay portable.
func HashPassword(p Params, pw string) (string, error) {
	if err := p.validate(); err != nil {
		return "", err
	}
	if len(pw) > maxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLength)
	enc := phcBase64()
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC string encoded. A wrong
// password is (false, nil); an error means the stored hash itself is unusable
// and should be logged, not shown to the user.
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	if len(pw) > maxPasswordBytes {
		// Such a password can never have been stored.
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLength)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// want (or cannot be read), so that the caller, right after a successful
// VerifyPassword, can store HashPassword(want, pw) instead.
func NeedsRehash(encoded string, want Params) bool {
	p, _, _, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	return p != want
}

// DummyVerify does the work of one VerifyPassword against a hash made with p
// and throws the result away. Call it when a login names an unknown account so
// that the response takes as long as for a known account with a wrong
// password, and timing does not reveal which e-mail addresses are registered.
// Pass the Params new hashes are made with.
func DummyVerify(p Params, pw string) {
	if p.validate() != nil {
		p = DefaultParams()
	}
	if len(pw) > maxPasswordBytes {
		pw = pw[:maxPasswordBytes]
	}
	salt := make([]byte, p.SaltLength)
	want := make([]byte, p.KeyLength)
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLength)
	subtle.ConstantTimeCompare(got, want)
}

// decodeHash parses a PHC argon2id string strictly: fields in the canonical
// order, version 19, parameters within bounds.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrInvalidHash
	}
	version, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return Params{}, nil, nil, ErrInvalidHash
	}
	if v, ok := parseCanonicalUint(version); !ok {
		return Params{}, nil, nil, ErrInvalidHash
	} else if v != argon2.Version {
		return Params{}, nil, nil, ErrIncompatibleVersion
	}

	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return Params{}, nil, nil, ErrInvalidHash
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		raw, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return Params{}, nil, nil, ErrInvalidHash
		}
		if vals[i], ok = parseCanonicalUint(raw); !ok {
			return Params{}, nil, nil, ErrInvalidHash
		}
	}
	if vals[2] > 255 {
		return Params{}, nil, nil, ErrInvalidHash
	}

	enc := phcBase64()
	if salt, err = enc.DecodeString(parts[4]); err != nil {
		return Params{}, nil, nil, ErrInvalidHash
	}
	if key, err = enc.DecodeString(parts[5]); err != nil {
		return Params{}, nil, nil, ErrInvalidHash
	}
	p = Params{
		Memory:     uint32(vals[0]),
		Time:       uint32(vals[1]),
		Threads:    uint8(vals[2]),
		SaltLength: uint32(len(salt)),
		KeyLength:  uint32(len(key)),
	}
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %v", ErrInvalidHash, err)
	}
	return p, salt, key, nil
}

// parseCanonicalUint parses a decimal uint32 written without sign or leading
// zeros, so that a hash has a single valid spelling.
func parseCanonicalUint(s string) (uint64, bool) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil || strconv.FormatUint(v, 10) != s {
		return 0, false
	}
	return v, true
}
