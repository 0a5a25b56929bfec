package storage

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With no key configured, the first run creates the key file (0600, in a
// folder it creates) and later runs read the same key.
func TestMasterKeyFileIsCreatedOnceWithMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", "master.key")
	k1, created, err := LoadMasterKey("", path)
	if err != nil || !created {
		t.Fatalf("first load: created %v, %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o, want 600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b))); err != nil || len(raw) != 32 {
		t.Fatalf("key file holds %q, want base64 of 32 bytes", b)
	}
	k2, created, err := LoadMasterKey("", path)
	if err != nil || created {
		t.Fatalf("second load: created %v, %v", created, err)
	}
	if k1.ID() != k2.ID() || string(k1.key) != string(k2.key) {
		t.Fatal("the second load read another key")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".master.key-*")); len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}

	// The variable wins over the file, and creates nothing.
	env, created, err := LoadMasterKey(testMasterKey, filepath.Join(t.TempDir(), "none.key"))
	if err != nil || created || env.ID() == k1.ID() || env.ID() != mustMaster(t, testMasterKey).ID() {
		t.Fatalf("env key: created %v, %v", created, err)
	}
}

func TestBadMasterKeysAreRefusedWithoutEchoingThem(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("sixteen bytes!!!"))
	for _, tc := range []struct{ value, want string }{
		{"not base64 at all!", "not base64"},
		{short, "16 bytes, want 32"},
	} {
		_, _, err := LoadMasterKey(tc.value, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "PROOFSHEET_MASTER_KEY") {
			t.Errorf("%q: %v, want it to mention %q", tc.value, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), tc.value) {
			t.Errorf("the error repeats the key: %v", err)
		}
		path := filepath.Join(t.TempDir(), "master.key")
		os.WriteFile(path, []byte(tc.value), 0o600)
		if _, _, err := LoadMasterKey("", path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("file holding %q: %v", tc.value, err)
		}
	}
	// Unpadded and URL-safe base64 are accepted.
	raw := []byte("0123456789abcdef0123456789abcdef")
	for _, s := range []string{base64.RawStdEncoding.EncodeToString(raw), base64.URLEncoding.EncodeToString(raw) + "\n"} {
		if _, err := ParseMasterKey(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
}
