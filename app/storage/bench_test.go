package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	mrand "math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The benchmarks measure the encryption's cost against plain copies of
// the same bytes, on an in-memory backend so the disk does not hide it:
//
//	go test -run '^$' -bench . ./app/storage/

const benchSize = 16 << 20

// memBackend keeps stored bytes in memory, for the benchmarks only.
type memBackend struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (m *memBackend) Put(_ context.Context, name string, r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.objs[name] = b
	m.mu.Unlock()
	return nil
}

func (m *memBackend) Open(_ context.Context, name string) (Blob, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[name]
	if !ok {
		return nil, ErrNotFound
	}
	return memBlob(b), nil
}

func (m *memBackend) Delete(context.Context, string) error       { return nil }
func (m *memBackend) DeletePrefix(context.Context, string) error { return nil }

type memBlob []byte

func (b memBlob) Size() int64  { return int64(len(b)) }
func (b memBlob) Close() error { return nil }
func (b memBlob) Stream(off int64) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(b[off:])), nil
}

// benchStore is a store whose keyring has the studio's key cached, so no
// database is needed.
func benchStore(b *testing.B) (*Store, uuid.UUID) {
	studio := uuid.New()
	k := NewKeyring(mustMaster(b, testMasterKey), nil)
	key := make([]byte, 32)
	rand.Read(key)
	k.remember(studio, studioKeys{keys: map[uint32][]byte{1: key}, current: 1, at: time.Now().Add(time.Hour)})
	return New(&memBackend{objs: map[string][]byte{}}, k), studio
}

func BenchmarkPut(b *testing.B) {
	data := make([]byte, benchSize)
	rand.Read(data)
	b.Run("encrypted", func(b *testing.B) {
		s, studio := benchStore(b)
		b.SetBytes(benchSize)
		for b.Loop() {
			if _, err := s.Put(context.Background(), studio, "k", bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		m := &memBackend{objs: map[string][]byte{}}
		b.SetBytes(benchSize)
		for b.Loop() {
			if err := m.Put(context.Background(), "k", bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRangeRead reads 1 MiB at random offsets, as video scrubbing
// and resumed downloads do.
func BenchmarkRangeRead(b *testing.B) {
	const n = 1 << 20
	data := make([]byte, benchSize)
	rand.Read(data)
	buf := make([]byte, n)
	rng := mrand.New(mrand.NewPCG(3, 4))
	b.Run("encrypted", func(b *testing.B) {
		s, studio := benchStore(b)
		if _, err := s.Put(context.Background(), studio, "k", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(n)
		for b.Loop() {
			obj, err := s.Open(context.Background(), studio, "k")
			if err != nil {
				b.Fatal(err)
			}
			obj.Seek(rng.Int64N(benchSize-n), io.SeekStart)
			if _, err := io.ReadFull(obj, buf); err != nil {
				b.Fatal(err)
			}
			obj.Close()
		}
	})
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(n)
		for b.Loop() {
			r := bytes.NewReader(data)
			r.Seek(rng.Int64N(benchSize-n), io.SeekStart)
			if _, err := io.ReadFull(r, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
