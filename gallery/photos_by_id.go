package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PhotosByID reads photos of the studio by id, in any album, in the order
// given; unknown ids are left out. The studio's face search pages show a
// person's photos with it.
func (s *Service) PhotosByID(ctx context.Context, studio uuid.UUID, ids []uuid.UUID) ([]Photo, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var found []Photo
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND id IN ?", studio, ids).Find(&found).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: photos by id: %w", err)
	}
	byID := make(map[uuid.UUID]Photo, len(found))
	for _, p := range found {
		byID[p.ID] = p
	}
	out := make([]Photo, 0, len(found))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			out = append(out, p)
			delete(byID, id)
		}
	}
	return out, nil
}
