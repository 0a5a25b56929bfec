package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/app/storage"
	"github.com/proofsheet/proofsheet/gallery"
)

// With no key configured (make run on a fresh machine), the first start
// creates DATA-DIR/master.key with mode 0600 and DATA-DIR/blobs, and says
// once that the key must be backed up; the next start reuses the key.
func TestFirstRunCreatesTheMasterKeyFile(t *testing.T) {
	dir := t.TempDir()
	fresh := func(c *app.Config) { c.DataDir, c.MasterKey = dir, "" }
	var log bytes.Buffer
	ta := apptest.NewWithLog(t, &log, fresh)
	st, err := os.Stat(filepath.Join(dir, "master.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("master.key: %v, mode %v", err, st)
	}
	if st, err := os.Stat(filepath.Join(dir, "blobs")); err != nil || !st.IsDir() {
		t.Fatalf("blobs folder: %v", err)
	}
	if n := strings.Count(log.String(), "created a new master key file"); n != 1 || !strings.Contains(log.String(), "back it up") {
		t.Fatalf("%d lines about the new key file; log: %s", n, log.String())
	}
	key, _ := os.ReadFile(filepath.Join(dir, "master.key"))
	if strings.Contains(log.String(), strings.TrimSpace(string(key))) {
		t.Fatal("the log holds the master key")
	}

	// Objects are stored encrypted in the folder.
	studio := signedUpStudio(t, ta)
	secret := []byte("Sharma wedding, the first kiss, as a JPEG would hold it")
	if _, err := ta.Gallery.Blobs.Put(context.Background(), studio, "albums/a/p/original", bytes.NewReader(secret)); err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, "blobs", studio.String(), "albums", "a", "p", "original"))
	if err != nil || bytes.Contains(onDisk, []byte("first kiss")) {
		t.Fatalf("stored file: %v, plaintext on disk %v", err, bytes.Contains(onDisk, []byte("first kiss")))
	}

	// The next start on the same folder and database: no new key, no line.
	log.Reset()
	again, err := app.New(ta.Config, ta.DB, slogTo(&log))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "master key") {
		t.Fatalf("second start logged: %s", log.String())
	}
	if got := readAll(t, again.Gallery.Blobs, studio, "albums/a/p/original"); !bytes.Equal(got, secret) {
		t.Fatalf("second start reads %q", got)
	}
}

// A server whose master key did not wrap the database's data keys refuses
// to start, and a key file it would have created for nothing is not kept.
func TestStartWithAnotherMasterKeyFails(t *testing.T) {
	ta := apptest.New(t)
	studio := signedUpStudio(t, ta)
	if _, err := ta.Gallery.Blobs.Put(context.Background(), studio, "k", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	cfg := ta.Config
	cfg.DataDir, cfg.MasterKey = t.TempDir(), ""
	_, err := app.New(cfg, ta.DB, slogTo(io.Discard))
	if !errors.Is(err, storage.ErrWrongMasterKey) || !strings.Contains(err.Error(), "restore the original master key") {
		t.Fatalf("start with a new key file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, "master.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the useless key file was kept: %v", err)
	}
}

// The gallery sees its own ErrNotFound for a missing object.
func TestGalleryBlobsMissingIsGalleryNotFound(t *testing.T) {
	ta := apptest.New(t)
	studio := signedUpStudio(t, ta)
	_, err := useBlobs(t, ta).Open(context.Background(), studio, "albums/none/original")
	if !errors.Is(err, gallery.ErrNotFound) || !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("open of a missing object: %v", err)
	}
}

// With storage s3 the app stores an upload in the bucket, encrypted twice
// over, and serves it back.
func TestUploadOnS3(t *testing.T) {
	url, key, secret := os.Getenv("PROOFSHEET_TEST_S3_URL"), os.Getenv("PROOFSHEET_TEST_S3_KEY"), os.Getenv("PROOFSHEET_TEST_S3_SECRET")
	if url == "" {
		t.Fatal("PROOFSHEET_TEST_S3_URL is not set: run `eval \"$(scripts/test-services start)\"` first")
	}
	bucket := "t-" + uuid.NewString()
	client := s3Client(t, url, key, secret, bucket)
	ta := apptest.New(t, func(c *app.Config) {
		c.Storage, c.S3Endpoint, c.S3Bucket, c.S3AccessKey, c.S3SecretKey = "s3", url, bucket, key, secret
	})
	o := ta.SignUp("Lumen Studio", "mira@example.com")
	studio := studioOf(t, ta, "mira@example.com")
	album := createAlbum(t, o.Client, "Sharma wedding", nil)
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", album)
	jpeg := readFace(t, "img1.jpg")
	if res := upload(t, o.Client, album, folder, "img1.jpg", jpeg); res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	objKey := query[string](t, ta, "SELECT original_key FROM photos WHERE album_id = $1", album)
	if got := readBlob(t, ta, studio, objKey); !bytes.Equal(got, jpeg) {
		t.Fatalf("read back %d bytes, not the file", len(got))
	}
	full := studio.String() + "/" + objKey
	head, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: &full})
	if err != nil {
		t.Fatal(err)
	}
	if head.ServerSideEncryption != types.ServerSideEncryptionAes256 || *head.ContentLength <= int64(len(jpeg)) {
		t.Fatalf("bucket object: SSE %q, %d bytes", head.ServerSideEncryption, *head.ContentLength)
	}
}

func signedUpStudio(t *testing.T, ta *apptest.TestApp) uuid.UUID {
	t.Helper()
	ta.SignUp("Lumen Studio", "mira@example.com")
	return studioOf(t, ta, "mira@example.com")
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

func readAll(t *testing.T, blobs gallery.Blobs, studio uuid.UUID, key string) []byte {
	t.Helper()
	obj, err := blobs.Open(context.Background(), studio, key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// s3Client makes the bucket on the test MinIO, emptied and removed when t
// ends, and returns a client for checking it.
func s3Client(t *testing.T, url, key, secret, bucket string) *s3.Client {
	t.Helper()
	b, err := storage.NewS3(storage.S3Config{Endpoint: url, Bucket: bucket, Region: "us-east-1", AccessKey: key, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.DeletePrefix(ctx, ""); err != nil {
			t.Error(err)
		}
		if _, err := b.Client().DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
			t.Error(err)
		}
	})
	return b.Client()
}
