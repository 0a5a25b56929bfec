package faces

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Registration is an event guest who registered through an invite with
// explicit consent. It is bound to the first face a selfie of theirs gave
// (Embedding, nil until then): every later selfie must be that person, so
// one registration finds one person's photos.
type Registration struct {
	ID             uuid.UUID        `json:"id"`
	StudioID       uuid.UUID        `json:"-"`
	CollectionID   uuid.UUID        `json:"-"`
	InviteID       uuid.UUID        `json:"-"`
	TokenHash      string           `json:"-"`
	Name           string           `json:"name"`
	Email          string           `json:"email"`
	ConsentAt      time.Time        `json:"consent_at"`
	ConsentVersion string           `json:"consent_version"`
	Model          *string          `json:"-"`
	Embedding      *pgvector.Vector `gorm:"type:vector(512)" json:"-"`
	BoundAt        *time.Time       `json:"bound_at"`
	CreatedAt      time.Time        `json:"created_at"`
}

// TableName is the registrations' table.
func (Registration) TableName() string { return "face_registrations" }

// Bound reports whether a selfie has bound the registration to a face.
func (r *Registration) Bound() bool { return r.Embedding != nil && r.Model != nil }

// Errors of the guest side, each with its own answer to the guest.
var (
	ErrInviteGone     = errors.New("face invite expired or turned off")
	ErrInviteFull     = errors.New("face invite full")
	ErrNotRegistered  = errors.New("no registration for this invite")
	ErrNotSamePerson  = errors.New("the selfie is not the registered person")
	ErrRateLimited    = errors.New("too many selfie searches")
	ErrModelChanged   = errors.New("the registration's face was made by another model")
	errNoStudioForKey = errors.New("no studio for that secret")
)

// LimitError says how long to wait before the next search; it Is
// ErrRateLimited.
type LimitError struct{ RetryAfter time.Duration }

func (e *LimitError) Error() string {
	return fmt.Sprintf("too many selfie searches; retry in %s", e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *LimitError) Is(target error) bool { return target == ErrRateLimited }

// Selfies finds the one face of a selfie (*Pipeline.OneFace): ErrNoFace,
// ErrManyFaces or ErrFaceTooSmall otherwise.
type Selfies interface {
	OneFace(ctx context.Context, img *RGB) (Face, error)
}

// PhotoFilter keeps, in order, the photos an event guest may see: ready,
// in a published album, not in a hidden folder. The app wires it to the
// gallery, whose rule it is.
type PhotoFilter interface {
	Visible(ctx context.Context, studio uuid.UUID, photos []uuid.UUID) ([]uuid.UUID, error)
}

// GuestDeps are what the guest side needs besides the Service.
type GuestDeps struct {
	// StudioOf finds the studio of a secret's hash (database.DB.StudioOf).
	StudioOf func(ctx context.Context, kind, key string) (uuid.UUID, error)
	Selfies  Selfies
	Photos   PhotoFilter
	Limits   Limits // zero fields take the defaults
}

// Guests is face search for event guests: invites opened, registrations
// with consent, selfie searches bound to one face, and deletion.
type Guests struct {
	svc *Service
	GuestDeps
}

// NewGuests returns the guest side of s.
func NewGuests(s *Service, d GuestDeps) *Guests {
	d.Limits = d.Limits.withDefaults()
	return &Guests{svc: s, GuestDeps: d}
}

// Visit is an invite opened by a guest, and their registration when the
// token they hold is one of this invite's.
type Visit struct {
	Invite       Invite
	Collection   string // the collection's name: the event
	Registration *Registration
	IP           string
}

// Studio is the studio that made the invite.
func (v *Visit) Studio() uuid.UUID { return v.Invite.StudioID }

// Open resolves an invite token, and the registration token when it
// belongs to this invite. An unknown invite is ErrNotFound; an expired or
// revoked one is returned with ErrInviteGone, so a registered guest can
// still delete their registration.
func (g *Guests) Open(ctx context.Context, inviteToken, regToken, ip string) (*Visit, error) {
	studio, err := g.InviteStudio(ctx, inviteToken)
	if err != nil {
		return nil, fmt.Errorf("faces: open invite: %w", err)
	}
	v := &Visit{IP: ip}
	err = g.svc.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Where("token_hash = ?", hashSecret(inviteToken)).Take(&v.Invite).Error; err != nil {
			return notFound(err)
		}
		if err := countRegistrations(tx, &v.Invite); err != nil {
			return err
		}
		if err := tx.Model(&Collection{}).Where("id = ?", v.Invite.CollectionID).Pluck("name", &v.Collection).Error; err != nil {
			return err
		}
		if regToken == "" {
			return nil
		}
		var r Registration
		err := tx.Where("token_hash = ? AND invite_id = ?", hashSecret(regToken), v.Invite.ID).Take(&r).Error
		if err == nil {
			v.Registration = &r
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		return nil // a stale token is no registration, not an error
	})
	if err != nil {
		return nil, fmt.Errorf("faces: open invite: %w", err)
	}
	if !v.Invite.Usable(g.svc.Now()) {
		return v, fmt.Errorf("faces: open invite: %w", ErrInviteGone)
	}
	return v, nil
}

// InviteStudio is the studio of an invite token, live or dead, so a page
// about a dead invite can name who sent it; ErrNotFound when there is none.
func (g *Guests) InviteStudio(ctx context.Context, inviteToken string) (uuid.UUID, error) {
	studio, err := g.StudioOf(ctx, "face_invite", hashSecret(inviteToken))
	if err != nil {
		return uuid.Nil, err
	}
	if studio == uuid.Nil {
		return uuid.Nil, fmt.Errorf("%w: %w", ErrNotFound, errNoStudioForKey)
	}
	return studio, nil
}

// RegisterInput is what a guest gives to register: their name and e-mail,
// and their consent to the text of ConsentVersion.
type RegisterInput struct {
	Name           string `json:"name"`
	Email          string `json:"email"`
	Consent        bool   `json:"consent"`
	ConsentVersion string `json:"consent_version"` // empty: the current one, which the caller showed
}

func (in RegisterInput) check() (name, email string, err error) {
	name = strings.TrimSpace(in.Name)
	email = strings.ToLower(strings.TrimSpace(in.Email))
	switch {
	case !in.Consent:
		return "", "", invalid("consent", "Tick the box to agree before you continue: without it we cannot look for your face.")
	case in.ConsentVersion != "" && in.ConsentVersion != ConsentVersion:
		return "", "", invalid("consent_version", "The explanation has changed since you read it. Read it again and agree to the new one.")
	case name == "" || utf8.RuneCountInString(name) > 120:
		return "", "", invalid("name", "Give your name, at most 120 characters.")
	}
	if a, perr := mail.ParseAddress(email); perr != nil || a.Address != email || len(email) > 254 {
		return "", "", invalid("email", "Give an e-mail address such as name@example.com.")
	}
	return name, email, nil
}

// Register registers a guest through an open invite, recording their
// consent with its time and the consent text's version, and returns the
// registration's token: the only time it is known. A full invite is
// ErrInviteFull.
func (g *Guests) Register(ctx context.Context, v *Visit, in RegisterInput) (string, error) {
	name, email, err := in.check()
	if err != nil {
		return "", err
	}
	if !v.Invite.Usable(g.svc.Now()) {
		return "", fmt.Errorf("faces: register: %w", ErrInviteGone)
	}
	token, hash, err := newSecret()
	if err != nil {
		return "", fmt.Errorf("faces: register: %w", err)
	}
	now := g.svc.Now()
	r := &Registration{ID: uuid.New(), StudioID: v.Studio(), CollectionID: v.Invite.CollectionID, InviteID: v.Invite.ID,
		TokenHash: hash, Name: name, Email: email, ConsentAt: now, ConsentVersion: ConsentVersion, CreatedAt: now}
	err = g.svc.InStudio(ctx, v.Studio(), func(tx *gorm.DB) error {
		// The invite's lock makes the cap exact under concurrent sign-ups.
		inv, err := inviteIn(tx, v.Studio(), v.Invite.CollectionID, v.Invite.ID, true)
		if err != nil {
			return err
		}
		if !inv.Usable(now) {
			return ErrInviteGone
		}
		if inv.Full() {
			return ErrInviteFull
		}
		if err := tx.Create(r).Error; err != nil {
			return err
		}
		return g.svc.Audit.Record(ctx, tx, v.Studio(), Actor{IP: v.IP}, "face_registration.create", map[string]any{
			"collection_id": r.CollectionID.String(), "invite_id": r.InviteID.String(), "registration_id": r.ID.String(),
			"consent_version": r.ConsentVersion,
		})
	})
	if err != nil {
		return "", fmt.Errorf("faces: register: %w", err)
	}
	v.Registration = r
	v.Invite.Registrations++
	return token, nil
}

// DeleteRegistration deletes the visiting guest's registration with its
// face, whatever the invite's state, and queues the vacuum that removes
// the embedding from the table's pages too.
func (g *Guests) DeleteRegistration(ctx context.Context, v *Visit) error {
	r := v.Registration
	if r == nil {
		return fmt.Errorf("faces: delete registration: %w", ErrNotRegistered)
	}
	err := g.svc.InStudio(ctx, v.Studio(), func(tx *gorm.DB) error {
		res := tx.Where("studio_id = ? AND id = ?", r.StudioID, r.ID).Delete(&Registration{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if err := g.svc.Jobs.Enqueue(ctx, tx, VacuumArgs{}); err != nil {
			return err
		}
		return g.svc.Audit.Record(ctx, tx, v.Studio(), Actor{IP: v.IP}, "face_registration.delete", map[string]any{
			"collection_id": r.CollectionID.String(), "invite_id": r.InviteID.String(), "registration_id": r.ID.String(),
			"bound": r.Bound(), "by": "guest",
		})
	})
	if err != nil {
		return fmt.Errorf("faces: delete registration: %w", err)
	}
	v.Registration = nil
	return nil
}

// lockRegistration re-reads the registration inside tx, row-locked, so
// two first selfies cannot both bind it.
func lockRegistration(tx *gorm.DB, r *Registration) (*Registration, error) {
	var out Registration
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("studio_id = ? AND id = ?", r.StudioID, r.ID).Take(&out).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &out, nil
}
