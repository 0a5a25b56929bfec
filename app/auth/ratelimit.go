package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// RateLimitError says how long to wait; it Is ErrRateLimited.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many attempts; retry in %s", e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// limiter counts failures per key in fixed windows, in Postgres so every
// app process shares the counts. Keys are hashed: no address is stored.
type limiter struct {
	a *Accounts
}

// limitKey is a plain SHA-256: unlike HashToken it must not normalise, or
// "a-b@x" and "ab@x" would share a limit.
func limitKey(kind, value string) string {
	sum := sha256.Sum256([]byte(kind + ":" + value))
	return hex.EncodeToString(sum[:])
}

// check fails when key has reached max failures in the current window.
func (l limiter) check(ctx context.Context, key string, max int) error {
	var hits int
	var start time.Time
	err := l.a.db.Pool.QueryRow(ctx,
		`SELECT hits, window_start FROM rate_limits WHERE key = $1 AND window_start > now() - $2::interval`,
		key, l.a.set.LimitWindow.String()).Scan(&hits, &start)
	if err != nil {
		return nil // no row: nothing counted in this window
	}
	if hits >= max {
		wait := time.Until(start.Add(l.a.set.LimitWindow))
		if wait < time.Second {
			wait = time.Second
		}
		return &RateLimitError{RetryAfter: wait}
	}
	return nil
}

// fail counts one failure against key.
func (l limiter) fail(ctx context.Context, key string) error {
	_, err := l.a.db.Pool.Exec(ctx, `
		INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, now(), 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_limits.window_start <= now() - $2::interval THEN 1 ELSE rate_limits.hits + 1 END,
			window_start = CASE WHEN rate_limits.window_start <= now() - $2::interval THEN now() ELSE rate_limits.window_start END`,
		key, l.a.set.LimitWindow.String())
	if err != nil {
		return fmt.Errorf("auth: rate limit: %w", err)
	}
	return nil
}

// clear forgets key after a success.
func (l limiter) clear(ctx context.Context, key string) {
	_, _ = l.a.db.Pool.Exec(ctx, `DELETE FROM rate_limits WHERE key = $1`, key)
}
