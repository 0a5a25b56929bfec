package auth

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ChangePassword replaces a signed-in user's password after checking the
// current one, and signs the user out of every session but keep (the one
// making the change): whoever knew the old password may be signed in
// elsewhere. It returns how many sessions were ended.
func (a *Accounts) ChangePassword(ctx context.Context, studio, user, keep uuid.UUID, current, next string, act Actor) (int64, error) {
	u, err := a.User(ctx, studio, user)
	if err != nil {
		return 0, err
	}
	if err := a.verifyCurrentPassword(ctx, u, current); err != nil {
		return 0, err
	}
	if next == current {
		return 0, invalid("new_password", "Choose a password different from your current one.")
	}
	if err := CheckPassword(next, u.Email, u.Name); err != nil {
		return 0, err
	}
	hash, err := HashPassword(a.set.PasswordParams, next)
	if err != nil {
		return 0, fmt.Errorf("auth: change password: %w", err)
	}
	var n int64
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if n, err = a.storePassword(tx, u, hash, keep); err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, studio, act, "password.changed", map[string]any{"sessions_revoked": n})
	})
	if err != nil {
		return 0, fmt.Errorf("auth: change password: %w", err)
	}
	return n, nil
}

// storePassword writes a new password hash and ends the user's sessions
// except keep (uuid.Nil: all of them).
func (a *Accounts) storePassword(tx *gorm.DB, u *User, hash string, keep uuid.UUID) (int64, error) {
	res := tx.Model(&User{}).Where("studio_id = ? AND id = ?", u.StudioID, u.ID).
		Updates(map[string]any{"password_hash": hash, "password_changed_at": a.now()})
	if res.Error != nil {
		return 0, res.Error
	}
	if res.RowsAffected == 0 {
		return 0, ErrNotFound
	}
	return revokeSessions(tx, u.StudioID, u.ID, keep)
}

// errWrongPassword is what a signed-in user sees after mistyping their own
// password before a sensitive change.
var errWrongPassword = invalid("current_password", "Your current password is not right.")

// verifyCurrentPassword re-checks a signed-in user's password before a
// sensitive change. Failures count against a per-user limit so that someone
// holding a stolen session cannot guess the password through these forms.
func (a *Accounts) verifyCurrentPassword(ctx context.Context, u *User, pw string) error {
	key := limitKey("reauth", u.ID.String())
	lim := limiter{a}
	if err := lim.check(ctx, key, a.set.AccountLimit); err != nil {
		return err
	}
	ok, err := VerifyPassword(u.PasswordHash, pw)
	if err != nil {
		return fmt.Errorf("auth: verify password: %w", err)
	}
	if !ok {
		if err := lim.fail(ctx, key); err != nil {
			return err
		}
		return errWrongPassword
	}
	lim.clear(ctx, key)
	return nil
}
