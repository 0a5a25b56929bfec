package app

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// rateLimitKeep is how long a rate-limit counter outlives the start of
// its window. Every window in use (failed logins, selfie searches) is
// shorter, so an older counter can no longer refuse anything; without the
// sweep every address that ever failed a login would stay in the table.
const rateLimitKeep = 24 * time.Hour

// PruneRateLimitsArgs is the periodic job that deletes spent counters.
type PruneRateLimitsArgs struct{}

// Kind names the job.
func (PruneRateLimitsArgs) Kind() string { return "app.prune_rate_limits" }

// PruneRateLimitsWorker works PruneRateLimitsArgs.
type PruneRateLimitsWorker struct {
	river.WorkerDefaults[PruneRateLimitsArgs]
	a *App
}

// Work deletes the counters whose window is over.
func (w *PruneRateLimitsWorker) Work(ctx context.Context, _ *river.Job[PruneRateLimitsArgs]) error {
	_, err := w.a.PruneRateLimits(ctx)
	return err
}

// PruneRateLimits deletes the rate-limit counters that can no longer
// refuse anything and says how many went.
func (a *App) PruneRateLimits(ctx context.Context) (int64, error) {
	keep := max(rateLimitKeep, a.Config.LoginWindow)
	tag, err := a.DB.Pool.Exec(ctx, `DELETE FROM rate_limits WHERE window_start < now() - $1::interval`, keep.String())
	if err != nil {
		return 0, fmt.Errorf("app: prune rate limits: %w", err)
	}
	return tag.RowsAffected(), nil
}
