package faces

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// repoRoot is the folder holding go.mod above the test's directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", dir)
		}
	}
}

// testData resolves a path under the shared test data (../shared/testdata
// beside the checkout, or PROOFSHEET_TESTDATA), skipping with a message
// when it is missing, as its README asks.
func testData(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("PROOFSHEET_TESTDATA")
	if dir == "" {
		dir = filepath.Join(filepath.Dir(repoRoot(t)), "shared", "testdata")
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("face test photos missing (%v): put the shared test data in ../shared/testdata beside the checkout or set PROOFSHEET_TESTDATA", err)
	}
	return p
}

// testConfig points at the files scripts/setup downloads into var/.
func testConfig(t testing.TB) Config {
	root := repoRoot(t)
	return Config{
		LibraryPath: filepath.Join(root, "var", "onnxruntime", "libonnxruntime.so.1"),
		ModelDir:    filepath.Join(root, "var", "models"),
	}
}

// One pipeline for the whole test binary: ONNX Runtime is per process and
// sessions are meant to be reused.
var shared struct {
	once sync.Once
	p    *Pipeline
	err  error
}

func testPipeline(t testing.TB) *Pipeline {
	t.Helper()
	shared.once.Do(func() { shared.p, shared.err = Open(testConfig(t)) })
	if shared.err != nil {
		t.Fatalf("open the face pipeline: %v", shared.err)
	}
	return shared.p
}

func photo(t testing.TB, name string) *RGB {
	t.Helper()
	b, err := os.ReadFile(testData(t, filepath.Join("faces", "deepface", name)))
	if err != nil {
		t.Fatal(err)
	}
	img, err := Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// labels reads deepface/labels.tsv.
func labels(t testing.TB) []Labelled {
	t.Helper()
	f, err := os.Open(testData(t, filepath.Join("faces", "deepface", "labels.tsv")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := ReadLabels(f)
	if err != nil || len(out) == 0 {
		t.Fatalf("labels.tsv: %v (%d lines)", err, len(out))
	}
	return out
}

// largest is the widest face of a list.
func largest(fs []Face) (Face, bool) {
	if len(fs) == 0 {
		return Face{}, false
	}
	best := fs[0]
	for _, f := range fs[1:] {
		if f.Width > best.Width {
			best = f
		}
	}
	return best, true
}

// found is what the pipeline found on one labelled photo.
type found struct {
	Labelled
	w, h  int // the decoded picture's size
	faces []Face
}

// The labelled photos' faces, found once (on as many goroutines as the
// pipeline has sessions) for the tests that check or compare them.
var labelledOnce struct {
	once  sync.Once
	found []found
	err   error
}

func labelledFaces(t testing.TB) []found {
	t.Helper()
	p, ls := testPipeline(t), labels(t)
	root := testData(t, filepath.Join("faces", "deepface"))
	labelledOnce.once.Do(func() {
		out := make([]found, len(ls))
		errs := make([]error, len(ls))
		var wg sync.WaitGroup
		next := make(chan int)
		for range p.threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					out[i].Labelled = ls[i]
					b, err := os.ReadFile(filepath.Join(root, ls[i].File))
					var img *RGB
					if err == nil {
						img, err = Decode(b)
					}
					if err == nil {
						out[i].w, out[i].h = img.W, img.H
						out[i].faces, err = p.Faces(context.Background(), img)
					}
					errs[i] = err
				}
			}()
		}
		for i := range ls {
			next <- i
		}
		close(next)
		wg.Wait()
		labelledOnce.found, labelledOnce.err = out, errors.Join(errs...)
	})
	if labelledOnce.err != nil {
		t.Fatal(labelledOnce.err)
	}
	return labelledOnce.found
}

// grey is a w×h picture of one grey level.
func grey(w, h int, v byte) *RGB {
	m := NewRGB(w, h)
	for i := range m.Pix {
		m.Pix[i] = v
	}
	return m
}

// paste copies src into dst with its top left corner at x, y.
func paste(dst, src *RGB, x, y int) {
	for r := range src.H {
		copy(dst.Pix[((y+r)*dst.W+x)*3:][:src.W*3], src.Pix[r*src.W*3:])
	}
}
