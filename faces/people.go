package faces

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// personQuery lists people with their counts and cover; the cover is the
// stored cover face, or the best face when that is gone.
const personQuery = `SELECT pe.id, pe.collection_id, pe.name, pe.hidden,
		count(f.id) AS faces, count(DISTINCT f.photo_id) AS photos,
		cf.id AS cover_id, cf.photo_id AS cover_photo_id, cf.x, cf.y, cf.w, cf.h
	FROM people pe
	JOIN faces f ON f.person_id = pe.id
	LEFT JOIN LATERAL (SELECT c.id, c.photo_id, c.x, c.y, c.w, c.h FROM faces c WHERE c.person_id = pe.id
		ORDER BY c.id = pe.cover_face_id DESC, c.quality DESC, c.id LIMIT 1) cf ON true
	WHERE pe.studio_id = ? AND pe.collection_id = ?`

const personGroup = ` GROUP BY pe.id, cf.id, cf.photo_id, cf.x, cf.y, cf.w, cf.h`

type personLine struct {
	ID           uuid.UUID
	CollectionID uuid.UUID
	Name         string
	Hidden       bool
	Faces        int
	Photos       int
	CoverID      *uuid.UUID
	CoverPhotoID *uuid.UUID
	X, Y, W, H   float32
}

func (l personLine) person() Person {
	p := Person{ID: l.ID, CollectionID: l.CollectionID, Name: l.Name, Hidden: l.Hidden, Faces: l.Faces, Photos: l.Photos}
	if l.CoverID != nil && l.CoverPhotoID != nil {
		p.Cover = &FaceRef{FaceID: *l.CoverID, PhotoID: *l.CoverPhotoID, Box: Rect{l.X, l.Y, l.W, l.H}}
	}
	return p
}

// People lists a collection's people that have faces, on the most photos
// first. Hidden people are listed too, marked, so the studio can show
// them again.
func (s *Service) People(ctx context.Context, studio, collection uuid.UUID) ([]Person, error) {
	var lines []personLine
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := collectionIn(tx, studio, collection); err != nil {
			return err
		}
		return tx.Raw(personQuery+personGroup+` ORDER BY photos DESC, faces DESC, pe.created_at, pe.id`, studio, collection).
			Scan(&lines).Error
	})
	if err != nil {
		return nil, fmt.Errorf("faces: people: %w", err)
	}
	out := make([]Person, len(lines))
	for i, l := range lines {
		out[i] = l.person()
	}
	return out, nil
}

// Person is one person of a collection.
func (s *Service) Person(ctx context.Context, studio, collection, id uuid.UUID) (*Person, error) {
	var p *Person
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		p, err = personIn(tx, studio, collection, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("faces: person: %w", err)
	}
	return p, nil
}

func personIn(tx *gorm.DB, studio, collection, id uuid.UUID) (*Person, error) {
	var lines []personLine
	if err := tx.Raw(personQuery+` AND pe.id = ?`+personGroup, studio, collection, id).Scan(&lines).Error; err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, ErrNotFound
	}
	p := lines[0].person()
	return &p, nil
}

// RenamePerson names a person; an empty name unnames them.
func (s *Service) RenamePerson(ctx context.Context, studio, collection, id uuid.UUID, name string, act Actor) (*Person, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 120 {
		return nil, invalid("name", "A name has at most 120 characters.")
	}
	return s.updatePerson(ctx, studio, collection, id, act, "person.rename", map[string]any{"name": name})
}

// SetPersonHidden hides a person from the people list and from every
// match, or shows them again.
func (s *Service) SetPersonHidden(ctx context.Context, studio, collection, id uuid.UUID, hidden bool, act Actor) (*Person, error) {
	return s.updatePerson(ctx, studio, collection, id, act, "person.hide", map[string]any{"hidden": hidden})
}

func (s *Service) updatePerson(ctx context.Context, studio, collection, id uuid.UUID, act Actor, kind string, changes map[string]any) (*Person, error) {
	var p *Person
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if _, err := personIn(tx, studio, collection, id); err != nil {
			return err
		}
		if err := tx.Model(&personRow{}).Where("id = ?", id).Updates(changes).Error; err != nil {
			return err
		}
		detail := map[string]any{"collection_id": collection.String(), "person_id": id.String()}
		for k, v := range changes {
			detail[k] = v
		}
		if err := s.Audit.Record(ctx, tx, studio, act, kind, detail); err != nil {
			return err
		}
		p, err = personIn(tx, studio, collection, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("faces: %s: %w", kind, err)
	}
	return p, nil
}

// MergePeople moves every face of the people in from to into and deletes
// them: the studio says they are one person. into keeps its name (or takes
// the first name among from when it has none) and is hidden if any of
// them was.
func (s *Service) MergePeople(ctx context.Context, studio, collection, into uuid.UUID, from []uuid.UUID, act Actor) (*Person, error) {
	from = uniqueIDs(from)
	if len(from) == 0 || slices.Contains(from, into) {
		return nil, invalid("people", "Choose other people to merge into this one.")
	}
	var p *Person
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		// The collection's lock keeps the clustering of new faces out.
		if err := tx.Exec(`SELECT 1 FROM face_collections WHERE studio_id = ? AND id = ? FOR NO KEY UPDATE`, studio, collection).Error; err != nil {
			return err
		}
		var rows []personRow
		if err := tx.Where("studio_id = ? AND collection_id = ? AND id IN ?", studio, collection, append([]uuid.UUID{into}, from...)).
			Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) != len(from)+1 {
			return ErrNotFound
		}
		if err := mergeInto(tx, into, from, rows); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, tx, studio, act, "person.merge", map[string]any{
			"collection_id": collection.String(), "person_id": into.String(), "merged": idStrings(from),
		}); err != nil {
			return err
		}
		p, err = personIn(tx, studio, collection, into)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("faces: merge people: %w", err)
	}
	return p, nil
}

// mergeInto merges the people rows of from into into.
func mergeInto(tx *gorm.DB, into uuid.UUID, from []uuid.UUID, rows []personRow) error {
	hidden, name := false, ""
	for _, r := range rows {
		hidden = hidden || r.Hidden
		if r.ID == into && r.Name != "" {
			name = r.Name
		}
	}
	for _, r := range rows {
		if name == "" && r.Name != "" {
			name = r.Name
		}
	}
	if err := mergePeople(tx, into, from, hidden); err != nil {
		return err
	}
	if err := tx.Model(&personRow{}).Where("id = ?", into).Update("name", name).Error; err != nil {
		return err
	}
	return refreshCover(tx, into)
}

// PersonPhotos are the photos of a person, with the person's faces on
// each, in the order they were indexed.
func (s *Service) PersonPhotos(ctx context.Context, studio, collection, id uuid.UUID) ([]PhotoMatch, error) {
	var ns []neighbour
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := personIn(tx, studio, collection, id); err != nil {
			return err
		}
		return tx.Raw(`SELECT `+neighbourColumns+`, 0 AS distance FROM faces
			WHERE studio_id = ? AND collection_id = ? AND person_id = ? ORDER BY created_at, id`,
			studio, collection, id).Scan(&ns).Error
	})
	if err != nil {
		return nil, fmt.Errorf("faces: person photos: %w", err)
	}
	var out []PhotoMatch
	at := map[uuid.UUID]int{}
	for _, n := range ns {
		i, ok := at[n.PhotoID]
		if !ok {
			i = len(out)
			at[n.PhotoID] = i
			out = append(out, PhotoMatch{PhotoID: n.PhotoID, Similarity: 1})
		}
		out[i].Faces = append(out[i].Faces, n.match())
	}
	return out, nil
}
