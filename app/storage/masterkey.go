package storage

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MasterKey is the operator's key. It only wraps the studios' data keys
// and never leaves the process.
type MasterKey struct {
	key []byte
	id  string
}

// ID names the key without revealing it (an HMAC of a constant), so the
// database can say which master key wrapped a data key.
func (m MasterKey) ID() string { return m.id }

// ParseMasterKey reads the base64 of 32 bytes (standard or URL alphabet,
// padded or not). The message never repeats the value.
func ParseMasterKey(s string) (MasterKey, error) {
	s = strings.TrimSpace(s)
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return MasterKey{}, errors.New("the master key is not base64")
	}
	if len(b) != 32 {
		return MasterKey{}, fmt.Errorf("the master key is %d bytes, want 32 (base64 of 32 random bytes: `head -c 32 /dev/urandom | base64`)", len(b))
	}
	mac := hmac.New(sha256.New, b)
	mac.Write([]byte("proofsheet/master-key-id"))
	return MasterKey{key: b, id: hex.EncodeToString(mac.Sum(nil)[:8])}, nil
}

// LoadMasterKey returns the key in env (PROOFSHEET_MASTER_KEY) when it is
// set, else the one in the file at path, which it creates with a new
// random key (mode 0600) when it does not exist; created says so.
func LoadMasterKey(env, path string) (key MasterKey, created bool, err error) {
	if env != "" {
		k, err := ParseMasterKey(env)
		if err != nil {
			return MasterKey{}, false, fmt.Errorf("storage: PROOFSHEET_MASTER_KEY: %w", err)
		}
		return k, false, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		created, err = createKeyFile(path)
		if err == nil {
			b, err = os.ReadFile(path)
		}
	}
	if err != nil {
		return MasterKey{}, false, fmt.Errorf("storage: master key file: %w", err)
	}
	k, err := ParseMasterKey(string(b))
	if err != nil {
		return MasterKey{}, false, fmt.Errorf("storage: master key file %s: %w", path, err)
	}
	return k, created, nil
}

// createKeyFile writes a new key to a temporary file and links it into
// place, so a crash leaves no half-written key and two processes starting
// at once agree on one key (the second link fails and it reads the first).
func createKeyFile(path string) (bool, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return false, err
	}
	f, err := os.CreateTemp(dir, ".master.key-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	if err := os.Link(f.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}
