package gallery_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// shared is an album with both PINs, published, and one link to it.
type shared struct {
	ta     *apptest.TestApp
	studio uuid.UUID
	album  *gallery.Album
	link   *gallery.ShareLink
	token  string
	act    gallery.Actor
}

func share(t *testing.T) *shared {
	ta := apptest.New(t)
	u := ta.NewStudio("Lumen")
	ctx := context.Background()
	act := apptest.Actor(u)
	a, err := ta.Gallery.CreateAlbum(ctx, u.StudioID, gallery.AlbumInput{Title: ptr("Sharma wedding"), Status: ptr(gallery.StatusPublished)}, act)
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.Gallery.SetPINs(ctx, u.StudioID, a.ID, gallery.PINInput{View: ptr("2468"), Annotate: ptr("13579")}, act); err != nil {
		t.Fatal(err)
	}
	l, token, err := ta.Gallery.CreateLink(ctx, u.StudioID, a.ID, gallery.LinkInput{Label: "Priya"}, act)
	if err != nil {
		t.Fatal(err)
	}
	return &shared{ta: ta, studio: u.StudioID, album: a, link: l, token: token, act: act}
}

func (s *shared) open(t *testing.T, session, ip string) (*gallery.GuestAccess, error) {
	t.Helper()
	return s.ta.Gallery.OpenLink(context.Background(), s.token, session, ip)
}

func TestLinkDefaultsAndToken(t *testing.T) {
	s := share(t)
	if s.link.ExpiresAt == nil || time.Until(*s.link.ExpiresAt) < 29*24*time.Hour || time.Until(*s.link.ExpiresAt) > 31*24*time.Hour {
		t.Fatalf("default expiry %v", s.link.ExpiresAt)
	}
	if len(s.token) < 26 { // 128 bits in base32
		t.Fatalf("token %q is short", s.token)
	}
	var stored string
	if err := s.ta.Superuser().QueryRow(context.Background(), `SELECT token_hash FROM share_links WHERE id = $1`, s.link.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == s.token || len(stored) != 64 {
		t.Fatalf("stored %q", stored)
	}
	ctx := context.Background()
	if _, _, err := s.ta.Gallery.CreateLink(ctx, s.studio, s.album.ID, gallery.LinkInput{Label: "x", Never: true, ExpiresAt: ptr(time.Now().Add(time.Hour))}, s.act); !errors.Is(err, gallery.ErrInvalidInput) {
		t.Errorf("never and a date: %v", err)
	}
	if _, _, err := s.ta.Gallery.CreateLink(ctx, s.studio, s.album.ID, gallery.LinkInput{Label: "x", ExpiresAt: ptr(time.Now().Add(-time.Hour))}, s.act); !errors.Is(err, gallery.ErrInvalidInput) {
		t.Errorf("past expiry: %v", err)
	}
	l, _, err := s.ta.Gallery.CreateLink(ctx, s.studio, s.album.ID, gallery.LinkInput{Label: "Forever", Never: true}, s.act)
	if err != nil || l.ExpiresAt != nil {
		t.Fatalf("never: %+v, %v", l, err)
	}
}

func TestPINGivesAccess(t *testing.T) {
	s := share(t)
	ctx := context.Background()
	g, err := s.open(t, "", "198.51.100.7")
	if err != nil || g.In() {
		t.Fatalf("open: %v, in %v", err, g != nil && g.In())
	}
	if _, err := s.ta.Gallery.Enter(ctx, g, ""); !errors.Is(err, gallery.ErrWrongPIN) {
		t.Fatalf("no PIN: %v", err)
	}
	for pin, access := range map[string]string{"2468": gallery.AccessView, "13579": gallery.AccessAnnotate} {
		g, _ := s.open(t, "", "198.51.100.7")
		session, err := s.ta.Gallery.Enter(ctx, g, pin)
		if err != nil {
			t.Fatal(err)
		}
		g, err = s.open(t, session, "198.51.100.7")
		if err != nil || !g.In() || g.Session.Access != access || g.CanAnnotate() != (access == gallery.AccessAnnotate) {
			t.Fatalf("PIN %s: %+v, %v", pin, g.Session, err)
		}
	}
	var views int64
	if err := s.ta.Superuser().QueryRow(ctx, `SELECT views FROM share_links WHERE id = $1`, s.link.ID).Scan(&views); err != nil || views != 2 {
		t.Fatalf("views %d, %v", views, err)
	}
}

func TestWrongPINsLockTheClientOut(t *testing.T) {
	s := share(t)
	ctx := context.Background()
	now := time.Now()
	s.ta.Gallery.Now = func() time.Time { return now }
	try := func(ip, pin string) error {
		g, err := s.open(t, "", ip)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ta.Gallery.Enter(ctx, g, pin)
		return err
	}
	for i := 1; i < gallery.MaxPINFailures; i++ {
		if err := try("203.0.113.5", "0000"); !errors.Is(err, gallery.ErrWrongPIN) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	var lock *gallery.LockoutError
	if err := try("203.0.113.5", "0000"); !errors.As(err, &lock) || lock.Until.Sub(now) != gallery.PINLockout {
		t.Fatalf("fifth failure: %v", err)
	}
	// Locked out even with the right PIN; another client is not.
	if err := try("203.0.113.5", "2468"); !errors.Is(err, gallery.ErrLockedOut) {
		t.Fatalf("right PIN while locked: %v", err)
	}
	if err := try("203.0.113.99", "2468"); err != nil {
		t.Fatalf("other client: %v", err)
	}
	// After the lockout, five more failures lock for twice as long.
	now = now.Add(gallery.PINLockout + time.Second)
	for i := 1; i < gallery.MaxPINFailures; i++ {
		_ = try("203.0.113.5", "1111")
	}
	if err := try("203.0.113.5", "1111"); !errors.As(err, &lock) || lock.Until.Sub(now) != 2*gallery.PINLockout {
		t.Fatalf("second lockout: %v", err)
	}
	var failed int
	if err := s.ta.Superuser().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE studio_id = $1 AND kind = 'share.pin_failed'`, s.studio).Scan(&failed); err != nil || failed != 2*gallery.MaxPINFailures {
		t.Fatalf("audited failures %d, %v", failed, err)
	}
	var leaked int
	_ = s.ta.Superuser().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE detail::text LIKE '%0000%' OR detail::text LIKE '%1111%' OR detail::text LIKE '%203.0.113.5%'`).Scan(&leaked)
	if leaked != 0 {
		t.Fatalf("%d audit entries carry a PIN or the address in detail", leaked)
	}
}

func TestDeadLinks(t *testing.T) {
	s := share(t)
	ctx := context.Background()
	g, _ := s.open(t, "", "198.51.100.7")
	session, err := s.ta.Gallery.Enter(ctx, g, "2468")
	if err != nil {
		t.Fatal(err)
	}
	// Expired: the clock passes the link's expiry.
	s.ta.Gallery.Now = func() time.Time { return s.link.ExpiresAt.Add(time.Second) }
	if _, err := s.open(t, session, "198.51.100.7"); !errors.Is(err, gallery.ErrLinkGone) {
		t.Fatalf("expired: %v", err)
	}
	s.ta.Gallery.Now = time.Now
	// Regenerated: the old token is unknown, the new one works, sessions ended.
	_, fresh, err := s.ta.Gallery.RegenerateLink(ctx, s.studio, s.album.ID, s.link.ID, s.act)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.open(t, session, "198.51.100.7"); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("old token: %v", err)
	}
	s.token = fresh
	if g, err := s.open(t, session, "198.51.100.7"); err != nil || g.In() {
		t.Fatalf("new token with the old session: %v", err)
	}
	// Revoked.
	if err := s.ta.Gallery.RevokeLink(ctx, s.studio, s.album.ID, s.link.ID, s.act); err != nil {
		t.Fatal(err)
	}
	if _, err := s.open(t, "", "198.51.100.7"); !errors.Is(err, gallery.ErrLinkGone) {
		t.Fatalf("revoked: %v", err)
	}
	// Unknown and random tokens.
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	s.token = "x" + string(rune('a'+b[0]%26))
	if _, err := s.open(t, "", "198.51.100.7"); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}

func TestHiddenFoldersAndDownloadRules(t *testing.T) {
	s := share(t)
	ctx := context.Background()
	fs, _ := s.ta.Gallery.Folders(ctx, s.studio, s.album.ID)
	shown := fs[0]
	hidden, err := s.ta.Gallery.CreateFolder(ctx, s.studio, s.album.ID, gallery.FolderInput{Name: ptr("Private"), Hidden: ptr(true)}, s.act)
	if err != nil {
		t.Fatal(err)
	}
	db := s.ta.Superuser()
	photo := func(folder uuid.UUID) uuid.UUID {
		id := uuid.New()
		sum := make([]byte, 32)
		_, _ = rand.Read(sum)
		_, err := db.Exec(ctx, `INSERT INTO photos (id, studio_id, album_id, folder_id, filename, media_type, kind, size, sha256, status, original_key)
			VALUES ($1, $2, $3, $4, 'a.jpg', 'image/jpeg', 'image', 1, $5, 'ready', 'k')`, id, s.studio, s.album.ID, folder, sum)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	visible, secret := photo(shown.ID), photo(hidden.ID)
	g, _ := s.open(t, "", "198.51.100.7")
	session, _ := s.ta.Gallery.Enter(ctx, g, "2468")
	g, _ = s.open(t, session, "198.51.100.7")

	got, err := s.ta.Gallery.GuestFolders(ctx, g)
	if err != nil || len(got) != 1 || got[0].ID != shown.ID {
		t.Fatalf("guest folders %+v, %v", got, err)
	}
	if _, err := s.ta.Gallery.GuestPhotos(ctx, g, hidden.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("hidden folder's photos: %v", err)
	}
	if _, _, err := s.ta.Gallery.GuestPhoto(ctx, g, secret); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("hidden photo by id: %v", err)
	}
	p, f, err := s.ta.Gallery.GuestPhoto(ctx, g, visible)
	if err != nil || p.ID != visible {
		t.Fatalf("visible photo: %v", err)
	}
	album := g.Album
	for _, c := range []struct {
		originals, web, locked bool
		what                   string
		ok                     bool
	}{
		{false, true, false, gallery.DownloadWeb, true},
		{false, true, false, gallery.DownloadOriginal, false},
		{true, true, false, gallery.DownloadOriginal, true},
		{true, false, false, gallery.DownloadWeb, false},
		{true, true, true, gallery.DownloadOriginal, false},
		{true, true, true, gallery.DownloadWeb, false},
	} {
		album.OriginalsAllowed, album.WebAllowed, f.DownloadLocked = c.originals, c.web, c.locked
		err := gallery.MayDownload(&album, f, c.what)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, gallery.ErrForbidden)) {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
