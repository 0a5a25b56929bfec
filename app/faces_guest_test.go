package app_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/faces"
)

func fpath(token string, parts ...string) string { return "/f/" + token + strings.Join(parts, "") }

// postSelfie posts a picture as the camera page's script does.
func postSelfie(t *testing.T, c *apptest.Client, token string, ctype string, body []byte, csrf bool) *apptest.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, fpath(token, "/search"), bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	if csrf {
		req.Header.Set("X-CSRF-Token", c.CSRF())
	}
	return c.Do(req)
}

// registerFace registers a guest through the consent form.
func registerFace(t *testing.T, c *apptest.Client, token, name string) {
	t.Helper()
	res := c.PostForm(fpath(token, "/register"), url.Values{"name": {name}, "email": {strings.ToLower(name) + "@example.com"},
		"consent": {"1"}, "consent_version": {faces.ConsentVersion}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fpath(token) {
		t.Fatalf("register %s: %d %q %.300s", name, res.StatusCode, res.Header.Get("Location"), res.Body)
	}
}

func blankJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The guest's way through /f/:token: consent before anything, the selfie
// refused for what it lacks and for being someone else once bound, the
// results exactly the photos the guest is on (never a hidden folder's),
// files only of those, downloads as the album allows, the limit per
// registration, and deleting the registration in one click.
func TestFaceGuestPages(t *testing.T) {
	ta := faceApp(t, func(c *app.Config) { c.FaceSearchLimit = 6 })
	w := newFaceWorld(t, ta)
	w.index(t)
	_, token := w.newInvite(t, faces.InviteInput{Label: "Guests"})
	asha, ben, secret := w.photoOf(t, ashaPhotos[0]), w.photoOf(t, benPhotos[0]), w.photoOf(t, ashaSecret)
	base := fpath(token)

	c := ta.Client()
	c.Run(t, []apptest.Scenario{
		{Name: "the consent comes first", Path: base, Status: http.StatusOK,
			Contains: []string{"Find your photos of Sharma wedding guests", "Lumen Studio invites you", "512 numbers",
				"never saved anywhere", "Until you delete your registration", "Delete my registration", `name="consent"`,
				`value="` + faces.ConsentVersion + `"`},
			NotContains: []string{"<video", "selfie.js"},
			Header:      map[string]string{"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store"}},
		{Name: "no consent", Path: base + "/register", Form: url.Values{"name": {"Asha"}, "email": {"asha@example.com"}},
			Status: http.StatusUnprocessableEntity, Contains: []string{"Tick the box to agree", `value="Asha"`}},
		{Name: "an old consent text", Path: base + "/register", Form: url.Values{"name": {"Asha"}, "email": {"asha@example.com"},
			"consent": {"1"}, "consent_version": {"selfie-1999"}}, Status: http.StatusUnprocessableEntity, Contains: []string{"has changed"}},
		{Name: "a form from elsewhere", Path: base + "/register", NoCSRF: true, Status: http.StatusForbidden,
			Form: url.Values{"name": {"Asha"}, "email": {"asha@example.com"}, "consent": {"1"}}},
		{Name: "no photos before a selfie", Path: base + "/photos", Status: http.StatusSeeOther, Location: base},
		{Name: "no files before a selfie", Path: base + "/photos/" + asha.String() + "/thumb", Status: http.StatusUnauthorized},
	})
	if res := postSelfie(t, c, token, "image/jpeg", readFace(t, ashaSelfie), true); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a selfie before registering: %d %s", res.StatusCode, res.Body)
	}
	registerFace(t, c, token, "Asha")
	// data-photos: 7 of the 8, the photo in the hidden folder not counted.
	c.Run(t, []apptest.Scenario{{Name: "then the camera", Path: base, Status: http.StatusOK,
		Contains:    []string{"<video", "/static/selfie.js", `data-search-url="` + base + `/search"`, `data-photos="7"`, "Take my selfie", "Delete my registration"},
		NotContains: []string{"See the photos you are in"}}})

	for _, s := range []struct {
		name, ctype string
		body        []byte
		csrf        bool
		status      int
		want        string
	}{
		{"no CSRF token", "image/jpeg", readFace(t, ashaSelfie), false, http.StatusForbidden, "expired"},
		{"not a picture", "application/json", []byte(`{}`), true, http.StatusUnsupportedMediaType, "JPEG, PNG or WebP"},
		{"corrupt picture", "image/jpeg", []byte("\xff\xd8\xff\xe0 not a JPEG at all"), true, http.StatusUnprocessableEntity, "could not be read"},
		{"no face", "image/jpeg", blankJPEG(t), true, http.StatusUnprocessableEntity, "could not find a face"},
		{"two faces", "image/jpeg", readFace(t, "couple.jpg"), true, http.StatusUnprocessableEntity, "more than one face"},
		{"the first selfie binds", "image/jpeg", readFace(t, ashaSelfie), true, http.StatusOK, `"photos":4,"bound":true`},
		{"someone else after binding", "image/jpeg", readFace(t, benSelfie), true, http.StatusForbidden, "not of the person"},
		{"the same person again", "image/png", pngOf(t, readFace(t, "img2.jpg")), true, http.StatusOK, `"photos":4,"bound":false`},
		{"over the limit", "image/jpeg", readFace(t, ashaSelfie), true, http.StatusTooManyRequests, "Too many selfies"},
	} {
		res := postSelfie(t, c, token, s.ctype, s.body, s.csrf)
		if res.StatusCode != s.status || !strings.Contains(res.Body, s.want) {
			t.Errorf("%s: %d %s, want %d with %q", s.name, res.StatusCode, res.Body, s.status, s.want)
		}
		if s.status == http.StatusTooManyRequests {
			if wait, _ := strconv.Atoi(res.Header.Get("Retry-After")); wait < 60 {
				t.Errorf("over the limit: Retry-After %q", res.Header.Get("Retry-After"))
			}
		}
	}

	photos := base + "/photos/"
	wantTiles := []string{}
	for _, f := range ashaPhotos {
		wantTiles = append(wantTiles, `data-photo="`+w.photoOf(t, f).String()+`"`)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "the results", Path: base + "/photos", Status: http.StatusOK,
			Contains:    append(wantTiles, "We found you in 4 photos.", "data-lightbox", `data-web="`+photos+asha.String()+`/download?size=web"`),
			NotContains: []string{ben.String(), secret.String(), "data-original", "data-fav"}},
		{Name: "the camera offers them", Path: base, Status: http.StatusOK, Contains: []string{"See the photos you are in"}},
		{Name: "a thumbnail of the guest", Path: photos + asha.String() + "/thumb", Status: http.StatusOK,
			Header: map[string]string{"Content-Type": "image/jpeg"}},
		{Name: "a preview of the guest", Path: photos + asha.String() + "/preview", Status: http.StatusOK},
		{Name: "someone else's photo", Path: photos + ben.String() + "/thumb", Status: http.StatusNotFound},
		{Name: "the guest, in a hidden folder", Path: photos + secret.String() + "/preview", Status: http.StatusNotFound},
		{Name: "not a photo", Path: photos + "nope/thumb", Status: http.StatusNotFound},
		{Name: "the web size", Path: photos + asha.String() + "/download?size=web", Status: http.StatusOK,
			Header: map[string]string{"Content-Disposition": `attachment; filename=img10.jpg`}},
		{Name: "originals are off", Path: photos + asha.String() + "/download?size=original", Status: http.StatusForbidden,
			Contains: []string{"Full-resolution downloads are turned off"}},
	})

	// Every search past the limiter is audited: who, the outcome and the
	// count, never the face; so is each look at the results.
	if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE kind = 'face_search' AND detail->>'with' = 'selfie'`); n != 6 {
		t.Errorf("%d selfie searches audited, want 6", n)
	}
	if n := staffCount(t, ta, `SELECT count(*) FROM audit_log WHERE kind = 'face_search' AND detail::text LIKE '%embedding%'`); n != 0 {
		t.Errorf("%d audit entries mention an embedding", n)
	}

	c.Run(t, []apptest.Scenario{
		{Name: "delete in one click", Path: base + "/delete", Form: url.Values{}, Status: http.StatusOK,
			Contains: []string{"Your registration is deleted", "Register again"}},
		{Name: "gone with the face", Path: base + "/photos", Status: http.StatusSeeOther, Location: base},
		{Name: "and the files", Path: photos + asha.String() + "/thumb", Status: http.StatusUnauthorized},
		{Name: "back to the consent", Path: base, Status: http.StatusOK, Contains: []string{"What happens to your face"}},
	})
	if n := staffCount(t, ta, `SELECT count(*) FROM face_registrations`); n != 0 {
		t.Errorf("%d registrations left after deleting the only one", n)
	}
}

// pngOf re-encodes a JPEG as PNG: the search takes other picture types.
func pngOf(t *testing.T, b []byte) []byte {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Invites that are not there, ended or full: a page in the guest's words
// on every route, naming the studio when it is known; a registered guest
// can still delete their registration after the invite ended.
func TestFaceGuestDeadInvites(t *testing.T) {
	ta := faceApp(t)
	w := newFaceWorld(t, ta)
	w.index(t)
	ctx := context.Background()
	expired, expiredToken := w.newInvite(t, faces.InviteInput{Label: "Expired"})
	revoked, revokedToken := w.newInvite(t, faces.InviteInput{Label: "Revoked"})
	_, fullToken := w.newInvite(t, faces.InviteInput{Label: "Full", MaxRegistrations: capOf(1)})
	c := ta.Client()
	for _, tok := range []string{expiredToken, revokedToken, fullToken} {
		registerFace(t, c, tok, "Asha")
	}
	if _, err := ta.Superuser().Exec(ctx, "UPDATE face_invites SET expires_at = now() - interval '1 minute' WHERE id = $1", expired); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Faces.RevokeInvite(ctx, w.studio, w.coll, revoked, w.ownerAct); err != nil {
		t.Fatal(err)
	}
	var rows []apptest.Scenario
	photo := "/photos/" + w.photoOf(t, ashaPhotos[0]).String()
	for _, tok := range []string{expiredToken, revokedToken} {
		rows = append(rows,
			apptest.Scenario{Name: "ended: the page", Path: fpath(tok), Status: http.StatusGone,
				Contains: []string{"This invite has ended", "Ask Lumen Studio for a new one.", "Delete my registration"}},
			apptest.Scenario{Name: "ended: register", Path: fpath(tok, "/register"), Form: url.Values{"name": {"Ben"}, "email": {"b@example.com"}, "consent": {"1"}}, Status: http.StatusGone},
			apptest.Scenario{Name: "ended: search", Path: fpath(tok, "/search"), Method: http.MethodPost, Request: map[string]string{"Accept": "application/json"}, Status: http.StatusGone},
			apptest.Scenario{Name: "ended: results", Path: fpath(tok, "/photos"), Status: http.StatusGone},
			apptest.Scenario{Name: "ended: thumbnail", Path: fpath(tok, photo, "/thumb"), Status: http.StatusGone},
			apptest.Scenario{Name: "ended: download", Path: fpath(tok, photo, "/download?size=web"), Status: http.StatusGone},
			apptest.Scenario{Name: "ended: delete still works", Path: fpath(tok, "/delete"), Form: url.Values{}, Status: http.StatusOK,
				Contains: []string{"Your registration is deleted"}, NotContains: []string{"Register again"}},
		)
	}
	unknown := strings.Repeat("a", len(expiredToken))
	rows = append(rows,
		apptest.Scenario{Name: "no such invite", Path: fpath(unknown), Status: http.StatusNotFound,
			Contains: []string{"There is nothing at this address"}, NotContains: []string{"Lumen Studio"}},
		apptest.Scenario{Name: "no such invite: the results", Path: fpath(unknown, "/photos"), Status: http.StatusNotFound},
	)
	c.Run(t, rows)
	ta.Client().Run(t, []apptest.Scenario{
		{Name: "full: a new guest", Path: fpath(fullToken), Status: http.StatusConflict, Contains: []string{"This invite is full"}},
		{Name: "full: registering", Path: fpath(fullToken, "/register"), Form: url.Values{"name": {"Ben"}, "email": {"ben@example.com"}, "consent": {"1"}},
			Status: http.StatusConflict, Contains: []string{"This invite is full"}},
	})
	c.Run(t, []apptest.Scenario{{Name: "full: the registered guest goes on", Path: fpath(fullToken), Status: http.StatusOK, Contains: []string{"Take my selfie"}}})
	if n := staffCount(t, ta, `SELECT count(*) FROM face_registrations`); n != 1 {
		t.Errorf("%d registrations left, want the full invite's one", n)
	}
}

func capOf(n int) *int { return &n }
