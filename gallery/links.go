package gallery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// DefaultLinkLife is how long a new link works unless told otherwise.
const DefaultLinkLife = 30 * 24 * time.Hour

// LinkInput creates a link. With neither ExpiresAt nor Never the link
// expires after DefaultLinkLife; "never" must be chosen explicitly.
type LinkInput struct {
	Label     string     `json:"label"`
	ExpiresAt *time.Time `json:"expires_at"`
	Never     bool       `json:"never_expires"`
}

func (in *LinkInput) clean(now time.Time) (*time.Time, error) {
	in.Label = strings.TrimSpace(in.Label)
	switch {
	case in.Label == "" || len([]rune(in.Label)) > 120:
		return nil, invalid("label", "Give the link a label of at most 120 characters, such as the recipient's name.")
	case in.Never && in.ExpiresAt != nil:
		return nil, invalid("expires_at", "Choose an expiry date or \"never\", not both.")
	case in.Never:
		return nil, nil
	case in.ExpiresAt == nil:
		t := now.Add(DefaultLinkLife)
		return &t, nil
	case !in.ExpiresAt.After(now):
		return nil, invalid("expires_at", "The expiry must be in the future.")
	}
	return in.ExpiresAt, nil
}

// Links lists an album's share links, newest first.
func (s *Service) Links(ctx context.Context, studio, album uuid.UUID) ([]ShareLink, error) {
	var out []ShareLink
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		return tx.Where("studio_id = ? AND album_id = ?", studio, album).Order("created_at DESC").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: links: %w", err)
	}
	return out, nil
}

// CreateLink makes a share link and returns it with its token, which is
// shown this once and stored only as a hash.
func (s *Service) CreateLink(ctx context.Context, studio, album uuid.UUID, in LinkInput, act Actor) (*ShareLink, string, error) {
	now := s.Now()
	exp, err := in.clean(now)
	if err != nil {
		return nil, "", fmt.Errorf("gallery: create link: %w", err)
	}
	token, hash, err := newSecret()
	if err != nil {
		return nil, "", fmt.Errorf("gallery: create link: %w", err)
	}
	l := ShareLink{ID: uuid.New(), StudioID: studio, AlbumID: album, Label: in.Label, TokenHash: hash,
		ExpiresAt: exp, CreatedAt: now}
	if act.UserID != uuid.Nil {
		l.CreatedBy = &act.UserID
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		if err := tx.Create(&l).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "share.create", linkDetail(&l))
	})
	if err != nil {
		return nil, "", fmt.Errorf("gallery: create link: %w", err)
	}
	return &l, token, nil
}

func linkDetail(l *ShareLink) map[string]any {
	d := map[string]any{"album_id": l.AlbumID.String(), "link_id": l.ID.String(), "label": l.Label}
	if l.ExpiresAt != nil {
		d["expires_at"] = l.ExpiresAt.UTC().Format(time.RFC3339)
	} else {
		d["expires_at"] = "never"
	}
	return d
}

func linkIn(tx *gorm.DB, studio, album, id uuid.UUID) (*ShareLink, error) {
	var l ShareLink
	if err := tx.Where("studio_id = ? AND album_id = ? AND id = ?", studio, album, id).Take(&l).Error; err != nil {
		return nil, notFound(err)
	}
	return &l, nil
}

// RevokeLink stops a link at once; its guests are signed out.
func (s *Service) RevokeLink(ctx context.Context, studio, album, id uuid.UUID, act Actor) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		l, err := linkIn(tx, studio, album, id)
		if err != nil {
			return err
		}
		if l.RevokedAt == nil {
			if err := tx.Model(l).Update("revoked_at", s.Now()).Error; err != nil {
				return err
			}
		}
		if err := tx.Where("link_id = ?", id).Delete(&GuestSession{}).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "share.revoke", linkDetail(l))
	})
	if err != nil {
		return fmt.Errorf("gallery: revoke link: %w", err)
	}
	return nil
}

// RegenerateLink gives a link a new token: the old address stops working
// and its guests are signed out, while label, counts and guests stay.
func (s *Service) RegenerateLink(ctx context.Context, studio, album, id uuid.UUID, act Actor) (*ShareLink, string, error) {
	token, hash, err := newSecret()
	if err != nil {
		return nil, "", fmt.Errorf("gallery: regenerate link: %w", err)
	}
	var l *ShareLink
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if l, err = linkIn(tx, studio, album, id); err != nil {
			return err
		}
		if l.RevokedAt != nil {
			return fmt.Errorf("%w: a revoked link stays revoked; make a new one", ErrConflict)
		}
		l.TokenHash = hash
		if err := tx.Model(l).Update("token_hash", hash).Error; err != nil {
			return err
		}
		if err := tx.Where("link_id = ?", id).Delete(&GuestSession{}).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "share.regenerate", linkDetail(l))
	})
	if err != nil {
		return nil, "", fmt.Errorf("gallery: regenerate link: %w", err)
	}
	return l, token, nil
}
