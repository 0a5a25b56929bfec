package faces

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Labelled is one photo of a known person, as a labels file lists it.
type Labelled struct{ File, Identity string }

// ReadLabels reads FILE<TAB>IDENTITY lines; blank lines and lines starting
// with # are skipped.
func ReadLabels(r io.Reader) ([]Labelled, error) {
	var out []Labelled
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, who, ok := strings.Cut(line, "\t")
		file, who = strings.TrimSpace(file), strings.TrimSpace(who)
		if !ok || file == "" || who == "" {
			return nil, fmt.Errorf("faces: labels line %d: want FILE<TAB>IDENTITY, got %q", n, line)
		}
		out = append(out, Labelled{file, who})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("faces: labels: %w", err)
	}
	return out, nil
}

// Sample is the embedding of one labelled photo's face.
type Sample struct {
	Labelled
	Embedding []float32
}

// EmbedLabelled decodes every photo (File relative to root) and embeds its
// widest face, on as many goroutines as the pipeline has sessions. Photos
// where no usable face was found are returned apart: they stay unmatched.
func EmbedLabelled(ctx context.Context, p *Pipeline, root string, ls []Labelled) (samples []Sample, noFace []Labelled, err error) {
	embs := make([][]float32, len(ls))
	errs := make([]error, len(ls))
	work := make(chan int)
	var wg sync.WaitGroup
	for range p.threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				embs[i], errs[i] = embedFile(ctx, p, filepath.Join(root, ls[i].File))
			}
		}()
	}
	for i := range ls {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, l := range ls {
		switch {
		case errs[i] != nil:
			return nil, nil, fmt.Errorf("faces: %s: %w", l.File, errs[i])
		case embs[i] == nil:
			noFace = append(noFace, l)
		default:
			samples = append(samples, Sample{l, embs[i]})
		}
	}
	return samples, noFace, nil
}

// embedFile returns the embedding of the photo's widest face, nil if none.
func embedFile(ctx context.Context, p *Pipeline, path string) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, err := Decode(b)
	if err != nil {
		return nil, err
	}
	fs, err := p.Faces(ctx, img)
	if err != nil || len(fs) == 0 {
		return nil, err
	}
	best := fs[0]
	for _, f := range fs[1:] {
		if f.Width > best.Width {
			best = f
		}
	}
	return best.Embedding, nil
}
