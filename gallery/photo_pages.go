package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PhotoPage is a page of an album's photos for the studio, in the order of
// Photos (folder by folder; with folder set, that folder's only), after
// the photo after (uuid.Nil: from the start). It pages by keyset, so a
// client walking an album of thousands reads each photo once however many
// pages it takes. A cursor photo that is no longer in the album (or the
// folder) is an input error on "after": the client starts again.
func (s *Service) PhotoPage(ctx context.Context, studio, album, folder, after uuid.UUID, limit int) ([]Photo, error) {
	var out []Photo
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := photoScope(tx, studio, album, folder); err != nil {
			return err
		}
		q := tx.Table("photos p").Select("p.*").Joins("JOIN folders f ON f.id = p.folder_id").
			Where("p.studio_id = ? AND p.album_id = ?", studio, album)
		if folder != uuid.Nil {
			q = q.Where("p.folder_id = ?", folder)
		}
		if after != uuid.Nil {
			var n int64
			c := tx.Model(&Photo{}).Where("studio_id = ? AND album_id = ? AND id = ?", studio, album, after)
			if folder != uuid.Nil {
				c = c.Where("folder_id = ?", folder)
			}
			if err := c.Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return invalid("after", "That photo is no longer in the list; start from the first page again.")
			}
			q = q.Where(`(f.position, f.created_at, f.id, p.position, p.created_at, p.id) >
				(SELECT f2.position, f2.created_at, f2.id, p2.position, p2.created_at, p2.id
				 FROM photos p2 JOIN folders f2 ON f2.id = p2.folder_id WHERE p2.id = ?)`, after)
		}
		return q.Order("f.position, f.created_at, f.id, p.position, p.created_at, p.id").Limit(limit).Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: photo page: %w", err)
	}
	return out, nil
}

// photoScope checks that the album, and the folder if set, exist.
func photoScope(tx *gorm.DB, studio, album, folder uuid.UUID) error {
	if folder != uuid.Nil {
		_, err := folderIn(tx, studio, album, folder)
		return err
	}
	_, err := albumIn(tx, studio, album)
	return err
}
