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

// Queue is the River queue of the indexing jobs. It gets as many workers
// as the pipeline has sessions, so face work cannot crowd renditions and
// e-mails out of the default queue.
const Queue = "faces"

// IndexCollectionArgs is the job that queues an IndexPhotoArgs for every
// photo of a collection's albums not indexed yet.
type IndexCollectionArgs struct {
	StudioID     uuid.UUID `json:"studio_id"`
	CollectionID uuid.UUID `json:"collection_id"`
}

// Kind names the job.
func (IndexCollectionArgs) Kind() string { return "faces.index_collection" }

// IndexCollectionWorker works IndexCollectionArgs.
type IndexCollectionWorker struct {
	river.WorkerDefaults[IndexCollectionArgs]
	Faces *Service
}

// Work queues the photos.
func (w *IndexCollectionWorker) Work(ctx context.Context, job *river.Job[IndexCollectionArgs]) error {
	return w.Faces.queuePhotos(ctx, job.Args.StudioID, job.Args.CollectionID)
}

// indexBatch is how many jobs one insert carries.
const indexBatch = 1000

// queuePhotos queues every photo of the collection that is not indexed and
// has not failed to render. Photos still rendering are queued too: their
// job waits for the renditions, so none falls between this listing and
// PhotoReady.
func (s *Service) queuePhotos(ctx context.Context, studio, collection uuid.UUID) error {
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		var photos []struct{ ID, AlbumID uuid.UUID }
		err := tx.Raw(`SELECT p.id, p.album_id FROM photos p
			JOIN face_collection_albums a ON a.album_id = p.album_id AND a.collection_id = ?
			WHERE p.studio_id = ? AND p.status <> 'failed'
			AND NOT EXISTS (SELECT 1 FROM face_photos fp WHERE fp.collection_id = a.collection_id AND fp.photo_id = p.id)
			ORDER BY p.album_id, p.position, p.created_at`, collection, studio).Scan(&photos).Error
		if err != nil {
			return err
		}
		for len(photos) > 0 {
			n := min(len(photos), indexBatch)
			args := make([]river.JobArgs, n)
			for i, p := range photos[:n] {
				args[i] = IndexPhotoArgs{StudioID: studio, CollectionID: collection, AlbumID: p.AlbumID, PhotoID: p.ID}
			}
			if err := s.Jobs.EnqueueMany(ctx, tx, args); err != nil {
				return err
			}
			photos = photos[n:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("faces: queue photos: %w", err)
	}
	return nil
}

// PhotoReady queues the indexing of a photo whose renditions were just
// stored, inside the gallery's transaction, when its album has face search
// on. The gallery calls it through the app's wiring.
func (s *Service) PhotoReady(ctx context.Context, tx *gorm.DB, studio, album, photo uuid.UUID) error {
	coll, err := collectionOfAlbum(tx, studio, album)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("faces: photo ready: %w", err)
	}
	return s.Jobs.Enqueue(ctx, tx, IndexPhotoArgs{StudioID: studio, CollectionID: coll, AlbumID: album, PhotoID: photo})
}

// IndexPhotoArgs is the job that finds, embeds, stores and clusters the
// faces of one photo of a collection.
type IndexPhotoArgs struct {
	StudioID     uuid.UUID `json:"studio_id"`
	CollectionID uuid.UUID `json:"collection_id"`
	AlbumID      uuid.UUID `json:"album_id"`
	PhotoID      uuid.UUID `json:"photo_id"`
}

// Kind names the job.
func (IndexPhotoArgs) Kind() string { return "faces.index_photo" }

// indexAttempts bounds retries; the last failure is recorded on the photo,
// so the collection's progress still completes.
const indexAttempts = 5

// InsertOpts puts the job in the faces queue.
func (IndexPhotoArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: indexAttempts}
}

// IndexPhotoWorker works IndexPhotoArgs; each photo is its own job, so one
// bad file never holds up the rest.
type IndexPhotoWorker struct {
	river.WorkerDefaults[IndexPhotoArgs]
	Faces *Service
}

// Timeout is generous: a photo takes 0.2-1 s, but jobs wait for the
// collection's lock behind each other.
func (w *IndexPhotoWorker) Timeout(*river.Job[IndexPhotoArgs]) time.Duration { return 5 * time.Minute }

// renderWait is how long a job for a photo still being rendered waits.
const renderWait = 30 * time.Second

// Work indexes the photo. A photo deleted, or whose collection was
// deleted, is nothing to do; a photo still rendering is snoozed; on the
// last attempt the failure is recorded and the job succeeds.
func (w *IndexPhotoWorker) Work(ctx context.Context, job *river.Job[IndexPhotoArgs]) error {
	err := w.Faces.indexPhoto(ctx, job.Args)
	var pending *stillRendering
	switch {
	case err == nil, errors.Is(err, errGone):
		return nil
	case errors.As(err, &pending):
		return river.JobSnooze(renderWait)
	case job.Attempt >= job.MaxAttempts:
		msg := fmt.Sprintf("Face indexing failed %d times.", job.Attempt)
		if ferr := w.Faces.recordFailure(ctx, job.Args, msg); ferr != nil && !errors.Is(ferr, errGone) {
			return errors.Join(err, ferr)
		}
		return err
	default:
		return err
	}
}

// errGone says the photo or its collection no longer exists, or the photo
// left the collection: there is nothing to index.
var errGone = errors.New("faces: photo or collection gone")

// stillRendering says the photo has no preview yet.
type stillRendering struct{}

func (*stillRendering) Error() string { return "faces: photo still rendering" }

// indexPhoto reads the preview, finds the faces and stores them. The
// pipeline runs outside any transaction; the faces are stored and
// clustered in one.
func (s *Service) indexPhoto(ctx context.Context, a IndexPhotoArgs) error {
	model := ""
	if s.Finder != nil {
		model = s.Finder.ModelID()
	}
	if model == "" {
		return errors.New("faces: the face pipeline is not available in this process")
	}
	todo, err := s.needsIndexing(ctx, a, model)
	if err != nil || !todo {
		return err
	}
	b, err := s.Previews.Preview(ctx, a.StudioID, a.AlbumID, a.PhotoID)
	if errors.Is(err, ErrNotFound) {
		return s.recordFailure(ctx, a, "The photo has no preview to look for faces in.")
	}
	if err != nil {
		return fmt.Errorf("faces: index %s: read preview: %w", a.PhotoID, err)
	}
	img, err := Decode(b)
	if err != nil {
		return s.recordFailure(ctx, a, "The preview could not be read.")
	}
	found, err := s.Finder.Faces(ctx, img)
	if err != nil {
		return fmt.Errorf("faces: index %s: %w", a.PhotoID, err)
	}
	return s.storeFaces(ctx, a, model, found)
}

// needsIndexing reports whether the photo is ready and not indexed with
// model in the collection yet.
func (s *Service) needsIndexing(ctx context.Context, a IndexPhotoArgs, model string) (bool, error) {
	var rows []struct {
		Status  string
		Indexed bool
	}
	err := s.InStudio(ctx, a.StudioID, func(tx *gorm.DB) error {
		return tx.Raw(`SELECT p.status, EXISTS (SELECT 1 FROM face_photos fp
				WHERE fp.collection_id = a.collection_id AND fp.photo_id = p.id AND fp.model = ?) AS indexed
			FROM photos p JOIN face_collection_albums a ON a.album_id = p.album_id AND a.collection_id = ?
			WHERE p.studio_id = ? AND p.id = ?`, model, a.CollectionID, a.StudioID, a.PhotoID).Scan(&rows).Error
	})
	switch {
	case err != nil:
		return false, fmt.Errorf("faces: index %s: %w", a.PhotoID, err)
	case len(rows) == 0 || rows[0].Status == "failed":
		return false, nil
	case rows[0].Status != "ready":
		return false, &stillRendering{}
	}
	return !rows[0].Indexed, nil
}
