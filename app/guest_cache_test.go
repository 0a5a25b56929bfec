package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/proofsheet/proofsheet/gallery"
)

// The guests' cache (gallery/guest_cache.go) serves a guest's pages from
// memory. These tests show it does, and that no change is missed: the
// app's own changes are heard before it answers again, another process's
// through NOTIFY, and a lost listener turns the cache off.

// get fetches path as the bench's guest and returns status and body.
func (ba *benchAlbum) get(t *testing.T, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ba.base+path, nil)
	req.AddCookie(ba.cookie)
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// otherProcess is a connection that does not report to the app, as
// another Proofsheet process or psql would be.
func (ba *benchAlbum) otherProcess(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), ba.ta.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// unheard changes the album's title with triggers off: no notice, no
// NOTIFY, so only a page read from the database shows it.
func (ba *benchAlbum) unheard(t *testing.T, title string) {
	t.Helper()
	c := ba.otherProcess(t)
	ctx := context.Background()
	if _, err := c.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "UPDATE albums SET title = $1 WHERE id = $2", title, ba.album.ID); err != nil {
		t.Fatal(err)
	}
}

// eventually polls path until ok; the cache hears other processes
// asynchronously.
func (ba *benchAlbum) eventually(t *testing.T, path string, ok func(int, string) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body := ba.get(t, path)
		if ok(status, body) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: still %d after 10 s", path, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newCachedAlbum(t *testing.T) *benchAlbum {
	ba := newBenchAlbum(t)
	ba.addRealPhotos(t, 2)
	ba.enter(t)
	waitLive(t, ba)
	return ba
}

// waitLive waits for the app's change listener: the cache serves once it
// listens.
func waitLive(t *testing.T, ba *benchAlbum) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ba.ta.Gallery.CacheIsLive(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the change listener did not start in 10 s")
		}
	}
}

func TestGuestCacheServesFromMemory(t *testing.T) {
	ba := newCachedAlbum(t)
	page := "/g/" + ba.token
	// The app's own NOTIFYs of setting the album up may still be on their
	// way and empty the cache once more, so the test tries a few times.
	served := false
	for try := 0; try < 20 && !served; try++ {
		ba.unheard(t, "Bench wedding")
		if s, body := ba.get(t, page); s != http.StatusOK || !strings.Contains(body, "Bench wedding") {
			t.Fatalf("page: %d", s)
		}
		ba.unheard(t, "Title nobody was told of")
		_, body := ba.get(t, page)
		served = strings.Contains(body, "Bench wedding")
	}
	if !served {
		t.Fatal("every page was read again from the database: the cache did not serve them")
	}
	// NOTIFY from anywhere is a change: the next page comes from the database.
	if _, err := ba.otherProcess(t).Exec(context.Background(), "SELECT pg_notify($1, $2)", "proofsheet_changes", ba.studio.String()); err != nil {
		t.Fatal(err)
	}
	ba.eventually(t, page, func(_ int, body string) bool { return strings.Contains(body, "Title nobody was told of") })
}

func TestGuestCacheHearsTheAppAtOnce(t *testing.T) {
	ba := newCachedAlbum(t)
	ctx, page := context.Background(), "/g/"+ba.token
	thumb := page + "/p/" + ba.photos[0].String() + "/thumb"
	for _, p := range []string{page, thumb, thumb} { // warm
		if s, _ := ba.get(t, p); s != http.StatusOK {
			t.Fatalf("GET %s: %d", p, s)
		}
	}
	hidden := true
	if _, err := ba.ta.Gallery.UpdateFolder(ctx, ba.studio, ba.album.ID, ba.folder, gallery.FolderInput{Hidden: &hidden}, gallery.Actor{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if s, _ := ba.get(t, thumb); s != http.StatusNotFound {
		t.Fatalf("thumbnail of a folder just hidden: %d, want 404", s)
	}
	links, err := ba.ta.Gallery.Links(ctx, ba.studio, ba.album.ID)
	if err != nil || len(links) != 1 {
		t.Fatalf("links: %v %v", links, err)
	}
	if err := ba.ta.Gallery.RevokeLink(ctx, ba.studio, ba.album.ID, links[0].ID, gallery.Actor{IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if s, _ := ba.get(t, page); s != http.StatusGone {
		t.Fatalf("page of a link just revoked: %d, want 410", s)
	}
}

func TestGuestCacheHearsOtherProcesses(t *testing.T) {
	ba := newCachedAlbum(t)
	page := "/g/" + ba.token
	if s, _ := ba.get(t, page); s != http.StatusOK {
		t.Fatalf("page: %d", s)
	}
	// Triggers on: the other process's commit NOTIFYs.
	_, err := ba.otherProcess(t).Exec(context.Background(), "UPDATE share_links SET revoked_at = now() WHERE album_id = $1", ba.album.ID)
	if err != nil {
		t.Fatal(err)
	}
	ba.eventually(t, page, func(s int, _ string) bool { return s == http.StatusGone })
}

func TestGuestCacheOffWhileDeaf(t *testing.T) {
	ba := newCachedAlbum(t)
	page := "/g/" + ba.token
	c := ba.otherProcess(t)
	ctx := context.Background()
	// The listener's connection dies: changes may go unheard from now on,
	// so the cache must not answer from what it had.
	var n int
	err := c.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query = $1",
		"LISTEN proofsheet_changes").Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("terminating the listener: %d, %v", n, err)
	}
	ba.unheard(t, "Changed while nobody listened")
	ba.eventually(t, page, func(_ int, body string) bool { return strings.Contains(body, "Changed while nobody listened") })
	waitLive(t, ba) // and it listens again
}

// A thumbnail is served from memory once read: the same bytes and ETag
// even when the store no longer has it, and 304 for a browser that has it.
func TestGuestThumbnailsFromMemory(t *testing.T) {
	ba := newCachedAlbum(t)
	thumb := "/g/" + ba.token + "/p/" + ba.photos[0].String() + "/thumb"
	res := ba.do(t, thumb, "")
	first, _ := io.ReadAll(res.Body)
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || len(first) < 1000 || etag == "" {
		t.Fatalf("thumbnail: %d, %d bytes, ETag %q", res.StatusCode, len(first), etag)
	}
	p, _, err := ba.ta.Gallery.GuestPhoto(context.Background(), ba.guestAccess(t), ba.photos[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := ba.ta.Gallery.Blobs.Delete(context.Background(), ba.studio, p.ThumbKey); err != nil {
		t.Fatal(err)
	}
	res = ba.do(t, thumb, "")
	again, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(again, first) || res.Header.Get("ETag") != etag {
		t.Fatalf("again: %d, %d bytes, ETag %q", res.StatusCode, len(again), res.Header.Get("ETag"))
	}
	if res = ba.do(t, thumb, etag); res.StatusCode != http.StatusNotModified {
		t.Fatalf("with If-None-Match: %d", res.StatusCode)
	}
	res.Body.Close()
}

func (ba *benchAlbum) do(t *testing.T, path, ifNoneMatch string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ba.base+path, nil)
	req.AddCookie(ba.cookie)
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (ba *benchAlbum) guestAccess(t *testing.T) *gallery.GuestAccess {
	t.Helper()
	g, err := ba.ta.Gallery.OpenLink(context.Background(), ba.token, ba.cookie.Value, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return g
}
