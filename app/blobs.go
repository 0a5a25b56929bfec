package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/app/storage"
	"github.com/proofsheet/proofsheet/gallery"
)

// LocalBlobDir is the local object store's folder: blob-dir, or
// DATA-DIR/blobs. It is resolved when used, so a changed data-dir counts.
func (c Config) LocalBlobDir() string {
	if c.BlobDir != "" {
		return c.BlobDir
	}
	return filepath.Join(c.DataDir, "blobs")
}

// MasterKeyPath is master-key-file, or DATA-DIR/master.key.
func (c Config) MasterKeyPath() string {
	if c.MasterKeyFile != "" {
		return c.MasterKeyFile
	}
	return filepath.Join(c.DataDir, "master.key")
}

// validateStorage checks the object storage settings (part of Validate).
func (c Config) validateStorage() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch c.Storage {
	case "local":
		if c.BlobDir == "" && c.DataDir == "" {
			bad("blob-dir is required with storage local when data-dir is empty")
		}
	case "s3":
		if c.S3Bucket == "" {
			bad("s3-bucket is required with storage s3")
		}
		if c.S3Region == "" {
			bad("s3-region is required with storage s3")
		}
		if c.S3AccessKey == "" || c.S3SecretKey == "" {
			bad("s3-access-key and s3-secret-key are required with storage s3")
		}
		if u, err := url.Parse(c.S3Endpoint); c.S3Endpoint != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			bad("s3-endpoint %q is not an http(s) URL", c.S3Endpoint)
		}
	default:
		bad("storage %q is not local or s3", c.Storage)
	}
	if c.MasterKey != "" {
		if _, err := storage.ParseMasterKey(c.MasterKey); err != nil {
			bad("%s: %v", EnvName("master-key"), err)
		}
	} else if c.MasterKeyFile == "" && c.DataDir == "" {
		bad("master-key-file is required when %s is unset and data-dir is empty", EnvName("master-key"))
	}
	return errs
}

// newBlobs opens the configured object store. A master key file created
// now is logged once: losing it loses every stored object. The master key
// must be the one the database's data keys were wrapped by.
func newBlobs(cfg Config, db *database.DB, log *slog.Logger) (*storage.Store, error) {
	master, created, err := storage.LoadMasterKey(cfg.MasterKey, cfg.MasterKeyPath())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	keys := storage.NewKeyring(master, db.Gorm)
	if err := keys.Check(ctx); err != nil {
		if created { // a new key is of no use here; leave room for the right one
			_ = os.Remove(cfg.MasterKeyPath())
		}
		return nil, err
	}
	if created {
		log.Warn("created a new master key file: back it up, without it no stored photo can be read",
			"path", cfg.MasterKeyPath(), "master_key_id", master.ID())
	}
	var backend storage.Backend
	switch cfg.Storage {
	case "s3":
		s3, err := storage.NewS3(storage.S3Config{
			Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, Region: cfg.S3Region,
			AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
		})
		if err == nil {
			err = s3.Check(ctx)
		}
		if err != nil {
			return nil, err
		}
		backend = s3
	default:
		if backend, err = storage.NewLocal(cfg.LocalBlobDir()); err != nil {
			return nil, err
		}
	}
	return storage.New(backend, keys), nil
}

// galleryBlobs is the store as the gallery sees it: its own not-found.
type galleryBlobs struct{ *storage.Store }

func (b galleryBlobs) Open(ctx context.Context, studio uuid.UUID, key string) (gallery.Object, error) {
	obj, err := b.Store.Open(ctx, studio, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", gallery.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	return obj, nil
}
