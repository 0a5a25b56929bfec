package storage

import (
	"errors"
	"fmt"
	"io"
)

// Object is a stored object, decrypted chunk by chunk as it is read. A
// Seek costs nothing until the next Read, which fetches from the chunk
// holding the new position: a range request decrypts only its chunks. An
// Object is not safe for concurrent use.
type Object struct {
	blob   Blob
	seal   *sealer
	hdr    header
	size   int64 // plaintext
	chunks int64
	pos    int64

	stream   io.ReadCloser // stored bytes from streamAt on, or nil
	streamAt int64

	cur    int64 // index of the chunk in plain, or -1
	plain  []byte
	sealed []byte
}

// Size is the plaintext size.
func (o *Object) Size() int64 { return o.size }

// Read decrypts from the current position. A chunk that fails
// authentication is an error matching ErrCorrupt; no byte of it is returned.
func (o *Object) Read(p []byte) (int, error) {
	if o.pos >= o.size {
		return 0, io.EOF
	}
	i := o.pos / o.hdr.chunk
	if i != o.cur && o.pos == i*o.hdr.chunk && int64(len(p)) >= min(o.hdr.chunk, o.size-o.pos) {
		// A whole chunk is decrypted straight into p, not copied there.
		plain, err := o.openChunk(p[:0:len(p)], i)
		if err != nil {
			return 0, err
		}
		o.pos += int64(len(plain))
		return len(plain), nil
	}
	if i != o.cur {
		if err := o.load(i); err != nil {
			return 0, err
		}
	}
	n := copy(p, o.plain[o.pos-i*o.hdr.chunk:])
	o.pos += int64(n)
	return n, nil
}

// WriteTo writes from the current position to the end straight from each
// decrypted chunk; io.Copy would copy every chunk once more through a
// buffer of its own, which streaming a zip of originals paid for.
func (o *Object) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for o.pos < o.size {
		i := o.pos / o.hdr.chunk
		if i != o.cur {
			if err := o.load(i); err != nil {
				return total, err
			}
		}
		n, err := w.Write(o.plain[o.pos-i*o.hdr.chunk:])
		o.pos += int64(n)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Seek sets the position for the next Read; positions past the end read
// as EOF.
func (o *Object) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += o.pos
	case io.SeekEnd:
		offset += o.size
	default:
		return o.pos, errors.New("storage: seek: bad whence")
	}
	if offset < 0 {
		return o.pos, errors.New("storage: seek: negative position")
	}
	o.pos = offset
	return offset, nil
}

// Close releases the stored object.
func (o *Object) Close() error {
	var err error
	if o.stream != nil {
		err = o.stream.Close()
		o.stream = nil
	}
	return errors.Join(err, o.blob.Close())
}

// load reads and opens chunk i into o.plain.
func (o *Object) load(i int64) error {
	o.cur = -1
	plain, err := o.openChunk(o.plain, i)
	if err != nil {
		return err
	}
	o.plain, o.cur = plain, i
	return nil
}

// openChunk reads chunk i and decrypts it into dst[:0], reusing the open
// stream when it is already there (sequential reads) and starting a new
// one otherwise.
func (o *Object) openChunk(dst []byte, i int64) ([]byte, error) {
	at := headerLen + i*(o.hdr.chunk+tagLen)
	n := min(o.hdr.chunk, o.size-i*o.hdr.chunk) + tagLen
	if o.stream == nil || o.streamAt != at {
		if o.stream != nil {
			o.stream.Close()
			o.stream = nil
		}
		s, err := o.blob.Stream(at)
		if err != nil {
			return nil, fmt.Errorf("storage: read: %w", err)
		}
		o.stream, o.streamAt = s, at
	}
	if _, err := io.ReadFull(o.stream, o.sealed[:n]); err != nil {
		o.stream.Close()
		o.stream = nil
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: chunk %d is cut short", ErrCorrupt, i)
		}
		return nil, fmt.Errorf("storage: read: %w", err)
	}
	o.streamAt += n
	return o.seal.open(dst, o.sealed[:n], i, i == o.chunks-1)
}
