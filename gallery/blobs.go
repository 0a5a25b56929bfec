package gallery

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// Blobs is the encrypted object store as the gallery needs it. Objects
// belong to a studio (each studio has its own data key); keys are paths
// like "albums/<album>/<photo>/original".
//
// Put stores everything r yields under key, replacing any object there,
// and returns the number of bytes stored. When r fails, Put fails with an
// error that wraps r's; what was stored so far may remain and the caller
// deletes it.
//
// Open of a missing key returns an error matching ErrNotFound. Delete of a
// missing key, and DeletePrefix of a prefix with nothing under it, are not
// errors.
type Blobs interface {
	Put(ctx context.Context, studio uuid.UUID, key string, r io.Reader) (int64, error)
	Open(ctx context.Context, studio uuid.UUID, key string) (Object, error)
	Delete(ctx context.Context, studio uuid.UUID, key string) error
	DeletePrefix(ctx context.Context, studio uuid.UUID, prefix string) error
}

// Object is a stored object, decrypted as it is read; Seek makes range
// requests and ffmpeg's seeking cheap.
type Object interface {
	io.ReadSeekCloser
	Size() int64
}

// Object keys. Everything of an album lives under albumPrefix, so deleting
// an album wipes its objects by prefix.
func albumPrefix(album uuid.UUID) string { return "albums/" + album.String() + "/" }

func photoPrefix(album, photo uuid.UUID) string {
	return albumPrefix(album) + photo.String() + "/"
}

func originalKey(album, photo uuid.UUID) string { return photoPrefix(album, photo) + "original" }
func thumbKey(album, photo uuid.UUID) string    { return photoPrefix(album, photo) + "thumb.jpg" }
func previewKey(album, photo uuid.UUID) string  { return photoPrefix(album, photo) + "preview.jpg" }
func guestPreviewKey(album, photo uuid.UUID) string {
	return photoPrefix(album, photo) + "preview-wm.jpg"
}

// GuestPreviewKey is the preview a guest of album a is served: the
// watermarked variant when the album has a watermark, the photographer's
// preview otherwise. Right after a watermark is first set, the variant
// may not exist until RerenderAlbum's jobs finish: serve nothing then,
// never the clean preview. Empty until the photo is rendered.
func (p *Photo) GuestPreviewKey(a *Album) string {
	switch {
	case p.PreviewKey == "":
		return ""
	case a.Watermark != nil:
		return guestPreviewKey(p.AlbumID, p.ID)
	default:
		return p.PreviewKey
	}
}

// DeleteBlobsArgs is the job that deletes every object under a prefix of
// an album, after its rows are gone.
type DeleteBlobsArgs struct {
	StudioID uuid.UUID `json:"studio_id"`
	Prefix   string    `json:"prefix"`
}

// Kind names the job.
func (DeleteBlobsArgs) Kind() string { return "gallery.delete_blobs" }

// InsertOpts retries a failing store for a while: orphaned objects of a
// deleted album are a privacy problem, not just wasted space.
func (DeleteBlobsArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

// DeleteBlobsWorker works DeleteBlobsArgs.
type DeleteBlobsWorker struct {
	river.WorkerDefaults[DeleteBlobsArgs]
	Gallery *Service
}

// Timeout allows for albums of many thousands of objects.
func (w *DeleteBlobsWorker) Timeout(*river.Job[DeleteBlobsArgs]) time.Duration {
	return 30 * time.Minute
}

// Work deletes the objects; deleting what is already gone is fine, so a
// retry after a partial run is safe.
func (w *DeleteBlobsWorker) Work(ctx context.Context, job *river.Job[DeleteBlobsArgs]) error {
	p := job.Args.Prefix
	// Never more than one album's objects, whatever the job row says.
	if !strings.HasPrefix(p, "albums/") || !strings.HasSuffix(p, "/") || len(p) < len("albums/")+36+1 {
		return river.JobCancel(fmt.Errorf("gallery: delete blobs: refusing prefix %q", p))
	}
	if err := w.Gallery.Blobs.DeletePrefix(ctx, job.Args.StudioID, p); err != nil {
		return fmt.Errorf("gallery: delete blobs %s: %w", p, err)
	}
	return nil
}
