package auth

import (
	"time"

	"github.com/google/uuid"
)

// Roles of a studio's users.
const (
	RoleOwner = "owner"
	RoleStaff = "staff"
)

// Session stages: after the password, before the second factor; signed in.
const (
	StageMFA  = "mfa"
	StageFull = "full"
)

// Studio is the tenant.
type Studio struct {
	ID        uuid.UUID
	Name      string
	CreatedAt time.Time
}

// User is a person who signs in to a studio.
type User struct {
	ID                uuid.UUID
	StudioID          uuid.UUID
	Email             string
	Name              string
	Role              string
	PasswordHash      string `json:"-"`
	PasswordChangedAt time.Time
	TOTPSecret        *string    `gorm:"column:totp_secret" json:"-"`
	TOTPEnabledAt     *time.Time `gorm:"column:totp_enabled_at"`
	TOTPLastCounter   int64      `gorm:"column:totp_last_counter" json:"-"`
	DisabledAt        *time.Time
	CreatedAt         time.Time
}

// TwoFactor reports whether the user has TOTP enrolled.
func (u *User) TwoFactor() bool { return u.TOTPEnabledAt != nil }

// Session is a signed-in browser, stored server-side; the cookie holds only
// a random token whose SHA-256 is TokenHash.
type Session struct {
	ID         uuid.UUID
	StudioID   uuid.UUID
	UserID     uuid.UUID
	TokenHash  string `json:"-"`
	Stage      string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time

	User       User   `gorm:"-"`
	StudioName string `gorm:"-"`
}

// RecoveryCode is one single-use second factor, stored as a hash.
type RecoveryCode struct {
	ID        uuid.UUID
	StudioID  uuid.UUID
	UserID    uuid.UUID
	CodeHash  string
	UsedAt    *time.Time
	CreatedAt time.Time
}

// APIToken is a personal access token for the JSON API.
type APIToken struct {
	ID         uuid.UUID  `json:"id"`
	StudioID   uuid.UUID  `json:"-"`
	UserID     uuid.UUID  `json:"user_id"`
	Name       string     `json:"name"`
	TokenHash  string     `json:"-"`
	Prefix     string     `json:"prefix"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// PasswordReset is a one-time link sent by e-mail.
type PasswordReset struct {
	ID        uuid.UUID
	StudioID  uuid.UUID
	UserID    uuid.UUID
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// Invite asks someone by e-mail to join a studio.
type Invite struct {
	ID         uuid.UUID
	StudioID   uuid.UUID
	Email      string
	Role       string
	TokenHash  string
	InvitedBy  *uuid.UUID
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
}
