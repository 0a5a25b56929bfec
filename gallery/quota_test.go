package gallery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/gallery"
)

// errPlan stands in for the app's limit error.
var errPlan = errors.New("plan limit reached")

// recordingQuota notes every question, checks it is asked inside the
// write's own transaction (the studio's RLS setting is on tx), and answers
// with refuse.
type recordingQuota struct {
	t      *testing.T
	studio uuid.UUID
	refuse error
	calls  []string
}

func (q *recordingQuota) ask(tx *gorm.DB, studio uuid.UUID, call string) error {
	q.t.Helper()
	var in string
	if err := tx.Raw("SELECT current_setting('app.studio_id', true)").Scan(&in).Error; err != nil || in != studio.String() || studio != q.studio {
		q.t.Errorf("%s asked outside the studio's transaction: %q %v", call, in, err)
	}
	q.calls = append(q.calls, call)
	return q.refuse
}

func (q *recordingQuota) AddAlbum(_ context.Context, tx *gorm.DB, studio uuid.UUID) error {
	return q.ask(tx, studio, "album")
}

func (q *recordingQuota) AddFolder(_ context.Context, tx *gorm.DB, studio uuid.UUID) error {
	return q.ask(tx, studio, "folder")
}

func (q *recordingQuota) AddBytes(_ context.Context, tx *gorm.DB, studio uuid.UUID, n int64) error {
	return q.ask(tx, studio, fmt.Sprintf("bytes %d", n))
}

// additions makes one of everything the Quota guards: an album, a folder,
// a one-request upload and a resumable one, and returns the first error.
func additions(e *env, g *gallery.Service, file []byte) error {
	title, name := "Kapoor engagement", "Reception"
	if _, err := g.CreateAlbum(e.ctx, e.studio, gallery.AlbumInput{Title: &title}, e.act); err != nil {
		return err
	}
	if _, err := g.CreateFolder(e.ctx, e.studio, e.album.ID, gallery.FolderInput{Name: &name}, e.act); err != nil {
		return err
	}
	if _, err := g.Upload(e.ctx, e.studio, e.album.ID, e.folder, "IMG_1.jpg", bytes.NewReader(file), e.act); err != nil {
		return err
	}
	u, err := g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, "IMG_2.jpg", int64(len(file)+1), e.act)
	if err != nil {
		return err
	}
	_, _, err = g.AppendUpload(e.ctx, e.studio, u.ID, 0, bytes.NewReader(withExtra(file, 0xd9)), e.act)
	return err
}

// A nil Quota limits nothing, and one that allows everything changes
// nothing either: it is asked once per addition, inside the addition's
// transaction, with the bytes each upload will keep.
func TestQuotaNilAndAllowingLimitNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		quota bool
	}{{"nil", false}, {"allowing", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			file := jpegOf(t, loadFace(t, "img2.jpg", 400))
			d := e.g.Deps
			var q *recordingQuota
			if tc.quota {
				q = &recordingQuota{t: t, studio: e.studio}
				d.Quota = q
			}
			g := gallery.New(d)
			if err := additions(e, g, file); err != nil {
				t.Fatal(err)
			}
			albums, err := g.Albums(e.ctx, e.studio)
			if err != nil || len(albums) != 2 {
				t.Fatalf("%d albums, want 2: %v", len(albums), err)
			}
			photos, err := g.Photos(e.ctx, e.studio, e.album.ID, e.folder)
			if err != nil || len(photos) != 2 {
				t.Fatalf("%d photos, want 2: %v", len(photos), err)
			}
			if q == nil {
				return
			}
			size, declared := int64(len(file)), int64(len(file)+1)
			want := []string{"album", "folder", "bytes 1", fmt.Sprintf("bytes %d", size), fmt.Sprintf("bytes %d", declared), fmt.Sprintf("bytes %d", declared)}
			if !slices.Equal(q.calls, want) {
				t.Fatalf("asked %q, want %q", q.calls, want)
			}
		})
	}
}

// A refusal rolls the addition back and stores nothing: no row, no object,
// no upload in progress; the refusal is returned (wrapped) as it came.
func TestQuotaRefusalStoresNothing(t *testing.T) {
	e := newEnv(t)
	file := jpegOf(t, loadFace(t, "img2.jpg", 400))
	q := &recordingQuota{t: t, studio: e.studio, refuse: errPlan}
	d := e.g.Deps
	d.Quota = q
	g := gallery.New(d)
	title, name := "Kapoor engagement", "Reception"
	for _, tc := range []struct {
		name string
		add  func() error
	}{
		{"album", func() error {
			_, err := g.CreateAlbum(e.ctx, e.studio, gallery.AlbumInput{Title: &title}, e.act)
			return err
		}},
		{"folder", func() error {
			_, err := g.CreateFolder(e.ctx, e.studio, e.album.ID, gallery.FolderInput{Name: &name}, e.act)
			return err
		}},
		{"upload", func() error {
			_, err := g.Upload(e.ctx, e.studio, e.album.ID, e.folder, "IMG_1.jpg", bytes.NewReader(file), e.act)
			return err
		}},
		{"resumable upload", func() error {
			_, err := g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, "IMG_2.jpg", int64(len(file)), e.act)
			return err
		}},
	} {
		if err := tc.add(); !errors.Is(err, errPlan) {
			t.Errorf("%s: %v, want the Quota's refusal", tc.name, err)
		}
	}
	albums, _ := g.Albums(e.ctx, e.studio)
	folders, _ := g.Folders(e.ctx, e.studio, e.album.ID)
	photos, _ := g.Photos(e.ctx, e.studio, e.album.ID, e.folder)
	if len(albums) != 1 || len(folders) != 1 || len(photos) != 0 {
		t.Fatalf("%d albums, %d folders, %d photos after refusals, want 1, 1, 0", len(albums), len(folders), len(photos))
	}
	if keys := e.blobs.keys(e.studio, ""); len(keys) != 0 {
		t.Fatalf("objects stored: %v", keys)
	}
	var uploads int64
	if err := e.ta.DB.InStudio(e.ctx, e.studio, func(tx *gorm.DB) error {
		return tx.Table("uploads").Where("studio_id = ?", e.studio).Count(&uploads).Error
	}); err != nil || uploads != 0 {
		t.Fatalf("%d uploads in progress: %v", uploads, err)
	}
}

// A file that streamed in past the precheck and is refused when its photo
// is made (its size did not fit) leaves no object behind, in one request
// or resumable.
func TestQuotaRefusalAfterStreamingDeletesTheBytes(t *testing.T) {
	e := newEnv(t)
	file := jpegOf(t, loadFace(t, "img2.jpg", 400))
	q := &sizeQuota{max: int64(len(file)) - 1}
	d := e.g.Deps
	d.Quota = q
	g := gallery.New(d)
	if _, err := g.Upload(e.ctx, e.studio, e.album.ID, e.folder, "IMG_1.jpg", bytes.NewReader(file), e.act); !errors.Is(err, errPlan) {
		t.Fatalf("upload: %v, want the refusal", err)
	}
	q.max = int64(len(file)) // the declared length fits; the file is a byte longer
	u, err := g.CreateUpload(e.ctx, e.studio, e.album.ID, e.folder, "IMG_2.jpg", int64(len(file)), e.act)
	if err != nil {
		t.Fatal(err)
	}
	q.max-- // a downgrade while the bytes were on their way
	if _, _, err := g.AppendUpload(e.ctx, e.studio, u.ID, 0, bytes.NewReader(file), e.act); !errors.Is(err, errPlan) {
		t.Fatalf("completion: %v, want the refusal", err)
	}
	if keys := e.blobs.keys(e.studio, ""); len(keys) != 0 {
		t.Fatalf("objects left: %v", keys)
	}
	if photos, _ := g.Photos(e.ctx, e.studio, e.album.ID, e.folder); len(photos) != 0 {
		t.Fatalf("%d photos", len(photos))
	}
}

// sizeQuota allows any album or folder and uploads of at most max bytes.
type sizeQuota struct{ max int64 }

func (sizeQuota) AddAlbum(context.Context, *gorm.DB, uuid.UUID) error  { return nil }
func (sizeQuota) AddFolder(context.Context, *gorm.DB, uuid.UUID) error { return nil }
func (q *sizeQuota) AddBytes(_ context.Context, _ *gorm.DB, _ uuid.UUID, n int64) error {
	if n > q.max {
		return errPlan
	}
	return nil
}
