package auth

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings. These are the RFC 6238 defaults, and the only ones every
// authenticator app supports; other digit counts or hashes are silently
// ignored by some apps, which then show codes that never match.
const (
	totpPeriod     = 30 // seconds per time step
	totpSkew       = 1  // steps accepted either side, for clock drift and typing time
	totpSecretSize = 20 // bytes: 160 bits, the HMAC-SHA1 block recommended by RFC 4226
	totpMinSecret  = 10 // bytes: RFC 4226's minimum of 128 bits rounded down to what old apps use
	totpQRSize     = 256
)

// NewTOTPSecret makes a new random TOTP secret for account (usually the
// e-mail address) at issuer (the studio or site name shown in the app). It
// returns the base32 secret to store (encrypted or at least never logged)
// and the otpauth:// URL to show as a QR code or link during enrolment.
func NewTOTPSecret(issuer, account string) (secret, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", fmt.Errorf("auth: new TOTP secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// TOTPQRCodePNG renders an otpauth:// URL as a 256x256 PNG QR code for
// authenticator apps to scan.
func TOTPQRCodePNG(otpauthURL string) ([]byte, error) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return nil, fmt.Errorf("auth: TOTP QR code: %w", err)
	}
	img, err := key.Image(totpQRSize, totpQRSize)
	if err != nil {
		return nil, fmt.Errorf("auth: TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("auth: TOTP QR code: %w", err)
	}
	return buf.Bytes(), nil
}

// ValidateTOTP checks a 6-digit code against secret at time at, accepting the
// time steps one either side of at. It returns the time-step counter the code
// matched. A TOTP code stays valid for up to 90 seconds, so to stop a code
// seen over someone's shoulder from being used again the caller must store
// the counter of the last accepted code and reject any counter not greater
// than it (RFC 6238, section 5.2).
//
// Spaces in code are ignored because apps display codes as "123 456".
func ValidateTOTP(secret, code string, at time.Time) (counter int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if !isDigits(code, otp.DigitsSix.Length()) || !usableTOTPSecret(secret) {
		return 0, false
	}
	opts := hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	now := at.Unix() / totpPeriod
	// Every step in the window is computed even after a match so that the
	// time taken does not say which step matched.
	for c := now - totpSkew; c <= now+totpSkew; c++ {
		if c < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(c), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			// The earliest match wins: with a per-account "last counter"
			// that accepts the most legitimate codes.
			counter, ok = c, true
		}
	}
	return counter, ok
}

// usableTOTPSecret rejects secrets that decode to too few bytes, above all
// the empty string: HMAC with an empty key still produces codes, which
// anyone could compute.
func usableTOTPSecret(secret string) bool {
	s := strings.ToUpper(strings.TrimRight(strings.TrimSpace(secret), "="))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	return err == nil && len(b) >= totpMinSecret
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
