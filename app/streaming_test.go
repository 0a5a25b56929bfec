package app

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func TestAheadWriterCopiesInOrder(t *testing.T) {
	src := make([]byte, 5*aheadPiece+12345)
	_, _ = rand.Read(src)
	for _, step := range []int{1 << 10, 64 << 10, aheadPiece, 3 * aheadPiece} {
		var out bytes.Buffer
		a := newAheadWriter(&out)
		for p := src; len(p) > 0; {
			k := min(step, len(p))
			if n, err := a.Write(p[:k]); n != k || err != nil {
				t.Fatalf("step %d: wrote %d of %d: %v", step, n, k, err)
			}
			p = p[k:]
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), src) {
			t.Fatalf("step %d: %d bytes out, not the %d written", step, out.Len(), len(src))
		}
	}
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

func TestAheadWriterStopsWhenTheWriterFails(t *testing.T) {
	a := newAheadWriter(&failAfter{n: aheadPiece})
	piece := make([]byte, aheadPiece)
	var err error
	written := 0
	for written < 100*aheadPiece && err == nil {
		var n int
		n, err = a.Write(piece)
		written += n
	}
	if !errors.Is(err, errGone) {
		t.Fatalf("after %d bytes: %v, want the writer's error", written, err)
	}
	if written > (aheadPieces+3)*aheadPiece {
		t.Fatalf("took %d bytes after the writer failed at %d", written, aheadPiece)
	}
	if err := a.Close(); !errors.Is(err, errGone) {
		t.Fatalf("close: %v", err)
	}
}

func TestRenditionCacheKeepsWithinItsSize(t *testing.T) {
	rc := newRenditionCache(10 << 10)
	for i := range 100 {
		rc.put(renditionID{key: string(rune('a' + i%26)), tag: string(rune(i))}, make([]byte, 1<<10))
		if rc.bytes > rc.maxBytes {
			t.Fatalf("after %d puts: %d bytes kept, more than %d", i+1, rc.bytes, rc.maxBytes)
		}
	}
	var sum int64
	for _, b := range rc.entries {
		sum += int64(len(b))
	}
	if sum != rc.bytes || len(rc.entries) != 10 {
		t.Fatalf("%d entries of %d bytes, counted %d", len(rc.entries), sum, rc.bytes)
	}
	rc.put(renditionID{key: "big"}, make([]byte, 11<<10))
	if _, ok := rc.get(renditionID{key: "big"}); ok {
		t.Fatal("kept an object larger than the whole cache")
	}
}
