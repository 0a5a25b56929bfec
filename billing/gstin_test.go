package billing

import (
	"errors"
	"strings"
	"testing"
)

func TestParseGSTINValid(t *testing.T) {
	tests := []struct {
		in, want, state string
	}{
		// Published GSTINs, whose check characters were issued by GSTN.
		{"27AAPFU0939F1ZV", "27AAPFU0939F1ZV", "Maharashtra"},
		{"29AAGCB7383J1Z4", "29AAGCB7383J1Z4", "Karnataka"},
		{"27AAACR5055K1Z7", "27AAACR5055K1Z7", "Maharashtra"},
		{"33AAACH7409R1Z8", "33AAACH7409R1Z8", "Tamil Nadu"},
		{"24AAACC1206D1ZM", "24AAACC1206D1ZM", "Gujarat"},
		// Made up, check characters from the algorithm: each rule's edge in a valid number.
		{"04ABCDE1234F1Z8", "04ABCDE1234F1Z8", "Chandigarh"},
		{"38ABCDE1234F2ZW", "38ABCDE1234F2ZW", "Ladakh"},
		{"97ABCDE1234FAZK", "97ABCDE1234FAZK", "Other Territory"},
		{"07ABCDE1234FZZ4", "07ABCDE1234FZZ4", "Delhi"},
		{"26ABCDE1234F1Z2", "26ABCDE1234F1Z2", "Dadra and Nagar Haveli and Daman and Diu"},
		// What people paste.
		{" 27aapfu0939f1zv\t", "27AAPFU0939F1ZV", "Maharashtra"},
		{"\n29AAGCB7383j1z4 ", "29AAGCB7383J1Z4", "Karnataka"},
	}
	for _, tt := range tests {
		g, err := ParseGSTIN(tt.in)
		if err != nil {
			t.Errorf("ParseGSTIN(%q): %v", tt.in, err)
			continue
		}
		if string(g) != tt.want || g.State().Name != tt.state {
			t.Errorf("ParseGSTIN(%q) = %q in %q; want %q in %q", tt.in, g, g.State().Name, tt.want, tt.state)
		}
	}
}

func TestParseGSTINInvalid(t *testing.T) {
	pan := "Characters 3 to 12 of a GSTIN are the PAN (5 letters, 4 digits, 1 letter); "
	tests := []struct {
		in, reason string
	}{
		{"", "GSTIN is empty."},
		{"  \t ", "GSTIN is empty."},
		{"27AAPFU0939F1Z", "GSTIN must be 15 characters; this one has 14."},
		{"27AAPFU0939F1ZVV", "GSTIN must be 15 characters; this one has 16."},
		{"27 AAPFU0939F1ZV", "GSTIN must be 15 characters; this one has 16."},
		{"27AAPFU0939F-ZV", `GSTIN has only letters and digits; character 13 is '-'.`},
		{"27AAPFU0939F1Zı", `GSTIN has only letters and digits; character 15 is 'ı'.`},
		{"2éAAPFU0939F1ZV", `GSTIN has only letters and digits; character 2 is 'é'.`},
		{"99AAPFU0939F1ZV", "GSTIN starts with a state code; 99 is not one."},
		{"25AAPFU0939F1ZV", "GSTIN starts with a state code; 25 is not one."},
		{"00AAPFU0939F1ZV", "GSTIN starts with a state code; 00 is not one."},
		{"AAAAPFU0939F1ZV", `GSTIN starts with a two-digit state code; "AA" is not one.`},
		{"271APFU0939F1ZV", pan + "character 3 should be a letter, not 1."},
		{"27AAPF10939F1ZV", pan + "character 7 should be a letter, not 1."},
		{"27AAPFUO939F1ZV", pan + "character 8 should be a digit, not O."},
		{"27AAPFU093IF1ZV", pan + "character 11 should be a digit, not I."},
		{"27AAPFU093901ZV", pan + "character 12 should be a letter, not 0."},
		{"27AAPFU0939F0ZV", "Character 13 of a GSTIN counts the holder's registrations in the state and starts at 1; it cannot be 0."},
		{"27AAPFU0939F1AV", "Character 14 of a GSTIN is always Z; this one has A."},
		{"27AAPFU0939F1ZW", "The last character of this GSTIN should be V; check it for a typo."},
		{"27AAPFU0939F1Z0", "The last character of this GSTIN should be V; check it for a typo."},
		{"27AAPFU0993F1ZV", "The last character of this GSTIN should be P; check it for a typo."}, // two digits swapped
		{"29AAGCB7383J1Z7", "The last character of this GSTIN should be 4; check it for a typo."},
	}
	for _, tt := range tests {
		g, err := ParseGSTIN(tt.in)
		var ge *GSTINError
		if !errors.As(err, &ge) {
			t.Errorf("ParseGSTIN(%q) = %q, %v; want a *GSTINError", tt.in, g, err)
			continue
		}
		if ge.Reason != tt.reason || err.Error() != tt.reason || g != "" {
			t.Errorf("ParseGSTIN(%q) = %q, %q;\nwant %q", tt.in, g, ge.Reason, tt.reason)
		}
	}
}

func TestGSTINStateOfUncheckedValue(t *testing.T) {
	for _, g := range []GSTIN{"", "2", "99AAPFU0939F1ZV"} {
		if s := g.State(); s != (State{}) {
			t.Errorf("GSTIN(%q).State() = %+v, want the zero State", g, s)
		}
	}
}

func FuzzParseGSTIN(f *testing.F) {
	for _, s := range []string{"27AAPFU0939F1ZV", "29aagcb7383j1z4", " 97ABCDE1234FAZK ", "27AAPFU0939F1ZW",
		"", "99AAPFU0939F1ZV", "27AAPFU0939F1Zı", "\xff\xfe27AAPFU0939F1ZV"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGSTIN(s)
		if err != nil {
			var ge *GSTINError
			if !errors.As(err, &ge) || ge.Reason == "" || g != "" {
				t.Fatalf("ParseGSTIN(%q) = %q, %#v", s, g, err)
			}
			return
		}
		if len(g) != 15 || g.State().Code != string(g[:2]) {
			t.Fatalf("ParseGSTIN(%q) accepted %q (state %+v)", s, g, g.State())
		}
		again, err := ParseGSTIN(string(g))
		if err != nil || again != g {
			t.Fatalf("ParseGSTIN(%q) = %q, %v; want it unchanged", g, again, err)
		}
		const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		for i := 0; i < len(alphabet); i++ {
			if alphabet[i] == g[14] {
				continue
			}
			other := string(g[:14]) + alphabet[i:i+1]
			if _, err := ParseGSTIN(other); err == nil || !strings.HasPrefix(err.Error(), "The last character") {
				t.Fatalf("ParseGSTIN(%q) with a changed check character: %v", other, err)
			}
		}
	})
}
