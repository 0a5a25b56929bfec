package auth

import (
	"bytes"
	"encoding/base32"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// rfcSecret is the SHA-1 key of RFC 6238's test vectors ("12345678901234567890").
var rfcSecret = base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))

func TestValidateTOTPRFCVectors(t *testing.T) {
	// RFC 6238 appendix B, SHA-1, last 6 of the 8 digits.
	tests := []struct {
		unix    int64
		code    string
		counter int64
	}{
		{59, "287082", 1},
		{1111111109, "081804", 37037036},
		{1234567890, "005924", 41152263},
		{2000000000, "279037", 66666666},
	}
	for _, tt := range tests {
		counter, ok := ValidateTOTP(rfcSecret, tt.code, time.Unix(tt.unix, 0))
		if !ok || counter != tt.counter {
			t.Errorf("ValidateTOTP(%s at %d) = %d, %v; want %d, true", tt.code, tt.unix, counter, ok, tt.counter)
		}
	}
}

func TestValidateTOTPWindow(t *testing.T) {
	secret, _, err := NewTOTPSecret("Proofsheet", "jane@example.com")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	step := at.Unix() / 30
	codeAt := func(t0 time.Time) string {
		c, err := totp.GenerateCodeCustom(secret, t0, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		code     string
		ok       bool
		wantStep int64
	}{
		{"current step", codeAt(at), true, step},
		{"with a space", codeAt(at)[:3] + " " + codeAt(at)[3:], true, step},
		{"previous step (skew)", codeAt(at.Add(-30 * time.Second)), true, step - 1},
		{"next step (skew)", codeAt(at.Add(30 * time.Second)), true, step + 1},
		{"two steps ago", codeAt(at.Add(-60 * time.Second)), false, 0},
		{"three steps ago", codeAt(at.Add(-90 * time.Second)), false, 0},
		{"two steps ahead", codeAt(at.Add(60 * time.Second)), false, 0},
		{"five digits", codeAt(at)[:5], false, 0},
		{"letters", "12a456", false, 0},
		{"empty", "", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counter, ok := ValidateTOTP(secret, tt.code, at)
			if ok != tt.ok || (ok && counter != tt.wantStep) {
				t.Errorf("ValidateTOTP(%q) = %d, %v; want %d, %v", tt.code, counter, ok, tt.wantStep, tt.ok)
			}
		})
	}
}

func TestValidateTOTPRejectsWeakSecrets(t *testing.T) {
	at := time.Unix(59, 0)
	for _, secret := range []string{"", "GEZDGNBV", "not base32!"} {
		// Whatever the code, a missing or short secret never validates.
		for _, code := range []string{"000000", "287082", "328482"} {
			if _, ok := ValidateTOTP(secret, code, at); ok {
				t.Errorf("ValidateTOTP(secret %q, %s) = ok; want rejected", secret, code)
			}
		}
	}
}

func TestNewTOTPSecret(t *testing.T) {
	secret, u, err := NewTOTPSecret("Proofsheet", "jane@example.com")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil || len(raw) != 20 {
		t.Errorf("secret %q decodes to %d bytes (%v), want 20", secret, len(raw), err)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	if parsed.Scheme != "otpauth" || parsed.Host != "totp" || q.Get("secret") != secret ||
		q.Get("issuer") != "Proofsheet" || q.Get("digits") != "6" || q.Get("period") != "30" ||
		q.Get("algorithm") != "SHA1" || !strings.Contains(parsed.Path, "jane@example.com") {
		t.Errorf("otpauth URL %q does not describe the secret", u)
	}
	other, _, err := NewTOTPSecret("Proofsheet", "jane@example.com")
	if err != nil || other == secret {
		t.Errorf("second secret %q equals the first (err %v)", other, err)
	}
	if _, _, err := NewTOTPSecret("", "jane@example.com"); err == nil {
		t.Error("missing issuer: want an error")
	}
}

func TestTOTPQRCodePNG(t *testing.T) {
	_, u, err := NewTOTPSecret("Proofsheet", "jane@example.com")
	if err != nil {
		t.Fatal(err)
	}
	b, err := TOTPQRCodePNG(u)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != 256 || got.Y != 256 {
		t.Errorf("QR code is %v, want 256x256", got)
	}
	if _, err := TOTPQRCodePNG("%%%"); err == nil {
		t.Error("bad URL: want an error")
	}
}
