// Package storage is Proofsheet's object store: originals, renditions,
// upload parts and zips, kept in a local folder or an S3 bucket and
// encrypted client-side with AES-256-GCM in authenticated chunks (see
// format.go), under a data key per studio that the operator's master key
// wraps (see keyring.go).
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"
)

var (
	// ErrNotFound is an object that does not exist.
	ErrNotFound = errors.New("storage: object not found")
	// ErrCorrupt is a stored object that fails authentication: changed,
	// truncated, reordered or moved from another key or studio.
	ErrCorrupt = errors.New("storage: object is corrupt or was tampered with")
)

// Backend keeps opaque (already encrypted) objects by name. Names are
// "<studio>/<key>".
type Backend interface {
	// Put stores everything r yields under name, replacing what was
	// there, all or nothing: when r or the write fails, name is unchanged.
	Put(ctx context.Context, name string, r io.Reader) error
	// Open returns the object, or an error matching ErrNotFound.
	Open(ctx context.Context, name string) (Blob, error)
	// Delete and DeletePrefix succeed when there is nothing to delete.
	Delete(ctx context.Context, name string) error
	DeletePrefix(ctx context.Context, prefix string) error
}

// Blob is an opened backend object.
type Blob interface {
	Size() int64
	// Stream returns the bytes from off to the end; the caller closes it.
	Stream(off int64) (io.ReadCloser, error)
	Close() error
}

// Store encrypts objects into a Backend.
type Store struct {
	backend Backend
	keys    *Keyring
	chunk   int
}

// New returns a store over b with keys from k.
func New(b Backend, k *Keyring) *Store { return &Store{backend: b, keys: k, chunk: chunkSize} }

// Put encrypts everything r yields and stores it under key, replacing any
// object there, and returns the plaintext length. When r fails, Put
// returns an error wrapping r's and the key keeps its previous object (or
// none).
func (s *Store) Put(ctx context.Context, studio uuid.UUID, key string, r io.Reader) (int64, error) {
	if err := checkKey(studio, key, false); err != nil {
		return 0, err
	}
	dk, err := s.keys.Current(ctx, studio)
	if err != nil {
		return 0, err
	}
	h, err := newHeader(dk.Version, s.chunk)
	if err != nil {
		return 0, err
	}
	seal, err := newSealer(dk.key, h, studio, key)
	if err != nil {
		return 0, err
	}
	enc := newEncrypter(r, seal, h)
	err = s.backend.Put(ctx, name(studio, key), enc)
	if enc.err != nil {
		if err == nil { // a backend that swallowed r's error: never leave a partial object
			_ = s.backend.Delete(context.WithoutCancel(ctx), name(studio, key))
		}
		return 0, fmt.Errorf("storage: put %s: %w", key, enc.err)
	}
	if err != nil {
		return 0, fmt.Errorf("storage: put %s: %w", key, err)
	}
	return enc.n, nil
}

// Open returns the object under key, or an error matching ErrNotFound.
// Open reads the header; chunks are read and checked as they are read.
func (s *Store) Open(ctx context.Context, studio uuid.UUID, key string) (*Object, error) {
	if err := checkKey(studio, key, false); err != nil {
		return nil, err
	}
	b, err := s.backend.Open(ctx, name(studio, key))
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", key, err)
	}
	obj, err := s.open(ctx, studio, key, b)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("storage: open %s: %w", key, err)
	}
	return obj, nil
}

func (s *Store) open(ctx context.Context, studio uuid.UUID, key string, b Blob) (*Object, error) {
	stream, err := b.Stream(0)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, headerLen)
	if _, err := io.ReadFull(stream, raw); err != nil {
		stream.Close()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%w: shorter than a header", ErrCorrupt)
		}
		return nil, err
	}
	o := &Object{blob: b, stream: stream, streamAt: headerLen, cur: -1}
	err = s.prepare(ctx, o, studio, key, raw)
	if err == nil && o.size == 0 { // nothing would ever be read: check the empty chunk now
		err = o.load(0)
	}
	if err != nil {
		if o.stream != nil {
			o.stream.Close()
		}
		return nil, err
	}
	return o, nil
}

// prepare parses the header and sets o up to decrypt.
func (s *Store) prepare(ctx context.Context, o *Object, studio uuid.UUID, key string, raw []byte) error {
	h, err := parseHeader(raw)
	if err != nil {
		return err
	}
	size, err := h.plainSize(o.blob.Size())
	if err != nil {
		return err
	}
	dk, err := s.keys.Version(ctx, studio, h.keyVersion)
	if err != nil {
		return err
	}
	seal, err := newSealer(dk.key, h, studio, key)
	if err != nil {
		return err
	}
	o.hdr, o.seal, o.size, o.chunks = h, seal, size, h.chunks(size)
	// A thumbnail is smaller than a chunk: buffers of its size, not of a
	// chunk, were most of the cost of serving one.
	n := min(h.chunk, size)
	o.plain, o.sealed = make([]byte, n), make([]byte, n+tagLen)
	return nil
}

// Delete removes the object under key; a missing object is not an error.
func (s *Store) Delete(ctx context.Context, studio uuid.UUID, key string) error {
	if err := checkKey(studio, key, false); err != nil {
		return err
	}
	if err := s.backend.Delete(ctx, name(studio, key)); err != nil {
		return fmt.Errorf("storage: delete %s: %w", key, err)
	}
	return nil
}

// DeletePrefix removes every object of studio whose key starts with
// prefix ("" is all of them), and no other studio's.
func (s *Store) DeletePrefix(ctx context.Context, studio uuid.UUID, prefix string) error {
	if err := checkKey(studio, prefix, true); err != nil {
		return err
	}
	if err := s.backend.DeletePrefix(ctx, name(studio, prefix)); err != nil {
		return fmt.Errorf("storage: delete %s*: %w", prefix, err)
	}
	return nil
}

func name(studio uuid.UUID, key string) string { return studio.String() + "/" + key }

// checkKey accepts slash-separated keys of printable ASCII whose segments
// are not empty and do not start with a dot (no "..", and names the local
// backend's temporary files cannot clash with). A prefix may be empty and
// may end in a slash.
func checkKey(studio uuid.UUID, key string, prefix bool) error {
	if studio == uuid.Nil {
		return errors.New("storage: no studio")
	}
	if len(key) > 512 {
		return fmt.Errorf("storage: key of %d bytes is too long", len(key))
	}
	if prefix && key == "" {
		return nil
	}
	segs := strings.Split(key, "/")
	if prefix && strings.HasSuffix(key, "/") {
		segs = segs[:len(segs)-1]
	}
	for _, seg := range segs {
		if seg == "" || seg[0] == '.' {
			return fmt.Errorf("storage: bad key %q", key)
		}
		for i := 0; i < len(seg); i++ {
			if seg[i] <= ' ' || seg[i] > '~' || seg[i] == '\\' {
				return fmt.Errorf("storage: bad key %q", key)
			}
		}
	}
	return nil
}
