package faces

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Limits bound selfie searches per registration and per client address,
// each in a fixed window. A search costs ~150 ms of CPU and is a look into
// biometric data, so every attempt counts, whatever its outcome.
type Limits struct {
	PerRegistration int           // default 10 a window
	PerClient       int           // default 30 a window, across every invite
	Window          time.Duration // default one hour
}

// DefaultLimits are a guest's few retakes and a table of guests sharing
// one phone or one venue's address.
var DefaultLimits = Limits{PerRegistration: 10, PerClient: 30, Window: time.Hour}

func (l Limits) withDefaults() Limits {
	if l.PerRegistration <= 0 {
		l.PerRegistration = DefaultLimits.PerRegistration
	}
	if l.PerClient <= 0 {
		l.PerClient = DefaultLimits.PerClient
	}
	if l.Window <= 0 {
		l.Window = DefaultLimits.Window
	}
	return l
}

// limitKey names a counter in rate_limits (shared with the login limits,
// in Postgres so every process sees the same counts) without keeping the
// registration or the address itself.
func limitKey(kind, value string) string {
	sum := sha256.Sum256([]byte("face-search:" + kind + ":" + value))
	return hex.EncodeToString(sum[:])
}

// countSearch counts one search against the registration and the client
// inside tx, and returns a LimitError when either is over its limit. The
// counts are written even then; the caller commits them either way.
func (g *Guests) countSearch(tx *gorm.DB, reg uuid.UUID, ip string) error {
	var wait time.Duration
	for _, c := range []struct {
		key string
		max int
	}{{limitKey("registration", reg.String()), g.Limits.PerRegistration}, {limitKey("client", ip), g.Limits.PerClient}} {
		hits, left, err := hit(tx, c.key, g.Limits.Window)
		if err != nil {
			return err
		}
		if hits > c.max {
			wait = max(wait, left)
		}
	}
	if wait > 0 {
		return &LimitError{RetryAfter: max(wait, time.Second)}
	}
	return nil
}

// hit adds one to key's counter in the current window (starting a new
// window when the last one is over) and returns the count and the time
// left in the window.
func hit(tx *gorm.DB, key string, window time.Duration) (int, time.Duration, error) {
	var row struct {
		Hits int
		Left float64 // seconds
	}
	err := tx.Raw(`INSERT INTO rate_limits (key, window_start, hits) VALUES (?, now(), 1)
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_limits.window_start <= now() - ?::interval THEN 1 ELSE rate_limits.hits + 1 END,
			window_start = CASE WHEN rate_limits.window_start <= now() - ?::interval THEN now() ELSE rate_limits.window_start END
		RETURNING hits, extract(epoch FROM window_start + ?::interval - now())::float8 AS left`,
		key, window.String(), window.String(), window.String()).Scan(&row).Error
	if err != nil {
		return 0, 0, err
	}
	return row.Hits, time.Duration(math.Ceil(row.Left)) * time.Second, nil
}
