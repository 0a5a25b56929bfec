package app_test

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/proofsheet/proofsheet/app/apptest"
)

// TestBrowserFaceSearch is face search in Chromium at phone and laptop
// size, with the real render and indexing workers and a fake camera
// playing a clip made from a real photo of Asha. The photographer turns
// face search on from the album page, watches the indexing finish, names
// a person and makes an invite; the guest reads what
// happens to their face, agrees, takes a selfie inside the page, sees
// "Looking through 7 photos…" (the hidden one not counted), and gets exactly Asha's four photos (not
// Ben's, not the one in a hidden folder); then deletes the registration.
func TestBrowserFaceSearch(t *testing.T) {
	for _, v := range []apptest.Viewport{apptest.Phone, apptest.Laptop} {
		t.Run(v.Name, func(t *testing.T) { faceSearchFlow(t, v) })
	}
}

func faceSearchFlow(t *testing.T, v apptest.Viewport) {
	ta := faceApp(t)
	w := newFaceWorld(t, ta)
	base := ta.Listen()
	token := photographerInvites(t, w, apptest.NewBrowser(t, base, v))

	b := apptest.NewBrowser(t, base, v, apptest.FakeCamera(selfieClip(t, ashaSelfie)))
	if got := b.Open("/f/" + token); got != http.StatusOK {
		t.Fatalf("open the invite: %d", got)
	}
	page(t, b, "face-consent", "Find your photos of Sharma wedding")
	if n := apptest.Eval[int](b, `document.querySelectorAll("video").length`); n != 0 {
		t.Fatal("the camera is on the page before the guest agreed")
	}
	form := "form[data-consent-form]"
	b.Fill(form, "name", "Asha", "email", "asha@example.com")
	b.Click(form + " input[name=consent]")
	if got := b.Submit(form + " button[type=submit]"); got != http.StatusOK {
		t.Fatalf("register: %d", got)
	}
	waitFor(t, b, `document.querySelector("[data-video]").videoWidth`, "640")
	waitFor(t, b, `document.querySelector("[data-shutter]").disabled`, "false")
	page(t, b, "face-camera", "Take a selfie")

	// What the status line says is kept across the page change.
	apptest.Eval[bool](b, `(() => { const el = document.querySelector("[data-status]");
  new MutationObserver(() => { const seen = JSON.parse(sessionStorage.getItem("said") || "[]"); seen.push(el.textContent);
    sessionStorage.setItem("said", JSON.stringify(seen)); }).observe(el, { childList: true, characterData: true, subtree: true });
  return true; })()`)
	b.Click("[data-shutter]")
	waitWithin(t, b, faceTestWait, `location.pathname`, "/f/"+token+"/photos")
	waitFor(t, b, `Array.from(document.querySelectorAll(".g-tile img")).every((i) => i.complete && i.naturalWidth > 0)`, "true")
	said := apptest.Eval[[]string](b, `JSON.parse(sessionStorage.getItem("said") || "[]")`)
	if !slices.Contains(said, "Looking through 7 photos…") {
		t.Errorf("while matching the page said %q", said)
	}
	var want []string
	for _, f := range ashaPhotos {
		want = append(want, w.photoOf(t, f).String())
	}
	slices.Sort(want)
	got := apptest.Eval[[]string](b, `Array.from(document.querySelectorAll(".g-tile"), (t) => t.dataset.photo).sort()`)
	if !slices.Equal(got, want) {
		t.Fatalf("the results show %v, want exactly Asha's %v", got, want)
	}
	page(t, b, "face-results", "Your photos of Sharma wedding")
	wantText(t, b, "[data-found]", "We found you in 4 photos.")

	b.Click(".g-tile:nth-child(2) [data-open]")
	waitFor(t, b, `document.querySelector("[data-lb-pos]").textContent`, "2 of 4")
	waitFor(t, b, `document.querySelector("[data-lb-img]").complete && document.querySelector("[data-lb-img]").naturalWidth > 0`, "true")
	if hidden := apptest.Eval[bool](b, `document.querySelector("[data-lb-fav]").hidden && !document.querySelector("[data-lb-web]").hidden && document.querySelector("[data-lb-original]").hidden`); !hidden {
		t.Error("the lightbox offers a favourite, or downloads other than the web size the album allows")
	}
	b.Screenshot("face-lightbox")
	b.Key(kb.Escape)

	if got := b.Submit(".f-delete button[type=submit]"); got != http.StatusOK {
		t.Fatalf("delete the registration: %d", got)
	}
	page(t, b, "face-deleted", "Your registration is deleted")
	if n := staffCount(t, ta, `SELECT count(*) FROM face_registrations`); n != 0 {
		t.Errorf("%d registrations after deleting", n)
	}
}

// selfieClip writes a camera clip of one of the shared photos into the
// test's temporary folder.
func selfieClip(t *testing.T, file string) string {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(readFace(t, file)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "selfie.y4m")
	if err := apptest.WriteY4M(path, img, 640, 480, 10); err != nil {
		t.Fatal(err)
	}
	return path
}

// photographerInvites signs the owner in, turns face search on from the
// album page, waits for the indexing on the collection's page, names Asha
// on her page, looks at the delete confirmation, and makes an invite,
// whose token it returns.
func photographerInvites(t *testing.T, w *faceWorld, b *apptest.Browser) string {
	t.Helper()
	b.Open("/login")
	b.Fill(`form[action="/login"]`, "email", w.owner.Email, "password", w.owner.Password)
	b.Submit(`form[action="/login"] button[type=submit]`)
	b.Open(albumPathOf(w.album))
	wantText(t, b, "#face-search", "Face search off")
	if got := b.Submit("#face-search button[type=submit]"); got != http.StatusOK {
		t.Fatalf("turn on face search: %d", got)
	}
	wantText(t, b, ".flash", "Face search is on")
	// faces.js follows the workers and reloads the page once they are done.
	waitWithin(t, b, faceTestWait, `(document.querySelector("[data-face-progress-text]") || {}).textContent`, "8 of 8 photos")
	waitWithin(t, b, faceTestWait, `document.querySelectorAll(".person img.person-face").length`, "2")
	waitFor(t, b, `Array.from(document.querySelectorAll(".person img")).every((i) => i.complete && i.naturalWidth > 0)`, "true")
	page(t, b, "studio-face-collection", "Sharma wedding")
	collection := b.Path()
	b.Open(albumPathOf(w.album))
	wantText(t, b, "#face-search", "Face search on")
	wantText(t, b, "#face-search", "8 of 8 photos indexed, 2 people")
	b.Open("/studio/faces")
	page(t, b, "studio-faces", "Face search")
	b.Open(collection)

	b.Click(".person:first-child a")
	waitFor(t, b, `document.querySelectorAll(".photo-grid .tile").length`, "5")
	b.Fill(`form[action$="/people/`+strings.TrimPrefix(apptest.Eval[string](b, `location.pathname`), collection+"/people/")+`"]`, "name", "Asha Sharma")
	b.Submit(`.setting:first-child button[type=submit]`)
	page(t, b, "studio-face-person", "Asha Sharma")

	b.Open(collection + "/delete")
	page(t, b, "studio-face-delete", "Delete this collection?")
	wantText(t, b, "[data-purge-text]", "Delete collection Sharma wedding: 8 faces, 0 guest registrations, 2 people")

	b.Open(collection)
	b.Fill("#new-invite-form", "label", "Wedding guests", "cap", "200")
	b.Submit("#new-invite-form button[type=submit]")
	wantText(t, b, ".new-link h3", "Invite “Wedding guests” is ready")
	b.Screenshot("studio-face-invite")
	u := b.Text("#new-invite")
	i := strings.LastIndex(u, "/f/")
	if i < 0 {
		t.Fatalf("the invite's address %q", u)
	}
	return u[i+3:]
}
