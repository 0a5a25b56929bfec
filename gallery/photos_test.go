package gallery_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

func TestUploadStoresTheOriginalAndQueuesRenditions(t *testing.T) {
	e := newEnv(t)
	b := rotatedJPEG(t)
	p := e.upload(`C:\Users\ana\Desktop\IMG_0001.JPG`, b)
	sum := sha256.Sum256(b)
	if p.Filename != "IMG_0001.JPG" || p.Status != gallery.PhotoProcessing || p.Kind != gallery.KindImage ||
		p.MediaType != "image/jpeg" || p.Size != int64(len(b)) || !bytes.Equal(p.SHA256, sum[:]) {
		t.Fatalf("photo %+v", p)
	}
	if got := e.blobs.get(e.studio, "albums/"+e.album.ID.String()+"/"+p.ID.String()+"/original"); !bytes.Equal(got, b) {
		t.Fatalf("stored original: %d bytes, want the %d uploaded", len(got), len(b))
	}
	if n := e.jobs("gallery.render", "photo_id", p.ID.String()); n != 1 {
		t.Fatalf("%d render jobs queued", n)
	}
	var kind, name string
	err := e.ta.Superuser().QueryRow(e.ctx, `SELECT kind, detail->>'filename' FROM audit_log WHERE studio_id = $1 ORDER BY seq DESC LIMIT 1`, e.studio).Scan(&kind, &name)
	if err != nil || kind != "photo.upload" || name != "IMG_0001.JPG" {
		t.Fatalf("audit %q %q %v", kind, name, err)
	}
	progress, err := e.g.AlbumProgress(e.ctx, e.studio, e.album.ID)
	if err != nil || progress != (gallery.Progress{Total: 1, Processing: 1}) {
		t.Fatalf("progress %+v %v", progress, err)
	}
}

func TestUploadRecognisesFilesByContent(t *testing.T) {
	e := newEnv(t)
	face := loadFace(t, "img10.jpg", 400)
	for _, c := range []struct {
		name, kind, media string
		b                 []byte
	}{
		{"looks-like.txt", gallery.KindImage, "image/png", pngOf(t, face)}, // the name is not what counts
		{"a.webp", gallery.KindImage, "image/webp", webpOf(t, face)},
		{"a.tif", gallery.KindImage, "image/tiff", tiffOf(t, face)},
		{"a.heic", gallery.KindImage, "image/heic", heicOf(t, face)},
		{"a.pdf", gallery.KindDocument, "application/pdf", pdfWith(jpegOf(t, face), face.Width(), face.Height())},
		{"clip.mov", gallery.KindVideo, "video/quicktime", videoOf(t, "mov")},
		{"clip.mp4", gallery.KindVideo, "video/mp4", videoOf(t, "mp4")},
	} {
		p := e.upload(c.name, c.b)
		if p.Kind != c.kind || p.MediaType != c.media {
			t.Errorf("%s: kind %s, type %s; want %s, %s", c.name, p.Kind, p.MediaType, c.kind, c.media)
		}
	}
}

func TestUploadRefusals(t *testing.T) {
	e := newEnv(t, gallery.Limits{MaxImageBytes: 300 << 10})
	small := jpegOf(t, loadFace(t, "img10.jpg", 300))
	big := jpegOf(t, loadFace(t, "img1.jpg", 1800)) // well over 300 KB
	if len(big) <= 300<<10 || len(small) >= 300<<10 {
		t.Fatalf("fixture sizes %d, %d", len(small), len(big))
	}
	for _, c := range []struct {
		name   string
		b      []byte
		target error
		says   string
	}{
		{"notes.jpg", []byte("Shot list: ceremony, family, first dance.\n"), gallery.ErrUnsupported, "JPEG, PNG, WebP, HEIC/HEIF, TIFF, MP4, MOV and PDF"},
		{"empty.jpg", nil, gallery.ErrUnsupported, "empty"},
		{"page.html", []byte("<!doctype html><html><body>hi</body></html>"), gallery.ErrUnsupported, "not accepted"},
		{"big.jpg", big, gallery.ErrTooLarge, "at most 300 KB"},
		{"bomb.png", bombPNG(50000, 50000), gallery.ErrTooLarge, "50000 × 50000 pixels"},
	} {
		_, err := e.g.Upload(e.ctx, e.studio, e.album.ID, e.folder, c.name, bytes.NewReader(c.b), e.act)
		var fe *gallery.FileError
		if !errors.Is(err, c.target) || !errors.As(err, &fe) || !strings.Contains(fe.Message, c.says) {
			t.Errorf("%s: %v; want %v saying %q", c.name, err, c.target, c.says)
		}
	}
	// Nothing of the refused files stayed in the store, although it was
	// given (part of) their bytes, and no row or job was made.
	if keys := e.blobs.keys(e.studio, "albums/"); len(keys) != 0 || e.blobs.puts < 4 {
		t.Fatalf("objects left %v after %d puts", keys, e.blobs.puts)
	}
	if photos, _ := e.g.Photos(e.ctx, e.studio, e.album.ID, uuid.Nil); len(photos) != 0 {
		t.Fatalf("%d photos after refusals", len(photos))
	}
	if p := e.upload("small.jpg", small); p.Size != int64(len(small)) {
		t.Fatalf("small file: %+v", p)
	}
}

func TestOversizeIsRefusedMidStream(t *testing.T) {
	e := newEnv(t, gallery.Limits{MaxImageBytes: 64 << 10})
	// An endless JPEG: the upload must stop at the limit, not read it all.
	endless := io.MultiReader(bytes.NewReader([]byte{0xFF, 0xD8, 0xFF, 0xE0}), neverEnding('x'))
	_, err := e.g.Upload(e.ctx, e.studio, e.album.ID, e.folder, "endless.jpg", endless, e.act)
	if !errors.Is(err, gallery.ErrTooLarge) {
		t.Fatalf("endless upload: %v", err)
	}
	if keys := e.blobs.keys(e.studio, "albums/"); len(keys) != 0 {
		t.Fatalf("partial object left: %v", keys)
	}
	// A reader failing half-way (a dropped connection) leaves nothing either.
	b := jpegOf(t, loadFace(t, "img10.jpg", 400))
	broken := iotest.TimeoutReader(iotest.HalfReader(bytes.NewReader(b)))
	if _, err := e.g.Upload(e.ctx, e.studio, e.album.ID, e.folder, "broken.jpg", broken, e.act); err == nil {
		t.Fatal("broken upload accepted")
	}
	if keys := e.blobs.keys(e.studio, "albums/"); len(keys) != 0 {
		t.Fatalf("partial object left: %v", keys)
	}
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestDuplicateInAnAlbumIsRefused(t *testing.T) {
	e := newEnv(t)
	b := jpegOf(t, loadFace(t, "img10.jpg", 400))
	first := e.upload("DSC_1000.jpg", b)
	_, err := e.g.Upload(e.ctx, e.studio, e.album.ID, e.folder, "copy of DSC_1000.jpg", bytes.NewReader(b), e.act)
	var fe *gallery.FileError
	if !errors.Is(err, gallery.ErrDuplicate) || !errors.As(err, &fe) || !strings.Contains(fe.Message, "DSC_1000.jpg") {
		t.Fatalf("duplicate: %v", err)
	}
	// Only the first file's objects remain.
	keys := e.blobs.keys(e.studio, "albums/")
	if len(keys) != 1 || !strings.Contains(keys[0], first.ID.String()) {
		t.Fatalf("objects %v", keys)
	}
	// Another album may hold the same file.
	other, folder := e.newAlbum("Reception")
	if _, err := e.g.Upload(e.ctx, e.studio, other.ID, folder, "DSC_1000.jpg", bytes.NewReader(b), e.act); err != nil {
		t.Fatalf("same file in another album: %v", err)
	}
}

func TestUploadChecksAlbumFolderAndName(t *testing.T) {
	e := newEnv(t)
	b := jpegOf(t, loadFace(t, "img10.jpg", 200))
	other := e.ta.NewStudio("Other")
	otherAlbum, otherFolder := e.newAlbum("Second")
	for name, c := range map[string]struct {
		studio, album, folder uuid.UUID
		filename              string
		target                error
	}{
		"another studio":           {other.StudioID, e.album.ID, e.folder, "a.jpg", gallery.ErrNotFound},
		"folder of another album":  {e.studio, e.album.ID, otherFolder, "a.jpg", gallery.ErrNotFound},
		"album that does not fit":  {e.studio, otherAlbum.ID, e.folder, "a.jpg", gallery.ErrNotFound},
		"no name":                  {e.studio, e.album.ID, e.folder, "  ", gallery.ErrInvalidInput},
		"a path with no file name": {e.studio, e.album.ID, e.folder, "photos/", gallery.ErrInvalidInput},
		"control characters":       {e.studio, e.album.ID, e.folder, "a\x00b.jpg", gallery.ErrInvalidInput},
		"too long":                 {e.studio, e.album.ID, e.folder, strings.Repeat("x", 252) + ".jpg", gallery.ErrInvalidInput},
	} {
		_, err := e.g.Upload(e.ctx, c.studio, c.album, c.folder, c.filename, bytes.NewReader(b), e.act)
		if !errors.Is(err, c.target) {
			t.Errorf("%s: %v, want %v", name, err, c.target)
		}
	}
	if keys := e.blobs.keys(e.studio, ""); len(keys) != 0 {
		t.Fatalf("objects stored for refused uploads: %v", keys)
	}
}

func TestPhotosListMoveAndDelete(t *testing.T) {
	e := newEnv(t)
	face := loadFace(t, "img10.jpg", 300)
	a := e.upload("a.jpg", jpegOf(t, face))
	b := e.upload("b.png", pngOf(t, face))
	extras, err := e.g.CreateFolder(e.ctx, e.studio, e.album.ID, gallery.FolderInput{Name: ptr("Extras")}, e.act)
	if err != nil {
		t.Fatal(err)
	}
	c := e.upload("c.webp", webpOf(t, face))
	if b.Position != a.Position+1 {
		t.Fatalf("positions %d, %d", a.Position, b.Position)
	}

	moved, err := e.g.MovePhoto(e.ctx, e.studio, e.album.ID, a.ID, extras.ID, e.act)
	if err != nil || moved.FolderID != extras.ID {
		t.Fatalf("move: %+v %v", moved, err)
	}
	if _, err := e.g.MovePhoto(e.ctx, e.studio, e.album.ID, b.ID, uuid.New(), e.act); !errors.Is(err, gallery.ErrInvalidInput) {
		t.Fatalf("move to no folder: %v", err)
	}
	names := func(folder uuid.UUID) string {
		ps, err := e.g.Photos(e.ctx, e.studio, e.album.ID, folder)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Filename)
		}
		return strings.Join(out, ",")
	}
	if got := names(e.folder); got != "b.png,c.webp" {
		t.Fatalf("first folder %q", got)
	}
	if got := names(extras.ID); got != "a.jpg" {
		t.Fatalf("extras %q", got)
	}
	if got := names(uuid.Nil); got != "b.png,c.webp,a.jpg" {
		t.Fatalf("album %q", got)
	}

	// Delete the cover photo: row, objects and cover go; a cleanup job is
	// queued in case the store had failed.
	e.render(c)
	if err := e.g.SetCover(e.ctx, e.studio, e.album.ID, c.ID, e.act); err != nil {
		t.Fatal(err)
	}
	if len(e.blobs.keys(e.studio, "albums/"+e.album.ID.String()+"/"+c.ID.String()+"/")) != 3 {
		t.Fatal("rendered photo lacks its objects")
	}
	if err := e.g.DeletePhoto(e.ctx, e.studio, e.album.ID, c.ID, e.act); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.Photo(e.ctx, e.studio, e.album.ID, c.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("deleted photo: %v", err)
	}
	if keys := e.blobs.keys(e.studio, "albums/"+e.album.ID.String()+"/"+c.ID.String()+"/"); len(keys) != 0 {
		t.Fatalf("objects left %v", keys)
	}
	if al, _ := e.g.Album(e.ctx, e.studio, e.album.ID); al.CoverPhotoID != nil {
		t.Fatalf("cover still %v", al.CoverPhotoID)
	}
	if e.jobs("gallery.delete_blobs", "prefix", "albums/"+e.album.ID.String()+"/"+c.ID.String()+"/") != 1 {
		t.Fatal("no cleanup job")
	}

	// Another studio sees none of it.
	other := e.ta.NewStudio("Other")
	if _, err := e.g.Photo(e.ctx, other.StudioID, e.album.ID, a.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("photo from another studio: %v", err)
	}
	if _, err := e.g.Photos(e.ctx, other.StudioID, e.album.ID, uuid.Nil); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("photos from another studio: %v", err)
	}
	if err := e.g.DeletePhoto(e.ctx, other.StudioID, e.album.ID, a.ID, apptest.Actor(other)); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("delete from another studio: %v", err)
	}
	if _, err := e.g.MovePhoto(e.ctx, other.StudioID, e.album.ID, a.ID, e.folder, apptest.Actor(other)); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("move from another studio: %v", err)
	}
	if _, err := e.g.AlbumProgress(e.ctx, other.StudioID, e.album.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("progress from another studio: %v", err)
	}
	if len(e.blobs.get(e.studio, a.OriginalKey)) == 0 {
		t.Fatal("another studio's attempts removed an object")
	}
}

func TestDeleteAlbumRemovesRowsAtOnceAndObjectsByJob(t *testing.T) {
	e := newEnv(t)
	face := loadFace(t, "img10.jpg", 300)
	p := e.render(e.upload("a.jpg", jpegOf(t, face)))
	keep, keepFolder := e.newAlbum("Keep")
	kept, err := e.g.Upload(e.ctx, e.studio, keep.ID, keepFolder, "k.jpg", bytes.NewReader(pngOf(t, face)), e.act)
	if err != nil {
		t.Fatal(err)
	}

	if err := e.g.DeleteAlbum(e.ctx, e.studio, e.album.ID, e.act); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.Album(e.ctx, e.studio, e.album.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("album: %v", err)
	}
	var rows int
	if err := e.ta.Superuser().QueryRow(e.ctx, `SELECT count(*) FROM photos WHERE album_id = $1`, e.album.ID).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d photo rows left, %v", rows, err)
	}
	prefix := "albums/" + e.album.ID.String() + "/"
	if e.jobs("gallery.delete_blobs", "prefix", prefix) != 1 {
		t.Fatal("no job to delete the objects")
	}
	if len(e.blobs.keys(e.studio, prefix)) == 0 {
		t.Fatal("objects gone before the job ran") // the request does not wait for them
	}

	w := &gallery.DeleteBlobsWorker{Gallery: e.g}
	if err := w.Work(e.ctx, deleteJob(e.studio, prefix)); err != nil {
		t.Fatal(err)
	}
	if keys := e.blobs.keys(e.studio, prefix); len(keys) != 0 {
		t.Fatalf("objects left: %v", keys)
	}
	if e.blobs.get(e.studio, kept.OriginalKey) == nil {
		t.Fatal("the other album's original went too")
	}
	// A render job that was still queued finds nothing to do.
	if err := e.work(p.ID, 1); err != nil {
		t.Fatalf("render of a deleted photo: %v", err)
	}
	// The job refuses a prefix wider than one album.
	for _, bad := range []string{"", "albums/", "albums", "studios/x/"} {
		if err := w.Work(e.ctx, deleteJob(e.studio, bad)); err == nil {
			t.Errorf("prefix %q accepted", bad)
		}
	}
	if e.blobs.get(e.studio, kept.OriginalKey) == nil {
		t.Fatal("a refused prefix deleted objects")
	}
}
