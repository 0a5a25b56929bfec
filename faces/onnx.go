package faces

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// ONNX Runtime has one environment per process; it is made on the first
// Open and lives until the process ends (sessions are per Pipeline).
var env struct {
	once sync.Once
	lib  string
	err  error
}

func initEnv(lib string) error {
	env.once.Do(func() {
		env.lib = lib
		ort.SetSharedLibraryPath(lib)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
			env.err = fmt.Errorf("faces: start ONNX Runtime from %s: %w", lib, err)
		}
	})
	if env.err == nil && env.lib != lib {
		return fmt.Errorf("faces: ONNX Runtime already runs from %s, not %s", env.lib, lib)
	}
	return env.err
}

// pinned are the sha256 sums scripts/setup checks, with the package version
// they come from; another file still runs, under an "unpinned" version.
var pinned = map[string]string{
	"6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854": "faceplugin-0.0.1",
	"f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258": "faceplugin-0.0.1",
	"87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581": "faceplugin-0.0.1",
}

// session is one ONNX Runtime session with its own bound input and output
// tensors: it runs one call at a time.
type session struct {
	s    *ort.AdvancedSession
	in   *ort.Tensor[float32]
	outs []*ort.Tensor[float32]
}

// model is a pool of identical sessions of one model file. A call borrows a
// session for the length of one Run, so up to len(pool) calls run at once,
// each on one ORT thread (one intra-op thread was fastest on 2 cores).
// A pool rather than one session behind a mutex: the tensors are bound to
// their session, and one session would let only one core work on a model
// while two workers index photos.
type model struct {
	id   string // name@version+sha256 prefix
	pool chan *session
	n    int // sessions made
}

type modelSpec struct {
	name    string
	in      []int64
	outName []string
	out     [][]int64
	// slowOptimizers are graph optimizers that make this model slower
	// (measured per model, see featureSpec).
	slowOptimizers string
}

func loadModel(path string, spec modelSpec, n int) (*model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("faces: model %s: %w (run scripts/setup, or set model-dir)", spec.name, err)
	}
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	version, ok := pinned[hexSum]
	if !ok {
		version = "unpinned"
	}
	m := &model{id: fmt.Sprintf("%s@%s+%s", spec.name, version, hexSum[:12]), pool: make(chan *session, n)}
	for range n {
		s, err := newSession(data, spec)
		if err != nil {
			m.close()
			return nil, fmt.Errorf("faces: model %s (%s): %w", spec.name, path, err)
		}
		m.pool <- s
		m.n++
	}
	return m, nil
}

func newSession(data []byte, spec modelSpec) (*session, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, err
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(1); err != nil {
		return nil, err
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	if spec.slowOptimizers != "" {
		if err := opts.AddSessionConfigEntry("optimization.disable_specified_optimizers", spec.slowOptimizers); err != nil {
			return nil, err
		}
	}
	s := &session{}
	if s.in, err = ort.NewEmptyTensor[float32](ort.NewShape(spec.in...)); err != nil {
		return nil, err
	}
	outs := make([]ort.Value, len(spec.out))
	for i, shape := range spec.out {
		t, err := ort.NewEmptyTensor[float32](ort.NewShape(shape...))
		if err != nil {
			s.destroy()
			return nil, err
		}
		s.outs, outs[i] = append(s.outs, t), t
	}
	s.s, err = ort.NewAdvancedSessionWithONNXData(data, []string{"input"}, spec.outName,
		[]ort.Value{s.in}, outs, opts)
	if err != nil {
		s.destroy()
		return nil, err
	}
	return s, nil
}

func (s *session) destroy() {
	if s.s != nil {
		s.s.Destroy()
	}
	if s.in != nil {
		s.in.Destroy()
	}
	for _, t := range s.outs {
		t.Destroy()
	}
}

// run borrows a session, lets fill write the input, runs the model and lets
// read copy what it needs out of the outputs before the session goes back.
func (m *model) run(ctx context.Context, fill func(in []float32), read func(outs ...[]float32)) error {
	var s *session
	select {
	case s = <-m.pool:
	case <-ctx.Done():
		return ctx.Err()
	}
	if s == nil {
		return ErrClosed
	}
	defer func() { m.pool <- s }()
	fill(s.in.GetData())
	if err := s.s.Run(); err != nil {
		return fmt.Errorf("faces: run %s: %w", m.id, err)
	}
	outs := make([][]float32, len(s.outs))
	for i, t := range s.outs {
		outs[i] = t.GetData()
	}
	read(outs...)
	return nil
}

// close waits for calls in flight, destroys every session, and makes later
// calls fail with ErrClosed.
func (m *model) close() {
	for range m.n {
		(<-m.pool).destroy()
	}
	close(m.pool)
}
