package gallery_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

func TestZipLengthIsExact(t *testing.T) {
	blobs := map[string][]byte{}
	z := &gallery.Zip{Name: "a.zip"}
	for i, size := range []int{0, 1, 4096, 1<<20 + 17, 3 << 20} {
		b := make([]byte, size)
		_, _ = rand.Read(b)
		key := string(rune('a' + i))
		blobs[key] = b
		z.Entries = append(z.Entries, gallery.ZipEntry{Name: "Folder/IMG_" + key + ".jpg", Key: key, Size: int64(size),
			CRC32: crc32.ChecksumIEEE(b), Modified: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)})
	}
	want, err := z.Size()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	open := func(_ context.Context, key string) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(blobs[key])), nil
	}
	if err := z.WriteTo(context.Background(), &buf, open); err != nil {
		t.Fatal(err)
	}
	if int64(buf.Len()) != want {
		t.Fatalf("Size() = %d, wrote %d", want, buf.Len())
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range zr.File {
		if f.Method != zip.Store {
			t.Errorf("%s: method %d", f.Name, f.Method)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r) // checks the CRC too
		if err != nil || !bytes.Equal(got, blobs[z.Entries[i].Key]) {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}
	// A blob shorter than planned fails instead of sending a corrupt zip.
	blobs["b"] = blobs["b"][:0]
	if err := z.WriteTo(context.Background(), io.Discard, open); err == nil {
		t.Fatal("short blob not noticed")
	}
}

func TestGuestZipFollowsTheRules(t *testing.T) {
	s := share(t)
	ctx := context.Background()
	main := s.firstFolder(t)
	locked, _ := s.ta.Gallery.CreateFolder(ctx, s.studio, s.album.ID, gallery.FolderInput{Name: ptr("Raw"), DownloadLocked: ptr(true)}, s.act)
	hidden, _ := s.ta.Gallery.CreateFolder(ctx, s.studio, s.album.ID, gallery.FolderInput{Name: ptr("Private"), Hidden: ptr(true)}, s.act)
	s.addPhotos(t, main.ID, 3)
	s.addPhotos(t, locked.ID, 2)
	s.addPhotos(t, hidden.ID, 2)
	g := s.guest(t, "2468", "Priya")

	_, err := s.ta.Gallery.GuestZip(ctx, g, nil, gallery.DownloadOriginal)
	if !errors.Is(err, gallery.ErrForbidden) {
		t.Fatalf("originals off: %v", err)
	}
	if _, err := s.ta.Gallery.UpdateAlbum(ctx, s.studio, s.album.ID, gallery.AlbumInput{OriginalsAllowed: ptr(true)}, s.act); err != nil {
		t.Fatal(err)
	}
	g = s.guest(t, "2468", "Priya")
	z, err := s.ta.Gallery.GuestZip(ctx, g, nil, gallery.DownloadOriginal)
	if err != nil || len(z.Entries) != 3 || z.Name != "Sharma wedding.zip" {
		t.Fatalf("album zip %+v, %v", z, err)
	}
	if _, err := s.ta.Gallery.GuestZip(ctx, g, &locked.ID, gallery.DownloadOriginal); !errors.Is(err, gallery.ErrForbidden) {
		t.Errorf("locked folder: %v", err)
	}
	if _, err := s.ta.Gallery.GuestZip(ctx, g, &hidden.ID, gallery.DownloadOriginal); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("hidden folder: %v", err)
	}
	if _, err := s.ta.Gallery.GuestZip(ctx, g, ptr(uuid.New()), gallery.DownloadOriginal); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("unknown folder: %v", err)
	}
	downloads := func() (n int64) {
		_ = s.ta.Superuser().QueryRow(ctx, `SELECT downloads FROM share_links WHERE id = $1`, s.link.ID).Scan(&n)
		return n
	}
	if n := downloads(); n != 0 {
		t.Fatalf("planning zips counted %d downloads", n)
	}
	if err := s.ta.Gallery.ZipStarted(ctx, g, z); err != nil {
		t.Fatal(err)
	}
	var detail string
	_ = s.ta.Superuser().QueryRow(ctx, `SELECT detail::text FROM audit_log WHERE kind = 'download'`).Scan(&detail)
	if n := downloads(); n != 1 || !strings.Contains(detail, `"files": 3`) {
		t.Fatalf("downloads counted %d, audit detail %s", n, detail)
	}
}
