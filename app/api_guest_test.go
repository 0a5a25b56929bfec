package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// The guest API tests work on the gallery API's world (api_gallery_test.go)
// with a view PIN added: link "Anita" of the published album "Sharma
// wedding", view PIN 2468, annotate PIN 97531.
const (
	guestViewPIN     = "2468"
	guestAnnotatePIN = "97531"
)

func newGuestWorld(t *testing.T, ta *apptest.TestApp) *apiWorld {
	t.Helper()
	w := newAPIWorldOn(t, ta)
	pin := guestViewPIN
	if err := w.ta.Gallery.SetPINs(context.Background(), w.studio, w.album, gallery.PINInput{View: &pin}, w.act); err != nil {
		t.Fatal(err)
	}
	return w
}

// guestPath is an address under a share link in the API.
func guestPath(token string, parts ...any) string {
	return apiPath(append([]any{"shares", token}, parts...)...)
}

// guestClient is an app holding session (none when empty), with every
// response checked against the OpenAPI document.
func (w *apiWorld) guestClient(session string) *apptest.Client {
	return apiClient(w.ta, w.doc, session)
}

// enterShare starts a guest session on a link through the API.
func (w *apiWorld) enterShare(t *testing.T, token, pin string) string {
	t.Helper()
	res := w.guestClient("").JSON(http.MethodPost, guestPath(token, "sessions"), map[string]string{"pin": pin})
	s := decode[struct{ Token, Access string }](t, res)
	if res.StatusCode != http.StatusCreated || s.Token == "" {
		t.Fatalf("enter %s: %d %s", token, res.StatusCode, res.Body)
	}
	return s.Token
}

// identified starts a session with pin and gives the guest a name.
func (w *apiWorld) identified(t *testing.T, token, pin, name string) *apptest.Client {
	t.Helper()
	c := w.guestClient(w.enterShare(t, token, pin))
	res := c.JSON(http.MethodPut, guestPath(token, "guest"), map[string]string{"name": name, "email": strings.ToLower(name) + "@example.com"})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("identify: %d %s", res.StatusCode, res.Body)
	}
	return c
}

// newShare makes another link to the album and returns its token.
func (w *apiWorld) newShare(t *testing.T, label string) (uuid.UUID, string) {
	t.Helper()
	l, token, err := w.ta.Gallery.CreateLink(context.Background(), w.studio, w.album, gallery.LinkInput{Label: label}, w.act)
	if err != nil {
		t.Fatal(err)
	}
	return l.ID, token
}

// guestRoutes is every guest route of a link, in an order in which each
// succeeds for an annotate session: the name is given before favourites,
// a favourite is there for the selection. zip is a stored zip of the link.
func (w *apiWorld) guestRoutes(token string, zip uuid.UUID) []apiRoute {
	p := func(parts ...any) string { return guestPath(token, parts...) }
	note := map[string]any{"shape": "point", "x": 0.5, "y": 0.5, "note": "A little warmer here"}
	return []apiRoute{
		{"GET", p(), nil, false},
		{"POST", p("sessions"), map[string]string{"pin": guestViewPIN}, false},
		{"PUT", p("guest"), map[string]string{"name": "Meera", "email": "meera@example.com"}, false},
		{"GET", p("folders"), nil, false},
		{"GET", p("folders", w.folder, "photos"), nil, false},
		{"GET", p("photos", w.photo), nil, false},
		{"GET", p("photos", w.photo, "thumb"), nil, false},
		{"GET", p("photos", w.photo, "preview"), nil, false},
		{"GET", p("photos", w.photo, "download") + "?size=web", nil, false},
		{"PUT", p("photos", w.photo, "favourite"), nil, false},
		{"GET", p("favourites"), nil, false},
		{"POST", p("selection"), map[string]string{"note": "For the album"}, false},
		{"DELETE", p("photos", w.photo, "favourite"), nil, false},
		{"GET", p("photos", w.photo, "annotations"), nil, false},
		{"POST", p("photos", w.photo, "annotations"), note, false},
		{"GET", p("zip") + "?size=web", nil, false},
		{"POST", p("zips"), map[string]string{"size": "web"}, false},
		{"GET", p("zips", zip), nil, false},
	}
}

// guestScenario expects status from r; a failure must be a problem
// document saying so, and a 401 must carry the guest challenge.
func guestScenario(state string, r apiRoute, status int) apptest.Scenario {
	s := r.scenario(state, status)
	if status >= 400 {
		s.Header = map[string]string{"Content-Type": problemJSON}
		s.Contains = []string{fmt.Sprintf(`"status":%d`, status)}
	}
	if status == http.StatusUnauthorized {
		s.Header["WWW-Authenticate"] = `Bearer realm="proofsheet-guest"`
	}
	return s
}

// okStatus is what each route answers a guest who may do it.
var okStatus = map[string]int{"POST": http.StatusCreated, "PUT": http.StatusNoContent, "DELETE": http.StatusNoContent}

func wantOK(r apiRoute) int {
	switch {
	case r.method == http.MethodPut && strings.HasSuffix(r.path, "/guest"):
		return http.StatusOK
	case r.method == http.MethodPost && strings.HasSuffix(r.path, "/zips"):
		return http.StatusAccepted
	}
	if s, ok := okStatus[r.method]; ok {
		return s
	}
	return http.StatusOK
}

// Every route in every state of access: no session, a view session, an
// annotate session, an expired link, a revoked link and an album taken
// back to draft. Every answer is checked against the document, and the
// log never holds a link's or a session's token.
func TestAPIGuestAccessStates(t *testing.T) {
	var logs syncBuffer
	w := newGuestWorld(t, apptest.NewWithLog(t, &logs))
	w.renderForGuests(t, w.photo) // for the zips
	ctx := context.Background()
	view := w.enterShare(t, w.linkToken, guestViewPIN)
	annotate := w.enterShare(t, w.linkToken, guestAnnotatePIN)
	res := w.guestClient(view).JSON(http.MethodPost, guestPath(w.linkToken, "zips"), map[string]string{"size": "web"})
	zip := decode[struct{ ID uuid.UUID }](t, res).ID
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("prepare zip: %d %s", res.StatusCode, res.Body)
	}
	// Two more links with sessions, then one expires and one is revoked.
	expiredLink, expiredToken := w.newShare(t, "Expired")
	expiredSession := w.enterShare(t, expiredToken, guestViewPIN)
	revokedLink, revokedToken := w.newShare(t, "Revoked")
	revokedSession := w.enterShare(t, revokedToken, guestAnnotatePIN)
	if _, err := w.ta.Superuser().Exec(ctx, "UPDATE share_links SET expires_at = now() - interval '1 minute' WHERE id = $1", expiredLink); err != nil {
		t.Fatal(err)
	}
	if err := w.ta.Gallery.RevokeLink(ctx, w.studio, w.album, revokedLink, w.act); err != nil {
		t.Fatal(err)
	}

	routes := w.guestRoutes(w.linkToken, zip)
	documented := 0
	for _, op := range w.doc.Operations() {
		if strings.Contains(op, " /api/v1/shares/") {
			documented++
		}
	}
	if len(routes) != documented {
		t.Fatalf("%d routes in the table, %d guest operations documented", len(routes), documented)
	}
	var none, viewing, annotating []apptest.Scenario
	for _, r := range routes {
		switch {
		case r.method == http.MethodGet && r.path == guestPath(w.linkToken):
			none = append(none, guestScenario("no session", r, http.StatusOK))
		case strings.HasSuffix(r.path, "/sessions"):
			none = append(none, guestScenario("no session", r, http.StatusCreated))
		default:
			none = append(none, guestScenario("no session", r, http.StatusUnauthorized))
		}
		viewStatus := wantOK(r)
		if r.method == http.MethodPost && strings.HasSuffix(r.path, "/annotations") {
			viewStatus = http.StatusForbidden
		}
		viewing = append(viewing, guestScenario("view session", r, viewStatus))
		annotating = append(annotating, guestScenario("annotate session", r, wantOK(r)))
	}
	w.guestClient("").Run(t, none)
	w.guestClient(view).Run(t, viewing)
	w.guestClient(annotate).Run(t, annotating)

	var expired, revoked []apptest.Scenario
	for _, r := range w.guestRoutes(expiredToken, zip) {
		expired = append(expired, guestScenario("expired link", r, http.StatusGone))
	}
	for _, r := range w.guestRoutes(revokedToken, zip) {
		revoked = append(revoked, guestScenario("revoked link", r, http.StatusGone))
	}
	w.guestClient(expiredSession).Run(t, expired)
	w.guestClient(revokedSession).Run(t, revoked)

	// What the sessions did is there: two names, two selections, one note.
	if n := staffCount(t, w.ta, "SELECT count(*) FROM selections WHERE album_id = $1", w.album); n != 3 {
		t.Errorf("%d selections, want the world's and two", n)
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM annotations WHERE photo_id = $1 AND note = 'A little warmer here'", w.photo); n != 1 {
		t.Errorf("%d notes by the guests, want the annotate session's only", n)
	}

	draft := gallery.StatusDraft
	if _, err := w.ta.Gallery.UpdateAlbum(ctx, w.studio, w.album, gallery.AlbumInput{Status: &draft}, w.act); err != nil {
		t.Fatal(err)
	}
	var drafted []apptest.Scenario
	for _, r := range routes {
		drafted = append(drafted, guestScenario("album back to draft", r, http.StatusNotFound))
	}
	w.guestClient(annotate).Run(t, drafted)

	for _, secret := range []string{w.linkToken, expiredToken, revokedToken, view, annotate, expiredSession, revokedSession} {
		for _, l := range logs.lines() {
			if line := fmt.Sprint(l); strings.Contains(line, secret) {
				t.Fatalf("a log line holds a secret: %s", line)
			}
		}
	}
	var paths int
	for _, l := range logs.lines() {
		if l["route"] == "/api/v1/shares/:token/photos/:photo/thumb" && l["path"] == "/api/v1/shares/[token]/photos/"+w.photo.String()+"/thumb" {
			paths++
		}
	}
	if paths == 0 {
		t.Fatal("no log line of a thumbnail with the token redacted")
	}
}

// The public facts of a link, and what an app learns of its own session.
func TestAPIGuestShare(t *testing.T) {
	w := newGuestWorld(t, apptest.New(t))
	view := w.enterShare(t, w.linkToken, guestViewPIN)
	info := guestPath(w.linkToken)
	w.guestClient("").Run(t, []apptest.Scenario{
		{Name: "public facts", Path: info, Status: http.StatusOK,
			Contains: []string{`"title":"Sharma wedding"`, `"studio_name":"Lumen Studio"`, `"view_pin_required":true`, `"annotate_pin_set":true`,
				`"link_expires_at":"`, `"session":null`},
			Header: map[string]string{"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}},
		{Name: "unknown link", Path: guestPath(strings.Repeat("a", 32)), Status: http.StatusNotFound,
			Header: map[string]string{"Content-Type": problemJSON}},
		{Name: "unknown link, any route", Path: guestPath(strings.Repeat("a", 32), "folders"), Status: http.StatusNotFound},
		{Name: "unknown route under a link", Path: guestPath(w.linkToken, "nothing"), Status: http.StatusNotFound},
	})
	w.guestClient(view).Run(t, []apptest.Scenario{
		{Name: "with a session", Path: info, Status: http.StatusOK, Contains: []string{`"session":{"access":"view","expires_at":"`, `"guest":null`}},
		{Name: "identify", Method: http.MethodPut, Path: guestPath(w.linkToken, "guest"), JSON: map[string]string{"name": " Meera Iyer ", "email": "Meera@Example.com"},
			Status: http.StatusOK, Contains: []string{`{"name":"Meera Iyer","email":"meera@example.com"}`}},
		{Name: "named", Path: info, Status: http.StatusOK, Contains: []string{`"guest":{"name":"Meera Iyer","email":"meera@example.com"}`}},
		{Name: "no name", Method: http.MethodPut, Path: guestPath(w.linkToken, "guest"), JSON: map[string]string{"name": " ", "email": "x@example.com"},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"name":`}},
		{Name: "bad e-mail", Method: http.MethodPut, Path: guestPath(w.linkToken, "guest"), JSON: map[string]string{"name": "Meera", "email": "meera"},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"email":`}},
		{Name: "unknown field", Method: http.MethodPut, Path: guestPath(w.linkToken, "guest"), JSON: map[string]string{"name": "Meera", "email": "m@example.com", "phone": "1"},
			Status: http.StatusBadRequest, Contains: []string{`Unknown field \"phone\"`}},
		{Name: "not JSON", Method: http.MethodPut, Path: guestPath(w.linkToken, "guest"), JSON: `name=Meera`,
			Request: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Status: http.StatusUnsupportedMediaType},
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM guests WHERE email = 'meera@example.com' AND name = 'Meera Iyer'"); n != 1 {
		t.Fatalf("%d guests named Meera Iyer, want 1 (bad input changed nothing)", n)
	}

	// A link that never expires says so; an album without a view PIN lets
	// an app in without a body.
	_, never, err := w.ta.Gallery.CreateLink(context.Background(), w.studio, w.album, gallery.LinkInput{Label: "Forever", Never: true}, w.act)
	if err != nil {
		t.Fatal(err)
	}
	none := ""
	if err := w.ta.Gallery.SetPINs(context.Background(), w.studio, w.album, gallery.PINInput{View: &none}, w.act); err != nil {
		t.Fatal(err)
	}
	w.guestClient("").Run(t, []apptest.Scenario{
		{Name: "never expires", Path: guestPath(never), Status: http.StatusOK, Contains: []string{`"link_expires_at":null`, `"view_pin_required":false`}},
		{Name: "in without a PIN", Method: http.MethodPost, Path: guestPath(never, "sessions"), Status: http.StatusCreated, Contains: []string{`"access":"view"`}},
		{Name: "in with the annotate PIN", Path: guestPath(never, "sessions"), JSON: map[string]string{"pin": guestAnnotatePIN},
			Status: http.StatusCreated, Contains: []string{`"access":"annotate"`}},
	})
}

// A session belongs to its link: on another link of the same album it is
// no session, and studio API tokens mean nothing on guest routes.
func TestAPIGuestSessionOfAnotherLink(t *testing.T) {
	w := newGuestWorld(t, apptest.New(t))
	a := w.enterShare(t, w.linkToken, guestAnnotatePIN)
	_, other := w.newShare(t, "Mother of the bride")
	invalid := map[string]string{"Content-Type": problemJSON, "WWW-Authenticate": `Bearer realm="proofsheet-guest", error="invalid_token"`}
	w.guestClient(a).Run(t, []apptest.Scenario{
		{Name: "link A's session on link A", Path: guestPath(w.linkToken, "folders"), Status: http.StatusOK},
		{Name: "on link B", Path: guestPath(other, "folders"), Status: http.StatusUnauthorized, Header: invalid, Contains: []string{"belongs to another link"}},
		{Name: "on link B's photo", Path: guestPath(other, "photos", w.photo, "thumb"), Status: http.StatusUnauthorized, Header: invalid},
		{Name: "on link B's favourites", Method: http.MethodPut, Path: guestPath(other, "photos", w.photo, "favourite"), Status: http.StatusUnauthorized, Header: invalid},
		{Name: "link B's facts know no session", Path: guestPath(other), Status: http.StatusOK, Contains: []string{`"session":null`}},
	})
	write := w.write.Bearer
	w.guestClient(write).Run(t, []apptest.Scenario{
		{Name: "a studio API token", Path: guestPath(w.linkToken, "folders"), Status: http.StatusUnauthorized, Header: invalid},
	})
	w.guestClient(strings.Repeat("b", 32)).Run(t, []apptest.Scenario{
		{Name: "a made-up session", Path: guestPath(w.linkToken, "favourites"), Status: http.StatusUnauthorized, Header: invalid},
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM favourites WHERE studio_id = $1", w.studio); n != 1 {
		t.Fatalf("%d favourites, want the world's only", n)
	}
}

// Wrong PINs lock the address out of the link, with the wait in
// Retry-After; a missing or malformed PIN is not a guess.
func TestAPIGuestPINLockout(t *testing.T) {
	w := newGuestWorld(t, apptest.New(t))
	_, token := w.newShare(t, "Guessers")
	sessions := guestPath(token, "sessions")
	pin := func(p string) map[string]string { return map[string]string{"pin": p} }
	wrong := apptest.Scenario{Name: "wrong PIN", Path: sessions, JSON: pin("0000"), Status: http.StatusUnauthorized,
		Header: map[string]string{"Content-Type": problemJSON, "WWW-Authenticate": `Bearer realm="proofsheet-guest"`}, Contains: []string{"That PIN is not right."}}
	scenarios := []apptest.Scenario{
		{Name: "no PIN", Method: http.MethodPost, Path: sessions, Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"pin":`}},
		{Name: "not digits", Path: sessions, JSON: pin("12ab"), Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"pin":"A PIN has 4 to 8 digits."}`}},
		{Name: "a number, not a string", Path: sessions, JSON: `{"pin": 2468}`, Status: http.StatusBadRequest},
	}
	for range gallery.MaxPINFailures - 1 {
		scenarios = append(scenarios, wrong)
	}
	c := w.guestClient("")
	c.Run(t, scenarios)
	for _, p := range []string{"1111", guestViewPIN} { // the fifth wrong one, then even the right one
		res := c.JSON(http.MethodPost, sessions, pin(p))
		wait, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusTooManyRequests || err != nil || !strings.Contains(res.Body, "Too many wrong PINs") {
			t.Fatalf("PIN %s: %d, Retry-After %q: %s", p, res.StatusCode, res.Header.Get("Retry-After"), res.Body)
		}
		// The lockout is 15 minutes, rounded up to whole minutes for people.
		if d := time.Duration(wait) * time.Second; d < gallery.PINLockout || d > gallery.PINLockout+time.Minute {
			t.Fatalf("Retry-After %ds for a lockout of %s", wait, gallery.PINLockout)
		}
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM audit_log WHERE kind = 'share.pin_failed' AND studio_id = $1", w.studio); n != gallery.MaxPINFailures {
		t.Fatalf("%d failures audited, want %d (a missing or malformed PIN is not a guess)", n, gallery.MaxPINFailures)
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM guest_sessions s JOIN share_links l ON l.id = s.link_id WHERE l.label = 'Guessers'"); n != 0 {
		t.Fatalf("%d sessions on the locked link", n)
	}
	// The lockout is of this link: the same address still enters another.
	w.guestClient("").Run(t, []apptest.Scenario{
		{Name: "another link", Path: guestPath(w.linkToken, "sessions"), JSON: pin(guestViewPIN), Status: http.StatusCreated},
	})
}
