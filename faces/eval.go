package faces

import (
	"fmt"
	"io"
	"sort"
)

// Stats summarises a set of similarities.
type Stats struct {
	N                      int
	Mean, Min, Max         float32
	P5, P25, P50, P75, P95 float32
}

func stats(v []float32) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	s := append([]float32(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum float64
	for _, x := range s {
		sum += float64(x)
	}
	return Stats{N: len(s), Mean: float32(sum / float64(len(s))), Min: s[0], Max: s[len(s)-1],
		P5: percentile(s, 5), P25: percentile(s, 25), P50: percentile(s, 50), P75: percentile(s, 75), P95: percentile(s, 95)}
}

// percentile interpolates linearly between the closest ranks of sorted s.
func percentile(s []float32, p float64) float32 {
	pos := p / 100 * float64(len(s)-1)
	i := int(pos)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	f := float32(pos - float64(i))
	return s[i] + f*(s[i+1]-s[i])
}

// Report is what `proofsheet faces eval` prints: how well similarities
// separate same-person from different-person pairs of labelled photos.
type Report struct {
	Photos int        // labelled photos
	NoFace []Labelled // photos where no usable face was found

	Same, Different Stats // similarities of every pair of embedded photos

	BestThreshold float32 // the threshold with the highest accuracy over all pairs
	BestAccuracy  float64

	Threshold                float32 // the configured one
	Accuracy                 float64
	FalseMatches, Misses     int // different-person pairs at or above it, same-person pairs below
	FalseMatchRate, MissRate float64

	// Rank-1: every photo of a person with at least two photos is a query
	// against all other embedded photos; it is right when the most similar
	// one is the same person. Photos without a face count as wrong.
	Rank1Queries, Rank1Correct int
	Rank1                      float64
}

// pair is the similarity of two photos and whether they show one person.
type pair struct {
	sim  float32
	same bool
}

// Evaluate compares every pair of samples.
func Evaluate(samples []Sample, noFace []Labelled, threshold float32) Report {
	r := Report{Photos: len(samples) + len(noFace), NoFace: noFace, Threshold: threshold}
	var pairs []pair
	var same, diff []float32
	for i := range samples {
		for j := i + 1; j < len(samples); j++ {
			p := pair{Similarity(samples[i].Embedding, samples[j].Embedding), samples[i].Identity == samples[j].Identity}
			pairs = append(pairs, p)
			if p.same {
				same = append(same, p.sim)
			} else {
				diff = append(diff, p.sim)
			}
		}
	}
	r.Same, r.Different = stats(same), stats(diff)
	for _, p := range pairs {
		switch {
		case p.same && p.sim < threshold:
			r.Misses++
		case !p.same && p.sim >= threshold:
			r.FalseMatches++
		}
	}
	r.MissRate, r.FalseMatchRate = ratio(r.Misses, len(same)), ratio(r.FalseMatches, len(diff))
	r.Accuracy = ratio(len(pairs)-r.Misses-r.FalseMatches, len(pairs))
	r.BestThreshold, r.BestAccuracy = bestThreshold(pairs)
	r.rank1(samples)
	return r
}

func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// bestThreshold sweeps the threshold down through the sorted similarities,
// counting correct decisions, and returns the midpoint of the best gap.
func bestThreshold(pairs []pair) (float32, float64) {
	if len(pairs) == 0 {
		return 0, 0
	}
	s := append([]pair(nil), pairs...)
	sort.Slice(s, func(i, j int) bool { return s[i].sim > s[j].sim })
	correct := 0 // above every similarity: each different-person pair is right
	for _, p := range s {
		if !p.same {
			correct++
		}
	}
	best, bestT := correct, s[0].sim+1e-3
	for i, p := range s {
		if p.same {
			correct++
		} else {
			correct--
		}
		if i+1 < len(s) && s[i+1].sim == p.sim {
			continue // ties fall on the same side of any threshold
		}
		if correct > best {
			best, bestT = correct, p.sim
			if i+1 < len(s) {
				bestT = (p.sim + s[i+1].sim) / 2
			}
		}
	}
	return bestT, ratio(best, len(s))
}

func (r *Report) rank1(samples []Sample) {
	photos := map[string]int{}
	for _, s := range samples {
		photos[s.Identity]++
	}
	for _, l := range r.NoFace {
		photos[l.Identity]++
	}
	for i, q := range samples {
		if photos[q.Identity] < 2 {
			continue
		}
		r.Rank1Queries++
		best, bestSim := -1, float32(-2)
		for j, s := range samples {
			if j != i {
				if sim := Similarity(q.Embedding, s.Embedding); sim > bestSim {
					best, bestSim = j, sim
				}
			}
		}
		if best >= 0 && samples[best].Identity == q.Identity {
			r.Rank1Correct++
		}
	}
	for _, l := range r.NoFace {
		if photos[l.Identity] >= 2 {
			r.Rank1Queries++
		}
	}
	r.Rank1 = ratio(r.Rank1Correct, r.Rank1Queries)
}

// Print writes the report for people; the eval command's test parses it.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "photos: %d labelled, %d with a face, %d without\n", r.Photos, r.Photos-len(r.NoFace), len(r.NoFace))
	for _, l := range r.NoFace {
		fmt.Fprintf(w, "  no usable face: %s (%s)\n", l.File, l.Identity)
	}
	for _, s := range []struct {
		name string
		st   Stats
	}{{"same-person pairs", r.Same}, {"different-person pairs", r.Different}} {
		st := s.st
		fmt.Fprintf(w, "%s: n=%d mean=%.3f min=%.3f p5=%.3f p25=%.3f p50=%.3f p75=%.3f p95=%.3f max=%.3f\n",
			s.name, st.N, st.Mean, st.Min, st.P5, st.P25, st.P50, st.P75, st.P95, st.Max)
	}
	fmt.Fprintf(w, "best threshold: %.3f (accuracy %.2f%%)\n", r.BestThreshold, 100*r.BestAccuracy)
	fmt.Fprintf(w, "at threshold %.3f: accuracy %.2f%%, false matches %d of %d (%.2f%%), misses %d of %d (%.2f%%)\n",
		r.Threshold, 100*r.Accuracy, r.FalseMatches, r.Different.N, 100*r.FalseMatchRate, r.Misses, r.Same.N, 100*r.MissRate)
	fmt.Fprintf(w, "rank-1: %d of %d (%.2f%%)\n", r.Rank1Correct, r.Rank1Queries, 100*r.Rank1)
}
