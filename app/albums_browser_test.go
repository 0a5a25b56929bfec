package app_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// TestBrowserAlbumUpload drives the album page in Chromium at phone and
// laptop size: files chosen and dropped upload three at a time with a row
// each, refusals say why, a failed upload is retried alone, and the tiles
// turn into thumbnails as the renditions finish, all without a reload and
// without a CSP violation (the browser fails the test on any).
func TestBrowserAlbumUpload(t *testing.T) {
	for _, v := range []apptest.Viewport{apptest.Phone, apptest.Laptop} {
		t.Run(v.Name, func(t *testing.T) { albumUpload(t, v) })
	}
}

// flakyBlobs fails every Put while fail is set, like a store that is down.
type flakyBlobs struct {
	gallery.Blobs
	fail atomic.Bool
}

func (f *flakyBlobs) Put(ctx context.Context, studio uuid.UUID, key string, r io.Reader) (int64, error) {
	if f.fail.Load() {
		return 0, errors.New("store unavailable")
	}
	return f.Blobs.Put(ctx, studio, key, r)
}

func albumUpload(t *testing.T, v apptest.Viewport) {
	ta := apptest.New(t)
	store := &flakyBlobs{Blobs: &memBlobs{objs: map[string][]byte{}}}
	ta.Gallery.Blobs = store
	b := apptest.NewBrowser(t, ta.Listen(), v)
	email := "mira@" + v.Name + ".example.com"
	b.Open("/signup")
	b.Fill(`form[action="/signup"]`, "studio", "Lumen Studio", "name", "Mira Rao", "email", email, "password", tourPassword)
	if got := b.Submit(`form[action="/signup"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("sign up: %d", got)
	}
	b.Open("/studio/albums")
	page(t, b, "albums-empty", "Albums")
	b.Fill(`form[action="/studio/albums"]`, "title", "Sharma wedding")
	if got := b.Submit(`form[action="/studio/albums"] button[type=submit]`); got != http.StatusOK {
		t.Fatalf("create album: %d", got)
	}
	page(t, b, "album-empty", "Sharma wedding")

	// Three photos through the file chooser, two files dropped on the page.
	b.ExpectConsoleError("status of 409")
	b.ExpectConsoleError("status of 415")
	chooseFiles(t, b, "[data-upload-input]", "change", "img12.jpg", "img25.jpg", "img51.jpg")
	chooseFiles(t, b, "main", "drop", "img12.jpg", "notes.txt")
	waitFor(t, b, `document.querySelectorAll('.upload-row[data-state="done"], .upload-row[data-state="failed"]').length`, "5")
	wantText(t, b, "[data-upload-summary]", "3 of 5 uploaded, 2 failed.")
	rows := apptest.Eval[[]string](b, `Array.from(document.querySelectorAll(".upload-row"), (r) =>
		r.dataset.state + " " + r.querySelector("[data-name]").textContent + " " + r.querySelector("[data-error]").textContent + " retry:" + !r.querySelector("[data-retry]").hidden)`)
	want := []string{"done img12.jpg  retry:false", "done img25.jpg  retry:false", "done img51.jpg  retry:false",
		"failed img12.jpg This file is already in the album, as “img12.jpg”. retry:false",
		"failed notes.txt This kind of file is not accepted. Upload JPEG, PNG, WebP, HEIC/HEIF, TIFF, MP4, MOV and PDF files. retry:false"}
	// The two img12.jpg uploads run at once: either may be the one refused,
	// and when neither is stored yet as the second is checked, the
	// database's unique index refuses it and the message cannot name the
	// first one's file. So the rows are compared in any order.
	for i, r := range rows {
		rows[i] = strings.Replace(r, "as “another upload”", "as “img12.jpg”", 1)
	}
	slices.Sort(rows)
	slices.Sort(want)
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("upload rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	waitFor(t, b, `document.querySelectorAll('.tile[data-status="processing"]').length`, "3")
	wantText(t, b, "[data-progress-text]", "")
	b.Screenshot("album-uploaded")

	// A failure of the store: the row offers Retry, which sends that file alone.
	store.fail.Store(true)
	b.ExpectConsoleError("status of 500")
	chooseFiles(t, b, "[data-upload-input]", "change", "img62.jpg")
	waitFor(t, b, `document.querySelector('.upload-row:last-child').dataset.state`, "failed")
	if hidden := apptest.Eval[bool](b, `document.querySelector('.upload-row:last-child [data-retry]').hidden`); hidden {
		t.Fatal("no Retry button on a failed upload")
	}
	store.fail.Store(false)
	b.Click(".upload-row:last-child [data-retry]")
	waitFor(t, b, `document.querySelector('.upload-row:last-child').dataset.state`, "done")
	wantText(t, b, "[data-upload-summary]", "4 of 6 uploaded, 2 failed.")

	// The renditions finish (the job is faked): tiles become thumbnails
	// and the failed one says why, from the page's polling alone.
	album := query[uuid.UUID](t, ta, "SELECT id FROM albums")
	studio := query[uuid.UUID](t, ta, "SELECT studio_id FROM albums")
	thumb := readFace(t, "img25.jpg")
	rows2, err := ta.Superuser().Query(context.Background(), "SELECT id, filename FROM photos WHERE album_id = $1", album)
	if err != nil {
		t.Fatal(err)
	}
	var photos []struct {
		id   uuid.UUID
		name string
	}
	for rows2.Next() {
		var p struct {
			id   uuid.UUID
			name string
		}
		rows2.Scan(&p.id, &p.name)
		photos = append(photos, p)
	}
	rows2.Close()
	for _, p := range photos {
		status, failure := "ready", ""
		if p.name == "img51.jpg" {
			status, failure = "failed", "The file is damaged: it ends in the middle of the image."
		}
		key := fmt.Sprintf("albums/%s/%s/thumb.jpg", album, p.id)
		if _, err := ta.Gallery.Blobs.Put(context.Background(), studio, key, strings.NewReader(string(thumb))); err != nil {
			t.Fatal(err)
		}
		_, err := ta.Superuser().Exec(context.Background(), `UPDATE photos SET status = $2, failure = $3, thumb_key = CASE WHEN $2 = 'ready' THEN $4 ELSE '' END,
			preview_key = CASE WHEN $2 = 'ready' THEN $4 ELSE '' END, width = 640, height = 480, placeholder = '#8a7f70' WHERE id = $1`, p.id, status, failure, key)
		if err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, b, `document.querySelector("[data-progress-text]").textContent`, "3 of 4 photos ready, 1 failed.")
	waitFor(t, b, `document.querySelectorAll('.tile[data-status="ready"] img').length`, "3")
	wantText(t, b, ".tile[data-status=failed] .tile-failure", "The file is damaged")
	wantText(t, b, "[data-failed-list]", "img51.jpg: The file is damaged")
	waitFor(t, b, `String(Array.from(document.querySelectorAll('.tile[data-status="ready"] img')).every((i) => i.complete && i.naturalWidth > 0))`, "true")
	page(t, b, "album-ready", "Sharma wedding")

	// Ticking photos enables the bulk actions and names the count.
	b.Click(`.tile[data-status="ready"] [data-select]`)
	wantText(t, b, "[data-bulk-count]", "1 photo ticked")
	// A guest's note is drawn where it was made, in percent of the photo.
	note := guestNote(t, ta, studio, album, photos)
	b.Open(albumPathOf(album) + "/photos/" + note.PhotoID.String())
	waitFor(t, b, `document.querySelector(".annotated img").complete`, "true")
	box := apptest.Eval[[]float64](b, `(() => { const f = document.querySelector(".annotated").getBoundingClientRect();
		const m = document.querySelector(".mark-rect").getBoundingClientRect();
		return [(m.left - f.left) / f.width, (m.top - f.top) / f.height, m.width / f.width, m.height / f.height].map((v) => Math.round(v * 100)); })()`)
	if fmt.Sprint(box) != "[25 10 50 30]" {
		t.Errorf("the note's mark is at %v percent of the photo, want [25 10 50 30]", box)
	}
	wantText(t, b, ".note-body", "Brighten the faces")
	checkLayout(t, b, "photo")
	b.Screenshot("photo")
}

// guestNote publishes the album, shares it and has a guest with the
// annotate PIN mark an area of a ready photo.
func guestNote(t *testing.T, ta *apptest.TestApp, studio, album uuid.UUID, photos []struct {
	id   uuid.UUID
	name string
}) *gallery.Annotation {
	t.Helper()
	ctx := context.Background()
	act := gallery.Actor{UserID: query[uuid.UUID](t, ta, "SELECT id FROM users WHERE studio_id = $1", studio)}
	published, pin := gallery.StatusPublished, "97531"
	if _, err := ta.Gallery.UpdateAlbum(ctx, studio, album, gallery.AlbumInput{Status: &published}, act); err != nil {
		t.Fatal(err)
	}
	if err := ta.Gallery.SetPINs(ctx, studio, album, gallery.PINInput{Annotate: &pin}, act); err != nil {
		t.Fatal(err)
	}
	_, token, err := ta.Gallery.CreateLink(ctx, studio, album, gallery.LinkInput{Label: "Anita"}, act)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ta.Gallery.OpenLink(ctx, token, "", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	session, err := ta.Gallery.Enter(ctx, g, pin)
	if err != nil {
		t.Fatal(err)
	}
	if g, err = ta.Gallery.OpenLink(ctx, token, session, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	if err := ta.Gallery.Identify(ctx, g, "Anita", "anita@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, p := range photos {
		if p.name == "img25.jpg" {
			note, err := ta.Gallery.Annotate(ctx, g, p.id, gallery.AnnotationInput{Shape: "rect", X: 0.25, Y: 0.1, W: 0.5, H: 0.3, Note: "Brighten the faces"})
			if err != nil {
				t.Fatal(err)
			}
			return note
		}
	}
	t.Fatal("no img25.jpg")
	return nil
}

// chooseFiles gives the page files as a person would: by the chooser
// (event "change" on the input) or by dropping them ("drop" on sel).
func chooseFiles(t *testing.T, b *apptest.Browser, sel, event string, names ...string) {
	t.Helper()
	var js strings.Builder
	js.WriteString("(() => { const dt = new DataTransfer();\n")
	for _, name := range names {
		content := []byte("Dear Anita, here are the photos.\n")
		mime := "text/plain"
		if strings.HasSuffix(name, ".jpg") {
			content, mime = readFace(t, name), "image/jpeg"
		}
		fmt.Fprintf(&js, "dt.items.add(new File([Uint8Array.from(atob(%q), (c) => c.charCodeAt(0))], %q, {type: %q}));\n",
			base64.StdEncoding.EncodeToString(content), name, mime)
	}
	if event == "change" {
		fmt.Fprintf(&js, "const el = document.querySelector(%q); el.files = dt.files; el.dispatchEvent(new Event('change', {bubbles: true}));", sel)
	} else {
		fmt.Fprintf(&js, "const el = document.querySelector(%q); for (const t of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(t, {dataTransfer: dt, bubbles: true, cancelable: true}));", sel)
	}
	js.WriteString(" return true; })()")
	apptest.Eval[bool](b, js.String())
}

// waitFor polls a JavaScript expression until it gives want (as text).
func waitFor(t *testing.T, b *apptest.Browser, expr, want string) {
	t.Helper()
	waitWithin(t, b, 15*time.Second, expr, want)
}

// waitWithin is waitFor for work that takes longer, such as rendering.
func waitWithin(t *testing.T, b *apptest.Browser, d time.Duration, expr, want string) {
	t.Helper()
	deadline := time.Now().Add(d)
	var got string
	for time.Now().Before(deadline) {
		got = apptest.Eval[string](b, "String("+expr+")")
		if got == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: %s is %q, want %q", b.View.Name, expr, got, want)
}
