package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/app/localpg"
)

// NewLogger builds the process logger from the configuration.
func NewLogger(cfg Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// localDatabase is the name of the app's database in the private cluster.
const localDatabase = "proofsheet"

// Postgres is the database a process uses: the configured URL, or the
// private cluster it started (and must stop).
type Postgres struct {
	URL     string
	Cluster *localpg.Cluster // nil with a configured URL
}

// StartPostgres resolves the database URL, starting the private cluster in
// DataDir/postgres when none is configured.
func StartPostgres(ctx context.Context, cfg Config, log *slog.Logger) (*Postgres, error) {
	if cfg.DatabaseURL != "" {
		return &Postgres{URL: cfg.DatabaseURL}, nil
	}
	cl, err := LocalCluster(cfg, log)
	if err != nil {
		return nil, err
	}
	if err := cl.Start(ctx); err != nil {
		return nil, err
	}
	if err := createDatabase(ctx, cl.URL("postgres"), localDatabase); err != nil {
		_ = cl.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	return &Postgres{URL: cl.URL(localDatabase), Cluster: cl}, nil
}

// LocalCluster is the private cluster of cfg's data folder.
func LocalCluster(cfg Config, log *slog.Logger) (*localpg.Cluster, error) {
	return localpg.New(filepath.Join(cfg.DataDir, "postgres"), 5432, log)
}

// Stop stops the private cluster if this process started it.
func (p *Postgres) Stop(ctx context.Context) error {
	if p.Cluster == nil {
		return nil
	}
	return p.Cluster.Stop(ctx)
}

func createDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("app: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("app: create database: %w", err)
	}
	return nil
}

// Open migrates the database at url and returns the app's pool.
func Open(ctx context.Context, url string, log *slog.Logger) (*database.DB, error) {
	n, err := database.Migrate(ctx, url)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		log.Info("applied migrations", "count", n)
	}
	return database.Open(ctx, url, 25)
}
