package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// resetLinkLife is how long an e-mailed reset link works: long enough to
// find the e-mail, short enough that an old mailbox is no key to the account.
const resetLinkLife = time.Hour

// RequestPasswordReset e-mails a single-use reset link when email belongs
// to an active account, and silently does nothing otherwise: the caller
// answers the same either way, so the form does not tell who has an
// account. Every request counts against a per-IP and a per-address limit,
// for unknown addresses too, so the limits reveal nothing either.
func (a *Accounts) RequestPasswordReset(ctx context.Context, email string, act Actor) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return err
	}
	ipKey, mailKey := limitKey("reset-ip", act.IP), limitKey("reset-email", email)
	lim := limiter{a}
	if err := lim.check(ctx, ipKey, a.set.IPLimit); err != nil {
		return err
	}
	if err := lim.check(ctx, mailKey, a.set.AccountLimit); err != nil {
		return err
	}
	if err := errors.Join(lim.fail(ctx, ipKey), lim.fail(ctx, mailKey)); err != nil {
		return err
	}
	u, err := a.userByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) || (err == nil && u.DisabledAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.sendResetLink(ctx, u, act); err != nil {
		return fmt.Errorf("auth: request password reset: %w", err)
	}
	return nil
}

// sendResetLink stores a new link (only its hash) and queues the e-mail in
// the same transaction. Earlier unused links stop working: only the newest
// e-mail is good.
func (a *Accounts) sendResetLink(ctx context.Context, u *User, act Actor) error {
	plain, hash, err := NewToken(PrefixReset)
	if err != nil {
		return err
	}
	now := a.now()
	r := PasswordReset{ID: uuid.Must(uuid.NewV7()), StudioID: u.StudioID, UserID: u.ID, TokenHash: hash, ExpiresAt: now.Add(resetLinkLife), CreatedAt: now}
	link := strings.TrimRight(a.set.BaseURL, "/") + "/password/reset?token=" + plain
	body := fmt.Sprintf("Hello %s,\n\nsomeone, hopefully you, asked to reset the password of your Proofsheet account.\n"+
		"Open this link within an hour to choose a new one:\n\n%s\n\n"+
		"The link works once. If you did not ask for it, ignore this e-mail: your password stays as it is.\n", u.Name, link)
	return a.db.InStudio(ctx, u.StudioID, func(tx *gorm.DB) error {
		if err := tx.Where("studio_id = ? AND user_id = ? AND used_at IS NULL", u.StudioID, u.ID).Delete(&PasswordReset{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		if err := a.mail.Queue(ctx, tx, u.StudioID, u.Email, "Reset your Proofsheet password", body); err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, u.StudioID, act, "password.reset_requested", map[string]any{"reset_id": r.ID.String()})
	})
}

// CheckResetLink reports whether a reset link still works (ErrLinkExpired
// when it is unknown, expired or used), for the page asking for a password.
func (a *Accounts) CheckResetLink(ctx context.Context, token string) error {
	_, _, err := a.resetLink(ctx, token)
	return err
}

// ResetPassword sets a new password through an e-mailed link. The link
// works once; every session of the user ends, since whoever knew the old
// password may be signed in; and the failed-login count of the account is
// forgotten so the owner can sign in at once.
func (a *Accounts) ResetPassword(ctx context.Context, token, password string, act Actor) error {
	r, u, err := a.resetLink(ctx, token)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, u.Email, u.Name); err != nil {
		return err
	}
	hash, err := HashPassword(a.set.PasswordParams, password)
	if err != nil {
		return fmt.Errorf("auth: reset password: %w", err)
	}
	err = a.db.InStudio(ctx, r.StudioID, func(tx *gorm.DB) error {
		// Burning the link first makes a concurrent second use lose here.
		now := a.now()
		res := tx.Model(&PasswordReset{}).
			Where("studio_id = ? AND id = ? AND used_at IS NULL AND expires_at > ?", r.StudioID, r.ID, now).
			Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrLinkExpired
		}
		n, err := a.storePassword(tx, u, hash, uuid.Nil)
		if err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, u.StudioID, act, "password.reset", map[string]any{"method": "link", "sessions_revoked": n})
	})
	if errors.Is(err, ErrLinkExpired) {
		return ErrLinkExpired
	}
	if err != nil {
		return fmt.Errorf("auth: reset password: %w", err)
	}
	limiter{a}.clear(ctx, limitKey("login-account", u.Email))
	return nil
}

// resetLink finds the live link of a token and its user. Unknown, expired
// and used links are all ErrLinkExpired: the person can only ask again.
func (a *Accounts) resetLink(ctx context.Context, token string) (*PasswordReset, *User, error) {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, PrefixReset) {
		return nil, nil, ErrLinkExpired
	}
	hash := HashToken(token)
	studio, err := a.db.StudioOf(ctx, "reset", hash)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: reset link: %w", err)
	}
	if studio == uuid.Nil {
		return nil, nil, ErrLinkExpired
	}
	var r PasswordReset
	var u User
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Where("studio_id = ? AND token_hash = ?", studio, hash).Take(&r).Error; err != nil {
			return err
		}
		return tx.Where("studio_id = ? AND id = ?", studio, r.UserID).Take(&u).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, ErrLinkExpired
	}
	if err != nil {
		return nil, nil, fmt.Errorf("auth: reset link: %w", err)
	}
	if r.UsedAt != nil || !a.now().Before(r.ExpiresAt) || u.DisabledAt != nil {
		return nil, nil, ErrLinkExpired
	}
	return &r, &u, nil
}

// SetPassword gives a user a password chosen by an operator (`proofsheet
// admin reset-password`) and ends all of the user's sessions.
func (a *Accounts) SetPassword(ctx context.Context, studio, user uuid.UUID, password string, act Actor) error {
	u, err := a.User(ctx, studio, user)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, u.Email, u.Name); err != nil {
		return err
	}
	hash, err := HashPassword(a.set.PasswordParams, password)
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		n, err := a.storePassword(tx, u, hash, uuid.Nil)
		if err != nil {
			return err
		}
		return a.record(ctx, tx, studio, act, "password.reset", map[string]any{"method": "operator", "user_id": u.ID.String(), "sessions_revoked": n})
	})
	if err != nil {
		return fmt.Errorf("auth: set password: %w", err)
	}
	limiter{a}.clear(ctx, limitKey("login-account", u.Email))
	return nil
}
