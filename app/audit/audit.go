// Package audit writes the append-only, hash-chained audit log and verifies
// it. Each entry's hash covers its own fields and the hash of the studio's
// previous entry, so changing or removing any entry breaks the chain after it.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Actor kinds.
const (
	ActorUser   = "user"
	ActorToken  = "token"
	ActorSystem = "system"
	ActorGuest  = "guest"
)

// Entry is one audit record.
type Entry struct {
	StudioID uuid.UUID      `json:"-"`
	Seq      int64          `json:"seq"`
	At       time.Time      `json:"at"`
	ActorID  *uuid.UUID     `json:"actor_id"`
	Actor    string         `json:"actor"`
	Kind     string         `json:"kind"`
	IP       string         `json:"ip"`
	Detail   map[string]any `gorm:"serializer:json" json:"detail"`
	PrevHash string         `json:"-"`
	Hash     string         `json:"hash"`
}

// TableName is the audit table.
func (Entry) TableName() string { return "audit_log" }

// Log appends to and reads the audit log.
type Log struct {
	db  *gorm.DB
	now func() time.Time
}

// New returns a Log on db.
func New(db *gorm.DB) *Log { return &Log{db: db, now: time.Now} }

// Append adds e to its studio's chain inside tx, the caller's transaction
// (already scoped to e.StudioID), so the entry commits with the change it
// records. A transaction-scoped advisory lock orders concurrent appends.
func (l *Log) Append(ctx context.Context, tx *gorm.DB, e Entry) error {
	if e.StudioID == uuid.Nil || e.Kind == "" {
		return fmt.Errorf("audit: append: studio and kind are required")
	}
	tx = tx.WithContext(ctx)
	if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "audit:"+e.StudioID.String()).Error; err != nil {
		return fmt.Errorf("audit: lock: %w", err)
	}
	var prev struct {
		Seq  int64
		Hash string
	}
	if err := tx.Raw("SELECT seq, hash FROM audit_log WHERE studio_id = ? ORDER BY seq DESC LIMIT 1", e.StudioID).Scan(&prev).Error; err != nil {
		return fmt.Errorf("audit: previous entry: %w", err)
	}
	e.Seq = prev.Seq + 1
	e.PrevHash = prev.Hash
	if e.At.IsZero() {
		e.At = l.now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond) // what Postgres keeps
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	h, err := e.digest()
	if err != nil {
		return err
	}
	e.Hash = h
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	return nil
}

// digest is the entry's hash: SHA-256 over a canonical JSON of its fields
// and the previous hash.
func (e Entry) digest() (string, error) {
	actor := ""
	if e.ActorID != nil {
		actor = e.ActorID.String()
	}
	detail, err := json.Marshal(e.Detail) // map keys are sorted
	if err != nil {
		return "", fmt.Errorf("audit: detail: %w", err)
	}
	fields := []string{
		e.StudioID.String(), strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		actor, e.Actor, e.Kind, e.IP, string(detail), e.PrevHash,
	}
	canon, err := json.Marshal(fields)
	if err != nil {
		return "", fmt.Errorf("audit: digest: %w", err)
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:]), nil
}
