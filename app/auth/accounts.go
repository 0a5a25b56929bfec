package auth

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/app/database"
)

// Mailer queues an e-mail inside the caller's studio transaction.
type Mailer interface {
	Queue(ctx context.Context, tx *gorm.DB, studio uuid.UUID, to, subject, body string) error
}

// Settings tune the accounts service.
type Settings struct {
	PasswordParams  Params
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	RequireOwner2FA bool
	IPLimit         int
	AccountLimit    int
	LimitWindow     time.Duration
	Issuer          string // shown in authenticator apps
	BaseURL         string // for links in e-mails
}

// Accounts is the studio-account service: sign-up, login, sessions, second
// factor, passwords, staff and API tokens. Each method owns its transaction.
type Accounts struct {
	db    *database.DB
	audit *audit.Log
	mail  Mailer
	set   Settings
	now   func() time.Time
}

// NewAccounts returns the service.
func NewAccounts(db *database.DB, log *audit.Log, m Mailer, s Settings) *Accounts {
	return &Accounts{db: db, audit: log, mail: m, set: s, now: time.Now}
}

// Settings returns the service's settings.
func (a *Accounts) Settings() Settings { return a.set }

// Actor says who does something and from where, for the audit log.
type Actor struct {
	UserID    uuid.UUID
	TokenID   uuid.UUID // set when acting through an API token
	IP        string
	UserAgent string
}

func (a *Accounts) record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act Actor, kind string, detail map[string]any) error {
	who := audit.Who{UserID: act.UserID, TokenID: act.TokenID, IP: act.IP}
	return a.audit.Append(ctx, tx, audit.NewEntry(studio, who, kind, detail))
}

// SignUp is what the sign-up form asks.
type SignUp struct {
	Studio   string
	Name     string
	Email    string
	Password string
}

// NormalizeEmail lower-cases and validates an address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		return "", invalid("email", "Enter an e-mail address like name@example.com.")
	}
	return s, nil
}

// SignUp creates a studio and its owner. The e-mail must be new.
func (a *Accounts) SignUp(ctx context.Context, in SignUp, act Actor) (*User, error) {
	in.Studio, in.Name = strings.TrimSpace(in.Studio), strings.TrimSpace(in.Name)
	if in.Studio == "" || len(in.Studio) > 120 {
		return nil, invalid("studio", "Give your studio a name of up to 120 characters.")
	}
	if in.Name == "" || len(in.Name) > 120 {
		return nil, invalid("name", "Enter your name.")
	}
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(in.Password, email); err != nil {
		return nil, err
	}
	hash, err := HashPassword(a.set.PasswordParams, in.Password)
	if err != nil {
		return nil, fmt.Errorf("auth: sign up: %w", err)
	}
	studio := Studio{ID: uuid.Must(uuid.NewV7()), Name: in.Studio}
	u := User{ID: uuid.Must(uuid.NewV7()), StudioID: studio.ID, Email: email, Name: in.Name, Role: RoleOwner,
		PasswordHash: hash, PasswordChangedAt: a.now()}
	err = a.db.InStudio(ctx, studio.ID, func(tx *gorm.DB) error {
		if err := tx.Create(&studio).Error; err != nil {
			return err
		}
		if err := tx.Create(&u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return invalid("email", "An account with this e-mail already exists. Sign in or reset your password.")
			}
			return err
		}
		act.UserID = u.ID
		return a.record(ctx, tx, studio.ID, act, "studio.created", map[string]any{"studio": studio.Name, "email": email})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: sign up: %w", err)
	}
	return &u, nil
}

// CreateStudio is SignUp for operators (`proofsheet admin create-studio`).
func (a *Accounts) CreateStudio(ctx context.Context, studio, name, email, password string) (*User, error) {
	return a.SignUp(ctx, SignUp{Studio: studio, Name: name, Email: email, Password: password}, Actor{IP: "cli"})
}

// userByEmail finds a user across studios through studio_of().
func (a *Accounts) userByEmail(ctx context.Context, email string) (*User, error) {
	studio, err := a.db.StudioOf(ctx, "email", email)
	if err != nil {
		return nil, err
	}
	if studio == uuid.Nil {
		return nil, ErrNotFound
	}
	var u User
	err = a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND email = ?", studio, email).Take(&u).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: user by e-mail: %w", err)
	}
	return &u, nil
}

// User loads a user of a studio.
func (a *Accounts) User(ctx context.Context, studio, id uuid.UUID) (*User, error) {
	var u User
	err := a.db.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND id = ?", studio, id).Take(&u).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: user: %w", err)
	}
	return &u, nil
}

// Studio loads a studio.
func (a *Accounts) Studio(ctx context.Context, id uuid.UUID) (*Studio, error) {
	var s Studio
	err := a.db.InStudio(ctx, id, func(tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&s).Error })
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("auth: studio: %w", err)
	}
	return &s, nil
}
