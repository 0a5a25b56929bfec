package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Read models for the web studio's pages: each answers one page's question
// in one query, so a list of hundreds of albums is not hundreds of queries.
// Nothing here writes.

// AlbumSummary is an album as the studio's album list shows it.
type AlbumSummary struct {
	Album
	ClientName string     `json:"client_name"`
	Photos     int        `json:"photos"`
	Processing int        `json:"processing"`
	Failed     int        `json:"failed"`
	CoverThumb *uuid.UUID `json:"cover_thumb"` // a photo with a thumbnail: the cover, else the first ready one
}

// AlbumSummaries lists the studio's albums, newest first, with their
// client's name, photo counts and a photo to show as the cover.
func (s *Service) AlbumSummaries(ctx context.Context, studio uuid.UUID) ([]AlbumSummary, error) {
	var out []AlbumSummary
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT a.*, coalesce(c.name, '') AS client_name,
				coalesce(n.photos, 0) AS photos, coalesce(n.processing, 0) AS processing, coalesce(n.failed, 0) AS failed,
				coalesce(
					(SELECT p.id FROM photos p WHERE p.id = a.cover_photo_id AND p.thumb_key <> ''),
					(SELECT p.id FROM photos p JOIN folders f ON f.id = p.folder_id
						WHERE p.album_id = a.id AND p.thumb_key <> '' ORDER BY f.position, p.position, p.created_at LIMIT 1)
				) AS cover_thumb
			FROM albums a
			LEFT JOIN clients c ON c.id = a.client_id
			LEFT JOIN (SELECT album_id, count(*) AS photos,
					count(*) FILTER (WHERE status = 'processing') AS processing,
					count(*) FILTER (WHERE status = 'failed') AS failed
				FROM photos WHERE studio_id = ? GROUP BY album_id) n ON n.album_id = a.id
			WHERE a.studio_id = ? ORDER BY a.created_at DESC`, studio, studio).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: album summaries: %w", err)
	}
	return out, nil
}

// AlbumCounts is what deleting an album would take with it.
type AlbumCounts struct {
	Photos     int `json:"photos"`
	Links      int `json:"links"`
	Guests     int `json:"guests"`
	Selections int `json:"selections"`
}

// AlbumCounts counts an album's photos, links, guests and selections.
func (s *Service) AlbumCounts(ctx context.Context, studio, album uuid.UUID) (AlbumCounts, error) {
	var out AlbumCounts
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		return tx.Raw(`SELECT
				(SELECT count(*) FROM photos WHERE album_id = @a) AS photos,
				(SELECT count(*) FROM share_links WHERE album_id = @a) AS links,
				(SELECT count(*) FROM guests g JOIN share_links l ON l.id = g.link_id WHERE l.album_id = @a) AS guests,
				(SELECT count(*) FROM selections WHERE album_id = @a) AS selections`,
			map[string]any{"a": album}).Scan(&out).Error
	})
	if err != nil {
		return AlbumCounts{}, fmt.Errorf("gallery: album counts: %w", err)
	}
	return out, nil
}

// ClientSummary is a client with how many albums they have.
type ClientSummary struct {
	Client
	Albums int `json:"albums"`
}

// ClientSummaries lists the studio's clients by name with album counts.
func (s *Service) ClientSummaries(ctx context.Context, studio uuid.UUID) ([]ClientSummary, error) {
	var out []ClientSummary
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT c.*, (SELECT count(*) FROM albums a WHERE a.client_id = c.id) AS albums
			FROM clients c WHERE c.studio_id = ? ORDER BY lower(c.name), c.created_at`, studio).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: client summaries: %w", err)
	}
	return out, nil
}

// FailedPhoto is a photo that could not be processed, and why.
type FailedPhoto struct {
	ID       uuid.UUID `json:"id"`
	Filename string    `json:"filename"`
	Failure  string    `json:"failure"`
}

// Processing is an album's rendition progress for the studio's progress
// bar: the counts, and which photos are still processing or failed, up to
// limit of each (Complete says whether the lists are whole).
type Processing struct {
	Progress
	ProcessingIDs []uuid.UUID   `json:"processing_ids"`
	FailedPhotos  []FailedPhoto `json:"failed_photos"`
	Complete      bool          `json:"complete"`
}

// AlbumProcessing reports an album's progress with the photos behind it.
func (s *Service) AlbumProcessing(ctx context.Context, studio, album uuid.UUID, limit int) (*Processing, error) {
	p, err := s.AlbumProgress(ctx, studio, album)
	if err != nil {
		return nil, err
	}
	out := &Processing{Progress: p, ProcessingIDs: []uuid.UUID{}, FailedPhotos: []FailedPhoto{}}
	if p.Processing == 0 && p.Failed == 0 {
		out.Complete = true
		return out, nil
	}
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Model(&Photo{}).Where("studio_id = ? AND album_id = ? AND status = ?", studio, album, PhotoProcessing).
			Order("created_at").Limit(limit).Pluck("id", &out.ProcessingIDs).Error; err != nil {
			return err
		}
		return tx.Model(&Photo{}).Select("id, filename, failure").
			Where("studio_id = ? AND album_id = ? AND status = ?", studio, album, PhotoFailed).
			Order("created_at").Limit(limit).Scan(&out.FailedPhotos).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: album processing: %w", err)
	}
	out.Complete = len(out.ProcessingIDs) == p.Processing && len(out.FailedPhotos) == p.Failed
	return out, nil
}

// UnreadNotifications counts the studio's unread notifications.
func (s *Service) UnreadNotifications(ctx context.Context, studio uuid.UUID) (int64, error) {
	var n int64
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Model(&Notification{}).Where("studio_id = ? AND read_at IS NULL", studio).Count(&n).Error
	})
	if err != nil {
		return 0, fmt.Errorf("gallery: unread notifications: %w", err)
	}
	return n, nil
}

// GuestNames maps guest ids to the names they gave.
func (s *Service) GuestNames(ctx context.Context, studio uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Guest
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND id IN ?", studio, ids).Find(&rows).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: guest names: %w", err)
	}
	for _, g := range rows {
		out[g.ID] = g.Name
	}
	return out, nil
}
