package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// API token scopes: read may only read; write may also change things.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

const (
	// tokenPrefixShown is how much of a token stays displayable: "psk_"
	// and 4 random characters (20 of its 256 bits), enough to tell tokens
	// apart in a list and to match a leaked one, useless for guessing.
	tokenPrefixShown = len(PrefixAPIToken) + 4
	// maxTokensPerUser bounds what one account can pile up.
	maxTokensPerUser = 50
	maxTokenName     = 80
)

// NewAPIToken is a token just created: Plain is its secret, which is
// returned this once and never stored.
type NewAPIToken struct {
	APIToken
	Plain string
}

// CreateToken makes an API token for user (who must be an active member of
// studio). Only HashToken(plain) is stored.
func (a *Accounts) CreateToken(ctx context.Context, studio, user uuid.UUID, name, scope string, act Actor) (*NewAPIToken, error) {
	name, err := tokenName(name)
	if err != nil {
		return nil, err
	}
	if scope != ScopeRead && scope != ScopeWrite {
		return nil, invalid("scope", "Choose read or write access.")
	}
	plain, hash, err := NewToken(PrefixAPIToken)
	if err != nil {
		return nil, fmt.Errorf("auth: create token: %w", err)
	}
	t := APIToken{ID: uuid.Must(uuid.NewV7()), StudioID: studio, UserID: user, Name: name, TokenHash: hash,
		Prefix: plain[:tokenPrefixShown], Scope: scope, CreatedAt: a.now().Truncate(time.Microsecond)}
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := activeUser(tx, studio, user); errors.Is(err, ErrNotFound) {
			return ErrForbidden // removed meanwhile
		} else if err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&APIToken{}).Where("studio_id = ? AND user_id = ? AND revoked_at IS NULL", studio, user).Count(&n).Error; err != nil {
			return err
		}
		if n >= maxTokensPerUser {
			return invalid("name", fmt.Sprintf("You already have %d tokens. Revoke ones you no longer use first.", n))
		}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return a.record(ctx, tx, studio, act, "token.created", tokenDetail(&t))
	})
	if err != nil {
		return nil, fmt.Errorf("auth: create token: %w", err)
	}
	return &NewAPIToken{APIToken: t, Plain: plain}, nil
}

// tokenName trims a token's name and checks it is 1-80 printable characters.
func tokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxTokenName || !utf8.ValidString(name) ||
		strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", invalid("name", fmt.Sprintf("Name the token in 1 to %d characters, e.g. the app or machine that uses it.", maxTokenName))
	}
	return name, nil
}

// tokenDetail is what the audit log keeps of a token. The key is not
// "token_id": that one names the token a change was made through.
func tokenDetail(t *APIToken) map[string]any {
	return map[string]any{"api_token_id": t.ID.String(), "name": t.Name, "scope": t.Scope,
		"prefix": t.Prefix, "user_id": t.UserID.String()}
}

// Tokens lists the live (unrevoked) tokens viewer may see, newest first:
// their own, and for owners every member's. Owners can remove a member,
// which revokes all of that member's tokens, so seeing and revoking a
// single one is no more power; nobody ever sees another token's secret.
func (a *Accounts) Tokens(ctx context.Context, studio, viewer uuid.UUID) ([]APIToken, error) {
	var out []APIToken
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		q, err := visibleTokens(tx, studio, viewer)
		if err != nil {
			return err
		}
		return q.Order("created_at DESC, id DESC").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("auth: tokens: %w", err)
	}
	return out, nil
}

// visibleTokens is the query of the live tokens viewer may see and revoke.
func visibleTokens(tx *gorm.DB, studio, viewer uuid.UUID) (*gorm.DB, error) {
	u, err := activeUser(tx, studio, viewer)
	if err != nil {
		return nil, err
	}
	q := tx.Model(&APIToken{}).Where("studio_id = ? AND revoked_at IS NULL", studio)
	if u.Role != RoleOwner {
		q = q.Where("user_id = ?", viewer)
	}
	return q, nil
}

// RevokeToken stops a token from working. act.UserID may revoke their own
// tokens and, as an owner, anyone's; a token they may not see, or one
// already revoked, is ErrNotFound.
func (a *Accounts) RevokeToken(ctx context.Context, studio, id uuid.UUID, act Actor) (*APIToken, error) {
	var t APIToken
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		q, err := visibleTokens(tx, studio, act.UserID)
		if errors.Is(err, ErrNotFound) {
			return ErrForbidden // the actor was removed meanwhile
		}
		if err != nil {
			return err
		}
		if err := q.Where("id = ?", id).Take(&t).Error; err != nil {
			return err
		}
		now := a.now().Truncate(time.Microsecond)
		if err := tx.Model(&APIToken{}).Where("studio_id = ? AND id = ?", studio, id).Update("revoked_at", now).Error; err != nil {
			return err
		}
		t.RevokedAt = &now
		return a.record(ctx, tx, studio, act, "token.revoked", tokenDetail(&t))
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: revoke token: %w", err)
	}
	return &t, nil
}

// AuthenticateToken returns the live token of a bearer secret and its
// user. Unknown, malformed and revoked tokens and removed users are all
// ErrNotFound. The look-up is by SHA-256 of the secret: what an index
// comparison's timing could reveal is about the hash of a guess, which
// says nothing about any real token.
func (a *Accounts) AuthenticateToken(ctx context.Context, plain string) (*APIToken, *User, error) {
	if !strings.HasPrefix(plain, PrefixAPIToken) || len(plain) > 128 {
		return nil, nil, ErrNotFound
	}
	hash := HashToken(plain)
	studio, err := a.db.StudioOf(ctx, "token", hash)
	if err != nil {
		return nil, nil, fmt.Errorf("auth: authenticate token: %w", err)
	}
	if studio == uuid.Nil {
		return nil, nil, ErrNotFound
	}
	var t APIToken
	var u *User
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Where("studio_id = ? AND token_hash = ? AND revoked_at IS NULL", studio, hash).Take(&t).Error; err != nil {
			return err
		}
		if u, err = activeUser(tx, studio, t.UserID); err != nil {
			return err
		}
		now := a.now().Truncate(time.Microsecond) // what Postgres keeps
		if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < touchEvery {
			return nil
		}
		t.LastUsedAt = &now
		return tx.Model(&APIToken{}).Where("studio_id = ? AND id = ?", studio, t.ID).Update("last_used_at", now).Error
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("auth: authenticate token: %w", err)
	}
	return &t, u, nil
}
