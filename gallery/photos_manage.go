package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Photos lists an album's photos for the studio, every status included:
// one folder's in order, or with folder uuid.Nil the whole album's,
// folder by folder.
func (s *Service) Photos(ctx context.Context, studio, album, folder uuid.UUID) ([]Photo, error) {
	var out []Photo
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if folder != uuid.Nil {
			if _, err := folderIn(tx, studio, album, folder); err != nil {
				return err
			}
			return tx.Where("studio_id = ? AND folder_id = ?", studio, folder).Order("position, created_at").Find(&out).Error
		}
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		return tx.Table("photos p").Select("p.*").Joins("JOIN folders f ON f.id = p.folder_id").
			Where("p.studio_id = ? AND p.album_id = ?", studio, album).
			Order("f.position, f.created_at, p.position, p.created_at").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: photos: %w", err)
	}
	return out, nil
}

// Photo is one photo of an album.
func (s *Service) Photo(ctx context.Context, studio, album, id uuid.UUID) (*Photo, error) {
	var p *Photo
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		p, err = photoIn(tx, studio, album, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: photo: %w", err)
	}
	return p, nil
}

func photoIn(tx *gorm.DB, studio, album, id uuid.UUID) (*Photo, error) {
	var p Photo
	if err := tx.Where("studio_id = ? AND album_id = ? AND id = ?", studio, album, id).Take(&p).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

func photoDetail(p *Photo) map[string]any {
	return map[string]any{"album_id": p.AlbumID.String(), "folder_id": p.FolderID.String(),
		"photo_id": p.ID.String(), "filename": p.Filename}
}

// DeletePhoto deletes a photo and its objects (original and renditions).
// The album's cover, favourites, selections and annotations of it go with
// the row (foreign keys). The objects are deleted right after the commit;
// a job queued in the same transaction deletes them if that fails.
func (s *Service) DeletePhoto(ctx context.Context, studio, album, id uuid.UUID, act Actor) error {
	var p *Photo
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if p, err = photoIn(tx, studio, album, id); err != nil {
			return err
		}
		if err := tx.Delete(p).Error; err != nil {
			return err
		}
		if err := s.Jobs.Enqueue(ctx, tx, DeleteBlobsArgs{StudioID: studio, Prefix: photoPrefix(album, id)}); err != nil {
			return err
		}
		if err := s.retireZips(tx, studio, album); err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "photo.delete", photoDetail(p))
	})
	if err != nil {
		return fmt.Errorf("gallery: delete photo: %w", err)
	}
	_ = s.Blobs.DeletePrefix(ctx, studio, photoPrefix(album, id)) // else the job does it
	return nil
}

// MovePhoto moves a photo to the end of another folder of its album.
func (s *Service) MovePhoto(ctx context.Context, studio, album, id, folder uuid.UUID, act Actor) (*Photo, error) {
	var p *Photo
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if p, err = photoIn(tx, studio, album, id); err != nil {
			return err
		}
		if _, err := folderIn(tx, studio, album, folder); err != nil {
			return invalid("folder_id", "There is no such folder in this album.")
		}
		if p.FolderID == folder {
			return nil
		}
		from := p.FolderID
		if err := tx.Model(&Photo{}).Where("folder_id = ?", folder).
			Select("coalesce(max(position), -1) + 1").Scan(&p.Position).Error; err != nil {
			return err
		}
		p.FolderID = folder
		if err := tx.Model(p).Updates(map[string]any{"folder_id": folder, "position": p.Position}).Error; err != nil {
			return err
		}
		if err := s.retireZips(tx, studio, album); err != nil {
			return err
		}
		d := photoDetail(p)
		d["from_folder_id"] = from.String()
		return s.record(ctx, tx, studio, act, "photo.move", d)
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: move photo: %w", err)
	}
	return p, nil
}

// Progress counts an album's photos by status, for the studio's progress
// bar while renditions are made.
type Progress struct {
	Total      int `json:"total"`
	Ready      int `json:"ready"`
	Processing int `json:"processing"`
	Failed     int `json:"failed"`
}

// Done reports whether nothing is left to process.
func (p Progress) Done() bool { return p.Processing == 0 }

// AlbumProgress counts the album's photos by status.
func (s *Service) AlbumProgress(ctx context.Context, studio, album uuid.UUID) (Progress, error) {
	var rows []struct {
		Status string
		N      int
	}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		return tx.Model(&Photo{}).Select("status, count(*) AS n").
			Where("studio_id = ? AND album_id = ?", studio, album).Group("status").Scan(&rows).Error
	})
	if err != nil {
		return Progress{}, fmt.Errorf("gallery: album progress: %w", err)
	}
	var p Progress
	for _, r := range rows {
		p.Total += r.N
		switch r.Status {
		case PhotoReady:
			p.Ready = r.N
		case PhotoProcessing:
			p.Processing = r.N
		case PhotoFailed:
			p.Failed = r.N
		}
	}
	return p, nil
}

// DeleteAlbum deletes an album with everything in it: its rows (folders,
// photos, links, guests, favourites, annotations, activity, and through
// Hooks its faces) in one transaction, and its objects by a job queued in that transaction, so
// the request does not wait for thousands of deletions.
func (s *Service) DeleteAlbum(ctx context.Context, studio, album uuid.UUID, act Actor) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		a, err := albumIn(tx, studio, album)
		if err != nil {
			return err
		}
		var photos int64
		if err := tx.Model(&Photo{}).Where("album_id = ?", album).Count(&photos).Error; err != nil {
			return err
		}
		if s.Hooks != nil {
			if err := s.Hooks.AlbumDeleting(ctx, tx, studio, album); err != nil {
				return err
			}
		}
		if err := tx.Delete(a).Error; err != nil {
			return err
		}
		if err := s.Jobs.Enqueue(ctx, tx, DeleteBlobsArgs{StudioID: studio, Prefix: albumPrefix(album)}); err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "album.delete", map[string]any{
			"album_id": album.String(), "title": a.Title, "photos": photos,
		})
	})
	if err != nil {
		return fmt.Errorf("gallery: delete album: %w", err)
	}
	return nil
}
