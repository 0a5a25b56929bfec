// Package gallery is albums, folders, photos, share links, PINs, proofing
// and downloads: models, stores and services, with no HTTP in it. The app
// wires it to the database, the audit log, the blob store and the jobs.
package gallery

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// InStudio runs fn in one transaction in which row-level security shows only
// studio's rows (database.DB.InStudio).
type InStudio func(ctx context.Context, studio uuid.UUID, fn func(tx *gorm.DB) error) error

// Unscoped runs fn in a transaction outside any studio: row-level security
// then shows no studio's rows, only what SECURITY DEFINER functions return.
type Unscoped func(ctx context.Context, fn func(tx *gorm.DB) error) error

// StudioOf finds the studio of a guest-facing secret's hash before any
// studio is known (database.DB.StudioOf).
type StudioOf func(ctx context.Context, kind, key string) (uuid.UUID, error)

// Auditor appends to the studio's audit log inside tx.
type Auditor interface {
	Record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act Actor, kind string, detail map[string]any) error
}

// Hasher hashes and checks low-entropy secrets (PINs) slowly.
type Hasher interface {
	Hash(secret string) (string, error)
	Verify(secret, hash string) bool
}

// Jobs enqueues background work inside the data's transaction.
type Jobs interface {
	Enqueue(ctx context.Context, tx *gorm.DB, args river.JobArgs) error
}

// Notifier tells the studio's owners by e-mail, inside the data's
// transaction (the app queues it in the outbox).
type Notifier interface {
	NotifyOwners(ctx context.Context, tx *gorm.DB, studio uuid.UUID, subject, body string) error
}

// Hooks let another domain follow gallery changes inside the change's own
// transaction (face search queues a photo's indexing once its renditions
// exist, and forgets an album's faces with the album). Either may be
// called with a transaction that later rolls back.
type Hooks interface {
	// PhotoReady: the photo's renditions were just stored.
	PhotoReady(ctx context.Context, tx *gorm.DB, studio, album, photo uuid.UUID) error
	// AlbumDeleting: the album is about to be deleted in tx.
	AlbumDeleting(ctx context.Context, tx *gorm.DB, studio, album uuid.UUID) error
}

// Actor says who acts: a studio user (perhaps through an API token) or a
// guest holding a link.
type Actor struct {
	UserID  uuid.UUID
	TokenID uuid.UUID
	GuestID uuid.UUID // set when a named guest acts
	LinkID  uuid.UUID // set for every guest action
	IP      string
}

// IsGuest reports whether the actor came through a share link.
func (a Actor) IsGuest() bool { return a.LinkID != uuid.Nil }

// Deps are what the gallery needs from the rest of the process.
type Deps struct {
	InStudio InStudio
	StudioOf StudioOf
	Unscoped Unscoped
	Audit    Auditor
	PINs     Hasher
	Jobs     Jobs
	Notify   Notifier
	Blobs    Blobs            // originals and renditions, encrypted
	Hooks    Hooks            // nil: nobody follows
	Quota    Quota            // the studio's plan limits; nil: none
	Limits   Limits           // upload limits; zero fields take the defaults
	BaseURL  string           // for links in e-mails and notifications
	Now      func() time.Time // time.Now when nil
}

// Service is the gallery. Each method owns its transaction.
type Service struct {
	Deps
	cache *guestCache
}

// New returns the gallery service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{Deps: d, cache: newGuestCache()}
}

// Changed tells the gallery that studio's guest-visible data changed
// (uuid.Nil: any studio's), so nothing cached before is served again.
func (s *Service) Changed(studio uuid.UUID) { s.cache.Changed(studio) }

// CacheLive turns the guests' cache on while every change is heard
// (Changed), and off when changes may go unheard. It starts off.
func (s *Service) CacheLive(on bool) { s.cache.Live(on) }

// CacheIsLive reports whether the guests' cache serves.
func (s *Service) CacheIsLive() bool {
	_, on := s.cache.stamp(uuid.Nil)
	return on
}

// record writes an audit entry.
func (s *Service) record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act Actor, kind string, detail map[string]any) error {
	return s.Audit.Record(ctx, tx, studio, act, kind, detail)
}

// notFound turns GORM's miss into the gallery's.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
