package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
)

// Every size around the chunk boundaries, and one of several chunks and
// megabytes (on S3, more than a part: a multipart upload).
func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + 17, 12<<20 + 5}
	for _, bk := range backendKinds {
		t.Run(bk.name, func(t *testing.T) {
			f := newFixture(t, bk.make(t))
			for _, n := range sizes {
				data := randomBytes(n)
				key := fmt.Sprintf("albums/a/size-%d", n)
				f.put(t, f.studio, key, data)
				obj, err := f.store.Open(context.Background(), f.studio, key)
				if err != nil {
					t.Fatalf("open %d bytes: %v", n, err)
				}
				if obj.Size() != int64(n) {
					t.Errorf("%d bytes: Size %d", n, obj.Size())
				}
				got, err := io.ReadAll(obj)
				obj.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%d bytes: read %d bytes back (equal %v), err %v", n, len(got), bytes.Equal(got, data), err)
				}
				if got, err := f.written(f.studio, key, int64(n/3)); err != nil || !bytes.Equal(got, data[n/3:]) {
					t.Fatalf("%d bytes: WriteTo from %d wrote %d bytes (equal %v), err %v", n, n/3, len(got), bytes.Equal(got, data[n/3:]), err)
				}
				for _, piece := range []int{chunkSize, 1 << 20, chunkSize + 1} {
					if got, err := f.readInPieces(f.studio, key, piece); err != nil || !bytes.Equal(got, data) {
						t.Fatalf("%d bytes: reads of %d gave %d bytes (equal %v), err %v", n, piece, len(got), bytes.Equal(got, data), err)
					}
				}
				stored := int64(len(f.raw(t, f.studio, key)))
				if want := int64(headerLen + n + tagLen*max(1, (n+chunkSize-1)/chunkSize)); stored != want {
					t.Errorf("%d bytes: stored %d bytes, want %d", n, stored, want)
				}
			}
		})
	}
}

// Seek and Read anywhere give the plaintext's bytes, and a short range
// reads only the chunks it needs from the backend.
func TestSeekAndReadAtRandomOffsets(t *testing.T) {
	for _, bk := range backendKinds {
		t.Run(bk.name, func(t *testing.T) {
			counting := &countingBackend{Backend: bk.make(t)}
			f := newFixture(t, counting)
			data := randomBytes(40*chunkSize + 1234)
			f.put(t, f.studio, "albums/a/video", data)
			obj, err := f.store.Open(context.Background(), f.studio, "albums/a/video")
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			rng := mrand.New(mrand.NewPCG(1, 2))
			for range 300 {
				off := rng.Int64N(int64(len(data)) + 10)
				n := rng.IntN(3 * chunkSize)
				checkRange(t, obj, data, off, n)
			}
			// SeekEnd and SeekCurrent.
			if pos, err := obj.Seek(-10, io.SeekEnd); err != nil || pos != int64(len(data))-10 {
				t.Fatalf("SeekEnd: %d, %v", pos, err)
			}
			if pos, _ := obj.Seek(-5, io.SeekCurrent); pos != int64(len(data))-15 {
				t.Fatalf("SeekCurrent: %d", pos)
			}
			if _, err := obj.Seek(-1, io.SeekStart); err == nil {
				t.Fatal("seek to -1 accepted")
			}

			// A 100-byte range in the middle reads at most two chunks.
			fresh, err := f.store.Open(context.Background(), f.studio, "albums/a/video")
			if err != nil {
				t.Fatal(err)
			}
			defer fresh.Close()
			counting.read.Store(0)
			checkRange(t, fresh, data, 20*chunkSize-50, 100)
			if got, most := counting.read.Load(), int64(headerLen+2*(chunkSize+tagLen)); got > most {
				t.Fatalf("a 100-byte range read %d stored bytes, want at most %d", got, most)
			}
		})
	}
}

func checkRange(t *testing.T, obj *Object, data []byte, off int64, n int) {
	t.Helper()
	if _, err := obj.Seek(off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(io.LimitReader(obj, int64(n)))
	if err != nil {
		t.Fatalf("read %d at %d: %v", n, off, err)
	}
	want := data[min(off, int64(len(data))):min(off+int64(n), int64(len(data)))]
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d at %d: %d bytes differ from the plaintext's %d", n, off, len(got), len(want))
	}
}

func TestOpenMissingIsNotFound(t *testing.T) {
	for _, bk := range backendKinds {
		t.Run(bk.name, func(t *testing.T) {
			f := newFixture(t, bk.make(t))
			f.put(t, f.studio, "albums/a/p/original", []byte("x"))
			for _, key := range []string{"albums/a/p/missing", "albums/a/p", "albums/a/p/original/deeper"} {
				if _, err := f.store.Open(context.Background(), f.studio, key); !errors.Is(err, ErrNotFound) {
					t.Errorf("open %s: %v, want ErrNotFound", key, err)
				}
			}
			other := newStudio(t, f.db)
			if _, err := f.store.Open(context.Background(), other, "albums/a/p/original"); !errors.Is(err, ErrNotFound) {
				t.Errorf("another studio opens the object: %v", err)
			}
			if err := f.store.Delete(context.Background(), f.studio, "albums/a/nothing"); err != nil {
				t.Errorf("delete of a missing key: %v", err)
			}
		})
	}
}

// failingReader yields n random bytes, then fails.
type failingReader struct {
	n   int
	err error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	k := min(len(p), r.n)
	rand.Read(p[:k])
	r.n -= k
	return k, nil
}

var errSource = errors.New("client went away")

// A Put whose reader fails leaves nothing new under the key: no object
// where there was none, the old object where there was one. On S3 the
// failure comes both before the first request and mid multipart upload.
func TestPutFailingMidwayLeavesNoObject(t *testing.T) {
	for _, bk := range backendKinds {
		t.Run(bk.name, func(t *testing.T) {
			f := newFixture(t, bk.make(t))
			ctx := context.Background()
			old := randomBytes(1000)
			f.put(t, f.studio, "albums/a/old", old)
			// io.ErrUnexpectedEOF is how a cut-off request body fails: it
			// must not pass for the end of a shorter object.
			for _, n := range []int{0, 3 * chunkSize, 3*chunkSize + 99, 19 << 20} {
				for _, key := range []string{"albums/a/new", "albums/a/old"} {
					for _, cause := range []error{errSource, io.ErrUnexpectedEOF} {
						_, err := f.store.Put(ctx, f.studio, key, &failingReader{n: n, err: cause})
						if !errors.Is(err, cause) {
							t.Fatalf("put failing after %d bytes: %v, want the reader's error %v", n, err, cause)
						}
					}
				}
				if _, err := f.store.Open(ctx, f.studio, "albums/a/new"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("after a put failing at %d bytes, open: %v, want ErrNotFound", n, err)
				}
				if got, err := f.read(f.studio, "albums/a/old"); err != nil || !bytes.Equal(got, old) {
					t.Fatalf("after a put failing at %d bytes the old object reads %d bytes, %v", n, len(got), err)
				}
			}
			if s, ok := f.backend.(*S3); ok {
				ups, err := s.Client().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &s.bucket})
				if err != nil {
					t.Fatal(err)
				}
				if len(ups.Uploads) != 0 {
					t.Fatalf("%d multipart uploads left open", len(ups.Uploads))
				}
			}
		})
	}
}

func TestDeletePrefixRemovesOnlyThatStudiosPrefix(t *testing.T) {
	for _, bk := range backendKinds {
		t.Run(bk.name, func(t *testing.T) {
			f := newFixture(t, bk.make(t))
			ctx := context.Background()
			other := newStudio(t, f.db)
			keys := []string{"albums/x/1/original", "albums/x/2", "albums/xy/3", "albums/y/1", "zips/z.zip"}
			for _, s := range []uuid.UUID{f.studio, other} {
				for _, k := range keys {
					f.put(t, s, k, []byte(k))
				}
			}
			exists := func(s uuid.UUID, k string) bool {
				_, err := f.read(s, k)
				if err != nil && !errors.Is(err, ErrNotFound) {
					t.Fatal(err)
				}
				return err == nil
			}
			if err := f.store.DeletePrefix(ctx, f.studio, "albums/x/"); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{"albums/x/1/original": false, "albums/x/2": false, "albums/xy/3": true, "albums/y/1": true, "zips/z.zip": true}
			for k, w := range want {
				if exists(f.studio, k) != w {
					t.Errorf("after DeletePrefix albums/x/: %s exists %v, want %v", k, !w, w)
				}
				if !exists(other, k) {
					t.Errorf("the other studio lost %s", k)
				}
			}
			// Without a slash it is a plain string prefix.
			if err := f.store.DeletePrefix(ctx, f.studio, "albums/x"); err != nil {
				t.Fatal(err)
			}
			if exists(f.studio, "albums/xy/3") || !exists(f.studio, "albums/y/1") {
				t.Error("DeletePrefix albums/x: wrong objects removed")
			}
			if err := f.store.DeletePrefix(ctx, f.studio, "albums/nothing/"); err != nil {
				t.Errorf("DeletePrefix of nothing: %v", err)
			}
			if err := f.store.Delete(ctx, f.studio, "zips/z.zip"); err != nil || exists(f.studio, "zips/z.zip") {
				t.Errorf("Delete: %v", err)
			}
			for _, k := range keys {
				if !exists(other, k) {
					t.Errorf("the other studio lost %s", k)
				}
			}
		})
	}
}

// Keys that could escape the studio's folder, or clash with temporary
// files, are refused before anything is stored.
func TestBadKeysAreRefused(t *testing.T) {
	f := newFixture(t, newTestLocal(t))
	ctx := context.Background()
	for _, key := range []string{"", "/abs", "a//b", "../x", "a/../../x", "a/./b", ".put-123", "a/.hidden", "a\\b", "a b", "a/\x00", "a/"} {
		if _, err := f.store.Put(ctx, f.studio, key, bytes.NewReader([]byte("x"))); err == nil {
			t.Errorf("put %q accepted", key)
		}
		if _, err := f.store.Open(ctx, f.studio, key); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("open %q: %v, want a refusal", key, err)
		}
	}
	for _, prefix := range []string{"../", "a//", "/"} {
		if err := f.store.DeletePrefix(ctx, f.studio, prefix); err == nil {
			t.Errorf("delete prefix %q accepted", prefix)
		}
	}
	if _, err := f.store.Put(ctx, uuid.Nil, "a", bytes.NewReader(nil)); err == nil {
		t.Error("put without a studio accepted")
	}
}

// The stored bytes are not the plaintext, on disk or in the bucket.
func TestStoredBytesAreNotThePlaintext(t *testing.T) {
	for _, bk := range backendKinds {
		t.Run(bk.name, func(t *testing.T) {
			f := newFixture(t, bk.make(t))
			data := bytes.Repeat([]byte("Sharma wedding, the first kiss. "), 5000)
			f.put(t, f.studio, "albums/a/p/original", data)
			raw := f.raw(t, f.studio, "albums/a/p/original")
			if bytes.Contains(raw, []byte("first kiss")) {
				t.Fatal("the stored object contains the plaintext")
			}
			if string(raw[:4]) != magic {
				t.Fatalf("stored object starts %q, want the header", raw[:4])
			}
		})
	}
}
