package invoicepdf

import (
	"math"
	"testing"
)

func TestFormatPaise(t *testing.T) {
	tests := []struct {
		paise int64
		want  string
	}{
		{0, "0.00"},
		{5, "0.05"},
		{99900, "999.00"},
		{100000, "1,000.00"},
		{9999999, "99,999.99"},
		{10000000, "1,00,000.00"},
		{123456789, "12,34,567.89"},
		{12345678901, "12,34,56,789.01"},
		{-123456789, "-12,34,567.89"},
		{math.MinInt64, "-92,23,37,20,36,85,47,758.08"},
	}
	for _, tt := range tests {
		if got := formatPaise(tt.paise); got != tt.want {
			t.Errorf("formatPaise(%d) = %q, want %q", tt.paise, got, tt.want)
		}
	}
}

func TestCheckGSTIN(t *testing.T) {
	tests := []struct {
		gstin, state string
		ok           bool
	}{
		{"27AAPFU0939F1ZV", "27", true}, // the GSTN's published example
		{"29AAGCP7351M1ZS", "29", true},
		{"27AAPFU0939F1ZW", "27", false}, // check character off by one
		{"27AAPFU0939F1Z", "27", false},
		{"27aapfu0939f1zv", "27", false},
		{"27AAPFU0939F1ZV", "29", false},
	}
	for _, tt := range tests {
		if err := checkGSTIN(tt.gstin, tt.state); (err == nil) != tt.ok {
			t.Errorf("checkGSTIN(%q, %q) = %v, want ok %v", tt.gstin, tt.state, err, tt.ok)
		}
	}
}
