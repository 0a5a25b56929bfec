package faces

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm"
)

// storeFaces stores the faces found on a photo and clusters them, in one
// transaction that holds the collection's row lock: indexing jobs of one
// collection cluster one after another (each sees the faces the others
// stored), and a purge waits for them or they find the collection gone.
func (s *Service) storeFaces(ctx context.Context, a IndexPhotoArgs, model string, found []Face) error {
	now := s.Now()
	err := s.InStudio(ctx, a.StudioID, func(tx *gorm.DB) error {
		if err := s.lockPhoto(tx, a, model); err != nil {
			return err
		}
		how, err := prepare(tx, a.StudioID, a.CollectionID, Auto)
		if err != nil {
			return err
		}
		c := &clusterer{tx: tx, studio: a.StudioID, collection: a.CollectionID, maxDist: s.maxDistance(), how: how, now: now}
		stored := 0
		for _, f := range found {
			row, ok := faceRow(a, f, now)
			if !ok {
				continue
			}
			if err := tx.Create(row).Error; err != nil {
				return err
			}
			if err := c.add(row); err != nil {
				return err
			}
			stored++
		}
		return tx.Create(&facePhoto{CollectionID: a.CollectionID, PhotoID: a.PhotoID, StudioID: a.StudioID,
			Status: photoIndexed, Faces: stored, Model: model, IndexedAt: now}).Error
	})
	if err != nil {
		return fmt.Errorf("faces: store faces of %s: %w", a.PhotoID, err)
	}
	return nil
}

// lockPhoto locks the collection (FOR NO KEY UPDATE: it serialises the
// indexers but not inserts that merely reference the row) and the photo
// against deletion, checks the photo is still in the collection, and
// removes what an earlier model stored for it. errGone when there is
// nothing to index, or when another job indexed it meanwhile.
func (s *Service) lockPhoto(tx *gorm.DB, a IndexPhotoArgs, model string) error {
	var n int
	err := tx.Raw(`SELECT count(*) FROM (SELECT 1 FROM face_collections WHERE studio_id = ? AND id = ? FOR NO KEY UPDATE) s`,
		a.StudioID, a.CollectionID).Scan(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return errGone
	}
	err = tx.Raw(`SELECT count(*) FROM (SELECT 1 FROM photos p
			JOIN face_collection_albums ca ON ca.album_id = p.album_id AND ca.collection_id = ?
			WHERE p.studio_id = ? AND p.id = ? FOR KEY SHARE OF p) s`,
		a.CollectionID, a.StudioID, a.PhotoID).Scan(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return errGone
	}
	var done []string
	err = tx.Model(&facePhoto{}).Where("collection_id = ? AND photo_id = ?", a.CollectionID, a.PhotoID).
		Pluck("model", &done).Error
	switch {
	case err != nil:
		return err
	case len(done) == 0:
		return nil
	case done[0] == model:
		return errGone // indexed by another job meanwhile
	}
	// Indexed by another model: its embeddings must not be compared with
	// this one's, so they go (their people keep only the faces left).
	if err := tx.Where("collection_id = ? AND photo_id = ?", a.CollectionID, a.PhotoID).Delete(&storedFace{}).Error; err != nil {
		return err
	}
	return tx.Where("collection_id = ? AND photo_id = ?", a.CollectionID, a.PhotoID).Delete(&facePhoto{}).Error
}

// faceRow is the row of a face found on a's photo; false when its box,
// clipped to the picture, is empty.
func faceRow(a IndexPhotoArgs, f Face, now time.Time) (*storedFace, bool) {
	x0, y0 := clamp01(f.Rel.X0), clamp01(f.Rel.Y0)
	x1, y1 := clamp01(f.Rel.X1), clamp01(f.Rel.Y1)
	if x1 <= x0 || y1 <= y0 || len(f.Embedding) != EmbeddingSize {
		return nil, false
	}
	return &storedFace{
		ID: uuid.New(), StudioID: a.StudioID, CollectionID: a.CollectionID, PhotoID: a.PhotoID,
		X: x0, Y: y0, W: x1 - x0, H: y1 - y0, Width: max(f.Width, 1), Score: f.Score, Quality: f.RawNorm,
		Model: f.Model, Neighbors: 1, Embedding: pgvector.NewVector(f.Embedding), CreatedAt: now,
	}, true
}

func clamp01(v float32) float32 { return min(max(v, 0), 1) }

// recordFailure marks the photo looked at without result, so the
// collection's progress completes; errGone when it no longer exists.
func (s *Service) recordFailure(ctx context.Context, a IndexPhotoArgs, msg string) error {
	model := ""
	if s.Finder != nil {
		model = s.Finder.ModelID()
	}
	err := s.InStudio(ctx, a.StudioID, func(tx *gorm.DB) error {
		if err := s.lockPhoto(tx, a, model); err != nil {
			return err
		}
		return tx.Create(&facePhoto{CollectionID: a.CollectionID, PhotoID: a.PhotoID, StudioID: a.StudioID,
			Status: photoFailed, Failure: msg, Model: model, IndexedAt: s.Now()}).Error
	})
	if err != nil {
		return fmt.Errorf("faces: record failure of %s: %w", a.PhotoID, err)
	}
	return nil
}
