package faces

import (
	"math"
	"strings"
	"testing"
)

// Every labelled photo is a portrait of one person: exactly one usable
// face (the quality filter drops the hair, the blurred bystander and the
// printed letter the detector also reports on three of them), with a box
// and landmarks where a face is.
func TestFacesOnLabelledPhotos(t *testing.T) {
	p := testPipeline(t)
	for _, l := range labelledFaces(t) {
		if len(l.faces) != 1 {
			t.Errorf("%s: %d faces, want 1: %+v", l.File, len(l.faces), boxes(l.faces))
			continue
		}
		checkFace(t, l.File, l.w, l.h, l.faces[0], p.ModelID())
	}
}

func boxes(fs []Face) []Box {
	var out []Box
	for _, f := range fs {
		out = append(out, f.Box)
	}
	return out
}

// checkFace asserts what holds for any real, upright face.
func checkFace(t *testing.T, name string, width, height int, f Face, model string) {
	t.Helper()
	b, w, h := f.Box, float32(width), float32(height)
	if b.X0 < 0 || b.Y0 < 0 || b.X1 > w || b.Y1 > h || f.Width < DefaultQuality.MinWidth {
		t.Errorf("%s: box %+v outside the %d×%d picture or narrower than %d px", name, b, width, height, DefaultQuality.MinWidth)
	}
	if r := b.H() / b.W(); r < 1 || r > 1.8 {
		t.Errorf("%s: box %+v is %.2f times as tall as wide, want a face's 1-1.8", name, b, r)
	}
	if rel := (Box{b.X0 / w, b.Y0 / h, b.X1 / w, b.Y1 / h}); f.Rel != rel {
		t.Errorf("%s: Rel %+v, want %+v", name, f.Rel, rel)
	}
	le, re, nose, lm, rm := f.Landmarks[0], f.Landmarks[1], f.Landmarks[2], f.Landmarks[3], f.Landmarks[4]
	if !(le.X < nose.X && nose.X < re.X && lm.X < rm.X && max(le.Y, re.Y) < nose.Y && nose.Y < min(lm.Y, rm.Y)) {
		t.Errorf("%s: landmarks %+v are not eyes above a nose above a mouth", name, f.Landmarks)
	}
	for _, pt := range f.Landmarks {
		if pt.X < b.X0 || pt.X > b.X1 || pt.Y < b.Y0 || pt.Y > b.Y1 {
			t.Errorf("%s: landmark %+v outside the box %+v", name, pt, b)
		}
	}
	var ss float64
	for _, v := range f.Embedding {
		ss += float64(v) * float64(v)
	}
	if len(f.Embedding) != EmbeddingSize || math.Abs(ss-1) > 1e-4 || f.RawNorm < DefaultQuality.MinNorm {
		t.Errorf("%s: embedding of %d numbers, squared length %.5f, raw length %.2f", name, len(f.Embedding), ss, f.RawNorm)
	}
	if f.Model != model || f.Score < minScore {
		t.Errorf("%s: model %q score %.2f", name, f.Model, f.Score)
	}
}

// The model ids name the file by package version and hash, as scripts/setup
// pins them, so stored embeddings say which model made them.
func TestModelIDs(t *testing.T) {
	p := testPipeline(t)
	if p.ModelID() != "fr_feature@faceplugin-0.0.1+87aacdfe5751" || p.DetectorID() != "fr_detect@faceplugin-0.0.1+6c0256ccd316" {
		t.Fatalf("model %q, detector %q", p.ModelID(), p.DetectorID())
	}
}

// Pairs of labelled photos: the same person scores above the threshold,
// different people below it, as FACES.md measured on more identities.
func TestSamePersonAboveDifferentBelow(t *testing.T) {
	var samples []Sample
	for _, l := range labelledFaces(t) {
		f, ok := largest(l.faces)
		if !ok {
			t.Fatalf("no face on %s", l.File)
		}
		samples = append(samples, Sample{l.Labelled, f.Embedding})
	}
	var same, diff, sameOK, falseMatch int
	var worstDiff Sample
	var worst float32 = -1
	for i, a := range samples {
		for _, b := range samples[i+1:] {
			s := Similarity(a.Embedding, b.Embedding)
			if a.Identity == b.Identity {
				same++
				if s >= DefaultThreshold {
					sameOK++
				}
				continue
			}
			diff++
			if s >= DefaultThreshold {
				falseMatch++
			}
			if s > worst {
				worst, worstDiff = s, b
			}
		}
	}
	t.Logf("%d of %d same-person pairs at or above %.2f; %d of %d different-person pairs; closest different pair %.3f (%s)",
		sameOK, same, DefaultThreshold, falseMatch, diff, worst, worstDiff.File)
	if same < 100 || float64(sameOK) < 0.95*float64(same) {
		t.Errorf("%d of %d same-person pairs at or above the threshold, want at least 95%%", sameOK, same)
	}
	if falseMatch > 0 {
		t.Errorf("%d of %d different-person pairs at or above the threshold (closest %.3f)", falseMatch, diff, worst)
	}
}

// Group photos give a face per person, and the people in one photo are
// different people.
func TestGroupPhotos(t *testing.T) {
	p := testPipeline(t)
	for _, tc := range []struct {
		file     string
		min, max int
	}{{"couple.jpg", 2, 2}, {"selfie-many-people.jpg", 4, 6}} {
		fs, err := p.Faces(t.Context(), photo(t, tc.file))
		if err != nil || len(fs) < tc.min || len(fs) > tc.max {
			t.Errorf("%s: %d faces (%v), want %d-%d", tc.file, len(fs), err, tc.min, tc.max)
			continue
		}
		for i, a := range fs {
			for _, b := range fs[i+1:] {
				if iou := a.Box.IoU(b.Box); iou > 0 {
					t.Errorf("%s: boxes %+v and %+v overlap (IoU %.2f)", tc.file, a.Box, b.Box, iou)
				}
				if s := Similarity(a.Embedding, b.Embedding); s >= DefaultThreshold {
					t.Errorf("%s: two people score %.3f, above the threshold", tc.file, s)
				}
			}
		}
	}
}

func TestOpenReportsMissingFiles(t *testing.T) {
	cfg := testConfig(t)
	testPipeline(t) // the runtime is started once per process: start it from the shared config
	bad := cfg
	bad.ModelDir = t.TempDir()
	if _, err := Open(bad); err == nil || !strings.Contains(err.Error(), "fr_landmark") || !strings.Contains(err.Error(), "scripts/setup") {
		t.Errorf("empty model dir: %v", err)
	}
	bad = cfg
	bad.LibraryPath = t.TempDir() + "/libonnxruntime.so.1"
	if _, err := Open(bad); err == nil || !strings.Contains(err.Error(), "onnxruntime-library") {
		t.Errorf("missing library: %v", err)
	}
}
