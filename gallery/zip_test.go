package gallery_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"sync"
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

// countedBlobs opens in-memory blobs and keeps count of what is open and
// how much was read, to see what a zip leaves behind when it stops.
type countedBlobs struct {
	mu     sync.Mutex
	blobs  map[string][]byte
	open   int
	opened int
	read   int64
}

func (c *countedBlobs) Open(_ context.Context, key string) (io.ReadCloser, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.blobs[key]
	if !ok {
		return nil, errors.New("no such blob")
	}
	c.open++
	c.opened++
	return &countedBlob{r: bytes.NewReader(b), c: c}, nil
}

type countedBlob struct {
	r *bytes.Reader
	c *countedBlobs
}

func (b *countedBlob) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.c.mu.Lock()
	b.c.read += int64(n)
	b.c.mu.Unlock()
	return n, err
}

func (b *countedBlob) Close() error {
	b.c.mu.Lock()
	b.c.open--
	b.c.mu.Unlock()
	return nil
}

func bigZip(t *testing.T, n, size int) (*gallery.Zip, *countedBlobs) {
	t.Helper()
	c := &countedBlobs{blobs: map[string][]byte{}}
	z := &gallery.Zip{Name: "big.zip"}
	for i := range n {
		b := make([]byte, size)
		_, _ = rand.Read(b)
		key := fmt.Sprintf("blob-%d", i)
		c.blobs[key] = b
		z.Entries = append(z.Entries, gallery.ZipEntry{Name: key + ".jpg", Key: key, Size: int64(size), CRC32: crc32.ChecksumIEEE(b)})
	}
	return z, c
}

// failAfter takes n bytes, then fails like a connection whose client left.
type failAfter struct{ n int }

var errGone = errors.New("client gone")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n < len(p) {
		return 0, errGone
	}
	f.n -= len(p)
	return len(p), nil
}

// A client that goes away stops the reading a few megabytes later, and
// no blob is left open.
func TestZipStopsReadingWhenTheClientLeaves(t *testing.T) {
	z, blobs := bigZip(t, 40, 1<<20)
	err := z.WriteTo(context.Background(), &failAfter{n: 3 << 20}, blobs.Open)
	if !errors.Is(err, errGone) {
		t.Fatalf("WriteTo: %v, want the writer's error", err)
	}
	if blobs.open != 0 {
		t.Fatalf("%d blobs left open", blobs.open)
	}
	if blobs.read > 10<<20 {
		t.Fatalf("read %d bytes for a client that took 3 MiB", blobs.read)
	}
}

// A blob that is not what the plan says fails the zip at that entry;
// the entries before it were sent whole.
func TestZipRefusesBlobsOfAnotherSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		blob func([]byte) []byte
		want string
	}{
		{"longer", func(b []byte) []byte { return append(b, 'x') }, "more than"},
		{"shorter", func(b []byte) []byte { return b[:len(b)-1] }, "expected"},
		{"missing", func([]byte) []byte { return nil }, "no such blob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z, blobs := bigZip(t, 5, 3<<20+5)
			if b := tc.blob(blobs.blobs["blob-2"]); b == nil {
				delete(blobs.blobs, "blob-2")
			} else {
				blobs.blobs["blob-2"] = b
			}
			var out bytes.Buffer
			err := z.WriteTo(context.Background(), &out, blobs.Open)
			if err == nil || !strings.Contains(err.Error(), "blob-2.jpg") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WriteTo: %v, want an error about blob-2.jpg saying %q", err, tc.want)
			}
			if blobs.open != 0 {
				t.Fatalf("%d blobs left open", blobs.open)
			}
			if sent := int64(out.Len()); sent < 2*(3<<20+5) {
				t.Fatalf("sent %d bytes, less than the two entries before", sent)
			}
			// The third fails its reader; the other reader, a blob ahead,
			// may have opened the fourth, never the fifth.
			if blobs.opened > 4 {
				t.Fatalf("opened %d blobs; the zip should stop by the fourth", blobs.opened)
			}
		})
	}
}
