package gallery

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// AlbumInput creates an album or, with only some fields set, changes one.
type AlbumInput struct {
	Title            *string    `json:"title"`
	ClientID         *uuid.UUID `json:"client_id"`
	ClearClient      bool       `json:"-"`
	EventDate        *Date      `json:"event_date"`
	ClearEventDate   bool       `json:"-"`
	Status           *string    `json:"status"`
	OriginalsAllowed *bool      `json:"originals_allowed"`
	WebAllowed       *bool      `json:"web_allowed"`
	SelectionLimit   *int       `json:"selection_limit"` // 0 clears it
	Watermark        *Watermark `json:"watermark"`
	ClearWatermark   bool       `json:"-"`
}

// apply validates in and copies what it sets onto a.
func (in AlbumInput) apply(a *Album) error {
	if in.Title != nil {
		t := strings.TrimSpace(*in.Title)
		if t == "" || len([]rune(t)) > 200 {
			return invalid("title", "Give the album a title of at most 200 characters.")
		}
		a.Title = t
	}
	if in.Status != nil {
		switch *in.Status {
		case StatusDraft, StatusPublished, StatusArchived:
			a.Status = *in.Status
		default:
			return invalid("status", "Status is draft, published or archived.")
		}
	}
	if in.SelectionLimit != nil {
		switch n := *in.SelectionLimit; {
		case n < 0 || n > 100000:
			return invalid("selection_limit", "The selection limit is a number of photos, or empty for none.")
		case n == 0:
			a.SelectionLimit = nil
		default:
			a.SelectionLimit = &n
		}
	}
	if in.Watermark != nil {
		if err := in.Watermark.check(); err != nil {
			return err
		}
		a.Watermark = in.Watermark
	}
	if in.ClearWatermark {
		a.Watermark = nil
	}
	setIf(&a.OriginalsAllowed, in.OriginalsAllowed)
	setIf(&a.WebAllowed, in.WebAllowed)
	if in.EventDate != nil {
		a.EventDate = in.EventDate
	}
	if in.ClearEventDate {
		a.EventDate = nil
	}
	if in.ClientID != nil {
		a.ClientID = in.ClientID
	}
	if in.ClearClient {
		a.ClientID = nil
	}
	return nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// Watermark positions.
var watermarkPositions = map[string]bool{
	"center": true, "top-left": true, "top-right": true, "bottom-left": true, "bottom-right": true, "tile": true,
}

func (w *Watermark) check() error {
	switch {
	case w.Kind != "text" && w.Kind != "logo":
		return invalid("watermark", "A watermark is text or the studio's logo.")
	case w.Kind == "text" && (strings.TrimSpace(w.Text) == "" || len([]rune(w.Text)) > 80):
		return invalid("watermark", "Watermark text has 1 to 80 characters.")
	case !watermarkPositions[w.Position]:
		return invalid("watermark", "Place the watermark at the centre, a corner, or tiled.")
	case w.Opacity <= 0 || w.Opacity > 1:
		return invalid("watermark", "Watermark opacity is between 1% and 100%.")
	}
	return nil
}

// Albums lists the studio's albums, newest first.
func (s *Service) Albums(ctx context.Context, studio uuid.UUID) ([]Album, error) {
	var out []Album
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ?", studio).Order("created_at DESC").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: albums: %w", err)
	}
	return out, nil
}

// Album returns one album.
func (s *Service) Album(ctx context.Context, studio, id uuid.UUID) (*Album, error) {
	var a *Album
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		a, err = albumIn(tx, studio, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: album: %w", err)
	}
	return a, nil
}

func albumIn(tx *gorm.DB, studio, id uuid.UUID) (*Album, error) {
	var a Album
	if err := tx.Where("studio_id = ? AND id = ?", studio, id).Take(&a).Error; err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// CreateAlbum makes an album with one folder, "Photos".
func (s *Service) CreateAlbum(ctx context.Context, studio uuid.UUID, in AlbumInput, act Actor) (*Album, error) {
	if in.Title == nil {
		return nil, fmt.Errorf("gallery: create album: %w", invalid("title", "Give the album a title."))
	}
	now := s.Now()
	a := Album{ID: uuid.New(), StudioID: studio, Status: StatusDraft, WebAllowed: true, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&a); err != nil {
		return nil, fmt.Errorf("gallery: create album: %w", err)
	}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := checkClient(tx, studio, a.ClientID); err != nil {
			return err
		}
		if err := s.quota(func(q Quota) error { return q.AddAlbum(ctx, tx, studio) }); err != nil {
			return err
		}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		f := Folder{ID: uuid.New(), StudioID: studio, AlbumID: a.ID, Name: "Photos", CreatedAt: now}
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "album.create", map[string]any{"album_id": a.ID.String(), "title": a.Title})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: create album: %w", err)
	}
	return &a, nil
}

// checkClient refuses a client of another studio (RLS would hide it too,
// but the foreign key alone would not).
func checkClient(tx *gorm.DB, studio uuid.UUID, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var n int64
	if err := tx.Model(&Client{}).Where("studio_id = ? AND id = ?", studio, *id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return invalid("client_id", "There is no such client.")
	}
	return nil
}

// UpdateAlbum changes what in sets.
func (s *Service) UpdateAlbum(ctx context.Context, studio, id uuid.UUID, in AlbumInput, act Actor) (*Album, error) {
	var a *Album
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if a, err = albumIn(tx, studio, id); err != nil {
			return err
		}
		before := *a
		if err := in.apply(a); err != nil {
			return err
		}
		if err := checkClient(tx, studio, a.ClientID); err != nil {
			return err
		}
		a.UpdatedAt = s.Now()
		if err := tx.Save(a).Error; err != nil {
			return err
		}
		if err := s.record(ctx, tx, studio, act, "album.update", albumChanges(&before, a)); err != nil {
			return err
		}
		if err := s.retireZips(tx, studio, id); err != nil {
			return err
		}
		if reflect.DeepEqual(before.Watermark, a.Watermark) {
			return nil
		}
		// Guests must never get a preview without the current watermark.
		_, err = s.rerender(ctx, tx, studio, id, act)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: update album: %w", err)
	}
	return a, nil
}

// albumChanges lists the settings an update changed, for the audit log.
func albumChanges(before, after *Album) map[string]any {
	d := map[string]any{"album_id": after.ID.String()}
	if before.Status != after.Status {
		d["status"] = after.Status
	}
	if before.OriginalsAllowed != after.OriginalsAllowed {
		d["originals_allowed"] = after.OriginalsAllowed
	}
	if before.WebAllowed != after.WebAllowed {
		d["web_allowed"] = after.WebAllowed
	}
	if before.Title != after.Title {
		d["title"] = after.Title
	}
	return d
}

// SetCover makes a ready photo of the album its cover.
func (s *Service) SetCover(ctx context.Context, studio, album, photo uuid.UUID, act Actor) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Photo{}).Where("studio_id = ? AND album_id = ? AND id = ?", studio, album, photo).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if err := tx.Model(&Album{}).Where("studio_id = ? AND id = ?", studio, album).Update("cover_photo_id", photo).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "album.cover", map[string]any{"album_id": album.String(), "photo_id": photo.String()})
	})
	if err != nil {
		return fmt.Errorf("gallery: set cover: %w", err)
	}
	return nil
}
