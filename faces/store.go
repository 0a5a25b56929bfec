package faces

import (
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/pgvector/pgvector-go"
	"gorm.io/gorm"
)

// ExactSearchMaxFaces is the largest collection searched exactly. An exact
// search reads every face of the collection (through the btree on
// collection_id), so its time grows with the collection: PLATFORM.md
// measured p50 7-12 ms at 4-5k faces, and BenchmarkFaceSearch puts this
// machine's crossing with HNSW near 10k. Below it the exact search is fast
// enough and always right; above it the HNSW index answers in a few
// milliseconds whatever the size, with measured recall@10 >= 0.95.
const ExactSearchMaxFaces = 10_000

// hnswEfSearch is HNSW's candidate list. With iterative scans the index
// keeps going until the LIMIT is filled, also past it, so this trades
// latency against recall (PLATFORM.md: 40-100 gave recall 0.93-0.998).
const hnswEfSearch = 100

// Strategy says how a search reads the faces.
type Strategy int

// Strategies: Auto picks Exact up to ExactSearchMaxFaces faces in the
// collection and HNSW above.
const (
	Auto Strategy = iota
	Exact
	HNSW
)

func (s Strategy) String() string {
	switch s {
	case Exact:
		return "exact"
	case HNSW:
		return "hnsw"
	default:
		return "auto"
	}
}

// neighbour is a face found near a probe.
type neighbour struct {
	ID         uuid.UUID
	PhotoID    uuid.UUID
	PersonID   *uuid.UUID
	X, Y, W, H float32
	Core       bool
	Neighbors  int
	Distance   float64 // cosine distance, 1 - similarity
}

func (n neighbour) match() FaceMatch {
	return FaceMatch{FaceID: n.ID, PhotoID: n.PhotoID, PersonID: n.PersonID,
		Box: Rect{n.X, n.Y, n.W, n.H}, Similarity: float32(1 - n.Distance)}
}

// probe is what a search compares with: an embedding of a model.
type probe struct {
	vec   pgvector.Vector
	model string
}

func newProbe(f Face) (probe, error) {
	if len(f.Embedding) != EmbeddingSize || f.Model == "" {
		return probe{}, invalid("face", "The face has no embedding of the right size or no model.")
	}
	return probe{pgvector.NewVector(f.Embedding), f.Model}, nil
}

// prepare readies tx for searches in a collection: it checks that the
// collection is the studio's (ErrNotFound otherwise), sets HNSW's search
// settings (harmless to exact searches) and, for Auto, picks the strategy
// by the collection's face count (kept by triggers: counting the faces
// here cost more than the search). One round trip.
func prepare(tx *gorm.DB, studio, collection uuid.UUID, how Strategy) (Strategy, error) {
	var rows []struct{ Faces int }
	err := tx.Raw(`SELECT set_config('hnsw.ef_search', ?, true), set_config('hnsw.iterative_scan', 'relaxed_order', true),
			c.face_count AS faces
		FROM face_collections c WHERE c.studio_id = ? AND c.id = ?`,
		strconv.Itoa(hnswEfSearch), studio, collection).Scan(&rows).Error
	switch {
	case err != nil:
		return how, fmt.Errorf("faces: prepare search: %w", err)
	case len(rows) == 0:
		return how, ErrNotFound
	case how != Auto:
		return how, nil
	case rows[0].Faces > ExactSearchMaxFaces:
		return HNSW, nil
	}
	return Exact, nil
}

// nearest returns up to k faces of a collection, embedded by the probe's
// model, whose cosine distance to the probe is under maxDist, nearest
// first; how is Exact or HNSW, from prepare, which must have run in tx.
// Embeddings of different models are never compared.
func nearest(tx *gorm.DB, studio, collection uuid.UUID, p probe, k int, maxDist float64, how Strategy) ([]neighbour, error) {
	if how == HNSW {
		return nearestHNSW(tx, studio, collection, p, k, maxDist)
	}
	return nearestExact(tx, studio, collection, p, k, maxDist)
}

const neighbourColumns = `id, photo_id, person_id, x, y, w, h, core, neighbors`

// nearestExact compares the probe with every face of the collection. The
// distance is computed once, in a subquery that OFFSET 0 keeps apart (the
// same fence as ORDER BY (embedding <=> $1) + 0): ordering by a plain
// column, the planner cannot use the HNSW index, whose filtered scans miss
// rows (PLATFORM.md: recall@10 0.14 with many collections).
func nearestExact(tx *gorm.DB, studio, collection uuid.UUID, p probe, k int, maxDist float64) ([]neighbour, error) {
	var out []neighbour
	err := tx.Raw(`SELECT * FROM (
			SELECT `+neighbourColumns+`, embedding <=> ? AS distance FROM faces
			WHERE studio_id = ? AND collection_id = ? AND model = ? OFFSET 0
		) s WHERE distance < ? ORDER BY distance, id LIMIT ?`,
		p.vec, studio, collection, p.model, maxDist, k).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("faces: exact search: %w", err)
	}
	return out, nil
}

// nearestHNSW walks the HNSW index with iterative scans (pgvector 0.8, set
// by prepare), so rows of other collections skipped by the filter do not
// leave the result short: the scan goes on until k rows of this collection
// are found, also past ef_search. The index orders by half-precision
// copies (migration 00013; the ORDER BY must be its expression); the
// distance kept and sorted on is the full one, and relaxed_order may
// return rows slightly out of order, hence the outer sort.
func nearestHNSW(tx *gorm.DB, studio, collection uuid.UUID, p probe, k int, maxDist float64) ([]neighbour, error) {
	var out []neighbour
	if err := tx.Raw(hnswSQL, hnswArgs(studio, collection, p, k, maxDist)...).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("faces: hnsw search: %w", err)
	}
	return out, nil
}

const hnswSQL = `SELECT * FROM (
		SELECT ` + neighbourColumns + `, embedding <=> ? AS distance FROM faces
		WHERE studio_id = ? AND collection_id = ? AND model = ?
		ORDER BY embedding::halfvec(512) <=> ?::halfvec(512) LIMIT ?
	) s WHERE distance < ? ORDER BY distance, id`

func hnswArgs(studio, collection uuid.UUID, p probe, k int, maxDist float64) []any {
	return []any{p.vec, studio, collection, p.model, p.vec, k, maxDist}
}
