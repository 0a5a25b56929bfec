package audit

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Filter narrows a listing of the log. Zero values match everything.
type Filter struct {
	ActorID   *uuid.UUID
	Kind      string // exact kind, or a prefix ending in "." ("login.")
	BeforeSeq int64  // page backwards from here
	Limit     int    // default 50, at most 200
}

// List returns a studio's entries, newest first, inside tx (a transaction
// already scoped to studio).
func (l *Log) List(ctx context.Context, tx *gorm.DB, studio uuid.UUID, f Filter) ([]Entry, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := tx.WithContext(ctx).Where("studio_id = ?", studio)
	if f.ActorID != nil {
		q = q.Where("actor_id = ?", *f.ActorID)
	}
	switch {
	case f.Kind == "":
	case f.Kind[len(f.Kind)-1] == '.':
		q = q.Where("starts_with(kind, ?)", f.Kind)
	default:
		q = q.Where("kind = ?", f.Kind)
	}
	if f.BeforeSeq > 0 {
		q = q.Where("seq < ?", f.BeforeSeq)
	}
	var out []Entry
	if err := q.Order("seq DESC").Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	for i := range out {
		out[i].StudioID = studio
	}
	return out, nil
}
