package gallery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// RenderArgs is the job that makes a photo's renditions.
type RenderArgs struct {
	StudioID uuid.UUID `json:"studio_id"`
	PhotoID  uuid.UUID `json:"photo_id"`
}

// Kind names the job.
func (RenderArgs) Kind() string { return "gallery.render" }

// renderAttempts bounds retries: a file that fails three times is marked
// failed and left alone.
const renderAttempts = 3

// InsertOpts limits the attempts.
func (RenderArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: renderAttempts} }

// RenderWorker works RenderArgs. Register it with River next to the other
// workers; each photo is its own job, so one bad file never holds up the
// rest.
type RenderWorker struct {
	river.WorkerDefaults[RenderArgs]
	Gallery *Service
}

// Timeout leaves room for a 200 MB TIFF or a poster frame deep in a video.
func (w *RenderWorker) Timeout(*river.Job[RenderArgs]) time.Duration { return 10 * time.Minute }

// Work renders the photo. A file that cannot be rendered (damaged,
// unreadable, too many pixels) is marked failed with a message at once and
// the job succeeds: retrying would not help. Anything else (the store, the
// database) is retried; the last attempt marks the photo failed too.
func (w *RenderWorker) Work(ctx context.Context, job *river.Job[RenderArgs]) error {
	s, a := w.Gallery, job.Args
	err := s.renderPhoto(ctx, a.StudioID, a.PhotoID)
	var bad *badFile
	switch {
	case err == nil:
		return nil
	case errors.As(err, &bad):
		return s.markFailed(ctx, a.StudioID, a.PhotoID, bad.msg)
	case job.Attempt >= job.MaxAttempts:
		msg := fmt.Sprintf("Processing failed %d times; try uploading the file again.", job.Attempt)
		if ferr := s.markFailed(ctx, a.StudioID, a.PhotoID, msg); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	default:
		return err
	}
}

// renderPhoto makes and stores the renditions of one photo and marks it
// ready. A photo deleted meanwhile is nothing to do, and renditions stored
// for it in the meantime are removed.
func (s *Service) renderPhoto(ctx context.Context, studio, id uuid.UUID) error {
	p, a, err := s.photoAndAlbum(ctx, studio, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	r, err := s.renderFile(ctx, p, a.Watermark)
	if err != nil {
		return err
	}
	if err := s.storeRenditions(ctx, p, r); err != nil {
		return err
	}
	// Zips of web-size photos carry the guests' preview: its size and
	// CRC-32 are what a zip's headers need before streaming.
	guest := r.GuestPreview
	if guest == nil {
		guest = r.Preview
	}
	var n int64
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		res := tx.Model(&Photo{}).Where("studio_id = ? AND id = ?", studio, id).Updates(map[string]any{
			"width": r.Width, "height": r.Height, "taken_at": r.TakenAt, "placeholder": r.Placeholder,
			"thumb_key": thumbKey(p.AlbumID, p.ID), "preview_key": previewKey(p.AlbumID, p.ID),
			"preview_size": len(guest), "preview_crc32": crc32.ChecksumIEEE(guest),
			"status": PhotoReady, "failure": "",
		})
		if n = res.RowsAffected; res.Error != nil || n == 0 || s.Hooks == nil {
			return res.Error
		}
		return s.Hooks.PhotoReady(ctx, tx, studio, p.AlbumID, id)
	})
	if err != nil {
		return fmt.Errorf("gallery: render %s: %w", id, err)
	}
	if n == 0 { // deleted while rendering
		return s.Blobs.DeletePrefix(ctx, studio, photoPrefix(p.AlbumID, p.ID))
	}
	return nil
}

func (s *Service) photoAndAlbum(ctx context.Context, studio, id uuid.UUID) (*Photo, *Album, error) {
	var p Photo
	var a *Album
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if err := tx.Where("studio_id = ? AND id = ?", studio, id).Take(&p).Error; err != nil {
			return notFound(err)
		}
		a, err = albumIn(tx, studio, p.AlbumID)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("gallery: render %s: %w", id, err)
	}
	return &p, a, nil
}

// renderFile reads the original (never changing it) and renders it; a
// video through a poster frame.
func (s *Service) renderFile(ctx context.Context, p *Photo, wm *Watermark) (*rendered, error) {
	var src []byte
	var err error
	if p.Kind == KindVideo {
		src, err = s.posterFrame(ctx, p.StudioID, p.OriginalKey)
	} else {
		src, err = s.readOriginal(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	return renderImage(src, s.limits().MaxPixels, wm)
}

// readOriginal reads a stored image or PDF into memory; libvips decodes
// from memory, so the plaintext stays off the disk.
func (s *Service) readOriginal(ctx context.Context, p *Photo) ([]byte, error) {
	obj, err := s.Blobs.Open(ctx, p.StudioID, p.OriginalKey)
	if err != nil {
		return nil, fmt.Errorf("gallery: render %s: open original: %w", p.ID, err)
	}
	defer obj.Close()
	if limit := s.limits().MaxImageBytes; obj.Size() > limit {
		return nil, unreadable(tooBig(p.Kind, limit))
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(obj.Size(), 0)+bytes.MinRead))
	if _, err := io.Copy(buf, obj); err != nil {
		return nil, fmt.Errorf("gallery: render %s: read original: %w", p.ID, err)
	}
	return buf.Bytes(), nil
}

// storeRenditions writes the renditions; without a watermark, an older
// watermarked preview is removed so it cannot outlive the setting.
func (s *Service) storeRenditions(ctx context.Context, p *Photo, r *rendered) error {
	put := func(key string, b []byte) error {
		if _, err := s.Blobs.Put(ctx, p.StudioID, key, bytes.NewReader(b)); err != nil {
			return fmt.Errorf("gallery: render %s: store %s: %w", p.ID, key, err)
		}
		return nil
	}
	if err := put(thumbKey(p.AlbumID, p.ID), r.Thumb); err != nil {
		return err
	}
	if err := put(previewKey(p.AlbumID, p.ID), r.Preview); err != nil {
		return err
	}
	if r.GuestPreview != nil {
		return put(guestPreviewKey(p.AlbumID, p.ID), r.GuestPreview)
	}
	if err := s.Blobs.Delete(ctx, p.StudioID, guestPreviewKey(p.AlbumID, p.ID)); err != nil {
		return fmt.Errorf("gallery: render %s: delete watermarked preview: %w", p.ID, err)
	}
	return nil
}

// markFailed records why a photo could not be rendered.
func (s *Service) markFailed(ctx context.Context, studio, id uuid.UUID, msg string) error {
	if r := []rune(msg); len(r) > 500 {
		msg = string(r[:500])
	}
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		return tx.Model(&Photo{}).Where("studio_id = ? AND id = ?", studio, id).
			Updates(map[string]any{"status": PhotoFailed, "failure": msg}).Error
	})
	if err != nil {
		return fmt.Errorf("gallery: mark %s failed: %w", id, err)
	}
	return nil
}

// RerenderAlbum renders every photo of an album again, failed ones
// included: after the watermark changed, or to retry. The photos show as
// processing (and guests do not see them) until their new renditions are
// stored, so a guest never gets a preview without the current watermark.
// It returns how many photos were queued.
func (s *Service) RerenderAlbum(ctx context.Context, studio, album uuid.UUID, act Actor) (int, error) {
	var n int
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		if _, err := albumIn(tx, studio, album); err != nil {
			return err
		}
		n, err = s.rerender(ctx, tx, studio, album, act)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("gallery: rerender album: %w", err)
	}
	return n, nil
}

// rerender queues every photo of the album for rendering inside tx.
func (s *Service) rerender(ctx context.Context, tx *gorm.DB, studio, album uuid.UUID, act Actor) (int, error) {
	var ids []uuid.UUID
	if err := tx.Model(&Photo{}).Where("studio_id = ? AND album_id = ?", studio, album).
		Order("position, created_at").Pluck("id", &ids).Error; err != nil {
		return 0, err
	}
	if err := tx.Model(&Photo{}).Where("studio_id = ? AND album_id = ?", studio, album).
		Updates(map[string]any{"status": PhotoProcessing, "failure": ""}).Error; err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := s.Jobs.Enqueue(ctx, tx, RenderArgs{StudioID: studio, PhotoID: id}); err != nil {
			return 0, err
		}
	}
	err := s.record(ctx, tx, studio, act, "album.rerender", map[string]any{"album_id": album.String(), "photos": len(ids)})
	return len(ids), err
}

func (s *Service) limits() Limits { return s.Deps.Limits.withDefaults() }
