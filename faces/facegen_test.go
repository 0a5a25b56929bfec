package faces_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/proofsheet/proofsheet/faces"
)

// faceSpace makes clustered, face-like unit vectors for search tests and
// benchmarks (uniform random vectors are useless to measure recall:
// PLATFORM.md). Every person has a centre; a face is the centre plus noise
// of a spread that varies per face, normalised. Calibrated on the model's
// real embeddings of the labelled photos (proofsheet faces eval): faces of
// one person have cosine similarity 0.64-0.8, mean ~0.72 (real: mean 0.72);
// different people centre on 0 with a spread of ~0.1 (real: mean 0.009, p5
// -0.16, p95 0.18), which comes from the centres lying in a subspace of
// identityDims dimensions: random directions in d dimensions have cosines
// of spread 1/sqrt(d).
type faceSpace struct {
	rng     *rand.Rand
	centres [][]float32
}

const (
	identityDims = 50   // dimensions the people's centres span
	spreadMin    = 0.5  // noise length, relative to the centre, per face
	spreadMax    = 0.75 // same-person similarity is about 1/(1+spread²)
)

// newFaceSpace makes people centres from seed; the same seed makes the
// same people, so a stored set and its probes match across runs.
func newFaceSpace(seed uint64, people int) *faceSpace {
	s := &faceSpace{rng: rand.New(rand.NewPCG(seed, 1))}
	basis := make([][]float32, identityDims)
	for i := range basis {
		basis[i] = s.gaussian(1)
	}
	for range people {
		c := make([]float32, faces.EmbeddingSize)
		for _, b := range basis {
			g := float32(s.rng.NormFloat64())
			for i := range c {
				c[i] += g * b[i]
			}
		}
		unit(c)
		s.centres = append(s.centres, c)
	}
	return s
}

// fork is the same people with their own random stream, for probes.
func (s *faceSpace) fork(seed uint64) *faceSpace {
	return &faceSpace{rng: rand.New(rand.NewPCG(seed, 2)), centres: s.centres}
}

func (s *faceSpace) gaussian(scale float64) []float32 {
	v := make([]float32, faces.EmbeddingSize)
	for i := range v {
		v[i] = float32(s.rng.NormFloat64() * scale)
	}
	return v
}

// face is a new face of person p.
func (s *faceSpace) face(p int) []float32 {
	spread := spreadMin + s.rng.Float64()*(spreadMax-spreadMin)
	n := s.gaussian(1)
	unit(n)
	v := make([]float32, faces.EmbeddingSize)
	for i := range v {
		v[i] = s.centres[p][i] + float32(spread)*n[i]
	}
	unit(v)
	return v
}

// anyFace is a new face of a random person.
func (s *faceSpace) anyFace() []float32 { return s.face(s.rng.IntN(len(s.centres))) }

func unit(v []float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	n := float32(math.Sqrt(ss))
	for i := range v {
		v[i] /= n
	}
}

// facesPerPhoto is how many stored faces share one photo row.
const facesPerPhoto = 3

// seedCollection makes an album of photos and a collection over it in
// studio, and copies the n vectors vec(0..n-1) into it as faces of model,
// as the superuser (bulk COPY, in binary). A studio row is made if none
// exists.
func seedCollection(ctx context.Context, conn *pgx.Conn, studio uuid.UUID, model string, n int, vec func(i int) []float32) (uuid.UUID, error) {
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		return uuid.Nil, err
	}
	album, folder, coll := uuid.New(), uuid.New(), uuid.New()
	_, err := conn.Exec(ctx, `INSERT INTO studios (id, name) VALUES ($1, 'Bench') ON CONFLICT DO NOTHING`, studio)
	if err == nil {
		_, err = conn.Exec(ctx, `INSERT INTO albums (id, studio_id, title) VALUES ($1, $2, 'Event')`, album, studio)
	}
	if err == nil {
		_, err = conn.Exec(ctx, `INSERT INTO folders (id, studio_id, album_id, name) VALUES ($1, $2, $3, 'Photos')`, folder, studio, album)
	}
	if err == nil {
		_, err = conn.Exec(ctx, `INSERT INTO face_collections (id, studio_id, name) VALUES ($1, $2, 'Guests')`, coll, studio)
	}
	if err == nil {
		_, err = conn.Exec(ctx, `INSERT INTO face_collection_albums (collection_id, album_id, studio_id) VALUES ($1, $2, $3)`, coll, album, studio)
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("seed: %w", err)
	}
	photos, err := seedPhotos(ctx, conn, studio, album, folder, (n+facesPerPhoto-1)/facesPerPhoto)
	if err != nil {
		return uuid.Nil, err
	}
	i := 0
	rows := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		row := []any{uuid.New(), studio, coll, photos[i/facesPerPhoto], float32(0.4), float32(0.3), float32(0.1), float32(0.15),
			120, float32(0.99), float32(3.5), model, pgvector.NewVector(vec(i))}
		i++
		return row, nil
	})
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"faces"},
		[]string{"id", "studio_id", "collection_id", "photo_id", "x", "y", "w", "h", "width", "score", "quality", "model", "embedding"}, rows)
	if err != nil {
		return uuid.Nil, fmt.Errorf("seed: copy faces: %w", err)
	}
	_, err = conn.Exec(ctx, `INSERT INTO face_photos (collection_id, photo_id, studio_id, status, faces, model)
		SELECT $1, photo_id, $2, 'indexed', count(*), $3 FROM faces WHERE collection_id = $1 GROUP BY photo_id`, coll, studio, model)
	if err != nil {
		return uuid.Nil, fmt.Errorf("seed: face photos: %w", err)
	}
	return coll, nil
}

func seedPhotos(ctx context.Context, conn *pgx.Conn, studio, album, folder uuid.UUID, n int) ([]uuid.UUID, error) {
	rows, err := conn.Query(ctx, `INSERT INTO photos (id, studio_id, album_id, folder_id, filename, media_type, kind, size,
			sha256, original_key, status)
		SELECT gen_random_uuid(), $1, $2, $3, 'p' || i || '.jpg', 'image/jpeg', 'image', 1,
			sha256(convert_to($5 || i, 'UTF8')), 'bench', 'ready'
		FROM generate_series(1, $4) i RETURNING id`, studio, album, folder, n, album.String())
	if err != nil {
		return nil, fmt.Errorf("seed: photos: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("seed: photos: %w", err)
	}
	return ids, nil
}
