package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// touchEvery limits last_seen_at writes to one a minute per session.
const touchEvery = time.Minute

// newSession stores a session for u at stage and returns the cookie value.
// It never reuses a token: every login step rotates it.
func (a *Accounts) newSession(ctx context.Context, tx *gorm.DB, u *User, stage string, act Actor) (*Session, string, error) {
	plain, hash, err := NewToken(PrefixSession)
	if err != nil {
		return nil, "", err
	}
	now := a.now()
	life := a.set.SessionAbsolute
	if stage == StageMFA {
		life = 10 * time.Minute // enough to type a code, no more
	}
	s := Session{
		ID: uuid.Must(uuid.NewV7()), StudioID: u.StudioID, UserID: u.ID, TokenHash: hash, Stage: stage,
		IP: act.IP, UserAgent: truncate(act.UserAgent, 300), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(life),
	}
	if err := tx.WithContext(ctx).Create(&s).Error; err != nil {
		return nil, "", fmt.Errorf("auth: new session: %w", err)
	}
	s.User = *u
	return &s, plain, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Authenticate returns the live session of a cookie value, sliding its idle
// timeout. Unknown, idle or expired sessions are ErrNotFound.
func (a *Accounts) Authenticate(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, ErrNotFound
	}
	hash := HashToken(token)
	studio, err := a.db.StudioOf(ctx, "session", hash)
	if err != nil {
		return nil, err
	}
	if studio == uuid.Nil {
		return nil, ErrNotFound
	}
	var s Session
	expired := false
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Where("studio_id = ? AND token_hash = ?", studio, hash).Take(&s).Error; err != nil {
			return err
		}
		now := a.now()
		if now.After(s.ExpiresAt) || now.Sub(s.LastSeenAt) > a.set.SessionIdle {
			expired = true // and commit the deletion
			return tx.Delete(&Session{}, "id = ?", s.ID).Error
		}
		if err := tx.Where("studio_id = ? AND id = ?", studio, s.UserID).Take(&s.User).Error; err != nil {
			return err
		}
		if s.User.DisabledAt != nil {
			return ErrNotFound
		}
		if err := tx.Table("studios").Select("name").Where("id = ?", studio).Scan(&s.StudioName).Error; err != nil {
			return err
		}
		if now.Sub(s.LastSeenAt) > touchEvery {
			s.LastSeenAt = now
			return tx.Model(&Session{}).Where("id = ?", s.ID).Update("last_seen_at", now).Error
		}
		return nil
	})
	if expired || errors.Is(err, ErrNotFound) || errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: authenticate: %w", err)
	}
	return &s, nil
}

// Sessions lists a user's signed-in sessions, newest first.
func (a *Accounts) Sessions(ctx context.Context, studio, user uuid.UUID) ([]Session, error) {
	var out []Session
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND user_id = ? AND stage = ? AND expires_at > now()", studio, user, StageFull).
			Order("last_seen_at DESC").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("auth: sessions: %w", err)
	}
	return out, nil
}

// Logout ends one session.
func (a *Accounts) Logout(ctx context.Context, s *Session, act Actor) error {
	return a.RevokeSession(ctx, s.StudioID, s.UserID, s.ID, act)
}

// RevokeSession ends one of the user's own sessions.
func (a *Accounts) RevokeSession(ctx context.Context, studio, user, id uuid.UUID, act Actor) error {
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		res := tx.Where("studio_id = ? AND user_id = ? AND id = ?", studio, user, id).Delete(&Session{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return a.record(ctx, tx, studio, act, "session.revoked", map[string]any{"session_id": id.String()})
	})
	if err != nil {
		return fmt.Errorf("auth: revoke session: %w", err)
	}
	return nil
}

// RevokeAllSessions signs the user out everywhere except keep (uuid.Nil: everywhere).
func (a *Accounts) RevokeAllSessions(ctx context.Context, studio, user, keep uuid.UUID, act Actor) (int64, error) {
	var n int64
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		var err error
		n, err = revokeSessions(tx, studio, user, keep)
		if err != nil {
			return err
		}
		return a.record(ctx, tx, studio, act, "session.revoked_all", map[string]any{"count": n})
	})
	if err != nil {
		return 0, fmt.Errorf("auth: revoke sessions: %w", err)
	}
	return n, nil
}

func revokeSessions(tx *gorm.DB, studio, user, keep uuid.UUID) (int64, error) {
	res := tx.Where("studio_id = ? AND user_id = ? AND id <> ?", studio, user, keep).Delete(&Session{})
	return res.RowsAffected, res.Error
}
