package gallery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"
)

// ZipLife is how long a stored zip is kept.
const ZipLife = 24 * time.Hour

// ZipExport is a zip built in the background and stored (encrypted) for
// ZipLife, so a very large download can be resumed with Range requests.
type ZipExport struct {
	ID        uuid.UUID  `json:"id"`
	StudioID  uuid.UUID  `json:"-"`
	AlbumID   uuid.UUID  `json:"album_id"`
	FolderID  *uuid.UUID `json:"folder_id"`
	LinkID    *uuid.UUID `json:"-"`
	What      string     `json:"size"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	Files     int        `json:"files"`
	ObjectKey string     `json:"-"`
	Size      int64      `json:"bytes"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
}

// PrepareZip starts building a stored zip for the guest, or returns the
// one already building or built for the same folder and size.
func (s *Service) PrepareZip(ctx context.Context, g *GuestAccess, folder *uuid.UUID, what string) (*ZipExport, error) {
	z, err := s.GuestZip(ctx, g, folder, what) // checks the rules
	if err != nil {
		return nil, err
	}
	now := s.Now()
	var x ZipExport
	err = s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		q := tx.Where("link_id = ? AND what = ? AND status <> 'failed' AND expires_at > ?", g.Link.ID, what, now.Add(time.Hour))
		if folder != nil {
			q = q.Where("folder_id = ?", *folder)
		} else {
			q = q.Where("folder_id IS NULL")
		}
		err := q.Order("created_at DESC").Take(&x).Error
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		id := uuid.New()
		x = ZipExport{ID: id, StudioID: g.Studio(), AlbumID: g.Album.ID, FolderID: folder, LinkID: &g.Link.ID,
			What: what, Name: z.Name, Status: "building", Files: len(z.Entries), ObjectKey: "zips/" + id.String() + ".zip",
			CreatedAt: now, ExpiresAt: now.Add(ZipLife)}
		if err := tx.Create(&x).Error; err != nil {
			return err
		}
		if err := s.countZip(ctx, tx, g, z); err != nil {
			return err
		}
		return s.Jobs.Enqueue(ctx, tx, BuildZipArgs{StudioID: g.Studio(), ExportID: id, Entries: z.Entries})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: prepare zip: %w", err)
	}
	return &x, nil
}

// GuestZipExport is a stored zip of the guest's link.
func (s *Service) GuestZipExport(ctx context.Context, g *GuestAccess, id uuid.UUID) (*ZipExport, error) {
	if !g.In() {
		return nil, fmt.Errorf("gallery: zip export: %w", ErrForbidden)
	}
	var x ZipExport
	err := s.InStudio(ctx, g.Studio(), func(tx *gorm.DB) error {
		return notFound(tx.Where("id = ? AND link_id = ? AND expires_at > ?", id, g.Link.ID, s.Now()).Take(&x).Error)
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: zip export: %w", err)
	}
	return &x, nil
}

// BuildZipArgs is the job that writes a stored zip.
type BuildZipArgs struct {
	StudioID uuid.UUID  `json:"studio_id"`
	ExportID uuid.UUID  `json:"export_id"`
	Entries  []ZipEntry `json:"entries"`
}

// Kind names the job.
func (BuildZipArgs) Kind() string { return "gallery.build_zip" }

// BuildZipWorker works BuildZipArgs.
type BuildZipWorker struct {
	river.WorkerDefaults[BuildZipArgs]
	Gallery *Service
}

// Timeout allows for many gigabytes.
func (w *BuildZipWorker) Timeout(*river.Job[BuildZipArgs]) time.Duration { return 2 * time.Hour }

// Work streams the zip into the blob store through a pipe: nothing is
// held in memory or written in plaintext.
func (w *BuildZipWorker) Work(ctx context.Context, job *river.Job[BuildZipArgs]) error {
	s, a := w.Gallery, job.Args
	var x ZipExport
	err := s.InStudio(ctx, a.StudioID, func(tx *gorm.DB) error {
		return notFound(tx.Where("id = ?", a.ExportID).Take(&x).Error)
	})
	if errors.Is(err, ErrNotFound) {
		return river.JobCancel(err) // expired and cleaned up already
	}
	if err != nil {
		return err
	}
	z := &Zip{Name: x.Name, Entries: a.Entries}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(z.WriteTo(ctx, pw, func(ctx context.Context, key string) (io.ReadCloser, error) {
			return s.Blobs.Open(ctx, a.StudioID, key)
		}))
	}()
	n, err := s.Blobs.Put(ctx, a.StudioID, x.ObjectKey, pr)
	pr.CloseWithError(err)
	status := "ready"
	if err != nil {
		status = "failed"
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), a.StudioID, x.ObjectKey)
	}
	uerr := s.InStudio(ctx, a.StudioID, func(tx *gorm.DB) error {
		return tx.Model(&x).Updates(map[string]any{"status": status, "size": n}).Error
	})
	return errors.Join(err, uerr)
}

// ExpireZipsArgs is the periodic job that deletes zips past ZipLife.
type ExpireZipsArgs struct{}

// Kind names the job.
func (ExpireZipsArgs) Kind() string { return "gallery.expire_zips" }

// ExpireZipsWorker works ExpireZipsArgs.
type ExpireZipsWorker struct {
	river.WorkerDefaults[ExpireZipsArgs]
	Gallery *Service
}

// Work deletes every expired zip: its object first, then its row, so a
// failure leaves the row to try again next time.
func (w *ExpireZipsWorker) Work(ctx context.Context, _ *river.Job[ExpireZipsArgs]) error {
	_, err := w.Gallery.ExpireZips(ctx)
	return err
}

// ExpireZips deletes the stored zips past their expiry and says how many.
func (s *Service) ExpireZips(ctx context.Context) (int, error) {
	type expired struct {
		StudioID  uuid.UUID
		ID        uuid.UUID
		ObjectKey string
	}
	var list []expired
	err := s.Unscoped(ctx, func(tx *gorm.DB) error {
		return tx.Raw("SELECT * FROM expired_zip_exports(?)", s.Now()).Scan(&list).Error
	})
	if err != nil {
		return 0, fmt.Errorf("gallery: expire zips: %w", err)
	}
	var errs []error
	for _, e := range list {
		if err := s.Blobs.Delete(ctx, e.StudioID, e.ObjectKey); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, s.InStudio(ctx, e.StudioID, func(tx *gorm.DB) error {
			return tx.Where("id = ?", e.ID).Delete(&ZipExport{}).Error
		}))
	}
	if err := errors.Join(errs...); err != nil {
		return 0, fmt.Errorf("gallery: expire zips: %w", err)
	}
	return len(list), nil
}

// retireZips ends the stored zips of an album when what they hold may no
// longer be what a guest may download (a setting, a folder or a photo
// changed): they stop being served at once, and ExpireZips deletes their
// objects on its next run.
func (s *Service) retireZips(tx *gorm.DB, studio, album uuid.UUID) error {
	return tx.Model(&ZipExport{}).Where("studio_id = ? AND album_id = ? AND expires_at > ?", studio, album, s.Now()).
		Update("expires_at", s.Now()).Error
}
