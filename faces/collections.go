package faces

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Faces reads the gallery's albums and photos tables for ids and statuses
// only (DESIGN.md: faces may refer to gallery ids); the pictures themselves
// come through Previews.

// CollectionInput is what the studio gives to turn face search on.
type CollectionInput struct {
	Name     string      `json:"name"`
	AlbumIDs []uuid.UUID `json:"album_ids"`
}

// CreateCollection turns face search on for one or more albums of the
// studio and queues the indexing of their photos. An album can be in one
// collection only.
func (s *Service) CreateCollection(ctx context.Context, studio uuid.UUID, in CollectionInput, act Actor) (*Collection, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, invalid("name", "Give the collection a name of at most 200 characters.")
	}
	c := &Collection{ID: uuid.New(), StudioID: studio, Name: name, CreatedAt: s.Now()}
	if act.UserID != uuid.Nil {
		c.CreatedBy = &act.UserID
	}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := s.quota(func(q Quota) error { return q.AddCollection(ctx, tx, studio, c.ID) }); err != nil {
			return err
		}
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		if err := s.addAlbums(ctx, tx, c, in.AlbumIDs); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, studio, act, "face_collection.create", map[string]any{
			"collection_id": c.ID.String(), "name": name, "albums": idStrings(c.AlbumIDs),
		})
	})
	if err != nil {
		return nil, fmt.Errorf("faces: create collection: %w", err)
	}
	return c, nil
}

// AddAlbums adds albums to a collection and queues the indexing of their
// photos.
func (s *Service) AddAlbums(ctx context.Context, studio, id uuid.UUID, albums []uuid.UUID, act Actor) (*Collection, error) {
	var c *Collection
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if c, err = collectionIn(tx, studio, id); err != nil {
			return err
		}
		if err := s.quota(func(q Quota) error { return q.AddAlbums(ctx, tx, studio, id) }); err != nil {
			return err
		}
		if err := s.addAlbums(ctx, tx, c, albums); err != nil {
			return err
		}
		return s.Audit.Record(ctx, tx, studio, act, "face_collection.add_albums", map[string]any{
			"collection_id": id.String(), "albums": idStrings(albums),
		})
	})
	if err != nil {
		return nil, fmt.Errorf("faces: add albums: %w", err)
	}
	return c, nil
}

// addAlbums links albums of the studio to c inside tx and queues the job
// that indexes their photos.
func (s *Service) addAlbums(ctx context.Context, tx *gorm.DB, c *Collection, albums []uuid.UUID) error {
	albums = uniqueIDs(albums)
	if len(albums) == 0 {
		return invalid("album_ids", "Choose at least one album.")
	}
	var found int64
	if err := tx.Table("albums").Where("studio_id = ? AND id IN ?", c.StudioID, albums).Count(&found).Error; err != nil {
		return err
	}
	if int(found) != len(albums) {
		return invalid("album_ids", "One of the albums does not exist.")
	}
	var taken int64
	if err := tx.Table("face_collection_albums").Where("album_id IN ?", albums).Count(&taken).Error; err != nil {
		return err
	}
	if taken > 0 {
		return &ConflictError{"One of the albums already has face search turned on."}
	}
	for _, a := range albums {
		err := tx.Exec("INSERT INTO face_collection_albums (collection_id, album_id, studio_id) VALUES (?, ?, ?)", c.ID, a, c.StudioID).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) { // another request took it meanwhile
			return &ConflictError{"One of the albums already has face search turned on."}
		}
		if err != nil {
			return err
		}
	}
	c.AlbumIDs = append(c.AlbumIDs, albums...)
	return s.Jobs.Enqueue(ctx, tx, IndexCollectionArgs{StudioID: c.StudioID, CollectionID: c.ID})
}

// Collections lists the studio's collections, newest first, with their
// albums and progress.
func (s *Service) Collections(ctx context.Context, studio uuid.UUID) ([]Collection, error) {
	var out []Collection
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if err := tx.Where("studio_id = ?", studio).Order("created_at DESC, id").Find(&out).Error; err != nil {
			return err
		}
		for i := range out {
			if err := fillCollection(tx, &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("faces: collections: %w", err)
	}
	return out, nil
}

// Collection is one collection with its albums and progress.
func (s *Service) Collection(ctx context.Context, studio, id uuid.UUID) (*Collection, error) {
	var c *Collection
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if c, err = collectionIn(tx, studio, id); err != nil {
			return err
		}
		return fillCollection(tx, c)
	})
	if err != nil {
		return nil, fmt.Errorf("faces: collection: %w", err)
	}
	return c, nil
}

// CollectionOfAlbum is the collection covering an album, or ErrNotFound
// when face search is off for it.
func (s *Service) CollectionOfAlbum(ctx context.Context, studio, album uuid.UUID) (*Collection, error) {
	var c *Collection
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		id, err := collectionOfAlbum(tx, studio, album)
		if err != nil {
			return err
		}
		if c, err = collectionIn(tx, studio, id); err != nil {
			return err
		}
		return fillCollection(tx, c)
	})
	if err != nil {
		return nil, fmt.Errorf("faces: collection of album: %w", err)
	}
	return c, nil
}

func collectionIn(tx *gorm.DB, studio, id uuid.UUID) (*Collection, error) {
	var c Collection
	if err := tx.Where("studio_id = ? AND id = ?", studio, id).Take(&c).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// collectionOfAlbum is the id of the collection covering album.
func collectionOfAlbum(tx *gorm.DB, studio, album uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.Table("face_collection_albums").Where("studio_id = ? AND album_id = ?", studio, album).
		Pluck("collection_id", &ids).Error
	if err != nil {
		return uuid.Nil, err
	}
	if len(ids) == 0 {
		return uuid.Nil, ErrNotFound
	}
	return ids[0], nil
}

// fillCollection reads c's albums and counts its progress.
func fillCollection(tx *gorm.DB, c *Collection) error {
	err := tx.Table("face_collection_albums").Where("collection_id = ?", c.ID).Order("album_id").
		Pluck("album_id", &c.AlbumIDs).Error
	if err != nil {
		return err
	}
	p, err := progressOf(tx, c.ID)
	c.Progress = p
	return err
}

// progressOf counts a collection's photos, indexed photos, faces and people.
func progressOf(tx *gorm.DB, id uuid.UUID) (Progress, error) {
	var p Progress
	err := tx.Raw(`SELECT count(*) FROM photos p JOIN face_collection_albums a ON a.album_id = p.album_id
		WHERE a.collection_id = ? AND p.status <> 'failed'`, id).Scan(&p.Photos).Error
	if err != nil {
		return p, err
	}
	row := tx.Raw(`SELECT count(*), count(*) FILTER (WHERE status = ?), coalesce(sum(faces), 0)
		FROM face_photos WHERE collection_id = ?`, photoFailed, id).Row()
	if err := row.Scan(&p.Indexed, &p.Failed, &p.Faces); err != nil {
		return p, err
	}
	return p, tx.Raw(`SELECT count(*) FROM people pe WHERE pe.collection_id = ?
		AND EXISTS (SELECT 1 FROM faces f WHERE f.person_id = pe.id)`, id).Scan(&p.People).Error
}

func uniqueIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}

func idStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
