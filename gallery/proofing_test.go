package gallery_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/gallery"
)

// addPhotos inserts n ready photos into folder as rows (no files), named
// IMG_0001.jpg and on.
func (s *shared) addPhotos(t *testing.T, folder uuid.UUID, n int) []uuid.UUID {
	t.Helper()
	db := s.ta.Superuser()
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = uuid.New()
		sum := make([]byte, 32)
		_, _ = rand.Read(sum)
		_, err := db.Exec(context.Background(), `INSERT INTO photos (id, studio_id, album_id, folder_id, filename, media_type, kind, size, sha256, status, original_key, position)
			VALUES ($1, $2, $3, $4, $5, 'image/jpeg', 'image', 1000, $6, 'ready', 'k', $7)`,
			ids[i], s.studio, s.album.ID, folder, fmt.Sprintf("IMG_%04d.jpg", i+1), sum, i)
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// guest opens the link with pin and gives a name.
func (s *shared) guest(t *testing.T, pin, name string) *gallery.GuestAccess {
	t.Helper()
	ctx := context.Background()
	g, err := s.open(t, "", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	session, err := s.ta.Gallery.Enter(ctx, g, pin)
	if err != nil {
		t.Fatal(err)
	}
	g, _ = s.open(t, session, "198.51.100.7")
	if name != "" {
		if err := s.ta.Gallery.Identify(ctx, g, name, strings.ToLower(name)+"@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func (s *shared) firstFolder(t *testing.T) gallery.Folder {
	fs, err := s.ta.Gallery.Folders(context.Background(), s.studio, s.album.ID)
	if err != nil {
		t.Fatal(err)
	}
	return fs[0]
}

func TestFavouritesAndSelection(t *testing.T) {
	s := share(t)
	ctx := context.Background()
	if _, err := s.ta.Gallery.UpdateAlbum(ctx, s.studio, s.album.ID, gallery.AlbumInput{SelectionLimit: ptr(3)}, s.act); err != nil {
		t.Fatal(err)
	}
	photos := s.addPhotos(t, s.firstFolder(t).ID, 5)
	anon := s.guest(t, "2468", "")
	if err := s.ta.Gallery.Favourite(ctx, anon, photos[0], true); !errors.Is(err, gallery.ErrNeedName) {
		t.Fatalf("without a name: %v", err)
	}
	g := s.guest(t, "2468", "Priya")
	for _, p := range photos[:3] {
		if err := s.ta.Gallery.Favourite(ctx, g, p, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ta.Gallery.Favourite(ctx, g, photos[0], true); err != nil {
		t.Fatalf("again: %v", err)
	}
	if err := s.ta.Gallery.Favourite(ctx, g, photos[3], true); !errors.Is(err, gallery.ErrConflict) {
		t.Fatalf("past the limit: %v", err)
	}
	if err := s.ta.Gallery.Favourite(ctx, g, uuid.New(), true); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("unknown photo: %v", err)
	}
	favs, _ := s.ta.Gallery.Favourites(ctx, g)
	if len(favs) != 3 {
		t.Fatalf("favourites %v", favs)
	}
	sel, err := s.ta.Gallery.SubmitSelection(ctx, g, "Please retouch the second one")
	if err != nil {
		t.Fatal(err)
	}
	// Later changes do not alter the submitted selection.
	if err := s.ta.Gallery.Favourite(ctx, g, photos[0], false); err != nil {
		t.Fatal(err)
	}
	list, err := s.ta.Gallery.Selections(ctx, s.studio, s.album.ID)
	if err != nil || len(list) != 1 || list[0].Photos != 3 || list[0].GuestName != "Priya" || list[0].LinkLabel != "Priya" {
		t.Fatalf("selections %+v, %v", list, err)
	}
	ps, err := s.ta.Gallery.SelectionPhotos(ctx, s.studio, s.album.ID, sel.ID)
	if err != nil || len(ps) != 3 {
		t.Fatalf("selection photos %d, %v", len(ps), err)
	}
	var csv, lr bytes.Buffer
	_ = gallery.WriteSelectionCSV(&csv, ps)
	_ = gallery.WriteLightroomList(&lr, ps)
	if !strings.HasPrefix(csv.String(), "filename,size_bytes,width,height\nIMG_0001.jpg,1000,0,0\n") || strings.Count(csv.String(), "\n") != 4 {
		t.Errorf("CSV %q", csv.String())
	}
	if lr.String() != "IMG_0001, IMG_0002, IMG_0003\n" {
		t.Errorf("Lightroom list %q", lr.String())
	}
	ns, unread, _ := s.ta.Gallery.Notifications(ctx, s.studio, 10)
	if unread != 1 || len(ns) != 1 || !strings.Contains(ns[0].Title, "Priya chose 3 photos") {
		t.Fatalf("notifications %+v (%d unread)", ns, unread)
	}
	var mails int
	_ = s.ta.Superuser().QueryRow(ctx, `SELECT count(*) FROM email_outbox WHERE studio_id = $1 AND subject LIKE 'Priya chose 3 photos%'`, s.studio).Scan(&mails)
	if mails != 1 {
		t.Fatalf("%d e-mails to the owner", mails)
	}
	acts, _ := s.ta.Gallery.AlbumActivity(ctx, s.studio, s.album.ID, 0, 50)
	kinds := map[string]int{}
	for _, a := range acts {
		kinds[a.Kind]++
	}
	if kinds["favourite"] != 3 || kinds["unfavourite"] != 1 || kinds["select"] != 1 || kinds["view"] != 2 {
		t.Fatalf("activity %v", kinds)
	}
}

func TestAnnotations(t *testing.T) {
	s := share(t)
	ctx := context.Background()
	photo := s.addPhotos(t, s.firstFolder(t).ID, 1)[0]
	viewer := s.guest(t, "2468", "Viewer")
	note := gallery.AnnotationInput{Shape: "rect", X: 0.2, Y: 0.3, W: 0.25, H: 0.1, Note: "Soften the shadow here"}
	if _, err := s.ta.Gallery.Annotate(ctx, viewer, photo, note); !errors.Is(err, gallery.ErrForbidden) {
		t.Fatalf("with the view PIN: %v", err)
	}
	g := s.guest(t, "13579", "Priya")
	for name, bad := range map[string]gallery.AnnotationInput{
		"off the photo":   {Shape: "point", X: 1.2, Y: 0.5, Note: "x"},
		"rect past edge":  {Shape: "rect", X: 0.9, Y: 0.1, W: 0.2, H: 0.1, Note: "x"},
		"empty note":      {Shape: "point", X: 0.5, Y: 0.5},
		"unknown shape":   {Shape: "circle", X: 0.5, Y: 0.5, Note: "x"},
		"point with size": {Shape: "point", X: 0.5, Y: 0.5, W: 0.1, Note: "x"},
	} {
		if _, err := s.ta.Gallery.Annotate(ctx, g, photo, bad); !errors.Is(err, gallery.ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	a, err := s.ta.Gallery.Annotate(ctx, g, photo, note)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ta.Gallery.Reply(ctx, s.studio, s.album.ID, a.ID, "Done, have a look", s.act); err != nil {
		t.Fatal(err)
	}
	if err := s.ta.Gallery.Resolve(ctx, s.studio, s.album.ID, a.ID, true, s.act); err != nil {
		t.Fatal(err)
	}
	seen, err := s.ta.Gallery.GuestAnnotations(ctx, g, photo)
	if err != nil || len(seen) != 1 || seen[0].Status != "resolved" || len(seen[0].Replies) != 1 || seen[0].Replies[0].Body != "Done, have a look" {
		t.Fatalf("guest sees %+v, %v", seen, err)
	}
	if seen[0].X != 0.2 || seen[0].W != 0.25 {
		t.Errorf("coordinates %+v", seen[0])
	}
	other := share(t) // another studio cannot reply to or resolve it
	if err := other.ta.Gallery.Resolve(ctx, other.studio, s.album.ID, a.ID, false, other.act); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("other studio: %v", err)
	}
}
