package billing

import (
	"strings"
	"testing"
	"time"
)

func TestFinancialYear(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	tests := []struct {
		name  string
		at    time.Time
		fy    string
		start time.Time // in UTC: 1 April 00:00 IST is 31 March 18:30 UTC
	}{
		{"31 March 23:59:59 IST", time.Date(2026, 3, 31, 18, 29, 59, 0, time.UTC), "2025-26", time.Date(2025, 3, 31, 18, 30, 0, 0, time.UTC)},
		{"31 March 23:59:59.999999999 IST", time.Date(2026, 3, 31, 18, 29, 59, 999_999_999, time.UTC), "2025-26", time.Date(2025, 3, 31, 18, 30, 0, 0, time.UTC)},
		{"1 April 00:00 IST", time.Date(2026, 3, 31, 18, 30, 0, 0, time.UTC), "2026-27", time.Date(2026, 3, 31, 18, 30, 0, 0, time.UTC)},
		{"1 April UTC", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), "2026-27", time.Date(2026, 3, 31, 18, 30, 0, 0, time.UTC)},
		{"1 January", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-27", time.Date(2026, 3, 31, 18, 30, 0, 0, time.UTC)},
		{"31 March evening in New York is April in India", time.Date(2026, 3, 31, 20, 0, 0, 0, est), "2026-27", time.Date(2026, 3, 31, 18, 30, 0, 0, time.UTC)},
		{"turn of the century", time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC), "2099-00", time.Date(2099, 3, 31, 18, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := FinancialYear(tt.at); got != tt.fy {
			t.Errorf("%s: FinancialYear(%v) = %q, want %q", tt.name, tt.at, got, tt.fy)
		}
		got := FinancialYearStart(tt.at)
		if !got.Equal(tt.start) {
			t.Errorf("%s: FinancialYearStart(%v) = %v, want %v", tt.name, tt.at, got, tt.start)
		}
		if _, off := got.Zone(); off != 19800 || got.Format("01-02 15:04") != "04-01 00:00" {
			t.Errorf("%s: FinancialYearStart = %v, want 1 April 00:00 IST", tt.name, got)
		}
	}
}

func TestSerial(t *testing.T) {
	tests := []struct {
		prefix, fy string
		n          int64
		want       string // "" when an error must mention wantErr
		wantErr    string
	}{
		{"INV", "2026-27", 42, "INV/26-27/00042", ""},
		{"INV", "2026-27", 1, "INV/26-27/00001", ""},
		{"CN", "2026-27", 7, "CN/26-27/00007", ""},
		{"inv", "2026-27", 7, "inv/26-27/00007", ""},
		{"INV", "2026-27", 123456, "INV/26-27/123456", ""},
		{"ABCD", "2026-27", 99999, "ABCD/26-27/99999", ""},
		{"C", "2026-27", 12345678, "C/26-27/12345678", ""},
		{"INV", "2099-00", 5, "INV/99-00/00005", ""},
		{"ABCD", "2026-27", 100000, "", "longer than the 16 characters"},
		{"INV", "2026-27", 1234567, "", "longer than the 16 characters"},
		{"", "2026-27", 1, "", "must be 1 to 4 letters"},
		{"ABCDE", "2026-27", 1, "", "must be 1 to 4 letters"},
		{"IN1", "2026-27", 1, "", "must be 1 to 4 letters"},
		{"IN/", "2026-27", 1, "", "must be 1 to 4 letters"},
		{"ÄB", "2026-27", 1, "", "must be 1 to 4 letters"},
		{"INV", "26-27", 1, "", "not of the form 2026-27"},
		{"INV", "2026-28", 1, "", "not of the form 2026-27"},
		{"INV", "2026/27", 1, "", "not of the form 2026-27"},
		{"INV", "+026-27", 1, "", "not of the form 2026-27"},
		{"INV", "2026-27", 0, "", "must be 1 or more"},
		{"INV", "2026-27", -3, "", "must be 1 or more"},
	}
	for _, tt := range tests {
		got, err := Serial(tt.prefix, tt.fy, tt.n)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Serial(%q, %q, %d) = %q, %v; want an error about %q", tt.prefix, tt.fy, tt.n, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Serial(%q, %q, %d) = %q, %v; want %q", tt.prefix, tt.fy, tt.n, got, err, tt.want)
		}
		if !ValidSerial(got) {
			t.Errorf("Serial made %q, which ValidSerial rejects", got)
		}
	}
}

func TestSerialFromFinancialYear(t *testing.T) {
	at := time.Date(2026, 3, 31, 18, 30, 0, 0, time.UTC)
	got, err := Serial("INV", FinancialYear(at), 1)
	if err != nil || got != "INV/26-27/00001" {
		t.Errorf("first serial of FY 2026-27 = %q, %v", got, err)
	}
}

func TestValidSerial(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"INV/26-27/00042", true},
		{"1", true},
		{"a-b/C", true},
		{"ABCD/26-27/99999", true},
		{"ABCD/26-27/100000", false}, // 17 characters
		{"", false},
		{"INV 26-27", false},
		{"INV_0001", false},
		{"INV#1", false},
		{"ÄB/1", false},
		{"INV/26-27/0004\n", false},
	}
	for _, tt := range tests {
		if got := ValidSerial(tt.s); got != tt.want {
			t.Errorf("ValidSerial(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
