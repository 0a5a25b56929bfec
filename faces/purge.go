package faces

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// PurgeCounts is what deleting a collection deletes, for the page that
// asks the studio to confirm. The albums and photos stay; only face search
// on them goes.
type PurgeCounts struct {
	Albums        int `json:"albums"`
	Photos        int `json:"photos"` // photos indexed
	Faces         int `json:"faces"`
	People        int `json:"people"`
	Invites       int `json:"invites"`
	Registrations int `json:"registrations"` // guests, each with their face
}

// PurgeCounts counts what DeleteCollection would delete.
func (s *Service) PurgeCounts(ctx context.Context, studio, collection uuid.UUID) (PurgeCounts, error) {
	var c PurgeCounts
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if _, err := collectionIn(tx, studio, collection); err != nil {
			return err
		}
		c, err = purgeCounts(tx, collection)
		return err
	})
	if err != nil {
		return c, fmt.Errorf("faces: purge counts: %w", err)
	}
	return c, nil
}

func purgeCounts(tx *gorm.DB, collection uuid.UUID) (PurgeCounts, error) {
	var c PurgeCounts
	err := tx.Raw(`SELECT
			(SELECT count(*) FROM face_collection_albums WHERE collection_id = @c) AS albums,
			(SELECT count(*) FROM face_photos WHERE collection_id = @c) AS photos,
			(SELECT count(*) FROM faces WHERE collection_id = @c) AS faces,
			(SELECT count(*) FROM people WHERE collection_id = @c) AS people,
			(SELECT count(*) FROM face_invites WHERE collection_id = @c) AS invites,
			(SELECT count(*) FROM face_registrations WHERE collection_id = @c) AS registrations`,
		map[string]any{"c": collection}).Scan(&c).Error
	return c, err
}

// DeleteCollection deletes a collection with every face, person, invite,
// registration and guest embedding of it in one transaction, and queues
// the vacuum that removes them from the indexes too (VacuumArgs). It
// returns what was deleted.
func (s *Service) DeleteCollection(ctx context.Context, studio, collection uuid.UUID, act Actor) (PurgeCounts, error) {
	var c PurgeCounts
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		c, err = s.purge(ctx, tx, studio, collection, act, "deleted")
		return err
	})
	if err != nil {
		return c, fmt.Errorf("faces: delete collection: %w", err)
	}
	return c, nil
}

// purge deletes one collection inside tx. The row lock waits for indexing
// jobs in flight; those after it find the collection gone.
func (s *Service) purge(ctx context.Context, tx *gorm.DB, studio, collection uuid.UUID, act Actor, why string) (PurgeCounts, error) {
	var n int
	err := tx.Raw(`SELECT count(*) FROM (SELECT 1 FROM face_collections WHERE studio_id = ? AND id = ? FOR UPDATE) s`,
		studio, collection).Scan(&n).Error
	if err != nil {
		return PurgeCounts{}, err
	}
	if n == 0 {
		return PurgeCounts{}, ErrNotFound
	}
	c, err := purgeCounts(tx, collection)
	if err != nil {
		return c, err
	}
	// Everything of the collection references it ON DELETE CASCADE; the
	// deletes are spelled out anyway, children first, so the order is
	// visible and a missing cascade could not leave embeddings behind.
	for _, table := range []string{"face_registrations", "face_invites", "faces", "people", "face_photos", "face_collection_albums"} {
		if err := tx.Exec("DELETE FROM "+table+" WHERE studio_id = ? AND collection_id = ?", studio, collection).Error; err != nil {
			return c, fmt.Errorf("%s: %w", table, err)
		}
	}
	if err := tx.Exec("DELETE FROM face_collections WHERE studio_id = ? AND id = ?", studio, collection).Error; err != nil {
		return c, err
	}
	if err := s.Jobs.Enqueue(ctx, tx, VacuumArgs{}); err != nil {
		return c, err
	}
	return c, s.Audit.Record(ctx, tx, studio, act, "face_collection.delete", map[string]any{
		"collection_id": collection.String(), "why": why, "albums": c.Albums, "photos": c.Photos, "faces": c.Faces,
		"people": c.People, "invites": c.Invites, "registrations": c.Registrations,
	})
}

// AlbumDeleting is called by the gallery inside the transaction that
// deletes an album. The album's faces would go with its photos anyway
// (foreign keys); this deletes them explicitly with the people left
// without a face, or, when the album was the collection's only one, the
// whole collection with its invites and guests. Either way a vacuum is
// queued, so the faces leave the indexes too.
func (s *Service) AlbumDeleting(ctx context.Context, tx *gorm.DB, studio, album uuid.UUID) error {
	coll, err := collectionOfAlbum(tx, studio, album)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("faces: album deleting: %w", err)
	}
	var albums int64
	if err := tx.Table("face_collection_albums").Where("collection_id = ?", coll).Count(&albums).Error; err != nil {
		return fmt.Errorf("faces: album deleting: %w", err)
	}
	if albums == 1 {
		_, err := s.purge(ctx, tx, studio, coll, Actor{}, "album deleted")
		return err
	}
	err = tx.Exec(`DELETE FROM faces WHERE studio_id = ? AND collection_id = ?
		AND photo_id IN (SELECT id FROM photos WHERE studio_id = ? AND album_id = ?)`, studio, coll, studio, album).Error
	if err == nil {
		err = tx.Exec(`DELETE FROM people pe WHERE pe.studio_id = ? AND pe.collection_id = ?
			AND NOT EXISTS (SELECT 1 FROM faces f WHERE f.person_id = pe.id)`, studio, coll).Error
	}
	if err == nil {
		err = s.Jobs.Enqueue(ctx, tx, VacuumArgs{})
	}
	if err != nil {
		return fmt.Errorf("faces: album deleting: %w", err)
	}
	return nil
}

// PurgeStudio deletes every collection of a studio, as DeleteCollection
// does, in one transaction: the first step of deleting the studio.
func (s *Service) PurgeStudio(ctx context.Context, studio uuid.UUID, act Actor) (PurgeCounts, error) {
	var total PurgeCounts
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		var ids []uuid.UUID
		if err := tx.Model(&Collection{}).Where("studio_id = ?", studio).Order("id").Pluck("id", &ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			c, err := s.purge(ctx, tx, studio, id, act, "studio deleted")
			if err != nil {
				return err
			}
			total = total.add(c)
		}
		return nil
	})
	if err != nil {
		return total, fmt.Errorf("faces: purge studio: %w", err)
	}
	return total, nil
}

func (c PurgeCounts) add(o PurgeCounts) PurgeCounts {
	return PurgeCounts{c.Albums + o.Albums, c.Photos + o.Photos, c.Faces + o.Faces, c.People + o.People,
		c.Invites + o.Invites, c.Registrations + o.Registrations}
}

// vacuumTables are vacuumed after a purge. Deleted rows stay in the heap,
// and their entries in the HNSW and btree indexes, until a vacuum removes
// them; until then a page of the index still holds the embedding.
func vacuumTables() []string {
	return []string{"faces", "face_registrations", "people", "face_photos",
		"face_invites", "face_collection_albums", "face_collections"}
}

// VacuumArgs is the job that vacuums the face tables after a purge; VACUUM
// cannot run inside the purge's transaction.
type VacuumArgs struct{}

// Kind names the job.
func (VacuumArgs) Kind() string { return "faces.vacuum" }

// InsertOpts retries for a while: until it runs, deleted embeddings
// linger in the index pages.
func (VacuumArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// VacuumWorker works VacuumArgs.
type VacuumWorker struct {
	river.WorkerDefaults[VacuumArgs]
	Faces *Service
}

// Timeout allows for an HNSW index of a million faces, which a vacuum
// reads whole.
func (w *VacuumWorker) Timeout(*river.Job[VacuumArgs]) time.Duration { return time.Hour }

// Work vacuums.
func (w *VacuumWorker) Work(ctx context.Context, _ *river.Job[VacuumArgs]) error {
	return w.Faces.VacuumNow(ctx)
}

// VacuumNow vacuums the face tables.
func (s *Service) VacuumNow(ctx context.Context) error {
	if err := s.Vacuum(ctx, vacuumTables()...); err != nil {
		return fmt.Errorf("faces: vacuum: %w", err)
	}
	return nil
}
