package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// InviteLife is how long an invitation link works.
const InviteLife = 7 * 24 * time.Hour

// Users lists everyone who has an account in the studio, oldest first,
// removed members included (the audit log still names them).
func (a *Accounts) Users(ctx context.Context, studio uuid.UUID) ([]User, error) {
	var out []User
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ?", studio).Order("created_at, id").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("auth: users: %w", err)
	}
	return out, nil
}

// PendingInvites lists the invitations that can still be accepted, newest first.
func (a *Accounts) PendingInvites(ctx context.Context, studio uuid.UUID) ([]Invite, error) {
	var out []Invite
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", studio, a.now()).
			Order("created_at DESC").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("auth: pending invites: %w", err)
	}
	return out, nil
}

// Seats holds a studio to its plan's staff seats. Each method is called
// inside the transaction that would take a seat, before it does; its error
// (a limit, in words for the studio) refuses the invitation or the joining.
// A nil Seats is no limit. Removing a member never asks, so a studio over
// its plan after a downgrade keeps its members and can remove its way back
// under.
type Seats interface {
	// Invite: an invitation is about to be sent. Pending invitations hold
	// no seat (an owner cannot withdraw one): the seat is taken on joining.
	Invite(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error
	// Join: an invited person (perhaps a removed member coming back) is
	// about to become a member.
	Join(ctx context.Context, tx *gorm.DB, studio uuid.UUID) error
}

// Invite e-mails a link to join the studio with role. act must be an owner.
// A removed member may be invited back; anyone else with an account may not.
// seats (nil: no limit) is asked before the invitation is made.
func (a *Accounts) Invite(ctx context.Context, studio uuid.UUID, email, role string, act Actor, seats Seats) (*Invite, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if role != RoleStaff && role != RoleOwner {
		return nil, invalid("role", "Choose staff or owner.")
	}
	if taken, err := a.db.StudioOf(ctx, "email", email); err != nil {
		return nil, fmt.Errorf("auth: invite: %w", err)
	} else if taken != uuid.Nil && taken != studio {
		// One account per address across all studios (login needs no studio).
		return nil, invalid("email", "There is already a Proofsheet account with this e-mail address. Invite a different address.")
	}
	plain, hash, err := NewToken(PrefixInvite)
	if err != nil {
		return nil, err
	}
	inviter := act.UserID
	inv := Invite{ID: uuid.Must(uuid.NewV7()), StudioID: studio, Email: email, Role: role, TokenHash: hash,
		InvitedBy: &inviter, ExpiresAt: a.now().Add(InviteLife)}
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		owner, err := activeUser(tx, studio, act.UserID)
		if errors.Is(err, ErrNotFound) || (err == nil && owner.Role != RoleOwner) {
			return ErrForbidden
		}
		if err != nil {
			return err
		}
		var members int64
		if err := tx.Model(&User{}).Where("studio_id = ? AND email = ? AND disabled_at IS NULL", studio, email).Count(&members).Error; err != nil {
			return err
		}
		if members > 0 {
			return invalid("email", "This person is already a member of your studio.")
		}
		if seats != nil {
			if err := seats.Invite(ctx, tx, studio); err != nil {
				return err
			}
		}
		// Inviting an address again replaces its earlier link.
		if err := tx.Model(&Invite{}).Where("studio_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL", studio, email).
			Update("revoked_at", a.now()).Error; err != nil {
			return err
		}
		if err := tx.Create(&inv).Error; err != nil {
			return err
		}
		name := a.studioName(tx, studio)
		body := inviteMail(owner.Name, name, a.set.BaseURL+"/invite?token="+plain)
		if err := a.mail.Queue(ctx, tx, studio, email, "You are invited to "+name+" on Proofsheet", body); err != nil {
			return err
		}
		return a.record(ctx, tx, studio, act, "staff.invited", map[string]any{"invite_id": inv.ID.String(), "email": email, "role": role})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: invite: %w", err)
	}
	return &inv, nil
}

func inviteMail(from, studio, link string) string {
	return fmt.Sprintf("Hello,\n\n%s invites you to join %s on Proofsheet.\n\nChoose your password here (the link works for 7 days, once):\n%s\n\nIf you did not expect this, ignore this e-mail.\n", from, studio, link)
}

// studioName is for e-mails; a failure leaves a plain word, not a failed invite.
func (a *Accounts) studioName(tx *gorm.DB, studio uuid.UUID) string {
	var name string
	if err := tx.Table("studios").Select("name").Where("id = ?", studio).Scan(&name).Error; err != nil || name == "" {
		return "a studio"
	}
	return name
}

func activeUser(tx *gorm.DB, studio, id uuid.UUID) (*User, error) {
	var u User
	err := tx.Where("studio_id = ? AND id = ? AND disabled_at IS NULL", studio, id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &u, err
}

// OpenInvite returns the invitation of a link and its studio's name. Unknown,
// used, revoked and expired links are all ErrLinkExpired.
func (a *Accounts) OpenInvite(ctx context.Context, token string) (*Invite, string, error) {
	var inv Invite
	var name string
	err := a.inInviteStudio(ctx, token, func(tx *gorm.DB, studio uuid.UUID, hash string) error {
		if err := a.usableInvite(tx, studio, hash, &inv); err != nil {
			return err
		}
		name = a.studioName(tx, studio)
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("auth: open invite: %w", err)
	}
	return &inv, name, nil
}

// inInviteStudio runs fn in the studio transaction of an invite link.
func (a *Accounts) inInviteStudio(ctx context.Context, token string, fn func(tx *gorm.DB, studio uuid.UUID, hash string) error) error {
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, PrefixInvite) {
		return ErrLinkExpired
	}
	hash := HashToken(token)
	studio, err := a.db.StudioOf(ctx, "invite", hash)
	if err != nil {
		return err
	}
	if studio == uuid.Nil {
		return ErrLinkExpired
	}
	return a.db.InStudio(ctx, studio, func(tx *gorm.DB) error { return fn(tx, studio, hash) })
}

// usableInvite loads and locks an invite that can still be accepted.
func (a *Accounts) usableInvite(tx *gorm.DB, studio uuid.UUID, hash string, inv *Invite) error {
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("studio_id = ? AND token_hash = ?", studio, hash).Take(inv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrLinkExpired
	}
	if err != nil {
		return err
	}
	if inv.AcceptedAt != nil || inv.RevokedAt != nil || !a.now().Before(inv.ExpiresAt) {
		return ErrLinkExpired
	}
	return nil
}

// AcceptInvite creates the invited user with the invite's role, uses up the
// link and signs them in. A removed member invited again gets their account
// back with the new name and password and no second factor. seats (nil: no
// limit) is asked before the member joins; a refusal leaves the link usable.
func (a *Accounts) AcceptInvite(ctx context.Context, token, name, password string, act Actor, seats Seats) (*Session, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 120 {
		return nil, "", invalid("name", "Enter your name.")
	}
	inv, _, err := a.OpenInvite(ctx, token)
	if err != nil {
		return nil, "", err
	}
	if err := CheckPassword(password, inv.Email, name); err != nil {
		return nil, "", err
	}
	pwHash, err := HashPassword(a.set.PasswordParams, password)
	if err != nil {
		return nil, "", fmt.Errorf("auth: accept invite: %w", err)
	}
	var s *Session
	var plain string
	err = a.inInviteStudio(ctx, token, func(tx *gorm.DB, studio uuid.UUID, hash string) error {
		if err := a.usableInvite(tx, studio, hash, inv); err != nil { // again, under lock: single use
			return err
		}
		if seats != nil {
			if err := seats.Join(ctx, tx, studio); err != nil {
				return err
			}
		}
		u, err := a.joinUser(tx, inv, name, pwHash)
		if err != nil {
			return err
		}
		if err := tx.Model(&Invite{}).Where("studio_id = ? AND id = ?", studio, inv.ID).Update("accepted_at", a.now()).Error; err != nil {
			return err
		}
		if s, plain, err = a.newSession(ctx, tx, u, StageFull, act); err != nil {
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, studio, act, "staff.joined", map[string]any{
			"invite_id": inv.ID.String(), "email": u.Email, "role": u.Role, "session_id": s.ID.String()})
	})
	if err != nil {
		return nil, "", fmt.Errorf("auth: accept invite: %w", err)
	}
	return s, plain, nil
}

// joinUser inserts the invited user, or brings back a removed one of the
// same studio (their e-mail stays taken so the audit log keeps naming them).
func (a *Accounts) joinUser(tx *gorm.DB, inv *Invite, name, pwHash string) (*User, error) {
	now := a.now()
	var old User
	err := tx.Where("studio_id = ? AND email = ? AND disabled_at IS NOT NULL", inv.StudioID, inv.Email).Take(&old).Error
	if err == nil {
		old.Name, old.Role, old.PasswordHash, old.PasswordChangedAt = name, inv.Role, pwHash, now
		old.TOTPSecret, old.TOTPEnabledAt, old.DisabledAt = nil, nil, nil
		if err := tx.Select("name", "role", "password_hash", "password_changed_at", "totp_secret", "totp_enabled_at", "disabled_at").
			Where("studio_id = ?", inv.StudioID).Updates(&old).Error; err != nil {
			return nil, err
		}
		return &old, tx.Where("studio_id = ? AND user_id = ?", inv.StudioID, old.ID).Delete(&RecoveryCode{}).Error
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	u := User{ID: uuid.Must(uuid.NewV7()), StudioID: inv.StudioID, Email: inv.Email, Name: name, Role: inv.Role,
		PasswordHash: pwHash, PasswordChangedAt: now}
	if err := tx.Create(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, invalid("email", "An account with this e-mail already exists. Sign in instead.")
		}
		return nil, err
	}
	return &u, nil
}

// RemoveMember takes a user out of the studio: their sessions end, their
// API tokens are revoked and they can no longer sign in. The row stays so
// the audit log keeps naming them. act must be an owner other than id, and
// the studio keeps at least one owner.
func (a *Accounts) RemoveMember(ctx context.Context, studio, id uuid.UUID, act Actor) (*User, error) {
	if id == act.UserID {
		return nil, invalid("member", "You cannot remove yourself. Ask another owner to do it.")
	}
	var target User
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		// Locking the owners serialises removals, so two owners removing
		// each other cannot leave the studio without one.
		var owners []User
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("studio_id = ? AND role = ? AND disabled_at IS NULL", studio, RoleOwner).Find(&owners).Error; err != nil {
			return err
		}
		if !hasUser(owners, act.UserID) {
			return ErrForbidden
		}
		u, err := activeUser(tx, studio, id)
		if err != nil {
			return err
		}
		target = *u
		if target.Role == RoleOwner && len(owners) < 2 {
			return invalid("member", "A studio needs at least one owner.")
		}
		now := a.now()
		if err := tx.Model(&User{}).Where("studio_id = ? AND id = ?", studio, id).Update("disabled_at", now).Error; err != nil {
			return err
		}
		target.DisabledAt = &now
		sessions, err := revokeSessions(tx, studio, id, uuid.Nil)
		if err != nil {
			return err
		}
		res := tx.Model(&APIToken{}).Where("studio_id = ? AND user_id = ? AND revoked_at IS NULL", studio, id).Update("revoked_at", now)
		if res.Error != nil {
			return res.Error
		}
		return a.record(ctx, tx, studio, act, "staff.removed", map[string]any{
			"user_id": id.String(), "email": target.Email, "role": target.Role, "sessions": sessions, "tokens": res.RowsAffected})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: remove member: %w", err)
	}
	return &target, nil
}

func hasUser(us []User, id uuid.UUID) bool {
	for _, u := range us {
		if u.ID == id {
			return true
		}
	}
	return false
}
