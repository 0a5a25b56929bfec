package gallery

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Notifications are the studio's newest notifications and how many are unread.
func (s *Service) Notifications(ctx context.Context, studio uuid.UUID, limit int) ([]Notification, int64, error) {
	var out []Notification
	var unread int64
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Where("studio_id = ?", studio).Order("created_at DESC").Limit(limit).Find(&out).Error; err != nil {
			return err
		}
		return tx.Model(&Notification{}).Where("studio_id = ? AND read_at IS NULL", studio).Count(&unread).Error
	})
	if err != nil {
		return nil, 0, fmt.Errorf("gallery: notifications: %w", err)
	}
	return out, unread, nil
}

// MarkNotificationsRead marks every notification of the studio read.
func (s *Service) MarkNotificationsRead(ctx context.Context, studio uuid.UUID) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Model(&Notification{}).Where("studio_id = ? AND read_at IS NULL", studio).Update("read_at", s.Now()).Error
	})
	if err != nil {
		return fmt.Errorf("gallery: mark notifications read: %w", err)
	}
	return nil
}

// ActivityLine is one line of an album's activity, with names resolved.
type ActivityLine struct {
	Activity
	GuestName string `json:"guest_name"`
	LinkLabel string `json:"link_label"`
	Filename  string `json:"filename"`
}

// AlbumActivity is who viewed, favourited, annotated and downloaded what
// in an album, newest first; before pages by id.
func (s *Service) AlbumActivity(ctx context.Context, studio, album uuid.UUID, before int64, limit int) ([]ActivityLine, error) {
	var out []ActivityLine
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		q := tx.Table("album_activity a").
			Select("a.*, coalesce(g.name, '') AS guest_name, coalesce(l.label, '') AS link_label, coalesce(p.filename, '') AS filename").
			Joins("LEFT JOIN guests g ON g.id = a.guest_id").
			Joins("LEFT JOIN share_links l ON l.id = a.link_id").
			Joins("LEFT JOIN photos p ON p.id = a.photo_id").
			Where("a.studio_id = ? AND a.album_id = ?", studio, album)
		if before > 0 {
			q = q.Where("a.id < ?", before)
		}
		return q.Order("a.id DESC").Limit(limit).Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: activity: %w", err)
	}
	return out, nil
}
