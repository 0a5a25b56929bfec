package faces

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Config says where ONNX Runtime and the models are and how many model
// calls may run at once.
type Config struct {
	LibraryPath string // libonnxruntime.so.1
	ModelDir    string // holds fr_detect.onnx, fr_landmark.onnx and fr_feature.onnx
	// Threads is how many sessions each model keeps, each on one ONNX
	// Runtime thread: the number of cores inference may use at once.
	// 0 means GOMAXPROCS.
	Threads int
	Quality Quality // zero fields take the defaults
	// Detector and Embedder replace the ONNX models when set (another
	// model, or one behind a service); the landmark model is always loaded.
	Detector Detector
	Embedder Embedder
}

// Quality drops faces that are too small to match reliably or are not
// faces at all. FACES.md: a false detection had raw embedding length 1.55,
// every real face at least 2.6; faces under ~40 px stop matching. With this
// pipeline's preprocessing, junk on the test photos (hair, a printed letter)
// measured 2.01-2.04, sharp faces 3.1-4.8 (3.5 and up even at 40-64 px),
// a blurred background face 2.04 and half a face cut by the frame 2.30:
// 2.5 keeps every usable face and none of those.
type Quality struct {
	MinWidth int     // box width in pixels; default 40
	MinNorm  float32 // raw embedding length; default 2.5
}

// DefaultQuality is the measured default.
var DefaultQuality = Quality{MinWidth: 40, MinNorm: 2.5}

// Pipeline finds and embeds faces. It is safe for concurrent use; Close
// releases its sessions.
type Pipeline struct {
	det     Detector
	lm      landmarker
	emb     Embedder
	q       Quality
	threads int // sessions per model: how many photos may be worked on at once
	models  []*model
	closed  sync.Once
}

// Open starts ONNX Runtime (once per process) and loads the models,
// Threads sessions each. Sessions live as long as the Pipeline: make one per
// process and share it.
func Open(cfg Config) (*Pipeline, error) {
	if _, err := os.Stat(cfg.LibraryPath); err != nil {
		return nil, fmt.Errorf("faces: ONNX Runtime library: %w (run scripts/setup, or set onnxruntime-library)", err)
	}
	if err := initEnv(cfg.LibraryPath); err != nil {
		return nil, err
	}
	n := cfg.Threads
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	p := &Pipeline{q: cfg.Quality, threads: n, det: cfg.Detector, emb: cfg.Embedder}
	if p.q.MinWidth == 0 {
		p.q.MinWidth = DefaultQuality.MinWidth
	}
	if p.q.MinNorm == 0 {
		p.q.MinNorm = DefaultQuality.MinNorm
	}
	load := func(spec modelSpec) (*model, error) {
		m, err := loadModel(filepath.Join(cfg.ModelDir, spec.name+".onnx"), spec, n)
		if err == nil {
			p.models = append(p.models, m)
		}
		return m, err
	}
	m, err := load(landmarkSpec)
	p.lm = landmarker{m}
	if err == nil && p.det == nil {
		m, err = load(detectSpec)
		p.det = onnxDetector{m}
	}
	if err == nil && p.emb == nil {
		m, err = load(featureSpec)
		p.emb = onnxEmbedder{m}
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Close waits for calls in flight and frees the sessions; later calls
// return ErrClosed.
func (p *Pipeline) Close() {
	p.closed.Do(func() {
		for _, m := range p.models {
			m.close()
		}
	})
}

// ModelID names the embedding model, version and file hash, e.g.
// "fr_feature@faceplugin-0.0.1+87aacdfe5751". Store it with every embedding:
// embeddings of different models must never be compared.
func (p *Pipeline) ModelID() string { return p.emb.ModelID() }

// DetectorID names the detection model the same way.
func (p *Pipeline) DetectorID() string { return p.det.ModelID() }

// Faces returns every usable face of the picture, best detection score
// first. Pass the preview rendition (about 2048 px), not the original.
func (p *Pipeline) Faces(ctx context.Context, img *RGB) ([]Face, error) {
	faces, _, err := p.faces(ctx, img)
	return faces, err
}

// OneFace returns the one usable face of a selfie, or ErrNoFace,
// ErrManyFaces, or ErrFaceTooSmall when faces were found but every one was
// under the minimum width. Faces too small to use do not count as "many",
// nor do faces less than half as wide as the largest: people in the
// background of a selfie, not a second subject.
func (p *Pipeline) OneFace(ctx context.Context, img *RGB) (Face, error) {
	faces, small, err := p.faces(ctx, img)
	if err != nil {
		return Face{}, err
	}
	if len(faces) == 0 {
		if small > 0 {
			return Face{}, ErrFaceTooSmall
		}
		return Face{}, ErrNoFace
	}
	main := 0
	for i, f := range faces {
		if f.Width > faces[main].Width {
			main = i
		}
	}
	for i, f := range faces {
		if i != main && 2*f.Width >= faces[main].Width {
			return Face{}, ErrManyFaces
		}
	}
	return faces[main], nil
}

// faces also counts the detections dropped for their width.
func (p *Pipeline) faces(ctx context.Context, img *RGB) ([]Face, int, error) {
	if err := img.valid(); err != nil {
		return nil, 0, err
	}
	ds, err := p.detect(ctx, img)
	if err != nil {
		return nil, 0, err
	}
	var out []Face
	small := 0
	for _, d := range ds {
		if d.Box.W() < float32(p.q.MinWidth) || d.Box.H() <= 0 {
			small++
			continue
		}
		f, err := p.face(ctx, img, d)
		if err != nil {
			return nil, 0, err
		}
		if f.RawNorm >= p.q.MinNorm {
			out = append(out, f)
		}
	}
	return out, small, nil
}

// face finds the landmarks of one detection, aligns and embeds it.
func (p *Pipeline) face(ctx context.Context, img *RGB, d Detection) (Face, error) {
	lm, err := p.lm.five(ctx, img, d.Box)
	if err != nil {
		return Face{}, err
	}
	emb, norm, err := p.emb.Embed(ctx, align(img, lm))
	if err != nil {
		return Face{}, err
	}
	w, h := float32(img.W), float32(img.H)
	return Face{
		Box:       d.Box,
		Rel:       Box{d.Box.X0 / w, d.Box.Y0 / h, d.Box.X1 / w, d.Box.Y1 / h},
		Score:     d.Score,
		Landmarks: lm,
		Width:     int(d.Box.W() + 0.5),
		RawNorm:   norm,
		Embedding: emb,
		Model:     p.emb.ModelID(),
	}, nil
}
