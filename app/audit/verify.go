package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Kinds of problem Verify reports.
const (
	ProblemAltered    = "altered"     // the entry's hash does not match its fields
	ProblemRemoved    = "removed"     // seq numbers are missing
	ProblemBrokenLink = "broken link" // prev_hash is not the previous entry's hash
)

// Problem is one break in a studio's chain.
type Problem struct {
	StudioID uuid.UUID
	Studio   string // the studio's name, for the operator
	Seq      int64  // the first entry concerned
	Kind     string
	Detail   string
}

func (p Problem) String() string {
	return fmt.Sprintf("studio %s (%s): entry %d %s: %s", p.StudioID, p.Studio, p.Seq, p.Kind, p.Detail)
}

// Report is the outcome of Verify.
type Report struct {
	Studios  int // studios with at least one entry
	Entries  int
	Problems []Problem // ordered by studio, then seq
}

// OK reports whether every chain is intact.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// ByStudio groups the problems per studio.
func (r Report) ByStudio() map[uuid.UUID][]Problem {
	out := map[uuid.UUID][]Problem{}
	for _, p := range r.Problems {
		out[p.StudioID] = append(out[p.StudioID], p)
	}
	return out
}

// Querier is what Verify reads through: a *pgx.Conn, a pool or a pgx.Tx.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Verify checks every studio's chain. conn must see all studios, so it is
// the database owner's connection, not the app's RLS-bound pool. Every
// entry must have the next seq (a gap is a removed entry), link to the
// previous entry's hash and hash to its own fields.
//
// A hash chain cannot show that entries were cut from the end of a chain;
// a studio with no entries at all (sign-up always writes one) is reported.
func Verify(ctx context.Context, conn Querier) (Report, error) {
	// One statement is one snapshot, so appends running meanwhile cannot
	// look like gaps.
	rows, err := conn.Query(ctx, `
		SELECT s.id, s.name, a.seq, a.at, a.actor_id::text, a.actor, a.kind, a.ip, a.detail, a.prev_hash, a.hash
		FROM studios s LEFT JOIN audit_log a ON a.studio_id = s.id
		ORDER BY s.id, a.seq`)
	if err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var rep Report
	var ch *chain
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.studio, &r.name, &r.seq, &r.at, &r.actorID, &r.actor, &r.kind, &r.ip, &r.detail, &r.prevHash, &r.hash); err != nil {
			return Report{}, fmt.Errorf("audit: verify: %w", err)
		}
		if ch == nil || ch.studio != r.studio {
			ch = &chain{studio: r.studio, name: r.name, next: 1}
			if r.seq == nil {
				rep.Problems = append(rep.Problems, ch.problem(1, ProblemRemoved, "the studio has no entries at all"))
				continue
			}
			rep.Studios++
		}
		e, err := r.entry()
		if err != nil {
			return Report{}, err
		}
		rep.Entries++
		ps, err := ch.check(e)
		if err != nil {
			return Report{}, err
		}
		rep.Problems = append(rep.Problems, ps...)
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("audit: verify: %w", err)
	}
	return rep, nil
}

// chain is the state of one studio's walk.
type chain struct {
	studio   uuid.UUID
	name     string
	next     int64  // the seq the next entry must have
	prevHash string // the stored hash of the previous entry
}

func (c *chain) problem(seq int64, kind, detail string) Problem {
	return Problem{StudioID: c.studio, Studio: c.name, Seq: seq, Kind: kind, Detail: detail}
}

// check compares e with what the chain so far expects, then advances.
func (c *chain) check(e Entry) ([]Problem, error) {
	var out []Problem
	gap := e.Seq != c.next
	if gap {
		detail := fmt.Sprintf("entry %d is missing", c.next)
		if e.Seq-c.next > 1 {
			detail = fmt.Sprintf("entries %d to %d are missing", c.next, e.Seq-1)
		}
		out = append(out, c.problem(c.next, ProblemRemoved, detail))
	}
	want, err := e.digest()
	if err != nil {
		return nil, err
	}
	if want != e.Hash {
		out = append(out, c.problem(e.Seq, ProblemAltered, "its hash does not match its contents"))
	}
	// After a gap the link points at the missing entry; the removal says it.
	if !gap && e.PrevHash != c.prevHash {
		out = append(out, c.problem(e.Seq, ProblemBrokenLink, "it does not follow the previous entry (changed or replaced before it)"))
	}
	c.next, c.prevHash = e.Seq+1, e.Hash
	return out, nil
}

// row is one scanned line; audit columns are NULL for a studio with no entries.
type row struct {
	studio         uuid.UUID
	name           string
	seq            *int64
	at             *time.Time
	actorID        *string
	actor, kind    *string
	ip             *string
	detail         []byte
	prevHash, hash *string
}

// entry rebuilds the Entry as Append hashed it: the same types the GORM
// read gives (detail as decoded JSON), so digest() sees the same input.
func (r row) entry() (Entry, error) {
	e := Entry{StudioID: r.studio, Seq: *r.seq, At: *r.at, Actor: *r.actor, Kind: *r.kind, IP: *r.ip,
		PrevHash: *r.prevHash, Hash: *r.hash}
	if r.actorID != nil {
		id, err := uuid.Parse(*r.actorID)
		if err != nil {
			return Entry{}, fmt.Errorf("audit: verify: entry %d: actor: %w", e.Seq, err)
		}
		e.ActorID = &id
	}
	if err := json.Unmarshal(r.detail, &e.Detail); err != nil {
		return Entry{}, fmt.Errorf("audit: verify: entry %d: detail: %w", e.Seq, err)
	}
	return e, nil
}
