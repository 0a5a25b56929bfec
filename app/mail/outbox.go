// Package mail queues e-mail in the outbox table and sends it from a
// background job: over SMTP when configured, otherwise only to the log.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// Message is one row of the outbox.
type Message struct {
	ID          uuid.UUID
	StudioID    uuid.UUID
	ToAddr      string
	Subject     string
	Body        string
	Attachments []Attachment `gorm:"serializer:json"`
	SentAt      *time.Time
	LastError   string
	CreatedAt   time.Time
}

// Attachment is a file sent with a message: an object of the studio's in
// the encrypted store, read when the message is sent, so the outbox keeps
// a key instead of a copy of the file.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	BlobKey     string `json:"blob_key"`
}

// TableName is the outbox table.
func (Message) TableName() string { return "email_outbox" }

// EnqueueFunc inserts a job inside the given transaction.
type EnqueueFunc func(ctx context.Context, tx *gorm.DB, args river.JobArgs) error

// Outbox queues messages.
type Outbox struct {
	enqueue EnqueueFunc
	BaseURL string
	log     *slog.Logger
}

// NewOutbox returns an Outbox that enqueues send jobs with enqueue.
func NewOutbox(enqueue EnqueueFunc, baseURL string, log *slog.Logger) *Outbox {
	return &Outbox{enqueue: enqueue, BaseURL: baseURL, log: log}
}

// Queue stores a message and its send job in tx, the caller's studio
// transaction: the mail goes out only if the change that caused it commits.
func (o *Outbox) Queue(ctx context.Context, tx *gorm.DB, studio uuid.UUID, to, subject, body string) error {
	return o.QueueWith(ctx, tx, studio, to, subject, body, nil)
}

// QueueWith is Queue with files attached; each must be an object of the
// studio's that is still there when the message is sent.
func (o *Outbox) QueueWith(ctx context.Context, tx *gorm.DB, studio uuid.UUID, to, subject, body string, files []Attachment) error {
	for _, f := range files {
		if f.Filename == "" || f.BlobKey == "" {
			return fmt.Errorf("mail: queue: attachment %q without a file name or object key", f.Filename)
		}
	}
	if files == nil {
		files = []Attachment{} // the column holds an array, never JSON null
	}
	m := Message{ID: uuid.Must(uuid.NewV7()), StudioID: studio, ToAddr: to, Subject: subject, Body: body, Attachments: files}
	if err := tx.WithContext(ctx).Create(&m).Error; err != nil {
		return fmt.Errorf("mail: queue: %w", err)
	}
	return o.enqueue(ctx, tx, SendArgs{StudioID: studio, MessageID: m.ID})
}
