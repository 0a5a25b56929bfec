package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Unlock is a one-time purchase in force: face search for one collection,
// or a storage pack.
type Unlock struct {
	ID                      uuid.UUID  `json:"id"`
	StudioID                uuid.UUID  `json:"-"`
	ProductCode             string     `json:"product_code"`
	Kind                    string     `json:"kind"`
	Quantity                int64      `json:"quantity"`
	TargetID                *uuid.UUID `json:"target_id,omitempty"`
	InvoiceID               *uuid.UUID `json:"invoice_id,omitempty"`
	StripeCheckoutSessionID string     `json:"-"`
	CreatedAt               time.Time  `json:"created_at"`
	RevokedAt               *time.Time `json:"-"`
}

// TableName is the unlocks table.
func (Unlock) TableName() string { return "studio_unlocks" }

// Unlocks lists the studio's unlocks in force, oldest first.
func (s *Service) Unlocks(ctx context.Context, studio uuid.UUID) ([]Unlock, error) {
	var us []Unlock
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		us, err = unlocksOf(tx, studio)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("billing: unlocks: %w", err)
	}
	return us, nil
}

func unlocksOf(tx *gorm.DB, studio uuid.UUID) ([]Unlock, error) {
	us := []Unlock{}
	err := tx.Where("studio_id = ? AND revoked_at IS NULL", studio).Order("created_at, id").Find(&us).Error
	return us, err
}

// UseCollectionCredit ties one of the studio's face search unlocks bought
// without a collection (Limits.CollectionCredits) to collection, inside
// tx, the transaction that makes the collection; false when none is left.
func (s *Service) UseCollectionCredit(ctx context.Context, tx *gorm.DB, studio, collection uuid.UUID) (bool, error) {
	var ids []uuid.UUID
	err := tx.Raw(`UPDATE studio_unlocks SET target_id = ? WHERE id = (
			SELECT id FROM studio_unlocks WHERE studio_id = ? AND kind = ? AND target_id IS NULL AND revoked_at IS NULL
			ORDER BY created_at, id LIMIT 1 FOR UPDATE)
		RETURNING id`, collection, studio, KindFaceSearch).Scan(&ids).Error
	if err != nil || len(ids) == 0 {
		return false, err
	}
	return true, s.record(ctx, tx, studio, Actor{}, "billing.unlock_used",
		map[string]any{"unlock_id": ids[0].String(), "target_id": collection.String()})
}
