package faces

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

// Auditor appends to the studio's audit log inside tx.
type Auditor interface {
	Record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act Actor, kind string, detail map[string]any) error
}

// Jobs enqueues background work inside the data's transaction, so a
// rolled-back transaction enqueues nothing.
type Jobs interface {
	Enqueue(ctx context.Context, tx *gorm.DB, args river.JobArgs) error
	EnqueueMany(ctx context.Context, tx *gorm.DB, args []river.JobArgs) error
}

// Previews reads a photo's preview rendition (about 2048 px, upright, no
// metadata): faces are found on it, never on the original (FACES.md). A
// photo that is gone or has no preview yet returns an error matching
// ErrNotFound. The app wires it to the gallery; faces does not import the
// gallery's service.
type Previews interface {
	Preview(ctx context.Context, studio, album, photo uuid.UUID) ([]byte, error)
}

// Finder finds and embeds every usable face of a picture; *Pipeline is one.
type Finder interface {
	Faces(ctx context.Context, img *RGB) ([]Face, error)
	ModelID() string
}

// Vacuum vacuums tables outside any transaction (database.DB.Vacuum), so
// deleted embeddings leave the heap and every index.
type Vacuum func(ctx context.Context, tables ...string) error

// Actor says who acts: a studio user (perhaps through an API token), or
// nobody for the system (jobs).
type Actor struct {
	UserID  uuid.UUID
	TokenID uuid.UUID
	IP      string
}

// Deps are what face search needs from the rest of the process.
type Deps struct {
	InStudio InStudio
	// Searches runs the transactions of vector searches; InStudio when
	// nil. The app gives them a few long-lived connections of their own
	// (database.DB.Pinned): a backend that has walked the HNSW index
	// searches it several times faster than a new one.
	Searches InStudio
	Audit    Auditor
	Jobs     Jobs
	Previews Previews
	Finder   Finder // the face pipeline; only indexing uses it
	Vacuum   Vacuum
	Quota    Quota // the studio's plan limits; nil: none
	// Threshold is the cosine similarity from which a face matches;
	// DefaultThreshold when zero.
	Threshold float32
	Now       func() time.Time // time.Now when nil
}

// Service is face search's storage and jobs: collections, indexing,
// search, people and purges. Each method owns its transaction.
type Service struct {
	Deps
}

// New returns the face search service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Threshold == 0 {
		d.Threshold = DefaultThreshold
	}
	if d.Searches == nil {
		d.Searches = d.InStudio
	}
	return &Service{Deps: d}
}

// maxDistance is the cosine distance (1 - similarity) under which a face
// matches.
func (s *Service) maxDistance() float64 { return 1 - float64(s.Threshold) }

// notFound turns GORM's miss into the package's.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
