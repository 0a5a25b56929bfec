package gallery_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/proofsheet/proofsheet/gallery"
)

func TestResumableUploadInParts(t *testing.T) {
	e := newEnv(t)
	file := jpegOf(t, loadFace(t, "img2.jpg", 800))
	u, err := e.g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, "IMG_2001.jpg", int64(len(file)), e.act)
	if err != nil {
		t.Fatal(err)
	}
	if e.jobs("gallery.expire_upload", "upload_id", u.ID.String()) != 1 {
		t.Fatal("no expiry job")
	}
	third := len(file) / 3
	send := func(offset int, b []byte) (*gallery.Upload, *gallery.Photo, error) {
		return e.g.AppendUpload(e.ctx, e.studio, u.ID, int64(offset), bytes.NewReader(b), e.act)
	}

	if _, p, err := send(0, file[:third]); err != nil || p != nil {
		t.Fatalf("part 1: %v %v", p, err)
	}
	// A request cut short stores nothing: the client resends from the
	// offset the upload reports.
	cut := iotest.TimeoutReader(iotest.HalfReader(bytes.NewReader(file[third : 2*third])))
	if _, _, err := e.g.AppendUpload(e.ctx, e.studio, u.ID, int64(third), cut, e.act); err == nil {
		t.Fatal("a cut request succeeded")
	}
	got, err := e.g.ResumableUpload(e.ctx, e.studio, u.ID)
	if err != nil || got.Received != int64(third) {
		t.Fatalf("after the cut: %+v %v", got, err)
	}
	if _, _, err := send(0, file[:third]); !errors.Is(err, gallery.ErrConflict) {
		t.Fatalf("stale offset: %v", err)
	}
	if _, _, err := send(third, file[third:2*third]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := send(2*third, withExtra(file[2*third:], 'x')); !errors.Is(err, gallery.ErrInvalidInput) {
		t.Fatalf("more bytes than declared: %v", err)
	}
	_, p, err := send(2*third, file[2*third:])
	if err != nil || p == nil {
		t.Fatalf("last part: %v %v", p, err)
	}

	if p.Filename != "IMG_2001.jpg" || p.Size != int64(len(file)) || !bytes.Equal(p.SHA256, sha256Of(file)) || p.Status != gallery.PhotoProcessing {
		t.Fatalf("photo %+v", p)
	}
	if !bytes.Equal(e.blobs.get(e.studio, p.OriginalKey), file) {
		t.Fatal("the original is not the file")
	}
	if keys := e.blobs.keys(e.studio, "albums/"+e.album.ID.String()+"/uploads/"); len(keys) != 0 {
		t.Fatalf("parts left: %v", keys)
	}
	if _, err := e.g.ResumableUpload(e.ctx, e.studio, u.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("finished upload: %v", err)
	}
	if e.jobs("gallery.render", "photo_id", p.ID.String()) != 1 {
		t.Fatal("no render job")
	}
	if r := e.render(p); r.Status != gallery.PhotoReady {
		t.Fatalf("render: %s %s", r.Status, r.Failure)
	}
}

func withExtra(b []byte, extra byte) []byte { return append(append([]byte{}, b...), extra) }

func TestResumableUploadRefusals(t *testing.T) {
	e := newEnv(t, gallery.Limits{MaxImageBytes: 1 << 20})
	jpeg := jpegOf(t, loadFace(t, "img10.jpg", 300))
	start := func(name string, size int) *gallery.Upload {
		u, err := e.g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, name, int64(size), e.act)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return u
	}
	gone := func(name string, u *gallery.Upload) {
		if _, err := e.g.ResumableUpload(e.ctx, e.studio, u.ID); !errors.Is(err, gallery.ErrNotFound) {
			t.Errorf("%s: upload still there: %v", name, err)
		}
		if keys := e.blobs.keys(e.studio, "albums/"+e.album.ID.String()+"/uploads/"+u.ID.String()); len(keys) != 0 {
			t.Errorf("%s: parts left %v", name, keys)
		}
	}

	// Refused by the first bytes: the upload ends at once.
	text := start("notes.jpg", 5000)
	_, _, err := e.g.AppendUpload(e.ctx, e.studio, text.ID, 0, strings.NewReader(strings.Repeat("not a photo ", 100)), e.act)
	if !errors.Is(err, gallery.ErrUnsupported) {
		t.Fatalf("text: %v", err)
	}
	gone("text", text)

	// A JPEG declared larger than images may be (videos may be larger).
	huge := start("huge.jpg", 5<<20)
	_, _, err = e.g.AppendUpload(e.ctx, e.studio, huge.ID, 0, bytes.NewReader(jpeg), e.act)
	if !errors.Is(err, gallery.ErrTooLarge) {
		t.Fatalf("huge: %v", err)
	}
	gone("huge", huge)

	// Larger than anything may be: refused before any byte.
	if _, err := e.g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, "x.mov", 3<<30, e.act); !errors.Is(err, gallery.ErrTooLarge) {
		t.Fatalf("3 GB: %v", err)
	}

	// A duplicate is refused when it completes, and its parts go.
	e.upload("first.jpg", jpeg)
	dup := start("again.jpg", len(jpeg))
	if _, _, err := e.g.AppendUpload(e.ctx, e.studio, dup.ID, 0, bytes.NewReader(jpeg), e.act); !errors.Is(err, gallery.ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	gone("duplicate", dup)

	// Abandoned by the client.
	quit := start("quit.jpg", len(jpeg))
	if _, _, err := e.g.AppendUpload(e.ctx, e.studio, quit.ID, 0, bytes.NewReader(jpeg[:1000]), e.act); err != nil {
		t.Fatal(err)
	}
	if err := e.g.DeleteUpload(e.ctx, e.studio, quit.ID, e.act); err != nil {
		t.Fatal(err)
	}
	gone("abandoned", quit)

	// Another studio cannot see or feed an upload.
	mine := start("mine.jpg", len(jpeg))
	other := e.ta.NewStudio("Other")
	if _, err := e.g.ResumableUpload(e.ctx, other.StudioID, mine.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("another studio reads: %v", err)
	}
	if _, _, err := e.g.AppendUpload(e.ctx, other.StudioID, mine.ID, 0, bytes.NewReader(jpeg), e.act); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("another studio appends: %v", err)
	}
	if err := e.g.DeleteUpload(e.ctx, other.StudioID, mine.ID, e.act); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("another studio deletes: %v", err)
	}
	if _, err := e.g.CreateUpload(e.ctx, other.StudioID, e.album.ID, e.folder, "x.jpg", 10, e.act); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("another studio's album: %v", err)
	}
}

func TestUnfinishedUploadsExpire(t *testing.T) {
	e := newEnv(t)
	jpeg := jpegOf(t, loadFace(t, "img10.jpg", 300))
	u, err := e.g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, "slow.jpg", int64(len(jpeg)), e.act)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.g.AppendUpload(e.ctx, e.studio, u.ID, 0, bytes.NewReader(jpeg[:2000]), e.act); err != nil {
		t.Fatal(err)
	}
	job := &river.Job[gallery.ExpireUploadArgs]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10},
		Args:   gallery.ExpireUploadArgs{StudioID: e.studio, UploadID: u.ID, At: u.ExpiresAt},
	}
	// Not yet expired (bytes arrived since): the job waits.
	w := &gallery.ExpireUploadWorker{Gallery: e.g}
	var snooze *river.JobSnoozeError
	if err := w.Work(e.ctx, job); !errors.As(err, &snooze) {
		t.Fatalf("early: %v", err)
	}
	// A day later the upload is gone, to the client and in the store.
	d := e.g.Deps
	d.Now = func() time.Time { return time.Now().Add(gallery.UploadTTL + time.Hour) }
	later := gallery.New(d)
	if _, _, err := later.AppendUpload(e.ctx, e.studio, u.ID, 2000, bytes.NewReader(jpeg[2000:]), e.act); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("append after expiry: %v", err)
	}
	if err := (&gallery.ExpireUploadWorker{Gallery: later}).Work(e.ctx, job); err != nil {
		t.Fatal(err)
	}
	if keys := e.blobs.keys(e.studio, "albums/"+e.album.ID.String()+"/uploads/"); len(keys) != 0 {
		t.Fatalf("parts left: %v", keys)
	}
	var n int
	if err := e.ta.Superuser().QueryRow(e.ctx, `SELECT count(*) FROM uploads WHERE id = $1`, u.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows, %v", n, err)
	}
}

// Parts that outlived their upload (the store failed when it completed
// or was abandoned) are deleted by the upload's expiry job, which knows
// the album to find them by though the row is gone.
func TestExpiryJobDeletesPartsLeftBehind(t *testing.T) {
	e := newEnv(t)
	jpeg := jpegOf(t, loadFace(t, "img10.jpg", 300))
	u, err := e.g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, "done.jpg", int64(len(jpeg)), e.act)
	if err != nil {
		t.Fatal(err)
	}
	if e.jobs("gallery.expire_upload", "album_id", e.album.ID.String()) != 1 {
		t.Fatal("the expiry job does not name the album")
	}
	if _, p, err := e.g.AppendUpload(e.ctx, e.studio, u.ID, 0, bytes.NewReader(jpeg), e.act); err != nil || p == nil {
		t.Fatalf("complete: %v %v", p, err)
	}
	left := "albums/" + e.album.ID.String() + "/uploads/" + u.ID.String() + "/part-000001"
	if _, err := e.blobs.Put(e.ctx, e.studio, left, strings.NewReader("orphan")); err != nil {
		t.Fatal(err)
	}
	job := &river.Job[gallery.ExpireUploadArgs]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10},
		Args:   gallery.ExpireUploadArgs{StudioID: e.studio, AlbumID: e.album.ID, UploadID: u.ID, At: u.ExpiresAt},
	}
	if err := (&gallery.ExpireUploadWorker{Gallery: e.g}).Work(e.ctx, job); err != nil {
		t.Fatal(err)
	}
	if keys := e.blobs.keys(e.studio, "albums/"+e.album.ID.String()+"/uploads/"); len(keys) != 0 {
		t.Fatalf("parts left: %v", keys)
	}
	if got := e.g.MaxUploadSize(); got != gallery.DefaultMaxVideoBytes {
		t.Fatalf("max upload size %d", got)
	}
}
