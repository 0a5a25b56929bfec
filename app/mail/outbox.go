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
	ID        uuid.UUID
	StudioID  uuid.UUID
	ToAddr    string
	Subject   string
	Body      string
	SentAt    *time.Time
	LastError string
	CreatedAt time.Time
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
	m := Message{ID: uuid.Must(uuid.NewV7()), StudioID: studio, ToAddr: to, Subject: subject, Body: body}
	if err := tx.WithContext(ctx).Create(&m).Error; err != nil {
		return fmt.Errorf("mail: queue: %w", err)
	}
	return o.enqueue(ctx, tx, SendArgs{StudioID: studio, MessageID: m.ID})
}
