package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Objects in the bucket ask for SSE-S3 too, single and multipart, and the
// bucket holds ciphertext.
func TestS3ObjectsHaveServerSideEncryption(t *testing.T) {
	s := newTestS3(t)
	f := newFixture(t, s)
	ctx := context.Background()
	for key, data := range map[string][]byte{
		"albums/a/small": bytes.Repeat([]byte("proof "), 1000),
		"albums/a/large": bytes.Repeat([]byte("proof "), 2_000_000), // 12 MB: multipart
	} {
		f.put(t, f.studio, key, data)
		full := name(f.studio, key)
		head, err := s.Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &full})
		if err != nil {
			t.Fatal(err)
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("%s: server-side encryption %q, want AES256", key, head.ServerSideEncryption)
		}
		out, err := s.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &full})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("proof proof")) || bytes.Equal(raw, data) {
			t.Errorf("%s: the bucket holds the plaintext", key)
		}
	}
}

// An object replaced after Open is not read as a mix of the two: ranged
// reads must match the ETag seen at Open.
func TestS3ObjectReplacedWhileOpenIsNotMixed(t *testing.T) {
	f := newFixture(t, newTestS3(t))
	ctx := context.Background()
	f.put(t, f.studio, "albums/a/p", randomBytes(5*chunkSize))
	obj, err := f.store.Open(ctx, f.studio, "albums/a/p")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	f.put(t, f.studio, "albums/a/p", randomBytes(5*chunkSize))
	if _, err := obj.Seek(3*chunkSize, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(obj); err == nil {
		t.Fatal("read across a replacement succeeded")
	}
}

// A bucket that does not exist is reported by Check.
func TestS3CheckReportsAMissingBucket(t *testing.T) {
	s := newTestS3(t)
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("check of the test bucket: %v", err)
	}
	missing := *s
	missing.bucket = "no-such-bucket-" + s.bucket[2:12]
	if err := missing.Check(context.Background()); err == nil {
		t.Fatal("check of a missing bucket passed")
	}
	if _, err := NewS3(S3Config{Bucket: "b", Region: "r", PartSize: 1 << 20}); err == nil {
		t.Fatal("a 1 MiB part size was accepted")
	}
	_, err := (&missing).Open(context.Background(), "x")
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("open in a missing bucket: %v, want an error other than not found", err)
	}
}
