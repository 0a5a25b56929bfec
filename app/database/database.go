// Package database opens Proofsheet's PostgreSQL: it migrates as the
// connecting (owner) user, then serves the app from a pool whose every
// connection runs as proofsheet_app, a role bound by row-level security.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/proofsheet/proofsheet/migrations"
)

// AppRole is the role every pooled connection switches to.
const AppRole = "proofsheet_app"

// DB is the app's handle on PostgreSQL: one pgx pool shared by GORM and River.
type DB struct {
	Pool *pgxpool.Pool
	Gorm *gorm.DB
	SQL  *sql.DB

	changes *changes
	pinned  []*DB // closed with this one
}

// Migrate applies pending migrations as the URL's user.
func Migrate(ctx context.Context, url string) (int, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return 0, fmt.Errorf("database: %w", err)
	}
	defer db.Close()
	return migrations.Up(ctx, db)
}

// Open connects the app pool. maxConns 0 keeps pgx's default.
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: parse url: %w", err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	ch := newChanges()
	ch.watch(cfg.ConnConfig)
	cfg.ConnConfig.RuntimeParams["application_name"] = ch.self
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if _, err := c.Exec(ctx, "SET ROLE "+AppRole); err != nil {
			return fmt.Errorf("set role: %w", err)
		}
		return pgxvec.RegisterTypes(ctx, c)
	}
	d, err := open(ctx, cfg, ch)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Pool.Ping(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("database: ping: %w", err)
	}
	return d, nil
}

// pinnedLifetime is how long a pinned connection lives, idle or not.
const pinnedLifetime = 24 * time.Hour

// Pinned opens a second pool of at most n connections to d's server, as
// d's are (the app's role, the same change hook), for work that is faster
// on a backend that has done it before. A PostgreSQL backend maps each
// page of shared buffers the first time it reads it: even in huge pages
// (localpg) a new backend's searches of a million faces have twice the
// p99 of one that has walked the index, and in 4 KiB pages on these
// machines five times the p50 (docs/decisions.md). The app pool spreads work
// over 25 connections that pgx replaces every hour; a pinned pool keeps
// its few for a day, and checks them hourly: pgx's check, every minute by
// default, puts the connection idle longest first in line, so one after
// another searches would move to the coldest backend each minute. It
// closes with d.
func (d *DB) Pinned(ctx context.Context, n int32) (*DB, error) {
	cfg := d.Pool.Config()
	cfg.MaxConns = n
	cfg.MaxConnLifetime, cfg.MaxConnIdleTime = pinnedLifetime, pinnedLifetime
	cfg.HealthCheckPeriod = time.Hour
	p, err := open(ctx, cfg, d.changes)
	if err != nil {
		return nil, err
	}
	d.pinned = append(d.pinned, p)
	return p, nil
}

// open makes a pool of cfg and GORM on it; it connects nothing yet.
func open(ctx context.Context, cfg *pgxpool.Config, ch *changes) (*DB, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open pool: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
		DisableAutomaticPing:   true, // Open pings; a pinned pool connects on first use
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: gorm: %w", err)
	}
	return &DB{Pool: pool, Gorm: g, SQL: sqlDB, changes: ch}, nil
}

// Close releases the pool and those pinned to it.
func (d *DB) Close() {
	for _, p := range d.pinned {
		p.Close()
	}
	d.SQL.Close()
	d.Pool.Close()
}

// InStudio runs fn in a transaction whose row-level security is scoped to
// studio. Stores still filter by studio explicitly; this is the second lock.
func (d *DB) InStudio(ctx context.Context, studio uuid.UUID, fn func(tx *gorm.DB) error) error {
	return InStudio(ctx, d.Gorm, studio, fn)
}

// InStudio is DB.InStudio for any *gorm.DB. Once the transaction has
// committed, the studio's cached data it changed is reported (changes.go).
func InStudio(ctx context.Context, g *gorm.DB, studio uuid.UUID, fn func(tx *gorm.DB) error) error {
	if studio == uuid.Nil {
		return errors.New("database: no studio for transaction")
	}
	ctx, m, outer := trackChanges(ctx)
	err := g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT set_config('app.studio_id', ?, true)", studio.String()).Error; err != nil {
			return fmt.Errorf("database: set studio: %w", err)
		}
		return fn(tx)
	})
	if err == nil && outer {
		m.committed(studio)
	}
	return err
}

// Unscoped runs fn in a transaction outside any studio (row-level security
// then shows no studio's rows); a change it commits is any studio's.
func (d *DB) Unscoped(ctx context.Context, fn func(tx *gorm.DB) error) error {
	ctx, m, outer := trackChanges(ctx)
	err := d.Gorm.WithContext(ctx).Transaction(fn)
	if err == nil && outer {
		m.committed(uuid.Nil)
	}
	return err
}

// StudioOf resolves an e-mail or a secret's hash to its studio through the
// studio_of() function; uuid.Nil when nothing matches.
func (d *DB) StudioOf(ctx context.Context, kind, key string) (uuid.UUID, error) {
	var id *uuid.UUID
	if err := d.Pool.QueryRow(ctx, "SELECT studio_of($1, $2)", kind, key).Scan(&id); err != nil {
		return uuid.Nil, fmt.Errorf("database: studio of %s: %w", kind, err)
	}
	if id == nil {
		return uuid.Nil, nil
	}
	return *id, nil
}

// Vacuum vacuums tables, outside any transaction, so deleted rows leave
// the heap and every index: the face purge's promise that no index keeps
// an entry of a deleted collection. VACUUM needs the tables' owner, which
// is the connecting user, so the connection leaves proofsheet_app for the
// command and is closed rather than reused if it cannot switch back.
// INDEX_CLEANUP ON: by default VACUUM may skip the indexes when few rows
// died, and a purged collection can be a small part of the table.
func (d *DB) Vacuum(ctx context.Context, tables ...string) error {
	c, err := d.Pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("database: vacuum: %w", err)
	}
	defer c.Release()
	if _, err := c.Exec(ctx, "RESET ROLE"); err != nil {
		c.Conn().Close(ctx)
		return fmt.Errorf("database: vacuum: %w", err)
	}
	var verr error
	for _, t := range tables {
		if _, err := c.Exec(ctx, "VACUUM (INDEX_CLEANUP ON) "+pgx.Identifier{t}.Sanitize()); err != nil {
			verr = fmt.Errorf("database: vacuum %s: %w", t, err)
			break
		}
	}
	if _, err := c.Exec(context.WithoutCancel(ctx), "SET ROLE "+AppRole); err != nil {
		c.Conn().Close(ctx)
		return errors.Join(verr, fmt.Errorf("database: vacuum: back to %s: %w", AppRole, err))
	}
	return verr
}

// Ready reports whether the database answers and has every migration.
func (d *DB) Ready(ctx context.Context) error {
	var v int64
	if err := d.Pool.QueryRow(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if want := migrations.Version(); v < want {
		return fmt.Errorf("database: schema at version %d, binary expects %d", v, want)
	}
	return nil
}
