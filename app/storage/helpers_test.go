package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/database/dbtest"
)

// testMasterKey is base64 of "proofsheet test master key 32 by".
const testMasterKey = "cHJvb2ZzaGVldCB0ZXN0IG1hc3RlciBrZXkgMzIgYnk="

func mustMaster(t testing.TB, b64 string) MasterKey {
	t.Helper()
	k, err := ParseMasterKey(b64)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func randomMaster(t testing.TB) MasterKey {
	t.Helper()
	b := make([]byte, 32)
	rand.Read(b)
	return mustMaster(t, base64.StdEncoding.EncodeToString(b))
}

// testDB is a fresh migrated database, as the app's role.
func testDB(t *testing.T) *gorm.DB {
	t.Helper()
	db, _ := dbtest.Open(t)
	return db.Gorm
}

// newStudio inserts a studio row (data keys reference it).
func newStudio(t *testing.T, db *gorm.DB) uuid.UUID {
	t.Helper()
	id := uuid.Must(uuid.NewV7())
	err := inStudio(db, id, "INSERT INTO studios (id, name) VALUES (?, 'Test studio')", id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func inStudio(db *gorm.DB, studio uuid.UUID, sql string, args ...any) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT set_config('app.studio_id', ?, true)", studio.String()).Error; err != nil {
			return err
		}
		return tx.Exec(sql, args...).Error
	})
}

// backendKind names a backend the store tests run against.
type backendKind struct {
	name string
	make func(t *testing.T) Backend
}

var backendKinds = []backendKind{
	{"local", func(t *testing.T) Backend { return newTestLocal(t) }},
	{"s3", func(t *testing.T) Backend { return newTestS3(t) }},
}

func newTestLocal(t *testing.T) *Local {
	t.Helper()
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// newTestS3 connects to the MinIO of scripts/test-services and makes a
// bucket of a random name for t, emptied and removed when t ends.
func newTestS3(t *testing.T) *S3 {
	t.Helper()
	url, key, secret := os.Getenv("PROOFSHEET_TEST_S3_URL"), os.Getenv("PROOFSHEET_TEST_S3_KEY"), os.Getenv("PROOFSHEET_TEST_S3_SECRET")
	if url == "" || key == "" || secret == "" {
		t.Fatal("PROOFSHEET_TEST_S3_URL, _KEY and _SECRET are not set: run `eval \"$(scripts/test-services start)\"` first")
	}
	bucket := "t-" + uuid.NewString()
	s, err := NewS3(S3Config{Endpoint: url, Bucket: bucket, Region: "us-east-1", AccessKey: key, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("create bucket on %s: %v", url, err)
	}
	t.Cleanup(func() {
		if err := s.DeletePrefix(ctx, ""); err != nil {
			t.Errorf("empty bucket: %v", err)
		}
		if _, err := s.Client().DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
			t.Errorf("delete bucket: %v", err)
		}
	})
	return s
}

// fixture is a store on a backend with a database of studios.
type fixture struct {
	db      *gorm.DB
	backend Backend
	store   *Store
	studio  uuid.UUID
}

func newFixture(t *testing.T, b Backend) *fixture {
	t.Helper()
	db := testDB(t)
	f := &fixture{db: db, backend: b, studio: newStudio(t, db)}
	f.store = New(b, NewKeyring(mustMaster(t, testMasterKey), db))
	return f
}

func (f *fixture) put(t *testing.T, studio uuid.UUID, key string, data []byte) {
	t.Helper()
	n, err := f.store.Put(context.Background(), studio, key, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	if n != int64(len(data)) {
		t.Fatalf("put %s: %d bytes stored, want %d", key, n, len(data))
	}
}

// read opens and reads a whole object.
func (f *fixture) read(studio uuid.UUID, key string) ([]byte, error) {
	obj, err := f.store.Open(context.Background(), studio, key)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	return io.ReadAll(obj)
}

// written opens an object and has it write itself out (WriteTo, the way
// io.Copy reads it), from off on.
func (f *fixture) written(studio uuid.UUID, key string, off int64) ([]byte, error) {
	obj, err := f.store.Open(context.Background(), studio, key)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	if _, err := obj.Seek(off, io.SeekStart); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	n, err := obj.WriteTo(&buf)
	if n != int64(buf.Len()) {
		return nil, fmt.Errorf("WriteTo says %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes(), err
}

// readInPieces reads an object in reads of piece bytes, as the zip's
// read-ahead does: reads of whole chunks decrypt straight into the buffer.
func (f *fixture) readInPieces(studio uuid.UUID, key string, piece int) ([]byte, error) {
	obj, err := f.store.Open(context.Background(), studio, key)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	var out []byte
	p := make([]byte, piece)
	for {
		n, err := io.ReadFull(obj, p)
		out = append(out, p[:n]...)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// raw is the stored (encrypted) bytes of an object, read from the backend.
func (f *fixture) raw(t *testing.T, studio uuid.UUID, key string) []byte {
	t.Helper()
	b, err := f.backend.Open(context.Background(), name(studio, key))
	if err != nil {
		t.Fatalf("raw %s: %v", key, err)
	}
	defer b.Close()
	s, err := b.Stream(0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, err := io.ReadAll(s)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(out)) != b.Size() {
		t.Fatalf("raw %s: read %d bytes of %d", key, len(out), b.Size())
	}
	return out
}

// setRaw replaces an object's stored bytes, as an attacker with access to
// the disk or bucket could.
func (f *fixture) setRaw(t *testing.T, studio uuid.UUID, key string, data []byte) {
	t.Helper()
	if err := f.backend.Put(context.Background(), name(studio, key), bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// countingBackend counts the stored bytes read through it.
type countingBackend struct {
	Backend
	read atomic.Int64
}

func (c *countingBackend) Open(ctx context.Context, name string) (Blob, error) {
	b, err := c.Backend.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	return countingBlob{b, &c.read}, nil
}

type countingBlob struct {
	Blob
	n *atomic.Int64
}

func (b countingBlob) Stream(off int64) (io.ReadCloser, error) {
	s, err := b.Blob.Stream(off)
	if err != nil {
		return nil, err
	}
	return countingStream{s, b.n}, nil
}

type countingStream struct {
	io.ReadCloser
	n *atomic.Int64
}

func (s countingStream) Read(p []byte) (int, error) {
	n, err := s.ReadCloser.Read(p)
	s.n.Add(int64(n))
	return n, err
}
