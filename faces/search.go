package faces

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// maxMatchFaces bounds the faces one search returns: a guest at a large
// event may be on hundreds of photos, and all of them should come back.
const maxMatchFaces = 2000

// personVotes is how many of a person's faces must match the probe before
// all of the person's photos are returned. One face at the threshold may be
// a look-alike (FACES.md: different people reached 0.43); two independent
// faces of the cluster rarely are.
const personVotes = 2

// SearchFaces returns the k faces of the collection nearest to the probe,
// nearest first, however far; how chooses exact search, HNSW, or (Auto)
// by the collection's size. For the studio, tests and benchmarks: guests
// get Search.
func (s *Service) SearchFaces(ctx context.Context, studio, collection uuid.UUID, f Face, k int, how Strategy) ([]FaceMatch, error) {
	p, err := newProbe(f)
	if err != nil {
		return nil, err
	}
	var ns []neighbour
	err = s.Searches(ctx, studio, func(tx *gorm.DB) (err error) {
		if how, err = prepare(tx, studio, collection, how); err != nil {
			return err
		}
		ns, err = nearest(tx, studio, collection, p, k, 2, how) // cosine distance is at most 2
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("faces: search faces: %w", err)
	}
	out := make([]FaceMatch, len(ns))
	for i, n := range ns {
		out[i] = n.match()
	}
	return out, nil
}

// Search finds the photos of a collection on which the probe's person
// appears: the faces at or above the threshold, grouped by photo, best
// first, and every photo of a person at least personVotes of whose faces
// matched. Faces of hidden people are left out.
func (s *Service) Search(ctx context.Context, studio, collection uuid.UUID, f Face) ([]PhotoMatch, error) {
	p, err := newProbe(f)
	if err != nil {
		return nil, err
	}
	var direct, via []neighbour
	err = s.Searches(ctx, studio, func(tx *gorm.DB) error {
		how, err := prepare(tx, studio, collection, Auto)
		if err != nil {
			return err
		}
		ns, err := nearestWithin(tx, studio, collection, p, s.maxDistance(), how)
		if err == nil && how == HNSW && len(ns) == 0 {
			// HNSW is approximate: one event's faces can sit in a corner
			// of the graph a walk misses, and a guest who is on the
			// photos must not be told they are not. Only a probe that
			// matches nothing pays for the exact search (about a second
			// at a million faces).
			ns, err = nearestExact(tx, studio, collection, p, maxMatchFaces, s.maxDistance())
		}
		if err != nil {
			return err
		}
		if direct, err = withoutHidden(tx, collection, ns); err != nil {
			return err
		}
		via, err = personFaces(tx, studio, collection, p, votedPeople(direct))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("faces: search: %w", err)
	}
	return groupByPhoto(direct, via), nil
}

// firstMatchFaces is the first HNSW round of a guest search. Most guests
// are on a few dozen photos; the bride is on hundreds, and only a search
// whose round came back full at the threshold asks for maxMatchFaces: an
// HNSW walk costs by the rows it must return, not by those it keeps.
const firstMatchFaces = 64

// nearestWithin returns every face under maxDist, up to maxMatchFaces.
// Exact search reads every face whatever k, so it asks once.
func nearestWithin(tx *gorm.DB, studio, collection uuid.UUID, p probe, maxDist float64, how Strategy) ([]neighbour, error) {
	if how != HNSW {
		return nearest(tx, studio, collection, p, maxMatchFaces, maxDist, how)
	}
	ns, err := nearestHNSW(tx, studio, collection, p, firstMatchFaces, maxDist)
	if err != nil || len(ns) < firstMatchFaces {
		return ns, err
	}
	return nearestHNSW(tx, studio, collection, p, maxMatchFaces, maxDist)
}

// withoutHidden drops the faces of hidden people.
func withoutHidden(tx *gorm.DB, collection uuid.UUID, ns []neighbour) ([]neighbour, error) {
	var hidden []uuid.UUID
	if err := tx.Table("people").Where("collection_id = ? AND hidden", collection).Pluck("id", &hidden).Error; err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ns, func(n neighbour) bool {
		return n.PersonID != nil && slices.Contains(hidden, *n.PersonID)
	}), nil
}

// votedPeople are the people with at least personVotes matching faces.
func votedPeople(ns []neighbour) []uuid.UUID {
	votes := map[uuid.UUID]int{}
	var out []uuid.UUID
	for _, n := range ns {
		if n.PersonID == nil {
			continue
		}
		if votes[*n.PersonID]++; votes[*n.PersonID] == personVotes {
			out = append(out, *n.PersonID)
		}
	}
	return out
}

// personFaces returns every face of the given people, with its distance to
// the probe.
func personFaces(tx *gorm.DB, studio, collection uuid.UUID, p probe, people []uuid.UUID) ([]neighbour, error) {
	if len(people) == 0 {
		return nil, nil
	}
	var out []neighbour
	err := tx.Raw(`SELECT `+neighbourColumns+`, embedding <=> ? AS distance FROM faces
		WHERE studio_id = ? AND collection_id = ? AND person_id IN ? AND model = ?`,
		p.vec, studio, collection, people, p.model).Scan(&out).Error
	return out, err
}

// groupByPhoto groups matching faces by photo, best photo first; photos
// reached only through a person come after those with a matching face.
func groupByPhoto(direct, via []neighbour) []PhotoMatch {
	at := map[uuid.UUID]int{}
	var out []PhotoMatch
	add := func(n neighbour, viaPerson bool) {
		i, ok := at[n.PhotoID]
		if !ok {
			i = len(out)
			at[n.PhotoID] = i
			out = append(out, PhotoMatch{PhotoID: n.PhotoID, Similarity: -1, ViaPerson: viaPerson})
		}
		m := &out[i]
		for _, f := range m.Faces {
			if f.FaceID == n.ID {
				return
			}
		}
		if viaPerson && !m.ViaPerson {
			return // the photo matched directly; its other faces are not the probe's
		}
		m.Faces = append(m.Faces, n.match())
		m.Similarity = max(m.Similarity, float32(1-n.Distance))
	}
	for _, n := range direct {
		add(n, false)
	}
	for _, n := range via {
		add(n, true)
	}
	for i := range out {
		slices.SortFunc(out[i].Faces, func(a, b FaceMatch) int { return cmp.Compare(b.Similarity, a.Similarity) })
	}
	slices.SortStableFunc(out, func(a, b PhotoMatch) int {
		if a.ViaPerson != b.ViaPerson {
			if a.ViaPerson {
				return 1
			}
			return -1
		}
		return cmp.Compare(b.Similarity, a.Similarity)
	})
	return out
}
