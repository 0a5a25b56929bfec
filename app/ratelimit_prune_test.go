package app_test

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/proofsheet/proofsheet/app/apptest"
)

// Spent counters go; a counter still inside a window (a login lockout in
// force) stays.
func TestPruneRateLimits(t *testing.T) {
	ta := apptest.New(t)
	su := ta.Superuser()
	_, err := su.Exec(t.Context(), `INSERT INTO rate_limits (key, window_start, hits) VALUES
		('spent', now() - interval '25 hours', 9), ('current', now() - interval '5 minutes', 9), ('today', now() - interval '23 hours', 1)`)
	if err != nil {
		t.Fatal(err)
	}
	n, err := ta.PruneRateLimits(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	rows, _ := su.Query(t.Context(), `SELECT key FROM rate_limits ORDER BY key`)
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(keys, []string{"current", "today"}) {
		t.Fatalf("left %v, %v", keys, err)
	}
}
