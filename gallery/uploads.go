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

// Upload is a resumable upload in progress (the domain side of tus): the
// client declares the length, then sends the bytes in as many requests as
// it needs, each from where the last one stopped. Each request's bytes are
// stored as one part; the last request assembles the parts into the photo.
type Upload struct {
	ID        uuid.UUID  `json:"id"`
	StudioID  uuid.UUID  `json:"-"`
	AlbumID   uuid.UUID  `json:"album_id"`
	FolderID  uuid.UUID  `json:"folder_id"`
	UserID    *uuid.UUID `json:"-"`
	Filename  string     `json:"filename"`
	Size      int64      `json:"size"`     // tus Upload-Length
	Received  int64      `json:"received"` // tus Upload-Offset
	Parts     int        `json:"-"`
	ObjectKey string     `json:"-"` // prefix of the parts
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"` // tus Upload-Expires
}

// UploadTTL is how long an upload waits for its next bytes.
const UploadTTL = 24 * time.Hour

func uploadPrefix(album, id uuid.UUID) string {
	return albumPrefix(album) + "uploads/" + id.String() + "/"
}

func partKey(u *Upload, n int) string { return fmt.Sprintf("%spart-%06d", u.ObjectKey, n) }

// MaxUploadSize is the largest file the gallery takes (of any kind), for
// clients to know before they start (tus Tus-Max-Size).
func (s *Service) MaxUploadSize() int64 { return s.limits().maxBytes("") }

// CreateUpload starts a resumable upload of size bytes into a folder. The
// size is checked against the largest limit now and against the limit of
// the file's kind when its first bytes arrive.
func (s *Service) CreateUpload(ctx context.Context, studio, album, folder uuid.UUID, filename string, size int64, act Actor) (*Upload, error) {
	name, err := cleanFilename(filename)
	if err != nil {
		return nil, fmt.Errorf("gallery: create upload: %w", err)
	}
	if limit := s.limits().maxBytes(""); size <= 0 || size > limit {
		if size <= 0 {
			return nil, fmt.Errorf("gallery: create upload: %w", fileError(ErrUnsupported, "The file is empty."))
		}
		return nil, fmt.Errorf("gallery: create upload: %w", tooBig(KindVideo, limit))
	}
	now := s.Now()
	u := &Upload{ID: uuid.New(), StudioID: studio, AlbumID: album, FolderID: folder, Filename: name, Size: size,
		CreatedAt: now, ExpiresAt: now.Add(UploadTTL)}
	if act.UserID != uuid.Nil {
		u.UserID = &act.UserID
	}
	u.ObjectKey = uploadPrefix(album, u.ID)
	err = s.InStudio(ctx, studio, func(tx *gorm.DB) error {
		if _, err := folderIn(tx, studio, album, folder); err != nil {
			return err
		}
		// Checked with the declared length so the studio learns before
		// sending gigabytes; the photo is checked again when made.
		if err := s.quota(func(q Quota) error { return q.AddBytes(ctx, tx, studio, size) }); err != nil {
			return err
		}
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		return s.Jobs.Enqueue(ctx, tx, ExpireUploadArgs{StudioID: studio, AlbumID: album, UploadID: u.ID, At: u.ExpiresAt})
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: create upload: %w", err)
	}
	return u, nil
}

// ResumableUpload is an upload in progress, for the client to learn where
// to resume (tus HEAD). An expired upload is ErrNotFound.
func (s *Service) ResumableUpload(ctx context.Context, studio, id uuid.UUID) (*Upload, error) {
	var u *Upload
	err := s.InStudio(ctx, studio, func(tx *gorm.DB) (err error) {
		u, err = s.uploadIn(tx, studio, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("gallery: upload: %w", err)
	}
	return u, nil
}

func (s *Service) uploadIn(tx *gorm.DB, studio, id uuid.UUID) (*Upload, error) {
	var u Upload
	err := tx.Where("studio_id = ? AND id = ? AND expires_at > ?", studio, id, s.Now()).Take(&u).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// AppendUpload stores the bytes of r as the upload's next part; offset
// must be where the upload stands (else ErrConflict: the client asks
// again and resumes from there). A request cut short stores nothing, so
// the client resends from the same offset. The first bytes decide the
// kind of file: a refused kind or size ends the upload. When the last
// byte arrives the photo is made exactly as Upload makes it, and returned;
// until then the photo is nil.
func (s *Service) AppendUpload(ctx context.Context, studio, id uuid.UUID, offset int64, r io.Reader, act Actor) (*Upload, *Photo, error) {
	u, err := s.ResumableUpload(ctx, studio, id)
	if err != nil {
		return nil, nil, err
	}
	if offset != u.Received {
		return nil, nil, fmt.Errorf("gallery: append upload: %w: the upload is at byte %d, not %d", ErrConflict, u.Received, offset)
	}
	if err := s.storePart(ctx, u, r); err != nil {
		return nil, nil, fmt.Errorf("gallery: append upload: %w", err)
	}
	if u.Received < u.Size {
		return u, nil, nil
	}
	p, err := s.completeUpload(ctx, u, act)
	if err != nil {
		return nil, nil, fmt.Errorf("gallery: complete upload: %w", err)
	}
	return u, p, nil
}

// storePart writes one part and advances the upload, if no other request
// advanced it meanwhile. Clients send one request at a time per upload
// (tus has no parallel requests on one upload): two at once both write
// the same part and one is told ErrConflict; completion then checks the
// parts add up to the declared length.
func (s *Service) storePart(ctx context.Context, u *Upload, r io.Reader) error {
	key := partKey(u, u.Parts+1)
	in := &partReader{r: io.LimitReader(r, u.Size-u.Received+1), left: u.Size - u.Received, first: u.Received == 0}
	n, err := s.Blobs.Put(ctx, u.StudioID, key, in)
	if in.err != nil {
		err = in.err
	}
	if err == nil && n == 0 {
		err = invalid("body", "The request had no bytes of the file.")
	}
	if err == nil && in.first && int64(len(in.head)) >= min(sniffLen, u.Size) {
		err = s.checkFirstPart(u, in.head) // (a tinier first part: completion checks)
	}
	if err != nil {
		_ = s.Blobs.Delete(context.WithoutCancel(ctx), u.StudioID, key)
		if errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge) {
			s.dropUpload(ctx, u)
		}
		return err
	}
	err = s.InStudio(ctx, u.StudioID, func(tx *gorm.DB) error {
		res := tx.Model(&Upload{}).Where("studio_id = ? AND id = ? AND received = ? AND parts = ?", u.StudioID, u.ID, u.Received, u.Parts).
			Updates(map[string]any{"received": u.Received + n, "parts": u.Parts + 1, "expires_at": s.Now().Add(UploadTTL)})
		if res.Error == nil && res.RowsAffected == 0 {
			return fmt.Errorf("%w: another request sent these bytes; ask where the upload stands", ErrConflict)
		}
		return res.Error
	})
	if err != nil {
		return err
	}
	u.Received, u.Parts, u.ExpiresAt = u.Received+n, u.Parts+1, s.Now().Add(UploadTTL)
	return nil
}

// checkFirstPart refuses a kind that is not accepted, or a declared size
// over the limit of the file's kind, once the first bytes are known.
func (s *Service) checkFirstPart(u *Upload, head []byte) error {
	m, err := Sniff(head)
	if err != nil {
		return err
	}
	if limit := s.limits().maxBytes(m.Kind); u.Size > limit {
		return tooBig(m.Kind, limit)
	}
	return nil
}

// ErrBeyondLength refuses a request with more bytes than the upload has
// left to its declared length. It is an input error: nothing of the
// request is kept and the upload stays where it was.
var ErrBeyondLength error = &InputError{Field: "body", Message: "The request has more bytes than the upload's declared length."}

// partReader passes a request's bytes through, refusing more than the
// upload's declared length and keeping the first ones for sniffing.
type partReader struct {
	r     io.Reader
	left  int64
	first bool   // the upload's first part: keep its start
	head  []byte // the first sniffLen bytes of the file
	err   error
}

func (p *partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if p.left -= int64(n); p.left < 0 {
		p.err = ErrBeyondLength
		return 0, p.err
	}
	if keep := min(n, sniffLen-len(p.head)); p.first && keep > 0 {
		p.head = append(p.head, b[:keep]...)
	}
	return n, err
}

// completeUpload streams the parts, in order, through the same checks as
// Upload into the photo's original, then drops the upload.
func (s *Service) completeUpload(ctx context.Context, u *Upload, act Actor) (*Photo, error) {
	p := &Photo{ID: uuid.New(), StudioID: u.StudioID, AlbumID: u.AlbumID, FolderID: u.FolderID, Filename: u.Filename,
		Status: PhotoProcessing, CreatedAt: s.Now()}
	p.OriginalKey = originalKey(u.AlbumID, p.ID)
	parts := &partsReader{ctx: ctx, s: s, u: u}
	defer parts.Close()
	err := s.storeOriginal(ctx, p, parts)
	if err == nil && p.Size != u.Size {
		s.discard(ctx, p)
		err = fmt.Errorf("%w: the parts hold %d bytes, not %d; start the upload again", ErrConflict, p.Size, u.Size)
	}
	if err == nil {
		err = s.InStudio(ctx, u.StudioID, func(tx *gorm.DB) error {
			// The upload's row goes first: a Quota counting uploads in
			// progress by their length must not count this one twice.
			if err := tx.Delete(u).Error; err != nil {
				return err
			}
			if err := s.quota(func(q Quota) error { return q.AddBytes(ctx, tx, u.StudioID, p.Size) }); err != nil {
				return err
			}
			return s.insertPhoto(ctx, tx, p, act)
		})
		if err != nil {
			s.discard(ctx, p)
		}
	}
	// Done or refused, the parts have served.
	s.dropUpload(ctx, u)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// partsReader reads the parts one after the other, opening each only when
// it is reached.
type partsReader struct {
	ctx context.Context
	s   *Service
	u   *Upload
	n   int
	cur Object
}

func (r *partsReader) Read(b []byte) (int, error) {
	for {
		if r.cur == nil {
			if r.n == r.u.Parts {
				return 0, io.EOF
			}
			r.n++
			obj, err := r.s.Blobs.Open(r.ctx, r.u.StudioID, partKey(r.u, r.n))
			if err != nil {
				return 0, fmt.Errorf("part %d: %w", r.n, err)
			}
			r.cur = obj
		}
		n, err := r.cur.Read(b)
		if err == io.EOF {
			r.cur.Close()
			r.cur = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (r *partsReader) Close() {
	if r.cur != nil {
		r.cur.Close()
	}
}

// DeleteUpload abandons an upload (tus termination).
func (s *Service) DeleteUpload(ctx context.Context, studio, id uuid.UUID, act Actor) error {
	u, err := s.ResumableUpload(ctx, studio, id)
	if err != nil {
		return fmt.Errorf("gallery: delete upload: %w", err)
	}
	s.dropUpload(ctx, u)
	return nil
}

// dropUpload deletes an upload's row and parts; the expiry job deletes
// the parts again if the store fails now.
func (s *Service) dropUpload(ctx context.Context, u *Upload) {
	ctx = context.WithoutCancel(ctx)
	_ = s.InStudio(ctx, u.StudioID, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND id = ?", u.StudioID, u.ID).Delete(&Upload{}).Error
	})
	_ = s.Blobs.DeletePrefix(ctx, u.StudioID, u.ObjectKey)
}

// ExpireUploadArgs is the job, scheduled when an upload starts, that
// deletes it once it has waited UploadTTL for bytes.
type ExpireUploadArgs struct {
	StudioID uuid.UUID `json:"studio_id"`
	AlbumID  uuid.UUID `json:"album_id"` // to find the parts once the row is gone
	UploadID uuid.UUID `json:"upload_id"`
	At       time.Time `json:"at"`
}

// Kind names the job.
func (ExpireUploadArgs) Kind() string { return "gallery.expire_upload" }

// InsertOpts schedules the job for the upload's expiry.
func (a ExpireUploadArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{ScheduledAt: a.At, MaxAttempts: 10}
}

// ExpireUploadWorker works ExpireUploadArgs.
type ExpireUploadWorker struct {
	river.WorkerDefaults[ExpireUploadArgs]
	Gallery *Service
}

// Work deletes the upload if it has expired; an upload that received
// bytes since the job was scheduled expires later, and the job waits. An
// upload already completed or abandoned has lost its row, but its parts
// may have outlived a failed deletion then: they are deleted again.
func (w *ExpireUploadWorker) Work(ctx context.Context, job *river.Job[ExpireUploadArgs]) error {
	s, a := w.Gallery, job.Args
	var u Upload
	err := s.InStudio(ctx, a.StudioID, func(tx *gorm.DB) error {
		return tx.Where("studio_id = ? AND id = ?", a.StudioID, a.UploadID).Take(&u).Error
	})
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if a.AlbumID == uuid.Nil {
			return nil // a job from before album_id: nothing to find the parts by
		}
		return s.Blobs.DeletePrefix(ctx, a.StudioID, uploadPrefix(a.AlbumID, a.UploadID))
	}
	if err != nil {
		return fmt.Errorf("gallery: expire upload: %w", err)
	}
	if wait := u.ExpiresAt.Sub(s.Now()); wait > 0 {
		return river.JobSnooze(wait + time.Minute)
	}
	s.dropUpload(ctx, &u)
	return s.Blobs.DeletePrefix(ctx, a.StudioID, u.ObjectKey)
}
