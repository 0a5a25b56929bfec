package billing

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76/client"
	"gorm.io/gorm"
)

// InStudio runs fn in one transaction in which row-level security shows only
// studio's rows (database.DB.InStudio).
type InStudio func(ctx context.Context, studio uuid.UUID, fn func(tx *gorm.DB) error) error

// Unscoped runs fn in a transaction outside any studio: row-level security
// then shows no studio's rows, only operator data, Stripe events and what
// SECURITY DEFINER functions return (database.DB.Unscoped).
type Unscoped func(ctx context.Context, fn func(tx *gorm.DB) error) error

// Auditor appends to the studio's audit log inside tx.
type Auditor interface {
	Record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act Actor, kind string, detail map[string]any) error
}

// Jobs enqueues background work inside the data's transaction, so a
// rolled-back transaction enqueues nothing.
type Jobs interface {
	Enqueue(ctx context.Context, tx *gorm.DB, args river.JobArgs) error
}

// Blobs is the encrypted object store as billing needs it: invoice PDFs
// under the studio's data key. Open of a missing key returns an error
// matching ErrNotFound.
type Blobs interface {
	Put(ctx context.Context, studio uuid.UUID, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, studio uuid.UUID, key string) (Object, error)
}

// Object is a stored object, decrypted as it is read.
type Object interface {
	io.ReadSeekCloser
	Size() int64
}

// Mailer queues e-mail inside the caller's studio transaction, so a message
// goes out only if the change that caused it commits.
type Mailer interface {
	Queue(ctx context.Context, tx *gorm.DB, studio uuid.UUID, m Message) error
}

// Message is an e-mail to one address.
type Message struct {
	To          string
	Subject     string
	Body        string
	Attachments []Attachment
}

// Attachment is a file attached to a message. It is an object of the
// studio's in Blobs, read when the message is sent, so the outbox holds a
// key rather than a copy of the PDF.
type Attachment struct {
	Filename    string // "INV-26-27-00042.pdf"
	ContentType string // "application/pdf"
	BlobKey     string
}

// Actor says who acts: a studio user (perhaps through an API token), or
// nobody for the system (Stripe's webhooks, jobs).
type Actor struct {
	UserID  uuid.UUID
	TokenID uuid.UUID
	IP      string
}

// Deps are what billing needs from the rest of the process.
type Deps struct {
	InStudio InStudio
	Unscoped Unscoped
	Audit    Auditor
	Jobs     Jobs
	Blobs    Blobs
	Mail     Mailer
	// Stripe is the API client (NewStripeClient); nil turns billing off:
	// plans, profiles and invoices still work, Stripe calls return
	// ErrBillingOff.
	Stripe        *client.API
	WebhookSecret string        // the endpoint's signing secret, "whsec_..."
	Tolerance     time.Duration // of a webhook's timestamp; 5 minutes when zero
	BaseURL       string        // for Checkout's and the portal's return links
	// BillingPath is the studio's billing page under BaseURL, where Checkout
	// and the portal send the browser back; "/studio/billing" when empty.
	BillingPath string
	Now         func() time.Time // time.Now when nil
}

// Service is billing. Each method owns its transaction.
type Service struct {
	Deps
}

// New returns the billing service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Tolerance <= 0 {
		d.Tolerance = 5 * time.Minute
	}
	if d.BillingPath == "" {
		d.BillingPath = "/studio/billing"
	}
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	return &Service{Deps: d}
}

// Enabled reports whether Stripe is configured: billing pages offer
// checkout only then.
func (s *Service) Enabled() bool { return s.Stripe != nil }

// record writes an audit entry.
func (s *Service) record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act Actor, kind string, detail map[string]any) error {
	return s.Audit.Record(ctx, tx, studio, act, kind, detail)
}

// notFound turns GORM's miss into the package's.
func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
