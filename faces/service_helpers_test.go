package faces_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// The service tests run a whole app (database, encrypted store, gallery
// with libvips renditions) on a fresh database, and the real face
// pipeline, shared by the test binary.

var pipe struct {
	once sync.Once
	p    *faces.Pipeline
	err  error
}

func pipeline(t testing.TB) *faces.Pipeline {
	t.Helper()
	pipe.once.Do(func() { pipe.p, pipe.err = faces.Open(modelConfig(t)) })
	if pipe.err != nil {
		t.Fatalf("open the face pipeline: %v", pipe.err)
	}
	return pipe.p
}

// modelConfig points at what scripts/setup downloads into var/.
func modelConfig(t testing.TB) faces.Config {
	root := apptest.RepoRoot(t)
	return faces.Config{
		LibraryPath: filepath.Join(root, "var", "onnxruntime", "libonnxruntime.so.1"),
		ModelDir:    filepath.Join(root, "var", "models"),
	}
}

// env is a test app with a studio, a face service on the shared pipeline
// and a helper per step of the flow.
type env struct {
	t      *testing.T
	ta     *apptest.TestApp
	svc    *faces.Service
	studio uuid.UUID
	act    faces.Actor
	gact   gallery.Actor
	ctx    context.Context
	su     *pgx.Conn // bypasses row-level security, for checking
}

func newEnv(t *testing.T) *env {
	t.Helper()
	cfg := modelConfig(t)
	ta := apptest.New(t, func(c *app.Config) { c.ONNXRuntimeLibrary, c.ModelDir = cfg.LibraryPath, cfg.ModelDir })
	u := ta.NewStudio("Lumen")
	d := ta.Faces.Deps
	d.Finder = pipeline(t)
	return &env{t: t, ta: ta, svc: faces.New(d), studio: u.StudioID,
		act: faces.Actor{UserID: u.ID, IP: "192.0.2.1"}, gact: apptest.Actor(u), ctx: context.Background(), su: ta.Superuser()}
}

// album creates an album and returns it with its first folder.
func (e *env) album(title string) (uuid.UUID, uuid.UUID) {
	e.t.Helper()
	a, err := e.ta.Gallery.CreateAlbum(e.ctx, e.studio, gallery.AlbumInput{Title: &title}, e.gact)
	if err != nil {
		e.t.Fatal(err)
	}
	fs, err := e.ta.Gallery.Folders(e.ctx, e.studio, a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.ID, fs[0].ID
}

// upload stores a photo in the album and renders it as the render job
// would; rendering calls face search's PhotoReady hook.
func (e *env) upload(album, folder uuid.UUID, name string, b []byte) uuid.UUID {
	e.t.Helper()
	p, err := e.ta.Gallery.Upload(e.ctx, e.studio, album, folder, name, bytes.NewReader(b), e.gact)
	if err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	w := &gallery.RenderWorker{Gallery: e.ta.Gallery}
	job := &river.Job[gallery.RenderArgs]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 3, Kind: gallery.RenderArgs{}.Kind()},
		Args:   gallery.RenderArgs{StudioID: e.studio, PhotoID: p.ID},
	}
	if err := w.Work(e.ctx, job); err != nil {
		e.t.Fatalf("render %s: %v", name, err)
	}
	return p.ID
}

// uploadFile uploads a file of the shared face photos.
func (e *env) uploadFile(album, folder uuid.UUID, name string) uuid.UUID {
	e.t.Helper()
	return e.upload(album, folder, name, readFace(e.t, name))
}

func readFace(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(apptest.TestData(t, filepath.Join("faces", "deepface", name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// queued counts the face jobs of kind waiting in River's table.
func (e *env) queued(kind string) int {
	e.t.Helper()
	var n int
	err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'available'`, kind).Scan(&n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// work runs the queued face jobs the way River would, two at a time (as
// many as the faces queue has workers on two cores), until none is left,
// and returns how many ran. A job that fails fails the test.
func (e *env) work() int {
	e.t.Helper()
	ran := 0
	for {
		jobs := e.takeJobs()
		if len(jobs) == 0 {
			return ran
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 2)
		for _, j := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				if err := e.runJob(j.kind, j.args); err != nil {
					e.t.Errorf("%s %s: %v", j.kind, j.args, err)
				}
			}()
		}
		wg.Wait()
		ran += len(jobs)
	}
}

type queuedJob struct {
	kind string
	args []byte
}

// takeJobs removes the available face jobs from River's table and returns
// them.
func (e *env) takeJobs() []queuedJob {
	e.t.Helper()
	rows, err := e.su.Query(e.ctx, `DELETE FROM river_job WHERE kind LIKE 'faces.%' AND state = 'available' RETURNING kind, args`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []queuedJob
	for rows.Next() {
		var j queuedJob
		if err := rows.Scan(&j.kind, &j.args); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) runJob(kind string, args []byte) error {
	row := &rivertype.JobRow{Attempt: 1, MaxAttempts: 5, Kind: kind}
	switch kind {
	case faces.IndexCollectionArgs{}.Kind():
		var a faces.IndexCollectionArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return err
		}
		return (&faces.IndexCollectionWorker{Faces: e.svc}).Work(e.ctx, &river.Job[faces.IndexCollectionArgs]{JobRow: row, Args: a})
	case faces.IndexPhotoArgs{}.Kind():
		var a faces.IndexPhotoArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return err
		}
		return (&faces.IndexPhotoWorker{Faces: e.svc}).Work(e.ctx, &river.Job[faces.IndexPhotoArgs]{JobRow: row, Args: a})
	case faces.VacuumArgs{}.Kind():
		return (&faces.VacuumWorker{Faces: e.svc}).Work(e.ctx, &river.Job[faces.VacuumArgs]{JobRow: row})
	}
	e.t.Fatalf("unknown job %s", kind)
	return nil
}

// collection turns face search on for the albums and indexes them.
func (e *env) collection(name string, albums ...uuid.UUID) *faces.Collection {
	e.t.Helper()
	c, err := e.svc.CreateCollection(e.ctx, e.studio, faces.CollectionInput{Name: name, AlbumIDs: albums}, e.act)
	if err != nil {
		e.t.Fatal(err)
	}
	e.work()
	c, err = e.svc.Collection(e.ctx, e.studio, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// labelled reads the identities of the labelled photos.
func labelled(t testing.TB) map[string]string {
	t.Helper()
	f, err := os.Open(apptest.TestData(t, filepath.Join("faces", "deepface", "labels.tsv")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ls, err := faces.ReadLabels(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range ls {
		out[l.File] = l.Identity
	}
	return out
}

// selfie is the one face of a photo, as a guest's selfie would give it.
func selfie(t testing.TB, name string) faces.Face {
	t.Helper()
	img, err := faces.Decode(readFace(t, name))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := pipeline(t).Faces(t.Context(), img)
	if err != nil || len(fs) == 0 {
		t.Fatalf("%s: no face (%v)", name, err)
	}
	best := fs[0]
	for _, f := range fs[1:] {
		if f.Width > best.Width {
			best = f
		}
	}
	return best
}

// uploadPeople uploads every labelled photo of the identities, except the
// files in keep (held back as selfies), and returns photo id -> file.
func (e *env) uploadPeople(album, folder uuid.UUID, keep []string, identities ...string) map[uuid.UUID]string {
	e.t.Helper()
	var files []string
	for file, id := range labelled(e.t) {
		if slices.Contains(identities, id) && !slices.Contains(keep, file) {
			files = append(files, file)
		}
	}
	slices.Sort(files)
	out := map[uuid.UUID]string{}
	for _, f := range files {
		out[e.uploadFile(album, folder, f)] = f
	}
	return out
}

// files are the file names of photos, sorted.
func files(photos map[uuid.UUID]string, ms []faces.PhotoMatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, photos[m.PhotoID])
	}
	slices.Sort(out)
	return out
}

// personOf is the person of the largest face of a photo.
func (e *env) personOf(photo uuid.UUID) uuid.UUID {
	e.t.Helper()
	var p *uuid.UUID
	if err := e.su.QueryRow(e.ctx, `SELECT person_id FROM faces WHERE photo_id = $1 ORDER BY width DESC LIMIT 1`, photo).Scan(&p); err != nil || p == nil {
		e.t.Fatalf("person of photo %s: %v, %v", photo, p, err)
	}
	return *p
}
