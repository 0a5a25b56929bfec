package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// EventRetention is how long a worked Stripe event is kept. Its id is what
// makes a redelivery a no-op, and Stripe redelivers for up to three days
// (each time freshly signed, so the timestamp check does not stop it);
// after that the payload, which names customers, has no use.
const EventRetention = 30 * 24 * time.Hour

// PruneEvents deletes worked events received before cutoff and returns how
// many. Events not worked yet stay, however old.
func (s *Service) PruneEvents(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		res := tx.Exec("DELETE FROM stripe_events WHERE processed_at IS NOT NULL AND received_at < ?", cutoff)
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return 0, fmt.Errorf("billing: prune events: %w", err)
	}
	return n, nil
}

// PruneEventsArgs is the periodic job that prunes worked events.
type PruneEventsArgs struct{}

// Kind names the job.
func (PruneEventsArgs) Kind() string { return "billing_prune_events" }

// PruneEventsWorker works PruneEventsArgs.
type PruneEventsWorker struct {
	river.WorkerDefaults[PruneEventsArgs]
	Billing *Service
}

// Work prunes events older than EventRetention.
func (w *PruneEventsWorker) Work(ctx context.Context, _ *river.Job[PruneEventsArgs]) error {
	_, err := w.Billing.PruneEvents(ctx, w.Billing.Now().Add(-EventRetention))
	return err
}
