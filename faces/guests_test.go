package faces_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// visibleFilter is the gallery's visibility rule, as the app wires it.
type visibleFilter struct{ g *gallery.Service }

func (f visibleFilter) Visible(ctx context.Context, studio uuid.UUID, ids []uuid.UUID) ([]uuid.UUID, error) {
	vs, err := f.g.VisiblePhotos(ctx, studio, ids)
	out := make([]uuid.UUID, len(vs))
	for i, v := range vs {
		out[i] = v.Photo.ID
	}
	return out, err
}

// guestSide is the guest side of e's service on the real pipeline.
func (e *env) guestSide(l faces.Limits) *faces.Guests {
	return faces.NewGuests(e.svc, faces.GuestDeps{StudioOf: e.ta.DB.StudioOf, Selfies: pipeline(e.t),
		Photos: visibleFilter{e.ta.Gallery}, Limits: l})
}

func (e *env) publishAlbum(album uuid.UUID) {
	e.t.Helper()
	st := gallery.StatusPublished
	if _, err := e.ta.Gallery.UpdateAlbum(e.ctx, e.studio, album, gallery.AlbumInput{Status: &st}, e.gact); err != nil {
		e.t.Fatal(err)
	}
}

// registerGuest opens an invite and registers a guest through it.
func registerGuest(t *testing.T, g *faces.Guests, invite, name, ip string) (*faces.Visit, string) {
	t.Helper()
	v, err := g.Open(t.Context(), invite, "", ip)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := g.Register(t.Context(), v, faces.RegisterInput{Name: name, Email: strings.ToLower(name) + "@example.com", Consent: true})
	if err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	return v, tok
}

func blankSelfie(t *testing.T) []byte {
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

// An event guest registers with consent, and the first selfie that holds
// one usable face binds the registration: it finds exactly that person's
// visible photos, and a selfie of anyone else is refused. Selfies with no
// face, two faces or no picture at all are refused without binding. Every
// search is audited without the face.
func TestGuestSelfieSearch(t *testing.T) {
	e := newEnv(t)
	album, folder := e.album("Gala")
	hiddenName, yes := "Private", true
	private, err := e.ta.Gallery.CreateFolder(e.ctx, e.studio, album, gallery.FolderInput{Name: &hiddenName, Hidden: &yes}, e.gact)
	if err != nil {
		t.Fatal(err)
	}
	asha := e.uploadPeople(album, folder, []string{"img1.jpg", "img2.jpg"}, "df_img1")
	ben := e.uploadPeople(album, folder, []string{"img8.jpg"}, "df_img8")
	secret := e.uploadFile(album, private.ID, "img2.jpg") // Asha, in a hidden folder
	e.publishAlbum(album)
	c := e.collection("Gala guests", album)
	inv, token, err := e.svc.CreateInvite(e.ctx, e.studio, c.ID, faces.InviteInput{Label: "Tables", MaxRegistrations: capOf(2)}, e.act)
	if err != nil {
		t.Fatal(err)
	}
	g := e.guestSide(faces.Limits{})

	if _, err := g.Open(e.ctx, strings.Repeat("a", len(token)), "", "198.51.100.1"); !errors.Is(err, faces.ErrNotFound) {
		t.Fatalf("an unknown invite: %v", err)
	}
	v, err := g.Open(e.ctx, token, "", "198.51.100.1")
	if err != nil || v.Invite.ID != inv.ID || v.Collection != "Gala guests" || v.Registration != nil {
		t.Fatalf("open: %+v, %v", v, err)
	}
	if _, err := g.Register(e.ctx, v, faces.RegisterInput{Name: "Asha", Email: "asha@example.com"}); !errors.Is(err, faces.ErrInvalidInput) {
		t.Fatalf("register without consent: %v", err)
	}
	if _, err := g.Search(e.ctx, v, readFace(t, "img1.jpg")); !errors.Is(err, faces.ErrNotRegistered) {
		t.Fatalf("search before registering: %v", err)
	}
	v, regToken := registerGuest(t, g, token, "Asha", "198.51.100.1")
	var version string
	var consentAt time.Time
	var unbound bool
	if err := e.su.QueryRow(e.ctx, `SELECT consent_version, consent_at, embedding IS NULL FROM face_registrations WHERE id = $1`,
		v.Registration.ID).Scan(&version, &consentAt, &unbound); err != nil || version != faces.ConsentVersion || consentAt.IsZero() || !unbound {
		t.Fatalf("the registration: version %q at %v, unbound %v, %v", version, consentAt, unbound, err)
	}
	if v, err = g.Open(e.ctx, token, regToken, "198.51.100.1"); err != nil || v.Registration == nil || v.Registration.Name != "Asha" {
		t.Fatalf("open with the registration: %+v, %v", v, err)
	}

	for _, tc := range []struct {
		name    string
		picture []byte
		want    error
	}{
		{"corrupt picture", []byte("\xff\xd8\xff\xe0 not really a JPEG"), faces.ErrDecode},
		{"no face", blankSelfie(t), faces.ErrNoFace},
		{"two faces", readFace(t, "couple.jpg"), faces.ErrManyFaces},
	} {
		if _, err := g.Search(e.ctx, v, tc.picture); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if v.Registration.Bound() || e.isBound(v.Registration.ID) {
		t.Fatal("a refused selfie bound the registration")
	}

	res, err := g.Search(e.ctx, v, readFace(t, "img1.jpg"))
	if err != nil || !res.Bound {
		t.Fatalf("the first selfie: %+v, %v", res, err)
	}
	if got := files(asha, res.Photos); !slices.Equal(got, wantFiles(asha)) {
		t.Fatalf("the first selfie finds %v, want %v (and not the hidden folder's)", got, wantFiles(asha))
	}
	if !e.isBound(v.Registration.ID) {
		t.Fatal("the registration is not bound after its first selfie")
	}
	again, err := g.Search(e.ctx, v, readFace(t, "img2.jpg"))
	if err != nil || again.Bound || !slices.Equal(files(asha, again.Photos), wantFiles(asha)) {
		t.Fatalf("another selfie of Asha: %+v, %v", again, err)
	}
	if _, err := g.Search(e.ctx, v, readFace(t, "img8.jpg")); !errors.Is(err, faces.ErrNotSamePerson) {
		t.Fatalf("a selfie of Ben on Asha's registration: %v", err)
	}
	back, err := g.RegisteredPhotos(e.ctx, v)
	if err != nil || !slices.Equal(files(asha, back), wantFiles(asha)) {
		t.Fatalf("coming back: %v, %v", files(asha, back), err)
	}

	// The photo routes' check agrees with the search, photo by photo.
	for id := range asha {
		if err := g.CheckPhoto(e.ctx, v, id); err != nil {
			t.Errorf("Asha's %s: %v", asha[id], err)
		}
	}
	for id := range ben {
		if err := g.CheckPhoto(e.ctx, v, id); !errors.Is(err, faces.ErrNotFound) {
			t.Errorf("Ben's %s: %v", ben[id], err)
		}
	}
	if _, err := e.ta.Gallery.VisiblePhoto(e.ctx, e.studio, secret); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("the hidden folder's photo is visible: %v", err)
	}

	// Seven searches past the limiter, each audited with who, what and
	// how many photos, and nothing else: never the face.
	rows, err := e.su.Query(e.ctx, `SELECT detail FROM audit_log WHERE kind = 'face_search' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var results []string
	for rows.Next() {
		var d map[string]any
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range d {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, " ") != "bound collection_id invite_id photos registration_id result with" {
			t.Errorf("a search's audit entry holds %v", keys)
		}
		results = append(results, fmt.Sprintf("%v %v", d["result"], d["photos"]))
	}
	want := []string{"unreadable picture 0", "no face 0", "several faces 0", fmt.Sprintf("matched %d", len(asha)),
		fmt.Sprintf("matched %d", len(asha)), "not the registered person 0", fmt.Sprintf("matched %d", len(asha))}
	if !slices.Equal(results, want) {
		t.Fatalf("audit of the searches:\n got %q\nwant %q", results, want)
	}
}

func capOf(n int) *int { return &n }

// isBound reads whether a registration has a face, as stored.
func (e *env) isBound(id uuid.UUID) bool {
	e.t.Helper()
	var b bool
	if err := e.su.QueryRow(e.ctx, `SELECT embedding IS NOT NULL FROM face_registrations WHERE id = $1`, id).Scan(&b); err != nil {
		e.t.Fatal(err)
	}
	return b
}

// Invites: the token is kept only as its hash; the cap, revocation and
// expiry close an invite to new guests; a registered guest can still
// delete their registration, and with it their face, after the invite
// has ended.
func TestGuestInvites(t *testing.T) {
	e := newEnv(t)
	album, folder := e.album("Gala")
	e.uploadFile(album, folder, "img2.jpg")
	e.publishAlbum(album)
	c := e.collection("Gala guests", album)
	g := e.guestSide(faces.Limits{})
	for _, bad := range []faces.InviteInput{
		{Label: strings.Repeat("x", 121)},
		{MaxRegistrations: capOf(0)},
		{ExpiresAt: ptrTime(time.Now().Add(-time.Hour))},
	} {
		if _, _, err := e.svc.CreateInvite(e.ctx, e.studio, c.ID, bad, e.act); !errors.Is(err, faces.ErrInvalidInput) {
			t.Errorf("invite %+v: %v", bad, err)
		}
	}
	inv, token, err := e.svc.CreateInvite(e.ctx, e.studio, c.ID, faces.InviteInput{Label: "Family", MaxRegistrations: capOf(1)}, e.act)
	if err != nil || len(token) != 32 {
		t.Fatalf("create: %q, %v", token, err)
	}
	var stored string
	if err := e.su.QueryRow(e.ctx, `SELECT token_hash FROM face_invites WHERE id = $1`, inv.ID).Scan(&stored); err != nil ||
		stored == token || strings.Contains(stored, token) || len(stored) != 64 {
		t.Fatalf("stored token %q for %q: %v", stored, token, err)
	}

	v, regToken := registerGuest(t, g, token, "Asha", "198.51.100.1")
	if _, err := g.Register(e.ctx, v, faces.RegisterInput{Name: "Ben", Email: "ben@example.com", Consent: true}); !errors.Is(err, faces.ErrInviteFull) {
		t.Fatalf("over the cap: %v", err)
	}
	if _, err := e.svc.SetInviteCap(e.ctx, e.studio, c.ID, inv.ID, nil, e.act); err != nil {
		t.Fatal(err)
	}
	registerGuest(t, g, token, "Ben", "198.51.100.2")
	list, err := e.svc.Invites(e.ctx, e.studio, c.ID)
	if err != nil || len(list) != 1 || list[0].Registrations != 2 || list[0].State(time.Now()) != faces.InviteActive {
		t.Fatalf("invites: %+v, %v", list, err)
	}
	if _, err := g.Search(e.ctx, v, readFace(t, "img1.jpg")); err != nil {
		t.Fatal(err)
	}

	if _, err := e.svc.RevokeInvite(e.ctx, e.studio, c.ID, inv.ID, e.act); err != nil {
		t.Fatal(err)
	}
	v, err = g.Open(e.ctx, token, regToken, "198.51.100.1")
	if !errors.Is(err, faces.ErrInviteGone) || v == nil || v.Registration == nil {
		t.Fatalf("a revoked invite: %+v, %v", v, err)
	}
	if _, err := g.Register(e.ctx, v, faces.RegisterInput{Name: "Cleo", Email: "cleo@example.com", Consent: true}); !errors.Is(err, faces.ErrInviteGone) {
		t.Errorf("register on a revoked invite: %v", err)
	}
	if _, err := g.Search(e.ctx, v, readFace(t, "img1.jpg")); !errors.Is(err, faces.ErrInviteGone) {
		t.Errorf("search on a revoked invite: %v", err)
	}
	vacuums := e.queued(faces.VacuumArgs{}.Kind())
	if err := g.DeleteRegistration(e.ctx, v); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM face_registrations WHERE embedding IS NOT NULL`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d faces of registrations left after deleting the only bound one (%v)", left, err)
	}
	if e.queued(faces.VacuumArgs{}.Kind()) != vacuums+1 {
		t.Error("no vacuum queued after deleting a registration")
	}
	if v, _ = g.Open(e.ctx, token, regToken, "198.51.100.1"); v.Registration != nil {
		t.Error("the deleted registration's token still opens it")
	}

	// An expired invite is gone the same way.
	_, expiring, err := e.svc.CreateInvite(e.ctx, e.studio, c.ID, faces.InviteInput{ExpiresAt: ptrTime(time.Now().Add(time.Hour))}, e.act)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.su.Exec(e.ctx, `UPDATE face_invites SET expires_at = now() - interval '1 second' WHERE label = ''`); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Open(e.ctx, expiring, "", "198.51.100.1"); !errors.Is(err, faces.ErrInviteGone) {
		t.Errorf("an expired invite: %v", err)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

// Searches are limited per registration and per client address, and the
// attempts over the limit are counted too, so waiting is the only way on.
func TestGuestSearchLimits(t *testing.T) {
	e := newEnv(t)
	album, folder := e.album("Gala")
	e.uploadFile(album, folder, "img2.jpg")
	e.publishAlbum(album)
	c := e.collection("Gala guests", album)
	_, token, err := e.svc.CreateInvite(e.ctx, e.studio, c.ID, faces.InviteInput{}, e.act)
	if err != nil {
		t.Fatal(err)
	}
	g := e.guestSide(faces.Limits{PerRegistration: 2, PerClient: 4})
	selfie := readFace(t, "img1.jpg")
	asha, _ := registerGuest(t, g, token, "Asha", "198.51.100.1")
	for i := range 2 {
		if _, err := g.Search(e.ctx, asha, selfie); err != nil {
			t.Fatalf("search %d: %v", i+1, err)
		}
	}
	var limit *faces.LimitError
	if _, err := g.Search(e.ctx, asha, selfie); !errors.As(err, &limit) || limit.RetryAfter < 59*time.Minute {
		t.Fatalf("the third search of a registration: %v", err)
	}
	// The address made three attempts: another guest there has one left.
	ben, _ := registerGuest(t, g, token, "Ben", "198.51.100.1")
	if _, err := g.Search(e.ctx, ben, readFace(t, "img8.jpg")); err != nil {
		t.Fatalf("the address's fourth search: %v", err)
	}
	if _, err := g.Search(e.ctx, ben, readFace(t, "img8.jpg")); !errors.Is(err, faces.ErrRateLimited) {
		t.Fatalf("the address's fifth search: %v", err)
	}
	cleo, _ := registerGuest(t, g, token, "Cleo", "198.51.100.9")
	if _, err := g.Search(e.ctx, cleo, readFace(t, "img3.jpg")); err != nil {
		t.Fatalf("a guest at another address: %v", err)
	}
	var audited int
	if err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM audit_log WHERE kind = 'face_search'`).Scan(&audited); err != nil || audited != 4 {
		t.Fatalf("%d searches audited, want the 4 that ran (%v)", audited, err)
	}
}
