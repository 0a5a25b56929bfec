package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// EventArgs is the job that applies a stored Stripe event.
type EventArgs struct {
	EventID string `json:"event_id"`
}

// Kind names the job.
func (EventArgs) Kind() string { return "billing_event" }

// EventWorker works EventArgs.
type EventWorker struct {
	river.WorkerDefaults[EventArgs]
	Billing *Service
}

// Work applies the event. An error retries it with River's backoff: a
// refund whose invoice is not issued yet waits for it that way.
func (w *EventWorker) Work(ctx context.Context, job *river.Job[EventArgs]) error {
	return w.Billing.ProcessEvent(ctx, job.Args.EventID)
}

type eventHandler func(s *Service, ctx context.Context, ev *stripe.Event) error

// eventHandlers are the events billing acts on; others are stored as
// worked when received.
var eventHandlers = map[stripe.EventType]eventHandler{
	"checkout.session.completed":               (*Service).onCheckoutCompleted,
	"checkout.session.async_payment_succeeded": (*Service).onCheckoutCompleted,
	"customer.subscription.created":            (*Service).onSubscription,
	"customer.subscription.updated":            (*Service).onSubscription,
	"customer.subscription.deleted":            (*Service).onSubscription,
	"invoice.paid":                             (*Service).onInvoicePaid,
	"invoice.payment_failed":                   (*Service).onPaymentFailed,
	"charge.refunded":                          (*Service).onChargeRefunded,
}

// errDone ends an event's work early: another run has worked it.
var errDone = errors.New("event already worked")

// errNoStudio: no studio of Proofsheet's is behind the event's objects.
var errNoStudio = errors.New("no studio for the event")

// ProcessEvent applies a stored event once, in the transaction that marks
// it worked; an event already worked is left alone.
func (s *Service) ProcessEvent(ctx context.Context, id string) error {
	ev, err := s.loadEvent(ctx, id)
	if errors.Is(err, errDone) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("billing: event %s: %w", id, err)
	}
	h := eventHandlers[ev.Type]
	if h == nil {
		err = s.finishUnscoped(ctx, id, "not handled")
	} else {
		err = h(s, ctx, ev)
	}
	if errors.Is(err, errNoStudio) {
		err = s.finishUnscoped(ctx, id, "no studio")
	}
	if err != nil && !errors.Is(err, errDone) {
		return fmt.Errorf("billing: event %s (%s): %w", id, ev.Type, err)
	}
	return nil
}

func (s *Service) loadEvent(ctx context.Context, id string) (*stripe.Event, error) {
	var row struct {
		Payload     string
		ProcessedAt *time.Time
	}
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		return tx.Raw("SELECT payload::text AS payload, processed_at FROM stripe_events WHERE id = ?", id).Take(&row).Error
	})
	if err != nil {
		return nil, notFound(err)
	}
	if row.ProcessedAt != nil {
		return nil, errDone
	}
	var ev stripe.Event
	if err := json.Unmarshal([]byte(row.Payload), &ev); err != nil || ev.Data == nil {
		return nil, river.JobCancel(fmt.Errorf("stored payload unreadable: %v", err))
	}
	return &ev, nil
}

// claim locks the event's row for the rest of tx, so two runs of one
// event work it once; errDone when it was worked meanwhile.
func claim(tx *gorm.DB, id string) error {
	var rows []struct{ ProcessedAt *time.Time }
	if err := tx.Raw("SELECT processed_at FROM stripe_events WHERE id = ? FOR UPDATE", id).Scan(&rows).Error; err != nil {
		return err
	}
	if len(rows) != 1 {
		return ErrNotFound
	}
	if rows[0].ProcessedAt != nil {
		return errDone
	}
	return nil
}

// finish marks the event worked inside tx, with what came of it.
func (s *Service) finish(tx *gorm.DB, id string, studio uuid.UUID, outcome string) error {
	return tx.Exec("UPDATE stripe_events SET processed_at = ?, applied_to = ?, outcome = ? WHERE id = ?",
		s.Now(), studio, outcome, id).Error
}

func (s *Service) finishUnscoped(ctx context.Context, id, outcome string) error {
	return s.Unscoped(ctx, func(tx *gorm.DB) error {
		if err := claim(tx, id); err != nil {
			return err
		}
		return tx.Exec("UPDATE stripe_events SET processed_at = ?, outcome = ? WHERE id = ?", s.Now(), outcome, id).Error
	})
}

// studioHints are what an event's object says about its studio.
type studioHints struct {
	metadata                                         string // studio_id in metadata or client_reference_id
	customer, subscription, invoice, payment, charge string
}

// studioFor finds the studio behind an event's object. Stripe's ids that
// Proofsheet recorded come first; metadata (which Proofsheet set on the
// objects it created) serves before any id is recorded. A contradiction
// between the two is never guessed at: the event is cancelled.
func (s *Service) studioFor(ctx context.Context, h studioHints) (uuid.UUID, error) {
	var found uuid.UUID
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		for _, k := range []struct{ kind, key string }{{"customer", h.customer}, {"subscription", h.subscription},
			{"invoice", h.invoice}, {"payment_intent", h.payment}, {"charge", h.charge}, {"studio", h.metadata}} {
			if k.key == "" {
				continue
			}
			var rows []struct{ ID *uuid.UUID }
			if err := tx.Raw("SELECT billing_studio_of(?, ?) AS id", k.kind, k.key).Scan(&rows).Error; err != nil {
				return err
			}
			if len(rows) != 1 || rows[0].ID == nil {
				continue
			}
			if id := *rows[0].ID; found != uuid.Nil && found != id {
				return river.JobCancel(fmt.Errorf("%s %s belongs to studio %s, but the event points at studio %s too", k.kind, k.key, id, found))
			}
			found = *rows[0].ID
		}
		return nil
	})
	if err == nil && found == uuid.Nil {
		err = errNoStudio
	}
	return found, err
}

// decode reads the event's object into v; an unreadable one is cancelled,
// since retrying cannot help.
func decode(ev *stripe.Event, v any) error {
	if err := json.Unmarshal(ev.Data.Raw, v); err != nil {
		return river.JobCancel(fmt.Errorf("decode %s: %w", ev.Type, err))
	}
	return nil
}

func customerID(c *stripe.Customer) string {
	if c == nil {
		return ""
	}
	return c.ID
}
