package auth

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// recoveryCodeCount is how many recovery codes a user holds at a time.
const recoveryCodeCount = 10

// ErrOwner2FARequired refuses to turn two-factor off for a studio owner
// when the operator requires it. It Is ErrForbidden.
var ErrOwner2FARequired = fmt.Errorf("%w: two-factor authentication is required for studio owners", ErrForbidden)

// TOTPEnrolment is what a person needs to add the account to an
// authenticator app: the secret to type in and the otpauth:// URL to scan.
type TOTPEnrolment struct {
	Secret string
	URL    string
}

// BeginTwoFactor returns the user's pending TOTP secret, making and storing
// one if none is pending. The secret is stored with totp_enabled_at still
// NULL, so it is not asked for at login until EnableTwoFactor confirms that
// the app shows matching codes. Reloading the page keeps the same secret, so
// a phone that already scanned it stays valid.
func (a *Accounts) BeginTwoFactor(ctx context.Context, studio, user uuid.UUID) (*TOTPEnrolment, error) {
	var out TOTPEnrolment
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		u, err := lockUser(tx, studio, user)
		if err != nil {
			return err
		}
		if u.TwoFactor() {
			return invalid("code", "Two-factor authentication is already on.")
		}
		if u.TOTPSecret != nil && usableTOTPSecret(*u.TOTPSecret) {
			out.Secret = *u.TOTPSecret
			out.URL, err = totpURL(a.set.Issuer, u.Email, out.Secret)
			return err
		}
		if out.Secret, out.URL, err = NewTOTPSecret(a.set.Issuer, u.Email); err != nil {
			return err
		}
		return tx.Model(&User{}).Where("studio_id = ? AND id = ?", studio, user).Update("totp_secret", out.Secret).Error
	})
	if err != nil {
		return nil, fmt.Errorf("auth: begin two-factor: %w", err)
	}
	return &out, nil
}

// totpURL rebuilds the otpauth:// URL of a stored secret, with the same
// settings NewTOTPSecret used.
func totpURL(issuer, account, secret string) (string, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		return "", err
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: raw,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", err
	}
	return key.URL(), nil
}

// EnableTwoFactor turns TOTP on once code, from the person's app, matches
// the pending secret, and returns new recovery codes to show once. The
// code's time step is stored as used, so it cannot sign anyone in later.
func (a *Accounts) EnableTwoFactor(ctx context.Context, studio, user uuid.UUID, code string, act Actor) ([]string, error) {
	var codes []string
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		u, err := lockUser(tx, studio, user)
		if err != nil {
			return err
		}
		if u.TwoFactor() {
			return invalid("code", "Two-factor authentication is already on.")
		}
		if u.TOTPSecret == nil {
			return invalid("code", "Reload this page to get a new QR code, then try again.")
		}
		counter, ok := ValidateTOTP(*u.TOTPSecret, code, a.now())
		if !ok {
			return invalid("code", "That code is not right. Check that your phone's clock is set automatically and type the newest code.")
		}
		err = tx.Model(&User{}).Where("studio_id = ? AND id = ?", studio, user).
			Updates(map[string]any{"totp_enabled_at": a.now(), "totp_last_counter": counter}).Error
		if err != nil {
			return err
		}
		if codes, err = a.replaceRecoveryCodes(tx, u); err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, studio, act, "twofactor.enabled", map[string]any{"method": "totp"})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: enable two-factor: %w", err)
	}
	return codes, nil
}

// DisableTwoFactor turns TOTP off. It asks for the password and a second
// factor (a TOTP or recovery code, which is used up), so neither a stolen
// session nor a stolen password alone can remove the protection.
func (a *Accounts) DisableTwoFactor(ctx context.Context, studio, user uuid.UUID, password, code string, act Actor) error {
	u, err := a.User(ctx, studio, user)
	if err != nil {
		return err
	}
	if !u.TwoFactor() {
		return invalid("code", "Two-factor authentication is already off.")
	}
	if a.set.RequireOwner2FA && u.Role == RoleOwner {
		return ErrOwner2FARequired
	}
	if err := a.verifyCurrentPassword(ctx, u, password); err != nil {
		return err
	}
	// Wrong codes count with those at login: one budget per account.
	key, lim := limitKey("mfa", u.ID.String()), limiter{a}
	if err := lim.check(ctx, key, a.set.AccountLimit); err != nil {
		return err
	}
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		locked, err := lockUser(tx, studio, user)
		if err != nil {
			return err
		}
		if _, err := a.useSecondFactor(ctx, tx, locked, code); err != nil {
			return err
		}
		err = tx.Model(&User{}).Where("studio_id = ? AND id = ?", studio, user).
			Updates(map[string]any{"totp_secret": nil, "totp_enabled_at": nil, "totp_last_counter": 0}).Error
		if err != nil {
			return err
		}
		if err := tx.Where("studio_id = ? AND user_id = ?", studio, user).Delete(&RecoveryCode{}).Error; err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, studio, act, "twofactor.disabled", nil)
	})
	if errors.Is(err, ErrInvalidCode) {
		if err := lim.fail(ctx, key); err != nil {
			return err
		}
		return invalid("code", "That code is not right or was already used.")
	}
	if err != nil {
		return fmt.Errorf("auth: disable two-factor: %w", err)
	}
	return nil
}

// RegenerateRecoveryCodes replaces all of the user's recovery codes, used
// or not, after checking the password, and returns the new ones to show once.
func (a *Accounts) RegenerateRecoveryCodes(ctx context.Context, studio, user uuid.UUID, password string, act Actor) ([]string, error) {
	u, err := a.User(ctx, studio, user)
	if err != nil {
		return nil, err
	}
	if !u.TwoFactor() {
		return nil, invalid("code", "Turn on two-factor authentication first.")
	}
	if err := a.verifyCurrentPassword(ctx, u, password); err != nil {
		return nil, err
	}
	var codes []string
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if codes, err = a.replaceRecoveryCodes(tx, u); err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, studio, act, "recovery_codes.regenerated", map[string]any{"count": len(codes)})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: regenerate recovery codes: %w", err)
	}
	return codes, nil
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (a *Accounts) RecoveryCodesLeft(ctx context.Context, studio, user uuid.UUID) (int, error) {
	var n int64
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Model(&RecoveryCode{}).Where("studio_id = ? AND user_id = ? AND used_at IS NULL", studio, user).Count(&n).Error
	})
	if err != nil {
		return 0, fmt.Errorf("auth: recovery codes left: %w", err)
	}
	return int(n), nil
}

// replaceRecoveryCodes deletes the user's codes and stores the hashes of
// new ones, returning the plain codes.
func (a *Accounts) replaceRecoveryCodes(tx *gorm.DB, u *User) ([]string, error) {
	plain, err := NewRecoveryCodes(recoveryCodeCount)
	if err != nil {
		return nil, err
	}
	if err := tx.Where("studio_id = ? AND user_id = ?", u.StudioID, u.ID).Delete(&RecoveryCode{}).Error; err != nil {
		return nil, err
	}
	rows := make([]RecoveryCode, len(plain))
	for i, p := range plain {
		rows[i] = RecoveryCode{ID: uuid.Must(uuid.NewV7()), StudioID: u.StudioID, UserID: u.ID, CodeHash: HashToken(p), CreatedAt: a.now()}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return nil, err
	}
	return plain, nil
}

// lockUser loads a user for update, so that two requests changing the same
// second factor run one after the other.
func lockUser(tx *gorm.DB, studio, user uuid.UUID) (*User, error) {
	var u User
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("studio_id = ? AND id = ?", studio, user).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}
