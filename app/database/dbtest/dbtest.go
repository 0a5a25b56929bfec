// Package dbtest gives each test its own PostgreSQL database, cloned from a
// template that is migrated once per migration set.
//
// The server is PROOFSHEET_TEST_DATABASE_URL (a superuser URL; `make test`
// sets it), or else a private cluster in var/test/postgres that the first
// test binary starts and leaves running for the others.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/app/localpg"
	"github.com/proofsheet/proofsheet/migrations"
)

// EnvURL names the variable with the test server's superuser URL.
const EnvURL = "PROOFSHEET_TEST_DATABASE_URL"

var (
	once     sync.Once
	server   string // URL of the server's "postgres" database
	template string // name of the migrated template database
	setupErr error
)

// URL returns the URL of a fresh, migrated database for t, dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { server, template, setupErr = setup(context.Background()) })
	if setupErr != nil {
		t.Fatalf("dbtest: %v", setupErr)
	}
	ctx := context.Background()
	name := "t_" + randomHex(8)
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("dbtest: clone: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("dbtest: drop: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop: %v", err)
		}
	})
	return withDatabase(server, name)
}

// Open returns the app's pool (running as proofsheet_app) on a fresh
// database, closed when t ends, and the database's superuser URL.
func Open(t testing.TB) (*database.DB, string) {
	t.Helper()
	u := URL(t)
	db, err := database.Open(context.Background(), u, 10)
	if err != nil {
		t.Fatalf("dbtest: open: %v", err)
	}
	t.Cleanup(db.Close)
	return db, u
}

func setup(ctx context.Context) (string, string, error) {
	srv := os.Getenv(EnvURL)
	if srv == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", "", err
		}
		cl, err := localpg.New(filepath.Join(root, "var", "test", "postgres"), 5432, slog.New(slog.DiscardHandler))
		if err != nil {
			return "", "", err
		}
		if err := cl.Start(ctx); err != nil {
			return "", "", err
		}
		srv = cl.URL("postgres")
	}
	name, err := templateName()
	if err != nil {
		return "", "", err
	}
	return srv, name, ensureTemplate(ctx, srv, name)
}

// templateName changes whenever a migration file changes.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS(), p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	return "tmpl_" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ensureTemplate creates and migrates the template once across all test
// processes, under an advisory lock.
func ensureTemplate(ctx context.Context, srv, name string) error {
	admin, err := pgx.Connect(ctx, srv)
	if err != nil {
		return fmt.Errorf("connect %s: %w", srv, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(727274)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	build := name + "_build"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+build); err != nil {
		return err
	}
	if _, err := database.Migrate(ctx, withDatabase(srv, build)); err != nil {
		return err
	}
	// Rename only when complete, so a crash never leaves a half template.
	_, err = admin.Exec(ctx, "ALTER DATABASE "+build+" RENAME TO "+name)
	return err
}

func withDatabase(srv, name string) string {
	u, err := url.Parse(srv)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("dbtest: go.mod not found")
		}
		dir = parent
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
