package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// The guest pages under /g/:token work on the guest API's world: album
// "Sharma wedding" of Lumen Studio, view PIN 2468, annotate PIN 97531,
// IMG_2001.jpg and img10.jpg in the first folder, img11.jpg in
// "Reception" (see newGuestFiles).

func gpath(token string, parts ...string) string {
	return "/g/" + token + strings.Join(parts, "")
}

// enterPage enters a link's PIN through the form, as a browser does.
func enterPage(t *testing.T, c *apptest.Client, token, pin string) {
	t.Helper()
	res := c.PostForm(gpath(token, "/pin"), url.Values{"pin": {pin}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != gpath(token) {
		t.Fatalf("enter %s: %d %q %.300s", pin, res.StatusCode, res.Header.Get("Location"), res.Body)
	}
}

func TestGuestPagesPIN(t *testing.T) {
	g := newGuestFiles(t)
	base := gpath(g.linkToken)
	photo := base + "/p/" + g.photo.String()
	c := g.ta.Client()
	c.Run(t, []apptest.Scenario{
		{Name: "the PIN page names the album and the studio only", Path: base, Status: http.StatusOK,
			Contains:    []string{"Sharma wedding", "Lumen Studio shared a gallery with you", `inputmode="numeric"`, `name="pin"`},
			NotContains: []string{"IMG_2001.jpg", "Reception", "/thumb"},
			Header:      map[string]string{"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}},
		{Name: "a deep link waits for the PIN", Path: photo, Status: http.StatusSeeOther, Location: base},
		{Name: "so do the images", Path: photo + "/thumb", Status: http.StatusUnauthorized, Contains: []string{"Enter the gallery"}},
		{Name: "not a PIN", Path: base + "/pin", Form: url.Values{"pin": {"12a"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"A PIN has 4 to 8 digits."}},
		{Name: "a wrong PIN", Path: base + "/pin", Form: url.Values{"pin": {"1357"}}, Status: http.StatusUnauthorized,
			Contains: []string{"That PIN is not right.", `aria-invalid="true"`}, NotContains: []string{"1357"}},
		{Name: "a form from elsewhere", Path: base + "/pin", Form: url.Values{"pin": {guestViewPIN}}, NoCSRF: true, Status: http.StatusForbidden},
		{Name: "the right PIN", Path: base + "/pin", Form: url.Values{"pin": {guestViewPIN}}, Status: http.StatusSeeOther, Location: base},
		{Name: "the gallery", Path: base, Status: http.StatusOK,
			Contains: []string{"IMG_2001.jpg", "img10.jpg", ">Reception</a>", `data-web="` + photo + `/download?size=web"`,
				"Have the edit PIN?", `href="` + base + `/zip?size=web"`, "ar-135"},
			NotContains: []string{"img11.jpg", "data-original", "data-notes", "size=original"}},
		{Name: "the other folder", Path: base + "?folder=" + g.second.String(), Status: http.StatusOK,
			Contains: []string{"img11.jpg", `aria-current="page">Reception`}},
		{Name: "the thumbnail", Path: photo + "/thumb", Status: http.StatusOK, Contains: []string{"thumb-of-" + g.photo.String()}},
		{Name: "the photo's page", Path: photo, Status: http.StatusOK,
			Contains: []string{"1 of 2", `rel="next"`, ">Download</a>"}, NotContains: []string{"Notes", "Download the original"}},
		{Name: "notes need the edit PIN", Path: photo + "/annotations", Request: map[string]string{"Accept": "application/json"},
			Status: http.StatusForbidden, Contains: []string{"Enter the edit PIN"}},
		{Name: "the edit PIN", Path: base + "/pin", Form: url.Values{"pin": {guestAnnotatePIN}}, Status: http.StatusSeeOther, Location: base},
		{Name: "says what it unlocked", Path: photo, Status: http.StatusOK,
			Contains: []string{"You can leave notes now", "Brighten the faces", "Rohan", `id="add-note"`, `data-x="25.000"`}},
	})

	// Guessing: the fifth wrong PIN from a client locks it out, with a
	// wait it can read, and the right PIN does not get past the lock.
	d := g.ta.Client()
	var res *apptest.Response
	for i := 0; i < gallery.MaxPINFailures; i++ {
		res = d.PostForm(base+"/pin", url.Values{"pin": {"000" + strconv.Itoa(i)}})
	}
	wait, _ := strconv.Atoi(res.Header.Get("Retry-After"))
	if res.StatusCode != http.StatusTooManyRequests || wait < 60 || !strings.Contains(res.Body, "Too many wrong PINs. Try again in 16 minutes.") {
		t.Fatalf("after %d wrong PINs: %d Retry-After %q %.300s", gallery.MaxPINFailures, res.StatusCode, res.Header.Get("Retry-After"), res.Body)
	}
	d.Run(t, []apptest.Scenario{{Name: "locked out", Path: base + "/pin", Form: url.Values{"pin": {guestViewPIN}},
		Status: http.StatusTooManyRequests, Contains: []string{"Too many wrong PINs"}}})
}

// Links that are gone or never were: a page in the guest's words, with
// the studio's name when it is known; the same for every route.
func TestGuestPagesDeadLinks(t *testing.T) {
	g := newGuestFiles(t)
	ctx := context.Background()
	expired, expiredToken := g.newShare(t, "Expired")
	revoked, revokedToken := g.newShare(t, "Revoked")
	c := g.ta.Client()
	enterPage(t, c, expiredToken, guestViewPIN)
	enterPage(t, c, revokedToken, guestViewPIN)
	if _, err := g.ta.Superuser().Exec(ctx, "UPDATE share_links SET expires_at = now() - interval '1 minute' WHERE id = $1", expired); err != nil {
		t.Fatal(err)
	}
	if err := g.ta.Gallery.RevokeLink(ctx, g.studio, g.album, revoked, g.act); err != nil {
		t.Fatal(err)
	}
	var rows []apptest.Scenario
	for _, tok := range []string{expiredToken, revokedToken} {
		for _, r := range webGuestRoutes(g, tok) {
			s := webScenario("dead link", r, http.StatusGone)
			if r.method == http.MethodGet && !strings.Contains(r.path, "/thumb") {
				s.Contains = []string{"This link has ended", "Ask Lumen Studio for a new one."}
			}
			rows = append(rows, s)
		}
	}
	unknown := strings.Repeat("x", len(g.linkToken))
	rows = append(rows, apptest.Scenario{Name: "no such link", Path: gpath(unknown), Status: http.StatusNotFound,
		Contains: []string{"There is no gallery at this address"}, NotContains: []string{"Lumen Studio"}})
	c.Run(t, rows)

	// A draft album's link is not open yet, and says so.
	draft := gallery.StatusDraft
	if _, err := g.ta.Gallery.UpdateAlbum(ctx, g.studio, g.album, gallery.AlbumInput{Status: &draft}, g.act); err != nil {
		t.Fatal(err)
	}
	c.Run(t, []apptest.Scenario{{Name: "a draft", Path: gpath(g.linkToken), Status: http.StatusNotFound,
		Contains: []string{"This gallery is not open yet", "Lumen Studio has not opened"}}})
}

// webGuestRoutes is every guest page and file of a link with a form for
// the ones that post.
func webGuestRoutes(g *guestFiles, token string) []apiRoute {
	photo := "/p/" + g.photo.String()
	note := url.Values{"kind": {"point"}, "x": {"0.5"}, "y": {"0.5"}, "note": {"Warmer"}}
	return []apiRoute{
		{"GET", gpath(token), nil, false},
		{"POST", gpath(token, "/pin"), url.Values{"pin": {guestViewPIN}}, false},
		{"POST", gpath(token, "/identify"), url.Values{"name": {"Meera"}, "email": {"meera@example.com"}}, false},
		{"GET", gpath(token, photo), nil, false},
		{"GET", gpath(token, photo, "/thumb"), nil, false},
		{"GET", gpath(token, photo, "/preview"), nil, false},
		{"GET", gpath(token, photo, "/download?size=web"), nil, false},
		{"POST", gpath(token, photo, "/favourite"), url.Values{"on": {"1"}}, false},
		{"GET", gpath(token, "/favourites"), nil, false},
		{"POST", gpath(token, "/selection"), url.Values{"note": {"For the album"}}, false},
		{"POST", gpath(token, photo, "/annotations"), note, false},
		{"GET", gpath(token, "/zip?size=web"), nil, false},
		{"POST", gpath(token, "/zips"), url.Values{"size": {"web"}}, false},
	}
}

// webScenario expects status from a page or form route.
func webScenario(name string, r apiRoute, status int) apptest.Scenario {
	s := apptest.Scenario{Name: name + ": " + r.method + " " + r.path, Path: r.path, Status: status}
	if f, ok := r.body.(url.Values); ok {
		s.Form = f
	}
	return s
}

// The download rule on every way out of the pages, guest by guest.
func TestGuestPagesDownloadRules(t *testing.T) {
	g := newGuestFiles(t)
	locked := true
	g.folderInput(t, g.second, gallery.FolderInput{DownloadLocked: &locked})
	base := gpath(g.linkToken)
	one := base + "/p/" + g.photo.String()
	inLocked := base + "/p/" + g.inSecond.String()
	forbidden := func(name, path, reason string) apptest.Scenario {
		return apptest.Scenario{Name: name, Path: path, Status: http.StatusForbidden, Contains: []string{reason, "Back to the photos"}}
	}

	nobody := g.ta.Client()
	nobody.Run(t, []apptest.Scenario{
		{Name: "no PIN: a download", Path: one + "/download?size=web", Status: http.StatusUnauthorized},
		{Name: "no PIN: a preview", Path: one + "/preview", Status: http.StatusUnauthorized},
		{Name: "no PIN: a zip", Path: base + "/zip?size=web", Status: http.StatusSeeOther, Location: base},
		{Name: "no PIN: a stored zip", Path: base + "/zips", Form: url.Values{"size": {"web"}}, Status: http.StatusSeeOther, Location: base},
	})

	c := g.ta.Client()
	enterPage(t, c, g.linkToken, guestViewPIN)
	c.Run(t, []apptest.Scenario{
		{Name: "the web size", Path: one + "/download?size=web", Status: http.StatusOK, Contains: []string{string(g.previews[g.photo])},
			Header: map[string]string{"Content-Disposition": "attachment; filename=IMG_2001.jpg"}},
		forbidden("originals are off", one+"/download?size=original", "Full-resolution downloads are turned off"),
		forbidden("a locked folder's photo", inLocked+"/download?size=web", "locked downloads"),
		forbidden("a locked folder's zip", base+"/zip?size=web&folder="+g.second.String(), "locked downloads"),
		forbidden("an album zip of originals", base+"/zip?size=original", "Full-resolution downloads are turned off"),
		{Name: "a locked folder's stored zip", Path: base + "/zips", Form: url.Values{"size": {"web"}, "folder": {g.second.String()}},
			Status: http.StatusForbidden, Contains: []string{"locked downloads"}},
		{Name: "looking is not downloading", Path: inLocked + "/preview", Status: http.StatusOK, Contains: []string{string(g.previews[g.inSecond])},
			Header: map[string]string{"Content-Disposition": ""}},
		{Name: "the locked folder offers no downloads", Path: base + "?folder=" + g.second.String(), Status: http.StatusOK,
			Contains: []string{"img11.jpg"}, NotContains: []string{"data-web", "Reception, web size"}},
		{Name: "the locked photo's page neither", Path: inLocked, Status: http.StatusOK, NotContains: []string{"download?size"}},
	})
	res := c.Get(base + "/zip?size=web")
	if got := zipEntries(t, res.Body); res.StatusCode != http.StatusOK || len(got) != 2 || got["img11.jpg"] != nil {
		t.Fatalf("album zip: %d %v", res.StatusCode, names(got))
	}

	// A hidden folder is not there at all; downloads off for the album
	// refuse the web size on every path too.
	hidden := true
	g.folderInput(t, g.second, gallery.FolderInput{Hidden: &hidden})
	off := false
	g.albumInput(t, gallery.AlbumInput{WebAllowed: &off})
	c.Run(t, []apptest.Scenario{
		{Name: "no tab for the hidden folder", Path: base, Status: http.StatusOK, Contains: []string{"IMG_2001.jpg"},
			NotContains: []string{"Reception", "Download all", "data-web"}},
		{Name: "its photo's page", Path: inLocked, Status: http.StatusNotFound, Contains: []string{"not in the gallery"}},
		{Name: "its photo's thumbnail", Path: inLocked + "/thumb", Status: http.StatusNotFound},
		{Name: "its folder", Path: base + "?folder=" + g.second.String(), Status: http.StatusNotFound},
		forbidden("downloads off", one+"/download?size=web", "Downloads are turned off"),
		forbidden("zips off", base+"/zip?size=web", "Downloads are turned off"),
		{Name: "the photo's page offers none", Path: one, Status: http.StatusOK, NotContains: []string{"download?size"}},
	})
	if n := staffCount(t, g.ta, "SELECT downloads FROM share_links WHERE id = $1", g.link); n != 2 {
		t.Fatalf("%d downloads counted, want 2 (a photo and a zip)", n)
	}
}

// Favourites, the name asked once, the selection and notes, through the
// forms a browser without the script sends, and the script's JSON.
func TestGuestPagesProofing(t *testing.T) {
	g := newGuestFiles(t)
	limit := 2
	g.albumInput(t, gallery.AlbumInput{SelectionLimit: &limit})
	base := gpath(g.linkToken)
	fav := func(p uuid.UUID) string { return base + "/p/" + p.String() + "/favourite" }
	json := map[string]string{"Accept": "application/json"}
	c := g.ta.Client()
	enterPage(t, c, g.linkToken, guestViewPIN)
	c.Run(t, []apptest.Scenario{
		{Name: "a favourite asks for a name first", Path: fav(g.photo), Form: url.Values{"on": {"1"}, "back": {base}}, Status: http.StatusOK,
			Contains: []string{"Who is choosing?", `name="fav" value="` + g.photo.String() + `"`}},
		{Name: "a bad e-mail", Path: base + "/identify", Form: url.Values{"name": {"Meera"}, "email": {"meera"}, "back": {base}},
			Status: http.StatusUnprocessableEntity, Contains: []string{`value="Meera"`, "e-mail"}},
		{Name: "the name, and the favourite it waited for", Path: base + "/identify", Status: http.StatusSeeOther, Location: base,
			Form: url.Values{"name": {"Meera"}, "email": {"meera@example.com"}, "back": {base}, "fav": {g.photo.String()}}},
		{Name: "a way back outside the gallery is not followed", Path: fav(g.inFirst), Status: http.StatusSeeOther,
			Form: url.Values{"on": {"1"}, "back": {"https://evil.example/"}}, Location: base + "/p/" + g.inFirst.String()},
		{Name: "the count", Path: base, Status: http.StatusOK, Contains: []string{"2 of 2 chosen", `aria-pressed="true"`}},
		{Name: "past the limit, in words", Path: fav(g.inSecond), Form: url.Values{"on": {"1"}, "back": {base}},
			Status: http.StatusSeeOther, Location: base},
		{Name: "on the page it came back to", Path: base, Status: http.StatusOK, Contains: []string{"You have chosen 2 photos, the most this album allows."}},
		{Name: "taken back", Path: fav(g.inFirst), Form: url.Values{"on": {"0"}}, Status: http.StatusSeeOther, Location: base + "/p/" + g.inFirst.String()},
		{Name: "the favourites", Path: base + "/favourites", Status: http.StatusOK,
			Contains: []string{"Meera’s favourites", "1 of 2 chosen", "IMG_2001.jpg", "Send my selection"}, NotContains: []string{"img10.jpg"}},
		{Name: "sent", Path: base + "/selection", Form: url.Values{"note": {"These two for the album"}}, Status: http.StatusOK,
			Contains: []string{"Your selection is on its way", "1 photo went to Lumen Studio, with your note", "These two for the album"}},
		{Name: "notes need the edit PIN", Path: base + "/p/" + g.photo.String() + "/annotations", Status: http.StatusForbidden,
			Form: url.Values{"kind": {"point"}, "x": {"0.5"}, "y": {"0.5"}, "note": {"Warmer"}}, Contains: []string{"edit PIN"}},
	})
	res := c.Do(jsonForm(t, c, fav(g.inSecond), url.Values{"on": {"1"}}, json))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"on":true,"count":2,"limit":2,"text":"2 of 2 chosen"`) {
		t.Fatalf("favourite by script: %d %s", res.StatusCode, res.Body)
	}
	res = c.Do(jsonForm(t, c, fav(g.inFirst), url.Values{"on": {"1"}}, json))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "the most this album allows") {
		t.Fatalf("past the limit by script: %d %s", res.StatusCode, res.Body)
	}
	if n := staffCount(t, g.ta, "SELECT count(*) FROM selections WHERE album_id = $1", g.album); n != 2 {
		t.Fatalf("%d selections, want the world's and Meera's", n)
	}

	// With the edit PIN: a note by form lands on the photo's page; a mark
	// off the photo is refused with the note kept.
	enterPage(t, c, g.linkToken, guestAnnotatePIN)
	notes := base + "/p/" + g.inFirst.String() + "/annotations"
	c.Run(t, []apptest.Scenario{
		{Name: "a note", Path: notes, Form: url.Values{"kind": {"rect"}, "x": {"0.1"}, "y": {"0.2"}, "w": {"0.3"}, "h": {"0.4"}, "note": {"Remove the sign"}},
			Status: http.StatusSeeOther, Location: base + "/p/" + g.inFirst.String() + "#note-"},
		{Name: "off the photo", Path: notes, Form: url.Values{"kind": {"rect"}, "x": {"0.9"}, "y": {"0.2"}, "w": {"0.3"}, "h": {"0.4"}, "note": {"Crop here"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Crop here", `role="alert"`}},
		{Name: "the notes for the lightbox", Path: notes, Request: json, Status: http.StatusOK,
			Contains: []string{`"shape":"rect","x":0.1,"y":0.2,"w":0.3,"h":0.4,"note":"Remove the sign","status":"open","author":"Meera","mine":true`}},
	})
}

// jsonForm is a form posted the way guest.js posts it: the CSRF token in
// a header, asking for JSON.
func jsonForm(t *testing.T, c *apptest.Client, path string, form url.Values, headers map[string]string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", c.CSRF())
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req
}

// A zip over the streaming size is prepared: offered, built in the
// background, polled by the page, then downloaded with ranges.
func TestGuestPagesPreparedZip(t *testing.T) {
	g := newGuestFiles(t, func(c *app.Config) { c.ZipPrepareOver = 1 })
	base := gpath(g.linkToken)
	c := g.ta.Client()
	enterPage(t, c, g.linkToken, guestViewPIN)
	c.Run(t, []apptest.Scenario{{Name: "offered", Path: base + "/zip?size=web", Status: http.StatusOK,
		Contains: []string{"A large download", "holds 3 files", "Prepare download", `name="size" value="web"`}}})
	res := c.PostForm(base+"/zips", url.Values{"size": {"web"}})
	loc := res.Header.Get("Location")
	id, err := uuid.Parse(strings.TrimPrefix(loc, base+"/zips/"))
	if res.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("prepare: %d %q", res.StatusCode, loc)
	}
	json := map[string]string{"Accept": "application/json"}
	c.Run(t, []apptest.Scenario{
		{Name: "being made", Path: loc, Status: http.StatusOK, Contains: []string{"Preparing your download", `data-zip-status="` + loc + `"`, "Putting 3 files together"}},
		{Name: "polled", Path: loc, Request: json, Status: http.StatusOK, Contains: []string{`"status":"building"`, `"files":3`}, NotContains: []string{"download_url"}},
	})
	buildZip(t, g.ta, id)
	c.Run(t, []apptest.Scenario{
		{Name: "ready", Path: loc, Request: json, Status: http.StatusOK, Contains: []string{`"status":"ready"`, `"download_url":"` + loc + `"`}},
		{Name: "resumed", Path: loc, Request: map[string]string{"Range": "bytes=0-3"}, Status: http.StatusPartialContent, Contains: []string{"PK\x03\x04"}},
	})
	res = c.Get(loc)
	if got := zipEntries(t, res.Body); res.StatusCode != http.StatusOK || len(got) != 3 || res.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("prepared zip: %d %v %v", res.StatusCode, res.Header, names(got))
	}
	other := g.ta.Client()
	_, token := g.newShare(t, "Other")
	enterPage(t, other, token, guestViewPIN)
	other.Run(t, []apptest.Scenario{{Name: "not through another link", Path: gpath(token, "/zips/", id.String()), Status: http.StatusNotFound}})
}

// The gallery page kept rendered with holes, filled for a guest, is byte
// for byte the page the template renders for that guest: with favourites
// and a limit, either PIN, another folder, and an address whose query
// needs escaping.
func TestGuestGalleryPageWithHolesIsTheTemplatesPage(t *testing.T) {
	g := newGuestFiles(t)
	limit := 5
	g.albumInput(t, gallery.AlbumInput{SelectionLimit: &limit})
	base := gpath(g.linkToken)
	c := g.ta.Client()
	enterPage(t, c, g.linkToken, guestViewPIN)
	res := c.PostForm(base+"/identify", url.Values{"name": {"Meera"}, "email": {"meera@example.com"}, "back": {base}, "fav": {g.inFirst.String()}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("identify: %d %.300s", res.StatusCode, res.Body)
	}
	defer app.SetHoledPages(true)
	both := func(path string) (holed, whole string) {
		for _, on := range []bool{true, false} {
			app.SetHoledPages(on)
			res := c.Get(path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d %.300s", path, res.StatusCode, res.Body)
			}
			if on {
				holed = res.Body
			} else {
				whole = res.Body
			}
		}
		return holed, whole
	}
	check := func(who, path string, want ...string) {
		t.Helper()
		holed, whole := both(path)
		if holed != whole {
			at := 0
			for at < min(len(holed), len(whole)) && holed[at] == whole[at] {
				at++
			}
			t.Fatalf("%s, %s: the pages differ at byte %d: with holes %q, template %q", who, path, at,
				holed[at:min(at+80, len(holed))], whole[at:min(at+80, len(whole))])
		}
		for _, w := range append(want, c.CSRF()) {
			if !strings.Contains(holed, w) {
				t.Errorf("%s, %s: the page lacks %q", who, path, w)
			}
		}
	}
	odd := base + "?folder=" + g.folder.String() + "&from=a+b's"
	chosen, one := `aria-pressed="true"`, "1 of 5 chosen"
	check("view PIN", base, "Have the edit PIN?", chosen, one)
	check("view PIN", odd, "from=a&#43;b&#39;s", chosen, one)
	enterPage(t, c, g.linkToken, guestAnnotatePIN)
	// The message after the PIN comes once, through the template.
	if res := c.Get(base); !strings.Contains(res.Body, "You can leave notes now") || !strings.Contains(res.Body, chosen) {
		t.Fatalf("the page after the edit PIN: %d %.300s", res.StatusCode, res.Body)
	}
	check("annotate PIN", base, "Add a note", chosen, one)
	check("annotate PIN", base+"?folder="+g.second.String(), "img11.jpg", one)
	// Another favourite: the kept page shows the new count.
	if res := c.PostForm(base+"/p/"+g.photo.String()+"/favourite", url.Values{"on": {"1"}, "back": {base}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("favourite: %d %.300s", res.StatusCode, res.Body)
	}
	check("annotate PIN", base, "2 of 5 chosen")
}
