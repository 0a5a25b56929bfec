package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// errNotDir is a path through a file, as "a/b" when "a" is an object.
var errNotDir = syscall.ENOTDIR

// Local keeps objects as files under a folder: "<root>/<studio>/<key>".
type Local struct {
	root string
}

// NewLocal uses (and creates) the folder root.
func NewLocal(root string) (*Local, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("storage: blob folder: %w", err)
	}
	return &Local{root: root}, nil
}

func (l *Local) path(name string) string { return filepath.Join(l.root, filepath.FromSlash(name)) }

// Put writes a temporary file next to the object and renames it into
// place once complete and synced, so readers see the old object or the
// whole new one. Keys never have segments starting with a dot, so the
// temporary names cannot be keys.
func (l *Local) Put(ctx context.Context, name string, r io.Reader) error {
	p := l.path(name)
	f, err := l.createTemp(filepath.Dir(p))
	if err != nil {
		return err
	}
	_, err = io.Copy(f, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// createTemp retries: a Delete may prune a folder it has just made.
func (l *Local) createTemp(dir string) (*os.File, error) {
	var err error
	for range 3 {
		var f *os.File
		if err = os.MkdirAll(dir, 0o700); err == nil {
			if f, err = os.CreateTemp(dir, ".put-*"); err == nil {
				return f, nil
			}
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// Open opens the object's file; a folder is not an object.
func (l *Local) Open(_ context.Context, name string) (Blob, error) {
	f, err := os.Open(l.path(name))
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotDir) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = ErrNotFound
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &localBlob{f: f, size: st.Size()}, nil
}

// Delete removes the file, then the folders it leaves empty.
func (l *Local) Delete(_ context.Context, name string) error {
	p := l.path(name)
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errNotDir) {
		return err
	}
	l.pruneDirs(filepath.Dir(p))
	return nil
}

// DeletePrefix removes the files whose names start with prefix. A prefix
// ending in a slash is a folder, removed whole.
func (l *Local) DeletePrefix(ctx context.Context, prefix string) error {
	dir, part := prefix, ""
	if i := strings.LastIndexByte(prefix, '/'); i < len(prefix)-1 {
		dir, part = prefix[:i+1], prefix[i+1:]
	}
	d := l.path(dir)
	if part == "" {
		err := os.RemoveAll(d)
		l.pruneDirs(filepath.Dir(d))
		return err
	}
	ents, err := os.ReadDir(d)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), part) {
			if err := os.RemoveAll(filepath.Join(d, e.Name())); err != nil {
				return err
			}
		}
	}
	l.pruneDirs(d)
	return nil
}

// pruneDirs removes dir and its parents while they are empty, up to the
// root. Failing to remove one (not empty, or in use) ends it.
func (l *Local) pruneDirs(dir string) {
	root := filepath.Clean(l.root)
	for dir = filepath.Clean(dir); dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			return
		}
	}
}

type localBlob struct {
	f    *os.File
	size int64
}

func (b *localBlob) Size() int64  { return b.size }
func (b *localBlob) Close() error { return b.f.Close() }

func (b *localBlob) Stream(off int64) (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(b.f, off, b.size-off)), nil
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
