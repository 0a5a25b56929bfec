package app_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// The face search tests run the real thing: libvips renditions and face
// indexing by the River workers, the ONNX models of var/ (scripts/setup),
// and selfies of the shared test photos.
var (
	ashaPhotos   = []string{"img10.jpg", "img11.jpg", "img4.jpg", "img5.jpg"} // df_img1 of labels.tsv
	benPhotos    = []string{"img47.jpg", "img48.jpg", "img9.jpg"}             // df_img8
	ashaSecret   = "img2.jpg"                                                 // df_img1, in a hidden folder
	ashaSelfie   = "img1.jpg"
	benSelfie    = "img8.jpg"
	faceTestWait = 3 * time.Minute
)

// faceWorld is a studio with a published album of Asha's and Ben's
// photos (and one of Asha's in a hidden folder), rendered by the
// workers; index turns face search on and waits for the indexing.
type faceWorld struct {
	ta       *apptest.TestApp
	owner    *apptest.Owner
	studio   uuid.UUID
	album    uuid.UUID
	folder   uuid.UUID
	hidden   uuid.UUID
	files    map[uuid.UUID]string // photo -> file name
	coll     uuid.UUID
	ownerAct faces.Actor
}

// faceApp is a test app that can find faces and works its jobs.
func faceApp(t testing.TB, mutate ...func(*app.Config)) *apptest.TestApp {
	t.Helper()
	root := apptest.RepoRoot(t)
	lib := filepath.Join(root, "var", "onnxruntime", "libonnxruntime.so.1")
	models := filepath.Join(root, "var", "models")
	ta := apptest.New(t, append([]func(*app.Config){func(c *app.Config) {
		c.ONNXRuntimeLibrary, c.ModelDir, c.Workers = lib, models, 2
	}}, mutate...)...)
	if err := ta.Jobs.Start(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ta.Jobs.Stop(context.Background()) })
	return ta
}

// newFaceWorld builds the world on ta, up to the indexing (index).
func newFaceWorld(t testing.TB, ta *apptest.TestApp) *faceWorld {
	t.Helper()
	ctx := context.Background()
	w := &faceWorld{ta: ta, owner: ta.SignUp("Lumen Studio", "mira@lumen.example.com"), files: map[uuid.UUID]string{}}
	w.studio = studioOf(t, ta, w.owner.Email)
	u, err := ta.Accounts.UserByEmail(ctx, w.owner.Email)
	if err != nil {
		t.Fatal(err)
	}
	w.ownerAct = faces.Actor{UserID: u.ID, IP: "192.0.2.1"}
	c := w.owner.Client
	w.album = createAlbum(t, c, "Sharma wedding", nil)
	w.folder = query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", w.album)
	name, yes := "Private", true
	f, err := ta.Gallery.CreateFolder(ctx, w.studio, w.album, gallery.FolderInput{Name: &name, Hidden: &yes}, apptest.Actor(u))
	if err != nil {
		t.Fatal(err)
	}
	w.hidden = f.ID
	for _, file := range append(append([]string{}, ashaPhotos...), benPhotos...) {
		w.upload(t, w.folder, file)
	}
	w.upload(t, w.hidden, ashaSecret)
	st := gallery.StatusPublished
	if _, err := ta.Gallery.UpdateAlbum(ctx, w.studio, w.album, gallery.AlbumInput{Status: &st}, apptest.Actor(u)); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *faceWorld) upload(t testing.TB, folder uuid.UUID, file string) {
	t.Helper()
	res := upload(t, w.owner.Client, w.album, folder, file, readFace(t, file))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", file, res.StatusCode, res.Body)
	}
	id := query[uuid.UUID](t, w.ta, "SELECT id FROM photos WHERE album_id = $1 AND filename = $2", w.album, file)
	w.files[id] = file
}

// index turns face search on for the album through the service and waits
// for the workers to index every photo.
func (w *faceWorld) index(t testing.TB) {
	t.Helper()
	c, err := w.ta.Faces.CreateCollection(context.Background(), w.studio,
		faces.CollectionInput{Name: "Sharma wedding guests", AlbumIDs: []uuid.UUID{w.album}}, w.ownerAct)
	if err != nil {
		t.Fatal(err)
	}
	w.coll = c.ID
	w.waitIndexed(t)
}

// waitIndexed waits until the collection has looked at every photo.
func (w *faceWorld) waitIndexed(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(faceTestWait)
	for {
		c, err := w.ta.Faces.Collection(context.Background(), w.studio, w.coll)
		if err != nil {
			t.Fatal(err)
		}
		p := c.Progress
		if p.Photos == len(w.files) && p.Done() {
			if p.Failed > 0 {
				t.Fatalf("%d photos failed to index", p.Failed)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("indexing did not finish within %s: %+v", faceTestWait, p)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// newInvite makes an invite of the collection and returns its token.
func (w *faceWorld) newInvite(t testing.TB, in faces.InviteInput) (uuid.UUID, string) {
	t.Helper()
	inv, token, err := w.ta.Faces.CreateInvite(context.Background(), w.studio, w.coll, in, w.ownerAct)
	if err != nil {
		t.Fatal(err)
	}
	return inv.ID, token
}

// photoOf is the id of an uploaded file.
func (w *faceWorld) photoOf(t testing.TB, file string) uuid.UUID {
	t.Helper()
	for id, f := range w.files {
		if f == file {
			return id
		}
	}
	t.Fatalf("no photo %s", file)
	return uuid.Nil
}
