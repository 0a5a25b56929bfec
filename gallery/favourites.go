package gallery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ErrNeedName is a guest who must give a name and e-mail before proofing.
var ErrNeedName = errors.New("guest has not given a name")

// Favourite adds (on) or removes a photo from the guest's favourites. With a
// selection limit, adding past it is refused.
func (s *Service) Favourite(ctx context.Context, g *GuestAccess, photo uuid.UUID, on bool) error {
	if g.Guest == nil {
		return fmt.Errorf("gallery: favourite: %w", ErrNeedName)
	}
	if _, _, err := s.GuestPhoto(ctx, g, photo); err != nil {
		return err
	}
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		if !on {
			res := tx.Where("guest_id = ? AND photo_id = ?", g.Guest.ID, photo).Delete(&favourite{})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			return s.activity(tx, g, "unfavourite", &photo, nil)
		}
		var have int64
		if err := tx.Model(&favourite{}).Where("guest_id = ? AND photo_id = ?", g.Guest.ID, photo).Count(&have).Error; err != nil || have > 0 {
			return err // already a favourite: nothing to do, even at the limit
		}
		if err := s.checkLimit(tx, g); err != nil {
			return err
		}
		f := favourite{StudioID: g.Studio(), GuestID: g.Guest.ID, PhotoID: photo, CreatedAt: s.Now()}
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		return s.activity(tx, g, "favourite", &photo, nil)
	})
	if err != nil {
		return fmt.Errorf("gallery: favourite: %w", err)
	}
	return nil
}

// checkLimit refuses one favourite more than the album's selection limit.
func (s *Service) checkLimit(tx *gorm.DB, g *GuestAccess) error {
	limit := g.Album.SelectionLimit
	if limit == nil {
		return nil
	}
	// The guest's row lock serialises two tabs adding the last favourite.
	if err := tx.Exec("SELECT 1 FROM guests WHERE id = ? FOR UPDATE", g.Guest.ID).Error; err != nil {
		return err
	}
	var n int64
	if err := tx.Model(&favourite{}).Where("guest_id = ?", g.Guest.ID).Count(&n).Error; err != nil {
		return err
	}
	if n >= int64(*limit) {
		return fmt.Errorf("%w: you can choose up to %d photos; remove one to add another", ErrConflict, *limit)
	}
	return nil
}

// Favourites is the guest's favourite photo ids, oldest first.
func (s *Service) Favourites(ctx context.Context, g *GuestAccess) ([]uuid.UUID, error) {
	if g.Guest == nil {
		return nil, nil
	}
	k := cacheKey{kind: cachedFavourites, studio: g.Studio(), a: g.Guest.ID.String()}
	ids, err := cached(s.cache, k, func() (ids []uuid.UUID, err error) {
		err = s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
			return tx.Model(&favourite{}).Where("guest_id = ?", g.Guest.ID).Order("created_at").Pluck("photo_id", &ids).Error
		})
		return ids, err
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: favourites: %w", err)
	}
	return ids, nil
}

type favourite struct {
	StudioID  uuid.UUID
	GuestID   uuid.UUID `gorm:"primaryKey"`
	PhotoID   uuid.UUID `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (favourite) TableName() string { return "favourites" }
