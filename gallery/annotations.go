package gallery

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// AnnotationInput is a guest's mark on a photo: a point (x, y) or a
// rectangle (x, y, w, h), in fractions of the photo's width and height.
type AnnotationInput struct {
	Shape string  `json:"shape"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
	Note  string  `json:"note"`
}

func (in *AnnotationInput) clean() error {
	in.Note = strings.TrimSpace(in.Note)
	in01 := func(v float64) bool { return v >= 0 && v <= 1 }
	switch {
	case in.Shape != "point" && in.Shape != "rect":
		return invalid("shape", "Mark a point or a rectangle.")
	case !in01(in.X) || !in01(in.Y):
		return invalid("x", "The mark must be on the photo.")
	case in.Shape == "point" && (in.W != 0 || in.H != 0):
		return invalid("w", "A point has no size.")
	case in.Shape == "rect" && (in.W <= 0 || in.H <= 0 || in.X+in.W > 1.0001 || in.Y+in.H > 1.0001):
		return invalid("w", "The rectangle must lie on the photo.")
	case in.Note == "" || len([]rune(in.Note)) > 2000:
		return invalid("note", "Write a note of at most 2,000 characters.")
	}
	return nil
}

// Annotate adds a guest's note to a photo; it needs the annotate PIN.
func (s *Service) Annotate(ctx context.Context, g *GuestAccess, photo uuid.UUID, in AnnotationInput) (*Annotation, error) {
	switch {
	case !g.CanAnnotate():
		return nil, fmt.Errorf("gallery: annotate: %w", &Refusal{Reason: "Enter the annotate PIN to leave notes."})
	case g.Guest == nil:
		return nil, fmt.Errorf("gallery: annotate: %w", ErrNeedName)
	}
	if err := in.clean(); err != nil {
		return nil, fmt.Errorf("gallery: annotate: %w", err)
	}
	p, _, err := s.GuestPhoto(ctx, g, photo)
	if err != nil {
		return nil, err
	}
	a := Annotation{ID: uuid.New(), StudioID: g.Studio(), PhotoID: photo, GuestID: &g.Guest.ID, Shape: in.Shape,
		X: in.X, Y: in.Y, W: in.W, H: in.H, Note: in.Note, Status: "open", CreatedAt: s.Now()}
	err = s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		if err := tx.Omit("Replies").Create(&a).Error; err != nil {
			return err
		}
		title := fmt.Sprintf("%s left a note on %s in %s", g.Guest.Name, p.Filename, g.Album.Title)
		url := fmt.Sprintf("%s/studio/albums/%s/photos/%s", s.BaseURL, g.Album.ID, photo)
		if err := s.notify(tx, g.Studio(), "annotation", title, url); err != nil {
			return err
		}
		if err := s.activity(tx, g, "annotate", &photo, map[string]any{"annotation_id": a.ID.String()}); err != nil {
			return err
		}
		return s.record(ctx, tx, g.Studio(), g.Actor(), "annotation.create", map[string]any{"photo_id": photo.String(), "annotation_id": a.ID.String()})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: annotate: %w", err)
	}
	return &a, nil
}

// GuestAnnotations are a photo's notes as its guests see them: every
// guest of the link with the annotate PIN sees all notes on the photo and
// their status and replies.
func (s *Service) GuestAnnotations(ctx context.Context, g *GuestAccess, photo uuid.UUID) ([]Annotation, error) {
	if _, _, err := s.GuestPhoto(ctx, g, photo); err != nil {
		return nil, err
	}
	return s.annotations(ctx, g.Studio(), photo)
}

// Annotations are a photo's notes for the studio.
func (s *Service) Annotations(ctx context.Context, studio, album, photo uuid.UUID) ([]Annotation, error) {
	var n int64
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Model(&Photo{}).Where("studio_id = ? AND album_id = ? AND id = ?", studio, album, photo).Count(&n).Error
	})
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("gallery: annotations: %w", err)
	}
	return s.annotations(ctx, studio, photo)
}

func (s *Service) annotations(ctx context.Context, studio, photo uuid.UUID) ([]Annotation, error) {
	var out []Annotation
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Preload("Replies", func(db *gorm.DB) *gorm.DB { return db.Order("created_at") }).
			Where("studio_id = ? AND photo_id = ?", studio, photo).Order("created_at").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: annotations: %w", err)
	}
	return out, nil
}

// annotationIn finds an annotation of the studio, in album.
func annotationIn(tx *gorm.DB, studio, album, id uuid.UUID) (*Annotation, error) {
	var a Annotation
	err := tx.Where("studio_id = ? AND id = ? AND photo_id IN (SELECT id FROM photos WHERE album_id = ?)", studio, id, album).Take(&a).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// Reply adds the photographer's answer to a note.
func (s *Service) Reply(ctx context.Context, studio, album, annotation uuid.UUID, body string, act Actor) (*AnnotationReply, error) {
	body = strings.TrimSpace(body)
	if body == "" || len([]rune(body)) > 2000 {
		return nil, fmt.Errorf("gallery: reply: %w", invalid("body", "Write a reply of at most 2,000 characters."))
	}
	r := AnnotationReply{ID: uuid.New(), StudioID: studio, AnnotationID: annotation, UserID: &act.UserID, Body: body, CreatedAt: s.Now()}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := annotationIn(tx, studio, album, annotation); err != nil {
			return err
		}
		if err := tx.Create(&r).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "annotation.reply", map[string]any{"annotation_id": annotation.String()})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: reply: %w", err)
	}
	return &r, nil
}

// Resolve marks a note resolved, or open again.
func (s *Service) Resolve(ctx context.Context, studio, album, annotation uuid.UUID, resolved bool, act Actor) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		a, err := annotationIn(tx, studio, album, annotation)
		if err != nil {
			return err
		}
		changes := map[string]any{"status": "open", "resolved_at": nil}
		if resolved {
			changes = map[string]any{"status": "resolved", "resolved_at": s.Now()}
		}
		if err := tx.Model(a).Updates(changes).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, studio, act, "annotation.resolve", map[string]any{"annotation_id": annotation.String(), "resolved": resolved})
	})
	if err != nil {
		return fmt.Errorf("gallery: resolve: %w", err)
	}
	return nil
}
