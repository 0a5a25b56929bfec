package gallery_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

func ptr[T any](v T) *T { return &v }

func TestCreateAlbumMakesAFolder(t *testing.T) {
	ta := apptest.New(t)
	u := ta.NewStudio("Lumen")
	ctx := context.Background()
	date, _ := gallery.ParseDate("2026-12-05")
	a, err := ta.Gallery.CreateAlbum(ctx, u.StudioID, gallery.AlbumInput{Title: ptr("  Sharma wedding "), EventDate: date}, apptest.Actor(u))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Sharma wedding" || a.Status != gallery.StatusDraft || !a.WebAllowed || a.OriginalsAllowed {
		t.Fatalf("album %+v", a)
	}
	got, err := ta.Gallery.Album(ctx, u.StudioID, a.ID)
	if err != nil || got.EventDate == nil || got.EventDate.String() != "2026-12-05" {
		t.Fatalf("read back %+v, %v", got, err)
	}
	fs, err := ta.Gallery.Folders(ctx, u.StudioID, a.ID)
	if err != nil || len(fs) != 1 || fs[0].Name != "Photos" {
		t.Fatalf("folders %+v, %v", fs, err)
	}
	var kind string
	if err := ta.Superuser().QueryRow(ctx, `SELECT kind FROM audit_log WHERE studio_id = $1 ORDER BY seq DESC LIMIT 1`, u.StudioID).Scan(&kind); err != nil || kind != "album.create" {
		t.Fatalf("audit %q, %v", kind, err)
	}
}

func TestAlbumInputIsChecked(t *testing.T) {
	ta := apptest.New(t)
	u := ta.NewStudio("Lumen")
	other := ta.NewStudio("Other")
	ctx := context.Background()
	theirs, err := ta.Gallery.CreateClient(ctx, other.StudioID, gallery.ClientInput{Name: "Not yours"}, apptest.Actor(other))
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]gallery.AlbumInput{
		"no title":       {},
		"blank title":    {Title: ptr("   ")},
		"bad status":     {Title: ptr("x"), Status: ptr("deleted")},
		"bad limit":      {Title: ptr("x"), SelectionLimit: ptr(-1)},
		"foreign client": {Title: ptr("x"), ClientID: &theirs.ID},
		"bad watermark":  {Title: ptr("x"), Watermark: &gallery.Watermark{Kind: "text", Text: "©", Position: "middle", Opacity: 0.5}},
	} {
		_, err := ta.Gallery.CreateAlbum(ctx, u.StudioID, in, apptest.Actor(u))
		var ie *gallery.InputError
		if !errors.As(err, &ie) || ie.Message == "" {
			t.Errorf("%s: %v, want an input error", name, err)
		}
	}
	albums, _ := ta.Gallery.Albums(ctx, u.StudioID)
	if len(albums) != 0 {
		t.Fatalf("%d albums after refusals", len(albums))
	}
}

func TestAnotherStudiosAlbumIsNotFound(t *testing.T) {
	ta := apptest.New(t)
	u, other := ta.NewStudio("Lumen"), ta.NewStudio("Other")
	ctx := context.Background()
	a, err := ta.Gallery.CreateAlbum(ctx, u.StudioID, gallery.AlbumInput{Title: ptr("Mine")}, apptest.Actor(u))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.Gallery.Album(ctx, other.StudioID, a.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("read: %v", err)
	}
	if _, err := ta.Gallery.UpdateAlbum(ctx, other.StudioID, a.ID, gallery.AlbumInput{Title: ptr("Stolen")}, apptest.Actor(other)); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("update: %v", err)
	}
	if err := ta.Gallery.SetPINs(ctx, other.StudioID, a.ID, gallery.PINInput{View: ptr("1234")}, apptest.Actor(other)); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("PINs: %v", err)
	}
	if _, err := ta.Gallery.CreateFolder(ctx, other.StudioID, a.ID, gallery.FolderInput{Name: ptr("x")}, apptest.Actor(other)); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("folder: %v", err)
	}
	got, _ := ta.Gallery.Album(ctx, u.StudioID, a.ID)
	if got.Title != "Mine" || got.HasViewPIN() {
		t.Fatalf("album changed: %+v", got)
	}
}

func TestPINs(t *testing.T) {
	ta := apptest.New(t)
	u := ta.NewStudio("Lumen")
	ctx := context.Background()
	a, _ := ta.Gallery.CreateAlbum(ctx, u.StudioID, gallery.AlbumInput{Title: ptr("A")}, apptest.Actor(u))
	set := func(in gallery.PINInput) error {
		return ta.Gallery.SetPINs(ctx, u.StudioID, a.ID, in, apptest.Actor(u))
	}
	for name, in := range map[string]gallery.PINInput{
		"short":   {View: ptr("123")},
		"long":    {View: ptr("123456789")},
		"letters": {View: ptr("12a4")},
		"equal":   {View: ptr("2468"), Annotate: ptr("2468")},
	} {
		if err := set(in); !errors.Is(err, gallery.ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := set(gallery.PINInput{View: ptr("2468"), Annotate: ptr("13579")}); err != nil {
		t.Fatal(err)
	}
	// Changing one PIN to the other's value is caught against the hash.
	if err := set(gallery.PINInput{Annotate: ptr("2468")}); !errors.Is(err, gallery.ErrInvalidInput) {
		t.Errorf("annotate = view: %v", err)
	}
	var view, annotate *string
	db := ta.Superuser()
	if err := db.QueryRow(ctx, `SELECT view_pin_hash, annotate_pin_hash FROM albums WHERE id = $1`, a.ID).Scan(&view, &annotate); err != nil {
		t.Fatal(err)
	}
	if view == nil || annotate == nil || *view == "2468" || *view == *annotate || (*view)[:9] != "$argon2id" {
		t.Fatalf("stored %v %v", view, annotate)
	}
	var leaked int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE studio_id = $1 AND (detail::text LIKE '%2468%' OR detail::text LIKE '%13579%')`, u.StudioID).Scan(&leaked); err != nil || leaked != 0 {
		t.Fatalf("PIN in the audit log: %d, %v", leaked, err)
	}
	if err := set(gallery.PINInput{View: ptr("")}); err != nil {
		t.Fatal(err)
	}
	got, _ := ta.Gallery.Album(ctx, u.StudioID, a.ID)
	if got.HasViewPIN() || !got.HasAnnotatePIN() {
		t.Fatalf("after clearing the view PIN: view %v annotate %v", got.HasViewPIN(), got.HasAnnotatePIN())
	}
}

func TestFolders(t *testing.T) {
	ta := apptest.New(t)
	u := ta.NewStudio("Lumen")
	ctx := context.Background()
	act := apptest.Actor(u)
	a, _ := ta.Gallery.CreateAlbum(ctx, u.StudioID, gallery.AlbumInput{Title: ptr("A")}, act)
	f, err := ta.Gallery.CreateFolder(ctx, u.StudioID, a.ID, gallery.FolderInput{Name: ptr("Getting ready"), Hidden: ptr(true)}, act)
	if err != nil || f.Position != 1 || !f.Hidden || f.DownloadLocked {
		t.Fatalf("%+v, %v", f, err)
	}
	if _, err := ta.Gallery.CreateFolder(ctx, u.StudioID, a.ID, gallery.FolderInput{Name: ptr("Getting ready")}, act); !errors.Is(err, gallery.ErrInvalidInput) {
		t.Errorf("duplicate name: %v", err)
	}
	f, err = ta.Gallery.UpdateFolder(ctx, u.StudioID, a.ID, f.ID, gallery.FolderInput{Hidden: ptr(false), DownloadLocked: ptr(true)}, act)
	if err != nil || f.Hidden || !f.DownloadLocked || f.Name != "Getting ready" {
		t.Fatalf("update: %+v, %v", f, err)
	}
	fs, _ := ta.Gallery.Folders(ctx, u.StudioID, a.ID)
	if err := ta.Gallery.DeleteFolder(ctx, u.StudioID, a.ID, f.ID, act); err != nil {
		t.Fatal(err)
	}
	if err := ta.Gallery.DeleteFolder(ctx, u.StudioID, a.ID, fs[0].ID, act); !errors.Is(err, gallery.ErrConflict) {
		t.Errorf("last folder: %v", err)
	}
	if err := ta.Gallery.DeleteFolder(ctx, u.StudioID, a.ID, uuid.New(), act); !errors.Is(err, gallery.ErrNotFound) {
		t.Errorf("unknown folder: %v", err)
	}
}

func TestClients(t *testing.T) {
	ta := apptest.New(t)
	u := ta.NewStudio("Lumen")
	ctx := context.Background()
	act := apptest.Actor(u)
	if _, err := ta.Gallery.CreateClient(ctx, u.StudioID, gallery.ClientInput{Name: "Priya", Email: "not an address"}, act); !errors.Is(err, gallery.ErrInvalidInput) {
		t.Errorf("bad e-mail: %v", err)
	}
	c, err := ta.Gallery.CreateClient(ctx, u.StudioID, gallery.ClientInput{Name: "Priya Sharma", Email: "Priya@Example.com", Phone: "+91 98765 43210"}, act)
	if err != nil || c.Email != "priya@example.com" {
		t.Fatalf("%+v, %v", c, err)
	}
	a, err := ta.Gallery.CreateAlbum(ctx, u.StudioID, gallery.AlbumInput{Title: ptr("A"), ClientID: &c.ID}, act)
	if err != nil || a.ClientID == nil || *a.ClientID != c.ID {
		t.Fatalf("album with client: %+v, %v", a, err)
	}
	if err := ta.Gallery.DeleteClient(ctx, u.StudioID, c.ID, act); err != nil {
		t.Fatal(err)
	}
	a, _ = ta.Gallery.Album(ctx, u.StudioID, a.ID)
	if a.ClientID != nil {
		t.Fatalf("album still has the deleted client")
	}
}
