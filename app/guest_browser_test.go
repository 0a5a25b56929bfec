package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
)

// TestBrowserGuestFlow is the whole proofing round in Chromium, at phone
// and laptop size, with the real render workers: a photographer makes an
// album, uploads ten photos, sets both PINs, locks a folder and shares a
// link; the guest gets a wrong PIN then the right one, chooses three
// photos, leaves a note with the edit PIN, downloads the allowed zip and
// is refused the locked folder's.
func TestBrowserGuestFlow(t *testing.T) {
	for _, v := range []apptest.Viewport{apptest.Phone, apptest.Laptop} {
		t.Run(v.Name, func(t *testing.T) { guestFlow(t, v) })
	}
}

var (
	ceremonyPhotos  = []string{"img1.jpg", "img2.jpg", "img3.jpg", "img4.jpg", "img10.jpg", "img11.jpg", "img12.jpg"}
	receptionPhotos = []string{"img13.jpg", "img14.jpg", "img15.jpg"}
)

func guestFlow(t *testing.T, v apptest.Viewport) {
	ta := apptest.New(t, func(c *app.Config) { c.Workers = 2 })
	if err := ta.Jobs.Start(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ta.Jobs.Stop(context.Background()) })
	base := ta.Listen()
	link, reception := photographerShares(t, apptest.NewBrowser(t, base, v))

	b := apptest.NewBrowser(t, base, v)
	b.ExpectConsoleError("status of 401")
	b.ExpectConsoleError("status of 403")
	b.ExpectConsoleError("status of 409") // the first favourite waits for a name
	if got := b.Open(link); got != http.StatusOK {
		t.Fatalf("open the link: %d", got)
	}
	page(t, b, "guest-pin", "Sharma wedding")
	b.Fill("form.g-pin-form", "pin", "1111")
	if got := b.Submit("form.g-pin-form button[type=submit]"); got != http.StatusUnauthorized {
		t.Fatalf("a wrong PIN: %d", got)
	}
	wantText(t, b, "#pin-error", "That PIN is not right.")
	b.Screenshot("guest-pin-wrong")
	b.Fill("form.g-pin-form", "pin", "2468")
	if got := b.Submit("form.g-pin-form button[type=submit]"); got != http.StatusOK {
		t.Fatalf("the right PIN: %d", got)
	}
	waitFor(t, b, `document.querySelectorAll(".g-tile img").length`, "7")
	waitFor(t, b, `Array.from(document.querySelectorAll(".g-tile img")).every((i) => i.complete && i.naturalWidth > 0)`, "true")
	page(t, b, "guest-gallery", "Sharma wedding")

	chooseThree(t, b)
	lightboxWalk(t, b)
	annotate(t, ta, b)
	downloads(t, b, link, reception)

	// The favourites go to the photographer as a selection.
	b.Open(link + "/favourites")
	page(t, b, "guest-favourites", "Meera’s favourites")
	b.Fill(".g-send form", "note", "These three for the album")
	if got := b.Submit(".g-send button[type=submit]"); got != http.StatusOK {
		t.Fatalf("send the selection: %d", got)
	}
	page(t, b, "guest-sent", "Your selection is on its way")
	wantText(t, b, ".g-done h1 + p", "3 photos went to Lumen Studio, with your note.")
	if n := staffCount(t, ta, "SELECT count(*) FROM selection_photos"); n != 3 {
		t.Fatalf("%d photos in the selection, want 3", n)
	}
}

// photographerShares signs up, makes the album with two folders and ten
// rendered photos, sets both PINs, locks "Reception", publishes and makes
// a link. It returns the link's path and the locked folder.
func photographerShares(t *testing.T, b *apptest.Browser) (string, uuid.UUID) {
	t.Helper()
	b.Open("/signup")
	b.Fill(`form[action="/signup"]`, "studio", "Lumen Studio", "name", "Mira Rao", "email", "mira@"+b.View.Name+".example.com", "password", tourPassword)
	b.Submit(`form[action="/signup"] button[type=submit]`)
	b.Open("/studio/albums")
	b.Fill(`form[action="/studio/albums"]`, "title", "Sharma wedding")
	b.Submit(`form[action="/studio/albums"] button[type=submit]`)
	album := b.Path()
	chooseFiles(t, b, "[data-upload-input]", "change", ceremonyPhotos...)
	waitFor(t, b, `document.querySelector("[data-upload-summary]").textContent`, "7 of 7 uploaded.")
	b.Click(".new-folder summary")
	b.Fill(`form[action$="/folders"]`, "name", "Reception")
	b.Submit(`form[action$="/folders"] button[type=submit]`)
	reception := uuid.MustParse(apptest.Eval[string](b, `Array.from(document.querySelectorAll("[data-folder]")).find((t) => t.dataset.folderName === "Reception").dataset.folder`))
	b.Click(`[role=tab][data-folder="` + reception.String() + `"]`)
	chooseFiles(t, b, "[data-upload-input]", "change", receptionPhotos...)
	waitFor(t, b, `document.querySelector("[data-upload-summary]").textContent`, "3 of 3 uploaded.")
	// The render workers make the thumbnails; the page shows them coming.
	waitWithin(t, b, time.Minute, `document.querySelectorAll('.tile[data-status="ready"]').length`, "10")
	page(t, b, "studio-album-ready", "Sharma wedding")

	b.Fill("#pins", "view_pin", "2468", "annotate_pin", "97531")
	b.Submit("#pins button[type=submit]")
	panel := "#panel-" + reception.String()
	b.Open(album + "?folder=" + reception.String())
	b.Click(panel + " .folder-settings summary")
	b.Submit(panel + ` form:has(input[name=download_locked][value="1"]) button`)
	b.Click("#details summary")
	apptest.Eval[bool](b, `(() => { const s = document.querySelector('#details select[name="status"]'); s.value = "published"; return true; })()`)
	b.Submit("#details button[type=submit]")
	b.Fill("#new-link-form", "label", "Anita")
	b.Click(`#new-link-form input[name="never"]`)
	b.Submit("#new-link-form button[type=submit]")
	wantText(t, b, ".new-link h3", "Link “Anita” is ready")
	wantText(t, b, `[role=tab][data-folder="`+reception.String()+`"]`, "Locked")
	b.Screenshot("studio-album-shared")
	u, err := url.Parse(b.Text("#new-link"))
	if err != nil || !strings.HasPrefix(u.Path, "/g/") {
		t.Fatalf("the link %q: %v", b.Text("#new-link"), err)
	}
	return u.Path, reception
}

// chooseThree favourites three photos from the grid: the first asks for
// the guest's name, and the count follows each.
func chooseThree(t *testing.T, b *apptest.Browser) {
	t.Helper()
	b.Click(".g-tile:nth-child(1) [data-fav-button]")
	waitFor(t, b, `document.querySelector("[data-identify]").open`, "true")
	b.Screenshot("guest-identify")
	b.Fill("[data-identify-form]", "name", "Meera", "email", "meera@example.com")
	b.Click("[data-identify-form] button[type=submit]")
	waitFor(t, b, `document.querySelector("[data-choice-text]").textContent`, "1 photo chosen")
	for i, n := range []int{3, 5} {
		b.Click(fmt.Sprintf(".g-tile:nth-child(%d) [data-fav-button]", n))
		waitFor(t, b, `document.querySelector("[data-choice-text]").textContent`, fmt.Sprintf("%d photos chosen", i+2))
	}
	waitFor(t, b, `Array.from(document.querySelectorAll(".g-tile"), (t) => t.hasAttribute("data-fav") ? 1 : 0).join("")`, "1010100")
}

// lightboxWalk opens a photo, walks with the keyboard and closes.
func lightboxWalk(t *testing.T, b *apptest.Browser) {
	t.Helper()
	b.Click(".g-tile:nth-child(2) [data-open]")
	waitFor(t, b, `document.querySelector("[data-lb-pos]").textContent`, "2 of 7")
	b.Key(kb.ArrowRight)
	waitFor(t, b, `document.querySelector("[data-lb-pos]").textContent`, "3 of 7")
	waitFor(t, b, `document.querySelector("[data-lb-img]").complete && document.querySelector("[data-lb-img]").naturalWidth > 0`, "true")
	waitFor(t, b, `document.querySelector("[data-lb-fav]").getAttribute("aria-pressed")`, "true")
	if hidden := apptest.Eval[bool](b, `document.querySelector("[data-lb-web]").hidden`); hidden {
		t.Error("no download in the lightbox of an allowed photo")
	}
	b.Screenshot("guest-lightbox")
	b.Key(kb.Escape)
	waitFor(t, b, `document.querySelector("[data-lightbox]").open`, "false")
}

// annotate enters the edit PIN and marks an area of the first photo.
func annotate(t *testing.T, ta *apptest.TestApp, b *apptest.Browser) {
	t.Helper()
	// The page may still be scrolling back to the photo the lightbox
	// closed on, and a click computed before that scroll misses: a
	// person taps again, and so does the test.
	for range 3 {
		if apptest.Eval[bool](b, `document.querySelector(".g-upgrade").open`) {
			break
		}
		b.Click(".g-upgrade summary")
		time.Sleep(200 * time.Millisecond)
	}
	waitFor(t, b, `document.querySelector(".g-upgrade").open`, "true")
	b.Fill(".g-upgrade form", "pin", "97531")
	b.Submit(".g-upgrade button[type=submit]")
	wantText(t, b, ".g-flash", "You can leave notes now")
	b.Click(".g-tile:nth-child(1) [data-open]")
	waitFor(t, b, `document.querySelector("[data-lb-img]").complete && document.querySelector("[data-lb-img]").naturalWidth > 0`, "true")
	b.Click("[data-lb-annotate]")
	b.Drag("[data-lb-figure]", 0.2, 0.3, 0.6, 0.7)
	waitFor(t, b, `document.querySelector("[data-lb-note]").hidden`, "false")
	b.Fill("[data-lb-note]", "note", "Soften the shadow on her face")
	b.Screenshot("guest-annotate")
	b.Click("[data-lb-note] button[type=submit]")
	waitFor(t, b, `document.querySelectorAll("[data-lb-marks] .mark-rect").length`, "1")
	wantText(t, b, "[data-lb-notes]", "Soften the shadow on her face")
	var x, y, w, h float64
	err := ta.Superuser().QueryRow(context.Background(), "SELECT x, y, w, h FROM annotations WHERE note = 'Soften the shadow on her face' AND shape = 'rect'").Scan(&x, &y, &w, &h)
	if err != nil || fmt.Sprintf("%.1f %.1f %.1f %.1f", x, y, w, h) != "0.2 0.3 0.4 0.4" {
		t.Fatalf("the note's mark: %v %v %v %v %v, want 0.2 0.3 0.4 0.4", x, y, w, h, err)
	}
	b.Key(kb.Escape)
}

// downloads: the album's zip is allowed; the locked folder offers no
// download and refuses its zip by address.
func downloads(t *testing.T, b *apptest.Browser, link string, reception uuid.UUID) {
	t.Helper()
	fetch := func(path string) string {
		return apptest.Eval[string](b, fmt.Sprintf(`fetch(%q).then((r) => r.status + " " + r.headers.get("Content-Type"))`, path))
	}
	b.Click(".g-menu summary")
	b.Screenshot("guest-download-menu")
	zip := apptest.Eval[string](b, `document.querySelector(".g-menu a").getAttribute("href")`)
	if zip != link+"/zip?size=web" || fetch(zip) != "200 application/zip" {
		t.Fatalf("the album zip %q: %s", zip, fetch(zip))
	}
	b.Open(link + "?folder=" + reception.String())
	waitFor(t, b, `document.querySelectorAll(".g-tile").length`, "3")
	if n := apptest.Eval[int](b, `document.querySelectorAll(".g-tile[data-web], .g-tile[data-original], a[href*='/zip'][href*='folder=`+reception.String()+`']").length`); n != 0 {
		t.Fatalf("%d downloads offered in the locked folder", n)
	}
	if got := b.Open(link + "/zip?size=web&folder=" + reception.String()); got != http.StatusForbidden {
		t.Fatalf("the locked folder's zip: %d", got)
	}
	page(t, b, "guest-refused", "Not allowed")
	wantText(t, b, ".g-error-page", "The photographer has locked downloads of this folder.")
}
