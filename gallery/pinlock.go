package gallery

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PIN guessing limits: MaxPINFailures wrong PINs from one client on one
// link within PINWindow lock that client out of the link for PINLockout,
// doubled at each further lockout up to MaxPINLockout.
const (
	MaxPINFailures = 5
	PINWindow      = 15 * time.Minute
	PINLockout     = 15 * time.Minute
	MaxPINLockout  = 24 * time.Hour
)

// LockoutError says how long a client must wait before trying a PIN again.
type LockoutError struct{ Until time.Time }

func (e *LockoutError) Error() string {
	return "too many wrong PINs until " + e.Until.UTC().Format(time.RFC3339)
}
func (e *LockoutError) Is(target error) bool { return target == ErrLockedOut }

// RetryAfter is the wait from now, rounded up to a whole minute for people.
func (e *LockoutError) RetryAfter(now time.Time) time.Duration {
	return e.Until.Sub(now).Round(time.Minute) + time.Minute
}

type pinFailure struct {
	StudioID    uuid.UUID
	LinkID      uuid.UUID `gorm:"primaryKey"`
	ClientKey   string    `gorm:"primaryKey"`
	Failures    int
	WindowStart time.Time
	Lockouts    int
	LockedUntil *time.Time
}

func (pinFailure) TableName() string { return "pin_failures" }

// clientKey names a client without keeping its address.
func clientKey(ip string) string {
	sum := sha256.Sum256([]byte("pin-client:" + ip))
	return hex.EncodeToString(sum[:16])
}

// pinState reads (and row-locks) the client's counter on the link.
func pinState(tx *gorm.DB, link *ShareLink, ip string) (*pinFailure, error) {
	f := pinFailure{StudioID: link.StudioID, LinkID: link.ID, ClientKey: clientKey(ip)}
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("link_id = ? AND client_key = ?", f.LinkID, f.ClientKey).Take(&f).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	return &f, nil
}

// lockedOut is the lockout in force at now, if any.
func (f *pinFailure) lockedOut(now time.Time) error {
	if f.LockedUntil != nil && now.Before(*f.LockedUntil) {
		return &LockoutError{Until: *f.LockedUntil}
	}
	return nil
}

// fail counts a wrong PIN and returns the lockout it starts, if any.
func (f *pinFailure) fail(tx *gorm.DB, now time.Time) (*LockoutError, error) {
	if f.WindowStart.IsZero() || now.Sub(f.WindowStart) > PINWindow {
		f.Failures, f.WindowStart = 0, now
	}
	f.Failures++
	var lock *LockoutError
	if f.Failures >= MaxPINFailures {
		d := PINLockout << min(f.Lockouts, 10)
		until := now.Add(min(d, MaxPINLockout))
		f.LockedUntil, f.Lockouts, f.Failures, f.WindowStart = &until, f.Lockouts+1, 0, now
		lock = &LockoutError{Until: until}
	}
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "link_id"}, {Name: "client_key"}}, UpdateAll: true}).Create(f).Error
	if err != nil {
		return nil, fmt.Errorf("count wrong PIN: %w", err)
	}
	return lock, nil
}

// succeed forgets the client's failures but not its lockout count, so a
// guesser who finds the PIN late still waited for every lockout.
func (f *pinFailure) succeed(tx *gorm.DB) error {
	if f.Failures == 0 {
		return nil
	}
	return tx.Model(&pinFailure{}).Where("link_id = ? AND client_key = ?", f.LinkID, f.ClientKey).
		Update("failures", 0).Error
}
