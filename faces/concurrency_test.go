package faces

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// Several goroutines share one pipeline (more of them than it has
// sessions): every call gives the same faces as a call made alone. Run
// with -race.
func TestConcurrentFaces(t *testing.T) {
	p := testPipeline(t)
	names := []string{"img10.jpg", "img12.jpg", "img25.jpg", "couple.jpg", "img5.jpg", "selfie-many-people.jpg"}
	imgs := make([]*RGB, len(names))
	alone := make([][]Face, len(names))
	for i, n := range names {
		imgs[i] = photo(t, n)
		var err error
		if alone[i], err = p.Faces(t.Context(), imgs[i]); err != nil || len(alone[i]) == 0 {
			t.Fatalf("%s: %d faces, %v", n, len(alone[i]), err)
		}
	}
	const workers = 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*len(names))
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range names {
				i := (k + w) % len(names) // each worker in another order
				fs, err := p.Faces(t.Context(), imgs[i])
				if err == nil && !sameFaces(fs, alone[i]) {
					err = errors.New(names[i] + ": faces differ from a call made alone")
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func sameFaces(a, b []Face) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Box != b[i].Box || Similarity(a[i].Embedding, b[i].Embedding) < 0.9999 {
			return false
		}
	}
	return true
}

// countingEmbedder stands for another recognition model behind the
// Embedder interface (here the real one under another id).
type countingEmbedder struct {
	Embedder
	calls atomic.Int32
}

func (c *countingEmbedder) ModelID() string { return "other-model@2" }

func (c *countingEmbedder) Embed(ctx context.Context, face *RGB) ([]float32, float32, error) {
	c.calls.Add(1)
	return c.Embedder.Embed(ctx, face)
}

// A pipeline with its own embedder uses it and stamps its id on every face;
// a closed pipeline refuses work instead of touching freed sessions.
func TestOwnEmbedderAndClose(t *testing.T) {
	shared := testPipeline(t)
	emb := &countingEmbedder{Embedder: shared.emb}
	cfg := testConfig(t)
	cfg.Embedder, cfg.Threads = emb, 1
	p, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := p.Faces(t.Context(), photo(t, "couple.jpg"))
	if err != nil || len(fs) != 2 || emb.calls.Load() != 2 || p.ModelID() != "other-model@2" {
		t.Fatalf("%d faces, %d embedder calls, model %q, %v", len(fs), emb.calls.Load(), p.ModelID(), err)
	}
	for _, f := range fs {
		if f.Model != "other-model@2" {
			t.Errorf("face model %q", f.Model)
		}
	}
	p.Close()
	p.Close() // twice is harmless
	if _, err := p.Faces(t.Context(), photo(t, "img5.jpg")); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}
