package billing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
	"gorm.io/gorm"
)

// ReceiveWebhook checks a Stripe webhook delivery and stores its event
// with the job that applies it, in one transaction, then returns: Stripe
// waits only for the event to be safe, never for the work.
//
// The signature is checked first, then the signed timestamp against
// Tolerance (a captured delivery cannot be replayed later). An event whose
// id is already stored (Stripe retries, or a replay) returns nil and does
// nothing. Errors match ErrWebhookSignature, ErrWebhookStale,
// ErrWebhookInvalid or ErrBillingOff; the app answers them with 400 (503
// when billing is off), anything else with 500 so Stripe retries.
func (s *Service) ReceiveWebhook(ctx context.Context, payload []byte, signatureHeader string) error {
	if s.Stripe == nil || s.WebhookSecret == "" {
		return fmt.Errorf("billing: webhook: %w", ErrBillingOff)
	}
	ev, err := s.verify(payload, signatureHeader)
	if err != nil {
		return fmt.Errorf("billing: webhook: %w", err)
	}
	err = s.Unscoped(ctx, func(tx *gorm.DB) error {
		handled := eventHandlers[ev.Type] != nil
		var processed *time.Time
		outcome := ""
		if !handled {
			now := s.Now()
			processed, outcome = &now, "not handled"
		}
		res := tx.Exec(`INSERT INTO stripe_events (id, type, created, payload, received_at, processed_at, outcome)
			VALUES (?, ?, ?, ?::jsonb, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			ev.ID, string(ev.Type), time.Unix(ev.Created, 0), string(payload), s.Now(), processed, outcome)
		if res.Error != nil || res.RowsAffected == 0 || !handled {
			return res.Error // a replay, or an event billing does not act on
		}
		return s.Jobs.Enqueue(ctx, tx, EventArgs{EventID: ev.ID})
	})
	if err != nil {
		return fmt.Errorf("billing: webhook %s: %w", ev.ID, err)
	}
	return nil
}

// verify checks the signature and then the timestamp, and parses the event.
func (s *Service) verify(payload []byte, header string) (*stripe.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, header, s.WebhookSecret,
		webhook.ConstructEventOptions{IgnoreTolerance: true, IgnoreAPIVersionMismatch: true})
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader), errors.Is(err, webhook.ErrNoValidSignature):
		return nil, fmt.Errorf("%w: %v", ErrWebhookSignature, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrWebhookInvalid, err)
	}
	at, ok := signedAt(header)
	if d := s.Now().Sub(at); !ok || d > s.Tolerance || d < -s.Tolerance {
		return nil, fmt.Errorf("%w: signed at %s, %s from now", ErrWebhookStale, at.UTC().Format(time.RFC3339), d.Round(time.Second))
	}
	if ev.APIVersion != stripe.APIVersion {
		return nil, fmt.Errorf("%w: API version %s, Proofsheet reads %s; set the endpoint's API version in Stripe", ErrWebhookInvalid, ev.APIVersion, stripe.APIVersion)
	}
	if ev.ID == "" || ev.Type == "" || ev.Data == nil {
		return nil, fmt.Errorf("%w: event without id, type or data", ErrWebhookInvalid)
	}
	return &ev, nil
}

// signedAt is the "t=" timestamp of a Stripe-Signature header, which the
// signature covers.
func signedAt(header string) (time.Time, bool) {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return time.Unix(n, 0), err == nil
		}
	}
	return time.Time{}, false
}
