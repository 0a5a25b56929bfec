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
