package auth

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func TestCommonPasswordList(t *testing.T) {
	m := commonPasswords()
	if len(m) < 10000 {
		t.Errorf("list has %d entries, want at least 10,000", len(m))
	}
	for k := range m {
		if k != strings.ToLower(strings.TrimSpace(k)) || k == "" {
			t.Fatalf("entry %q is not normalised", k)
		}
		if strings.HasPrefix(k, "# ") {
			t.Fatalf("header line %q parsed as an entry", k)
		}
	}
	// "#name?" is a real entry that looks like a comment; the header parser
	// must not have eaten it.
	for _, pw := range []string{"password", "qwerty", "123456", "iloveyou", "password1", "#name?"} {
		if _, ok := m[pw]; !ok {
			t.Errorf("list lacks %q", pw)
		}
	}
}

func TestIsCommonPassword(t *testing.T) {
	tests := []struct {
		pw   string
		want bool
	}{
		{"password", true},
		{"PassWord", true},
		{"  qwerty ", true},
		{"Tr0ub4dor&3x", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsCommonPassword(tt.pw); got != tt.want {
			t.Errorf("IsCommonPassword(%q) = %v, want %v", tt.pw, got, tt.want)
		}
	}
}

func TestParseCommonPasswords(t *testing.T) {
	gz := func(s string) *bytes.Reader {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return bytes.NewReader(buf.Bytes())
	}
	m, err := parseCommonPasswords(gz("# source\n# \n# licence\nHunter2\n\n  dragon \n# not header\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hunter2", "dragon", "# not header"}
	if len(m) != len(want) {
		t.Errorf("parsed %d entries %v, want %v", len(m), m, want)
	}
	for _, w := range want {
		if _, ok := m[w]; !ok {
			t.Errorf("missing %q in %v", w, m)
		}
	}
	if _, err := parseCommonPasswords(gz("# only a header\n")); err == nil {
		t.Error("empty list: want an error")
	}
	if _, err := parseCommonPasswords(strings.NewReader("not gzip")); err == nil {
		t.Error("not gzip: want an error")
	}
}
