package gallery

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ZipEntry is one file of a zip: its name inside, the blob that holds
// it, and the size and CRC-32 known from upload or rendering.
type ZipEntry struct {
	Name     string
	Key      string
	Size     int64
	CRC32    uint32
	Modified time.Time
}

// Zip is a zip download planned before a byte is sent. Entries are stored,
// not compressed (photos do not shrink), with sizes and CRCs known up
// front, so the length of the whole zip is exact and can be sent as
// Content-Length.
type Zip struct {
	Name    string     // the download's file name
	Folder  *uuid.UUID // the folder zipped, nil for the album
	What    string     // DownloadOriginal or DownloadWeb
	Entries []ZipEntry
}

// Opener reads a blob's plaintext.
type Opener func(ctx context.Context, key string) (io.ReadCloser, error)

// Size is the exact length WriteTo will write: the same writer runs over a
// counter, fed zeros for each entry's bytes (no blob is read, and the
// counter copies nothing, so this costs one call per megabyte).
func (z *Zip) Size() (int64, error) {
	var c counter
	zeros := make([]byte, 1<<20)
	err := z.write(&c, func(w io.Writer, e ZipEntry) error {
		for left := e.Size; left > 0; {
			n := min(left, int64(len(zeros)))
			if _, err := w.Write(zeros[:n]); err != nil {
				return err
			}
			left -= n
		}
		return nil
	})
	return c.n, err
}

// WriteTo streams the zip to w, reading each blob through open. Blobs are
// read by readers of their own, taking entries in turn, a few megabytes
// ahead of w: on two cores, reading (decrypting) and sending then overlap
// and the zip streams near the speed of reading its blobs; with one
// reader, it stalled waiting for that one.
func (z *Zip) WriteTo(ctx context.Context, w io.Writer, open Opener) error {
	var readers [aheadReaders]*ahead
	for i := range readers {
		var mine []ZipEntry
		for j := i; j < len(z.Entries); j += aheadReaders {
			mine = append(mine, z.Entries[j])
		}
		readers[i] = readAhead(ctx, mine, open)
		defer readers[i].stop()
	}
	n := 0
	return z.write(w, func(dst io.Writer, e ZipEntry) error {
		ahead := readers[n%aheadReaders]
		n++
		for left := e.Size; left > 0; {
			p, err := ahead.next()
			if err != nil {
				return err
			}
			_, err = dst.Write(p)
			ahead.done(p)
			if err != nil {
				return err
			}
			left -= int64(len(p))
		}
		return nil
	})
}

func (z *Zip) write(w io.Writer, body func(io.Writer, ZipEntry) error) error {
	// The buffer only gathers headers: pieces of blobs are larger and
	// bufio passes them through uncopied once it is empty.
	bw := bufio.NewWriterSize(w, 4<<10)
	zw := zip.NewWriter(bw)
	for _, e := range z.Entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Store, CRC32: e.CRC32,
			CompressedSize64: uint64(e.Size), UncompressedSize64: uint64(e.Size), Modified: e.Modified}
		dst, err := zw.CreateRaw(h)
		if err != nil {
			return fmt.Errorf("gallery: zip %s: %w", e.Name, err)
		}
		if err := body(dst, e); err != nil {
			return fmt.Errorf("gallery: zip %s: %w", e.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gallery: zip: %w", err)
	}
	return bw.Flush()
}

// counter counts bytes written.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// uniqueNames makes entry names unique inside the zip ("a.jpg", "a (2).jpg").
func uniqueNames(es []ZipEntry) {
	seen := map[string]int{}
	for i := range es {
		name := es[i].Name
		key := strings.ToLower(name)
		if n := seen[key]; n > 0 {
			ext := path.Ext(name)
			name = fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(name, ext), n+1, ext)
		}
		seen[key]++
		es[i].Name = name
	}
}
