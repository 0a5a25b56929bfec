package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// readFace reads one of the real photos of the shared test data.
func readFace(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(apptest.TestData(t, "faces/deepface/"+name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// useBlobs is the app's own encrypted object store, which the gallery
// uses: a folder in the test's temporary directory under a fixed master
// key (see apptest.New).
func useBlobs(t *testing.T, ta *apptest.TestApp) gallery.Blobs {
	t.Helper()
	if ta.Gallery.Blobs == nil {
		t.Fatal("the app has no object store")
	}
	return ta.Gallery.Blobs
}

// memBlobs is an in-memory gallery.Blobs, for tests that wrap a store to
// make it fail or to count what it is given.
type memBlobs struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (m *memBlobs) Put(_ context.Context, studio uuid.UUID, key string, r io.Reader) (int64, error) {
	b, err := io.ReadAll(r)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[studio.String()+"/"+key] = b
	return int64(len(b)), err
}

func (m *memBlobs) Open(_ context.Context, studio uuid.UUID, key string) (gallery.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[studio.String()+"/"+key]
	if !ok {
		return nil, fmt.Errorf("memblobs %s: %w", key, gallery.ErrNotFound)
	}
	return memObject{bytes.NewReader(b)}, nil
}

func (m *memBlobs) Delete(_ context.Context, studio uuid.UUID, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, studio.String()+"/"+key)
	return nil
}

func (m *memBlobs) DeletePrefix(_ context.Context, studio uuid.UUID, prefix string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.objs {
		if strings.HasPrefix(k, studio.String()+"/"+prefix) {
			delete(m.objs, k)
		}
	}
	return nil
}

type memObject struct{ *bytes.Reader }

func (memObject) Close() error { return nil }

// readBlob reads a stored object through whatever store the gallery has.
func readBlob(t *testing.T, ta *apptest.TestApp, studio uuid.UUID, key string) []byte {
	t.Helper()
	obj, err := ta.Gallery.Blobs.Open(context.Background(), studio, key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// multipartBody is a multipart form with one file part.
func multipartBody(t testing.TB, field, filename string, content []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if field != "" {
		part, err := w.CreateFormFile(field, filename)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(content)
	} else {
		w.WriteField("note", "no file here")
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// upload posts one file to a folder like studio.js does: multipart, with
// the CSRF token in a header.
func upload(t testing.TB, c *apptest.Client, album, folder uuid.UUID, filename string, content []byte) *apptest.Response {
	t.Helper()
	ctype, body := multipartBody(t, "file", filename, content)
	req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/studio/albums/%s/folders/%s/uploads", album, folder), bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-CSRF-Token", c.CSRF())
	req.Header.Set("Accept", "application/json")
	return c.Do(req)
}

var albumLocation = regexp.MustCompile(`^/studio/albums/([0-9a-f-]{36})`)

// createAlbum makes an album through the form and returns its id.
func createAlbum(t testing.TB, c *apptest.Client, title string, extra url.Values) uuid.UUID {
	t.Helper()
	form := url.Values{"title": {title}}
	for k, v := range extra {
		form[k] = v
	}
	res := c.PostForm("/studio/albums", form)
	m := albumLocation.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create album: %d %q: %.400s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	return uuid.MustParse(m[1])
}

// query runs a one-value query as the superuser.
func query[T any](t testing.TB, ta *apptest.TestApp, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := ta.Superuser().QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// world is a studio with everything the gallery pages show: a client, a
// published album with a photo (ready, with renditions), a second folder,
// a share link, a guest with a favourite, a submitted selection and a note.
type world struct {
	ta             *apptest.TestApp
	owner          *apptest.Owner
	studio         uuid.UUID
	client         uuid.UUID
	album          uuid.UUID
	folder, second uuid.UUID
	photo          uuid.UUID
	link           uuid.UUID
	token          string
	selection      uuid.UUID
	note           uuid.UUID
	thumb, preview []byte
}

var newLinkURL = regexp.MustCompile(`<code id="new-link">(https?://[^<]+/g/([a-z2-7]{32}))</code>`)

func newWorld(t *testing.T, ta *apptest.TestApp, studioName, email string) *world {
	t.Helper()
	ctx := context.Background()
	useBlobs(t, ta)
	w := &world{ta: ta, owner: ta.SignUp(studioName, email)}
	w.studio = studioOf(t, ta, email)
	c := w.owner.Client
	c.Run(t, []apptest.Scenario{{Name: "client", Path: "/studio/clients", Form: url.Values{"name": {"Anita Sharma"}, "email": {"anita@example.com"}}, Status: http.StatusSeeOther}})
	w.client = query[uuid.UUID](t, ta, "SELECT id FROM clients WHERE studio_id = $1", w.studio)
	w.album = createAlbum(t, c, "Sharma wedding", url.Values{"client_id": {w.client.String()}, "event_date": {"2025-02-14"}})
	w.folder = query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", w.album)
	c.Run(t, []apptest.Scenario{
		{Name: "publish", Path: albumPathOf(w.album), Form: url.Values{"title": {"Sharma wedding"}, "status": {"published"}, "client_id": {w.client.String()}}, Status: http.StatusSeeOther},
		{Name: "second folder", Path: albumPathOf(w.album) + "/folders", Form: url.Values{"name": {"Reception"}}, Status: http.StatusSeeOther},
		{Name: "PINs", Path: albumPathOf(w.album) + "/pins", Form: url.Values{"annotate_pin": {"97531"}}, Status: http.StatusSeeOther},
	})
	w.second = query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1 AND name = 'Reception'", w.album)
	res := upload(t, c, w.album, w.folder, "img12.jpg", readFace(t, "img12.jpg"))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	w.photo = query[uuid.UUID](t, ta, "SELECT id FROM photos WHERE album_id = $1", w.album)
	w.render(t, w.photo)
	res = c.PostForm(albumPathOf(w.album)+"/links", url.Values{"label": {"Anita"}})
	m := newLinkURL.FindStringSubmatch(res.Body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create link: %d %.600s", res.StatusCode, res.Body)
	}
	w.token = m[2]
	w.link = query[uuid.UUID](t, ta, "SELECT id FROM share_links WHERE album_id = $1", w.album)
	g := w.guest(t, "97531", "Rohan")
	if err := ta.Gallery.Favourite(ctx, g, w.photo, true); err != nil {
		t.Fatal(err)
	}
	sel, err := ta.Gallery.SubmitSelection(ctx, g, "These for the album, please")
	if err != nil {
		t.Fatal(err)
	}
	w.selection = sel.ID
	note, err := ta.Gallery.Annotate(ctx, g, w.photo, gallery.AnnotationInput{Shape: "rect", X: 0.25, Y: 0.1, W: 0.5, H: 0.3, Note: "Brighten the faces"})
	if err != nil {
		t.Fatal(err)
	}
	w.note = note.ID
	return w
}

func albumPathOf(id uuid.UUID) string { return "/studio/albums/" + id.String() }

func (w *world) photoPath() string { return albumPathOf(w.album) + "/photos/" + w.photo.String() }

// render stands in for the render job (no workers run in these tests):
// it stores a thumbnail and a preview and marks the photo ready.
func (w *world) render(t *testing.T, photo uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	w.thumb, w.preview = []byte("thumb-of-"+photo.String()), []byte("preview-of-"+photo.String())
	prefix := "albums/" + w.album.String() + "/" + photo.String() + "/"
	for key, b := range map[string][]byte{prefix + "thumb.jpg": w.thumb, prefix + "preview.jpg": w.preview} {
		if _, err := w.ta.Gallery.Blobs.Put(ctx, w.studio, key, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := w.ta.Superuser().Exec(ctx, `UPDATE photos SET status = 'ready', width = 640, height = 480, placeholder = '#a1b2c3',
		thumb_key = $2, preview_key = $3 WHERE id = $1`, photo, prefix+"thumb.jpg", prefix+"preview.jpg")
	if err != nil {
		t.Fatal(err)
	}
}

// guest opens the link, enters pin and gives a name, through the service.
func (w *world) guest(t *testing.T, pin, name string) *gallery.GuestAccess {
	t.Helper()
	ctx := context.Background()
	g, err := w.ta.Gallery.OpenLink(ctx, w.token, "", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	session, err := w.ta.Gallery.Enter(ctx, g, pin)
	if err != nil {
		t.Fatal(err)
	}
	if g, err = w.ta.Gallery.OpenLink(ctx, w.token, session, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if err := w.ta.Gallery.Identify(ctx, g, name, strings.ToLower(name)+"@example.com"); err != nil {
		t.Fatal(err)
	}
	return g
}

// regexpFind returns the first group of pattern in s.
func regexpFind(t *testing.T, pattern, s string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in %.600s", pattern, s)
	}
	return m[1]
}
