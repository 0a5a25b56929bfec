package database

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Changes of the data guests are served from a cache (migration 00010):
// the tables raise notice ChangedCode in the writing connection and
// NOTIFY ChangesChannel to every other. The pool's connections turn the
// notice into a call of the change hook — after the commit for a
// transaction of InStudio or Unscoped, at once for a lone statement — so
// a process never answers from a cache it has just made stale.

const (
	ChangesChannel = "proofsheet_changes"
	ChangedCode    = "PSC01"
	noticed        = "proofsheet.changed" // PgConn.CustomData key
)

// ChangeHook hears of a change of a studio's cached data; uuid.Nil means
// any studio.
type ChangeHook func(studio uuid.UUID)

// changes holds the hook, set once the app is wired, and the pool's
// application_name, which marks this process's own NOTIFYs: its changes
// are told when they commit, and hearing them again a moment later would
// only empty the cache for nothing.
type changes struct {
	hook atomic.Pointer[ChangeHook]
	self string
}

func (c *changes) tell(studio uuid.UUID) {
	if h := c.hook.Load(); h != nil {
		(*h)(studio)
	}
}

// OnChange sets the hook that hears of changes.
func (d *DB) OnChange(h ChangeHook) { d.changes.hook.Store(&h) }

// watch makes connections of cfg report changes to c.
func (c *changes) watch(cfg *pgx.ConnConfig) {
	cfg.OnNotice = func(pc *pgconn.PgConn, n *pgconn.Notice) {
		if n.Code == ChangedCode {
			pc.CustomData()[noticed] = true
		}
	}
	cfg.Tracer = changeTracer{c}
}

// WatchChanges makes a connection opened with cfg (such as a test's
// superuser connection) report its changes to d's hook.
func (d *DB) WatchChanges(cfg *pgx.ConnConfig) { d.changes.watch(cfg) }

// txChanges marks a transaction in its context; the tracer sets by, the
// changes to tell, when one of its statements changed cached data.
type txChanges struct{ by atomic.Pointer[changes] }

// committed tells of the transaction's changes, once it has committed.
func (m *txChanges) committed(studio uuid.UUID) {
	if c := m.by.Load(); c != nil {
		c.tell(studio)
	}
}

type txChangesKey struct{}

// trackChanges returns ctx marked for a new transaction, or ctx itself when
// it already belongs to one (a nested transaction reports with its outer).
func trackChanges(ctx context.Context) (context.Context, *txChanges, bool) {
	if m, ok := ctx.Value(txChangesKey{}).(*txChanges); ok {
		return ctx, m, false
	}
	m := &txChanges{}
	return context.WithValue(ctx, txChangesKey{}, m), m, true
}

type changeTracer struct{ c *changes }

func (changeTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (t changeTracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, _ pgx.TraceQueryEndData) {
	data := conn.PgConn().CustomData()
	if data[noticed] == nil {
		return
	}
	delete(data, noticed)
	if m, ok := ctx.Value(txChangesKey{}).(*txChanges); ok {
		m.by.Store(t.c)
		return
	}
	t.c.tell(uuid.Nil) // a statement of its own, already committed
}

// ListenChanges tells d's hook of the changes other processes commit, for
// as long as ctx lasts. live(true) is called once listening, when nothing
// can have been missed since; live(false) whenever the connection is lost,
// so the caller stops trusting its cache until it is back.
func (d *DB) ListenChanges(ctx context.Context, live func(bool)) {
	defer live(false)
	for wait := time.Duration(0); ; wait = min(2*wait+100*time.Millisecond, 5*time.Second) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if d.listen(ctx, live) {
			wait = 0
		}
	}
}

// listen holds one LISTEN connection until it fails; it reports whether
// it got as far as listening.
func (d *DB) listen(ctx context.Context, live func(bool)) bool {
	cfg := d.Pool.Config().ConnConfig
	cfg.Tracer, cfg.OnNotice = nil, nil
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+ChangesChannel); err != nil {
		return false
	}
	live(true)
	defer live(false)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true
		}
		id, writer, _ := strings.Cut(n.Payload, " ")
		if writer == d.changes.self {
			continue
		}
		studio, err := uuid.Parse(id)
		if err != nil {
			studio = uuid.Nil
		}
		d.changes.tell(studio)
	}
}

// newChanges names this process's pool uniquely among the processes on
// the database.
func newChanges() *changes {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return &changes{self: fmt.Sprintf("proofsheet-%x", b)}
}
