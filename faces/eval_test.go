package faces

import (
	"math"
	"strings"
	"testing"
)

// Evaluate on a hand-made set whose every figure is known: A1·A2 = B1·B2 =
// 0.8 (same person), A1·B1 = A1·B2 = 0, A2·B1 = 0.6, A2·B2 = 0.48.
func TestEvaluateKnownSet(t *testing.T) {
	s := func(id string, v ...float32) Sample { return Sample{Labelled{id + ".jpg", id[:1]}, v} }
	samples := []Sample{s("A1", 1, 0, 0), s("A2", 0.8, 0.6, 0), s("B1", 0, 1, 0), s("B2", 0, 0.8, 0.6)}
	// A3 (no face) is a rank-1 query that fails; C1 (no face, alone) is no query.
	noFace := []Labelled{{"A3.jpg", "A"}, {"C1.jpg", "C"}}
	r := Evaluate(samples, noFace, 0.5)

	approx := func(got, want float64) bool { return math.Abs(got-want) < 1e-6 }
	if r.Photos != 6 || r.Same.N != 2 || r.Different.N != 4 || !approx(float64(r.Same.Mean), 0.8) {
		t.Errorf("counts: photos %d, same %+v, different %+v", r.Photos, r.Same, r.Different)
	}
	d := r.Different // 0, 0, 0.48, 0.6
	if !approx(float64(d.Mean), 0.27) || d.Min != 0 || !approx(float64(d.Max), 0.6) || !approx(float64(d.P50), 0.24) || !approx(float64(d.P95), 0.582) {
		t.Errorf("different-person stats %+v", d)
	}
	if r.FalseMatches != 1 || r.Misses != 0 || !approx(r.FalseMatchRate, 0.25) || !approx(r.Accuracy, 5.0/6) {
		t.Errorf("at 0.5: %d false matches (%.3f), %d misses, accuracy %.3f", r.FalseMatches, r.FalseMatchRate, r.Misses, r.Accuracy)
	}
	if !approx(float64(r.BestThreshold), 0.7) || r.BestAccuracy != 1 {
		t.Errorf("best threshold %.3f with accuracy %.3f, want 0.7 and 1", r.BestThreshold, r.BestAccuracy)
	}
	if r.Rank1Queries != 5 || r.Rank1Correct != 4 {
		t.Errorf("rank-1 %d of %d, want 4 of 5", r.Rank1Correct, r.Rank1Queries)
	}
	var out strings.Builder
	r.Print(&out)
	for _, want := range []string{"photos: 6 labelled, 4 with a face, 2 without", "no usable face: A3.jpg (A)",
		"best threshold: 0.700 (accuracy 100.00%)", "false matches 1 of 4 (25.00%), misses 0 of 2 (0.00%)", "rank-1: 4 of 5 (80.00%)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestReadLabels(t *testing.T) {
	ls, err := ReadLabels(strings.NewReader("# photos\na.jpg\tAnn\n\nsub/b.jpg\tBo Li\r\n"))
	if err != nil || len(ls) != 2 || ls[0] != (Labelled{"a.jpg", "Ann"}) || ls[1] != (Labelled{"sub/b.jpg", "Bo Li"}) {
		t.Fatalf("%+v, %v", ls, err)
	}
	if _, err := ReadLabels(strings.NewReader("a.jpg Ann\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a line without a tab: %v", err)
	}
}
