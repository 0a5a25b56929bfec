package faces

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Invite is a link that lets event guests register and find their photos
// of a collection by selfie. Its token is shown once; only its SHA-256 is
// kept.
type Invite struct {
	ID               uuid.UUID  `json:"id"`
	StudioID         uuid.UUID  `json:"-"`
	CollectionID     uuid.UUID  `json:"collection_id"`
	Label            string     `json:"label"`
	TokenHash        string     `json:"-"`
	ExpiresAt        *time.Time `json:"expires_at"`
	RevokedAt        *time.Time `json:"revoked_at"`
	MaxRegistrations *int       `json:"max_registrations"` // nil: no cap
	CreatedBy        *uuid.UUID `json:"-"`
	CreatedAt        time.Time  `json:"created_at"`
	Registrations    int        `gorm:"-" json:"registrations"` // guests registered through it
}

// TableName is the invites' table.
func (Invite) TableName() string { return "face_invites" }

// Invite states, for the studio's list.
const (
	InviteActive  = "active"
	InviteExpired = "expired"
	InviteRevoked = "revoked"
	InviteFull    = "full" // the cap of registrations is reached
)

// Usable reports whether guests can still open the invite at t.
func (i *Invite) Usable(t time.Time) bool {
	return i.RevokedAt == nil && (i.ExpiresAt == nil || t.Before(*i.ExpiresAt))
}

// Full reports whether no more guests may register.
func (i *Invite) Full() bool {
	return i.MaxRegistrations != nil && i.Registrations >= *i.MaxRegistrations
}

// State is the invite's state at t.
func (i *Invite) State(t time.Time) string {
	switch {
	case i.RevokedAt != nil:
		return InviteRevoked
	case !i.Usable(t):
		return InviteExpired
	case i.Full():
		return InviteFull
	}
	return InviteActive
}

// InviteInput is what the studio gives for a new invite.
type InviteInput struct {
	Label            string     `json:"label"`
	ExpiresAt        *time.Time `json:"expires_at"`        // nil: never
	MaxRegistrations *int       `json:"max_registrations"` // nil: no cap
}

// MaxCap is the largest cap an invite may have.
const MaxCap = 100_000

func checkCap(n *int) error {
	if n != nil && (*n < 1 || *n > MaxCap) {
		return invalid("max_registrations", fmt.Sprintf("The cap is a number of guests from 1 to %d, or none.", MaxCap))
	}
	return nil
}

func (in InviteInput) check(now time.Time) (string, error) {
	label := strings.TrimSpace(in.Label)
	if utf8.RuneCountInString(label) > 120 {
		return "", invalid("label", "A label has at most 120 characters.")
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return "", invalid("expires_at", "Choose an expiry in the future.")
	}
	return label, checkCap(in.MaxRegistrations)
}

// CreateInvite makes an invite link for a collection and returns it with
// its token, the only time the token is known.
func (s *Service) CreateInvite(ctx context.Context, studio, collection uuid.UUID, in InviteInput, act Actor) (*Invite, string, error) {
	label, err := in.check(s.Now())
	if err != nil {
		return nil, "", err
	}
	token, hash, err := newSecret()
	if err != nil {
		return nil, "", fmt.Errorf("faces: create invite: %w", err)
	}
	inv := &Invite{ID: uuid.New(), StudioID: studio, CollectionID: collection, Label: label, TokenHash: hash,
		ExpiresAt: in.ExpiresAt, MaxRegistrations: in.MaxRegistrations, CreatedAt: s.Now()}
	if act.UserID != uuid.Nil {
		inv.CreatedBy = &act.UserID
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := collectionIn(tx, studio, collection); err != nil {
			return err
		}
		if err := tx.Create(inv).Error; err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, studio, act, "face_invite.create", inviteDetail(inv))
	})
	if err != nil {
		return nil, "", fmt.Errorf("faces: create invite: %w", err)
	}
	return inv, token, nil
}

func inviteDetail(inv *Invite) map[string]any {
	d := map[string]any{"collection_id": inv.CollectionID.String(), "invite_id": inv.ID.String(), "label": inv.Label}
	if inv.ExpiresAt != nil {
		d["expires_at"] = inv.ExpiresAt.UTC().Format(time.RFC3339)
	}
	if inv.MaxRegistrations != nil {
		d["max_registrations"] = *inv.MaxRegistrations
	}
	return d
}

// Invites lists a collection's invites, newest first, with how many
// guests registered through each.
func (s *Service) Invites(ctx context.Context, studio, collection uuid.UUID) ([]Invite, error) {
	var out []Invite
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := collectionIn(tx, studio, collection); err != nil {
			return err
		}
		if err := tx.Where("studio_id = ? AND collection_id = ?", studio, collection).Order("created_at DESC, id").Find(&out).Error; err != nil {
			return err
		}
		for i := range out {
			if err := countRegistrations(tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("faces: invites: %w", err)
	}
	return out, nil
}

func countRegistrations(tx *gorm.DB, inv *Invite) error {
	var n int64
	err := tx.Table("face_registrations").Where("invite_id = ?", inv.ID).Count(&n).Error
	inv.Registrations = int(n)
	return err
}

// inviteIn reads (and, with lock, row-locks) an invite of a collection.
func inviteIn(tx *gorm.DB, studio, collection, id uuid.UUID, lock bool) (*Invite, error) {
	var inv Invite
	q := tx.Where("studio_id = ? AND collection_id = ? AND id = ?", studio, collection, id)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&inv).Error; err != nil {
		return nil, notFound(err)
	}
	return &inv, countRegistrations(tx, &inv)
}

// RevokeInvite turns an invite off at once: guests can no longer register
// or search through it. Registrations stay until the guests or the studio
// delete them, so a guest can still delete theirs.
func (s *Service) RevokeInvite(ctx context.Context, studio, collection, id uuid.UUID, act Actor) (*Invite, error) {
	var inv *Invite
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if inv, err = inviteIn(tx, studio, collection, id, true); err != nil {
			return err
		}
		if inv.RevokedAt != nil {
			return nil
		}
		now := s.Now()
		inv.RevokedAt = &now
		if err := tx.Model(inv).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, studio, act, "face_invite.revoke", inviteDetail(inv))
	})
	if err != nil {
		return nil, fmt.Errorf("faces: revoke invite: %w", err)
	}
	return inv, nil
}

// SetInviteCap changes how many guests may register through an invite
// (nil: no cap). A cap under the guests already registered closes it to
// new ones and removes nobody.
func (s *Service) SetInviteCap(ctx context.Context, studio, collection, id uuid.UUID, cap *int, act Actor) (*Invite, error) {
	if err := checkCap(cap); err != nil {
		return nil, err
	}
	var inv *Invite
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if inv, err = inviteIn(tx, studio, collection, id, true); err != nil {
			return err
		}
		inv.MaxRegistrations = cap
		if err := tx.Model(inv).Update("max_registrations", cap).Error; err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, studio, act, "face_invite.cap", inviteDetail(inv))
	})
	if err != nil {
		return nil, fmt.Errorf("faces: set invite cap: %w", err)
	}
	return inv, nil
}

// Guest-facing secrets (invite and registration tokens) are 160 random
// bits in lower-case base32, as the gallery's share links: short enough
// for a link in a message, far past guessing.
const secretBytes = 20

var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a random secret and its hash.
func newSecret() (plain, hash string, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	plain = strings.ToLower(secretEncoding.EncodeToString(b))
	return plain, hashSecret(plain), nil
}

// hashSecret is the stored form of a secret: SHA-256 is enough for 160
// random bits, and lookups are by hash, so no comparison leaks timing.
func hashSecret(plain string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(plain))))
	return hex.EncodeToString(sum[:])
}
