package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Login checks an e-mail and password. It returns a new session: signed in,
// or at StageMFA when the user has a second factor to give. Wrong e-mail and
// wrong password fail alike, in time and in message, and both count against
// the per-IP and per-account limits.
func (a *Accounts) Login(ctx context.Context, email, password string, act Actor) (*Session, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	ipKey, acctKey := limitKey("login-ip", act.IP), limitKey("login-account", email)
	lim := limiter{a}
	if err := lim.check(ctx, ipKey, a.set.IPLimit); err != nil {
		return nil, "", err
	}
	if err := lim.check(ctx, acctKey, a.set.AccountLimit); err != nil {
		return nil, "", err
	}
	u, err := a.userByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, "", err
	}
	ok := false
	if u == nil || u.DisabledAt != nil {
		DummyVerify(a.set.PasswordParams, password)
	} else if ok, err = VerifyPassword(u.PasswordHash, password); err != nil {
		return nil, "", fmt.Errorf("auth: login: %w", err)
	}
	if !ok {
		return nil, "", a.loginFailed(ctx, u, ipKey, acctKey, act)
	}
	lim.clear(ctx, acctKey)
	stage := StageFull
	if u.TwoFactor() {
		stage = StageMFA
	}
	var s *Session
	var plain string
	err = a.db.InStudio(ctx, u.StudioID, func(tx *gorm.DB) error {
		var err error
		if s, plain, err = a.newSession(ctx, tx, u, stage, act); err != nil {
			return err
		}
		act.UserID = u.ID
		if stage == StageMFA {
			return a.record(ctx, tx, u.StudioID, act, "login.password_ok", map[string]any{"session_id": s.ID.String()})
		}
		return a.record(ctx, tx, u.StudioID, act, "login.succeeded", map[string]any{"session_id": s.ID.String(), "method": "password"})
	})
	if err != nil {
		return nil, "", fmt.Errorf("auth: login: %w", err)
	}
	return s, plain, nil
}

// loginFailed counts the failure and records it in the studio's audit log
// when the account exists.
func (a *Accounts) loginFailed(ctx context.Context, u *User, ipKey, acctKey string, act Actor) error {
	lim := limiter{a}
	if err := errors.Join(lim.fail(ctx, ipKey), lim.fail(ctx, acctKey)); err != nil {
		return err
	}
	if u != nil {
		err := a.db.InStudio(ctx, u.StudioID, func(tx *gorm.DB) error {
			act.UserID = u.ID
			return a.record(ctx, tx, u.StudioID, act, "login.failed", map[string]any{"reason": "password"})
		})
		if err != nil {
			return fmt.Errorf("auth: login failed: %w", err)
		}
	}
	return ErrInvalidCredentials
}

// SecondFactor completes a StageMFA session with a TOTP code or a recovery
// code. On success the pending session is replaced by a new, signed-in one.
func (a *Accounts) SecondFactor(ctx context.Context, pending *Session, code string, act Actor) (*Session, string, error) {
	if pending.Stage != StageMFA {
		return nil, "", ErrForbidden
	}
	key := limitKey("mfa", pending.UserID.String())
	lim := limiter{a}
	if err := lim.check(ctx, key, a.set.AccountLimit); err != nil {
		return nil, "", err
	}
	var s *Session
	var plain string
	method := ""
	err := a.db.InStudio(ctx, pending.StudioID, func(tx *gorm.DB) error {
		u := pending.User
		var err error
		if method, err = a.useSecondFactor(ctx, tx, &u, code); err != nil {
			return err
		}
		if err := tx.Delete(&Session{}, "id = ?", pending.ID).Error; err != nil {
			return err
		}
		if s, plain, err = a.newSession(ctx, tx, &u, StageFull, act); err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, u.StudioID, act, "login.succeeded", map[string]any{"session_id": s.ID.String(), "method": method})
	})
	if errors.Is(err, ErrInvalidCode) {
		_ = lim.fail(ctx, key)
		_ = a.db.InStudio(ctx, pending.StudioID, func(tx *gorm.DB) error {
			act.UserID = pending.UserID
			return a.record(ctx, tx, pending.StudioID, act, "login.failed", map[string]any{"reason": "second_factor"})
		})
		return nil, "", ErrInvalidCode
	}
	if err != nil {
		return nil, "", fmt.Errorf("auth: second factor: %w", err)
	}
	lim.clear(ctx, key)
	return s, plain, nil
}

// useSecondFactor accepts a TOTP code newer than the last one used, or an
// unused recovery code, and burns it. It returns which kind was used.
func (a *Accounts) useSecondFactor(ctx context.Context, tx *gorm.DB, u *User, code string) (string, error) {
	// Apps show codes as "123 456"; recovery codes ignore spaces anyway.
	code = strings.Join(strings.Fields(code), "")
	if u.TOTPSecret == nil {
		return "", ErrInvalidCode
	}
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		counter, ok := ValidateTOTP(*u.TOTPSecret, code, a.now())
		if !ok || counter <= u.TOTPLastCounter {
			return "", ErrInvalidCode
		}
		res := tx.Model(&User{}).Where("id = ? AND totp_last_counter < ?", u.ID, counter).Update("totp_last_counter", counter)
		if res.Error != nil {
			return "", res.Error
		}
		if res.RowsAffected == 0 { // a concurrent login used it first
			return "", ErrInvalidCode
		}
		return "totp", nil
	}
	res := tx.Model(&RecoveryCode{}).
		Where("studio_id = ? AND user_id = ? AND code_hash = ? AND used_at IS NULL", u.StudioID, u.ID, HashToken(code)).
		Update("used_at", a.now())
	if res.Error != nil {
		return "", res.Error
	}
	if res.RowsAffected == 0 {
		return "", ErrInvalidCode
	}
	return "recovery_code", nil
}

// UserByEmail finds a user by e-mail in any studio (for the CLI and tests).
func (a *Accounts) UserByEmail(ctx context.Context, email string) (*User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	return a.userByEmail(ctx, e)
}
