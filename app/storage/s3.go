package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Config says where an S3 (or S3-compatible) bucket is.
type S3Config struct {
	Endpoint  string // e.g. http://127.0.0.1:9000; empty: AWS for Region
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	PartSize  int64 // multipart part size, at least 5 MiB; 0: 8 MiB
}

// S3 keeps objects in a bucket under "<studio>/<key>", with path-style
// addressing (what S3-compatible servers expect) and server-side
// encryption (SSE-S3) on top of the client-side encryption.
type S3 struct {
	client   *s3.Client
	bucket   string
	partSize int64
}

const defaultPartSize = 8 << 20

// NewS3 builds the client from c alone: no shared config files or AWS_*
// variables are read.
func NewS3(c S3Config) (*S3, error) {
	if c.Bucket == "" || c.Region == "" {
		return nil, errors.New("storage: s3 needs a bucket and a region")
	}
	if c.PartSize == 0 {
		c.PartSize = defaultPartSize
	}
	if c.PartSize < 5<<20 {
		return nil, errors.New("storage: s3 part size must be at least 5 MiB")
	}
	opts := s3.Options{
		Region:       c.Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, ""),
		// Checksums only where the API requires them: S3-compatible
		// servers do not all know the newer ones. GCM authenticates anyway.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if c.Endpoint != "" {
		opts.BaseEndpoint = aws.String(c.Endpoint)
	}
	return &S3{client: s3.New(opts), bucket: c.Bucket, partSize: c.PartSize}, nil
}

// Client is the S3 client, for checks in tests.
func (s *S3) Client() *s3.Client { return s.client }

// Check reports whether the bucket is there and reachable with the keys.
func (s *S3) Check(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		return fmt.Errorf("storage: s3 bucket %s: %w", s.bucket, err)
	}
	return nil
}

// Put sends an object of at most one part in one request, and a larger
// one as a multipart upload that only becomes visible when completed and
// is aborted on any failure. Either way nothing partial is ever visible.
func (s *S3) Put(ctx context.Context, name string, r io.Reader) error {
	first, err := io.ReadAll(io.LimitReader(r, s.partSize))
	if err != nil {
		return err
	}
	if int64(len(first)) < s.partSize {
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: &s.bucket, Key: &name, Body: bytes.NewReader(first), ContentLength: aws.Int64(int64(len(first))),
			ServerSideEncryption: types.ServerSideEncryptionAes256,
		})
		return err
	}
	return s.putMultipart(ctx, name, first, r)
}

func (s *S3) putMultipart(ctx context.Context, name string, first []byte, r io.Reader) error {
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: &s.bucket, Key: &name, ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return err
	}
	parts, err := s.uploadParts(ctx, name, up.UploadId, first, r)
	if err == nil {
		_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket: &s.bucket, Key: &name, UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
	}
	if err != nil {
		_, aerr := s.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: &s.bucket, Key: &name, UploadId: up.UploadId,
		})
		return errors.Join(err, aerr)
	}
	return nil
}

// uploadParts sends first and then the rest of r, part by part, one part
// in memory at a time.
func (s *S3) uploadParts(ctx context.Context, name string, id *string, first []byte, r io.Reader) ([]types.CompletedPart, error) {
	var parts []types.CompletedPart
	buf, eof := first, false
	for num := int32(1); len(buf) > 0; num++ {
		if num > 10000 {
			return nil, errors.New("object too large for a multipart upload")
		}
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: &s.bucket, Key: &name, UploadId: id, PartNumber: aws.Int32(num),
			Body: bytes.NewReader(buf), ContentLength: aws.Int64(int64(len(buf))),
		})
		if err != nil {
			return nil, err
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
		if eof {
			break
		}
		n, err := fill(r, buf[:s.partSize]) // first's array has room for a part
		switch {
		case err == io.EOF:
			eof = true
		case err != nil:
			return nil, err
		}
		buf = buf[:n]
	}
	return parts, nil
}

// Open starts reading the whole object, which gives its size (from
// Content-Range) and its first bytes in one request.
func (s *S3) Open(ctx context.Context, name string) (Blob, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &name, Range: aws.String("bytes=0-")})
	if err != nil {
		if notFound(err) {
			return nil, ErrNotFound
		}
		if apiCode(err) == "InvalidRange" { // an empty object: not one of ours
			return nil, fmt.Errorf("%w: empty object", ErrCorrupt)
		}
		return nil, err
	}
	size, err := totalSize(out)
	if err != nil {
		out.Body.Close()
		return nil, err
	}
	return &s3Blob{s3: s, ctx: ctx, name: name, size: size, etag: out.ETag, first: out.Body}, nil
}

// totalSize reads the object's size from "Content-Range: bytes 0-N/SIZE",
// or from Content-Length when the server sent the whole object.
func totalSize(out *s3.GetObjectOutput) (int64, error) {
	if out.ContentRange == nil {
		return aws.ToInt64(out.ContentLength), nil
	}
	_, total, ok := strings.Cut(*out.ContentRange, "/")
	n, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("storage: s3: bad Content-Range %q", *out.ContentRange)
	}
	return n, nil
}

// Delete removes the object; S3 does not mind a missing one.
func (s *S3) Delete(ctx context.Context, name string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &name})
	return err
}

// DeletePrefix lists the objects under prefix and deletes them a page
// (up to 1,000) at a time.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if len(page.Contents) == 0 {
			continue
		}
		ids := make([]types.ObjectIdentifier, len(page.Contents))
		for i, o := range page.Contents {
			ids[i] = types.ObjectIdentifier{Key: o.Key}
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: &s.bucket, Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("storage: s3: delete %s: %s %s (and %d more)",
				aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message), len(out.Errors)-1)
		}
	}
	return nil
}

func notFound(err error) bool {
	var nsk *types.NoSuchKey
	code := apiCode(err)
	return errors.As(err, &nsk) || code == "NoSuchKey" || code == "NotFound"
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// s3Blob reads an opened object with ranged GETs that must match the ETag
// seen at Open: an object replaced meanwhile is an error, not a mix.
type s3Blob struct {
	s3    *S3
	ctx   context.Context
	name  string
	size  int64
	etag  *string
	first io.ReadCloser // Open's response, from byte 0, until used
}

func (b *s3Blob) Size() int64 { return b.size }

func (b *s3Blob) Stream(off int64) (io.ReadCloser, error) {
	if b.first != nil {
		first := b.first
		b.first = nil
		if off == 0 {
			return first, nil
		}
		first.Close()
	}
	out, err := b.s3.client.GetObject(b.ctx, &s3.GetObjectInput{
		Bucket: &b.s3.bucket, Key: &b.name, Range: aws.String(fmt.Sprintf("bytes=%d-", off)), IfMatch: b.etag,
	})
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}

func (b *s3Blob) Close() error {
	if b.first != nil {
		b.first.Close()
		b.first = nil
	}
	return nil
}
