package faces_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/faces"
)

// Exact search and HNSW return the same matches. The collection holds the
// real embeddings of the labelled photos among 3,000 face-like ones;
// another collection in the same table holds 3,000 more, which the
// filtered HNSW scan must skip without coming up short. Each labelled
// photo's embedding is a probe: of its 50 nearest faces, those at or above
// the match threshold are the same, in the same order, by both, for all
// probes but at most one in 50: HNSW's graph is built with random levels,
// and a run now and then leaves part of one person's cluster off a walk.
// (HNSW's recall@10, at least 0.95, is what BenchmarkFaceSearch measures
// at scale: a
// walk for only ten faces sometimes misses one person's whole cluster,
// which is why searches that match ask for many more.)
func TestExactAndHNSWAgree(t *testing.T) {
	e := newEnv(t)
	root := apptest.TestData(t, filepath.Join("faces", "deepface"))
	var ls []faces.Labelled
	for f, id := range labelled(t) {
		ls = append(ls, faces.Labelled{File: f, Identity: id})
	}
	samples, _, err := faces.EmbedLabelled(e.ctx, pipeline(t), root, ls)
	if err != nil || len(samples) < 50 {
		t.Fatalf("%d samples, %v", len(samples), err)
	}
	model := pipeline(t).ModelID()
	space := newFaceSpace(7, 300)
	coll, err := seedCollection(e.ctx, e.su, e.studio, model, len(samples)+3000, func(i int) []float32 {
		if i < len(samples) {
			return samples[i].Embedding
		}
		return space.anyFace()
	})
	if err != nil {
		t.Fatal(err)
	}
	others := newFaceSpace(8, 300)
	if _, err := seedCollection(e.ctx, e.su, e.studio, model, 3000, func(int) []float32 { return others.anyFace() }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.su.Exec(e.ctx, `ANALYZE faces`); err != nil {
		t.Fatal(err)
	}
	plan, err := e.svc.ExplainHNSW(e.ctx, e.studio, coll, faces.Face{Embedding: samples[0].Embedding, Model: model})
	if err != nil || !strings.Contains(plan, hnswIndex) {
		t.Fatalf("an HNSW search does not walk %s: %v\n%s", hnswIndex, err, plan)
	}
	hits, total, differ := 0, 0, 0
	for _, s := range samples {
		probe := faces.Face{Embedding: s.Embedding, Model: model}
		exact := e.searchFaces(coll, probe, 50, faces.Exact)
		hnsw := e.searchFaces(coll, probe, 50, faces.HNSW)
		if exact[0].Similarity < 0.999 {
			t.Fatalf("%s: exact search's first face is at %.3f; want its own face", s.File, exact[0].Similarity)
		}
		want := aboveThreshold(exact)
		if len(want) < 2 {
			t.Errorf("%s: %d matches, want the probe and another photo of the person", s.File, len(want))
		}
		if got := aboveThreshold(hnsw); !slices.Equal(got, want) {
			differ++
			t.Logf("%s: matches by HNSW %v, exactly %v", s.File, got, want)
		}
		e.checkInCollection(coll, exact)
		e.checkInCollection(coll, hnsw)
		hits += overlap(e.searchFaces(coll, probe, 10, faces.HNSW), exact[:10])
		total += 10
	}
	recall := float64(hits) / float64(total)
	t.Logf("HNSW recall@10 %.3f against exact search over %d probes", recall, len(samples))
	if differ > len(samples)/50 || recall < 0.95 {
		t.Errorf("HNSW's matches differ from exact search's for %d of %d probes, recall@10 %.3f", differ, len(samples), recall)
	}
	for _, how := range []faces.Strategy{faces.Exact, faces.HNSW} {
		got, err := e.svc.SearchFaces(e.ctx, e.studio, coll, faces.Face{Embedding: samples[0].Embedding, Model: "another-model"}, 10, how)
		if err != nil || len(got) != 0 {
			t.Errorf("%s: %d faces of another model compared (%v)", how, len(got), err)
		}
	}
}

func (e *env) searchFaces(coll uuid.UUID, probe faces.Face, k int, how faces.Strategy) []faces.FaceMatch {
	e.t.Helper()
	ms, err := e.svc.SearchFaces(e.ctx, e.studio, coll, probe, k, how)
	if err != nil || len(ms) != k {
		e.t.Fatalf("%s search: %d faces, %v", how, len(ms), err)
	}
	return ms
}

// aboveThreshold are the faces at or above the default match threshold.
func aboveThreshold(ms []faces.FaceMatch) []uuid.UUID {
	var out []uuid.UUID
	for _, m := range ms {
		if m.Similarity >= faces.DefaultThreshold {
			out = append(out, m.FaceID)
		}
	}
	return out
}

// checkInCollection fails when a face found is not of the collection.
func (e *env) checkInCollection(coll uuid.UUID, ms []faces.FaceMatch) {
	e.t.Helper()
	ids := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		ids[i] = m.FaceID
	}
	var n int
	if err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM faces WHERE id = ANY($1) AND collection_id <> $2`, ids, coll).Scan(&n); err != nil || n > 0 {
		e.t.Fatalf("%d faces of another collection found (%v)", n, err)
	}
}

// A guest search over a large collection (HNSW) returns every face at or
// above the threshold, also past its first round of firstMatchFaces: the
// probe's person is on 150 faces (50 photos) among 10,500, and the search
// finds exactly the faces exact search finds.
func TestLargeCollectionSearchReturnsEveryMatch(t *testing.T) {
	e := newEnv(t)
	const model, mine, n = "synthetic", 150, faces.ExactSearchMaxFaces + 500
	space := newFaceSpace(11, n/15)
	probe := faces.Face{Embedding: space.face(0), Model: model}
	coll, err := seedCollection(e.ctx, e.su, e.studio, model, n, func(i int) []float32 {
		if i < mine {
			return space.face(0)
		}
		return space.face(1 + i%(len(space.centres)-1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.su.Exec(e.ctx, `ANALYZE faces`); err != nil {
		t.Fatal(err)
	}
	want := aboveThreshold(e.searchFaces(coll, probe, 2000, faces.Exact))
	if len(want) != mine {
		t.Fatalf("exact search finds %d faces at the threshold, want the person's %d", len(want), mine)
	}
	ms, err := e.svc.Search(e.ctx, e.studio, coll, probe)
	if err != nil {
		t.Fatal(err)
	}
	var got []uuid.UUID
	for _, m := range ms {
		for _, f := range m.Faces {
			got = append(got, f.FaceID)
		}
	}
	slices.SortFunc(got, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	slices.SortFunc(want, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	if len(ms) != mine/3 || !slices.Equal(got, want) {
		t.Fatalf("the search found %d faces on %d photos; want the %d of exact search on %d photos", len(got), len(ms), len(want), mine/3)
	}
}
