package gallery_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/proofsheet/proofsheet/gallery"
)

// A stored zip is built from the real renditions, served while the rules
// allow it, retired the moment a folder is locked, and its object deleted
// by ExpireZips.
func TestStoredZipLifecycle(t *testing.T) {
	e := newEnv(t)
	e.render(e.upload("a.jpg", solidJPEG(t, 200, 90, 30)))
	e.render(e.upload("b.jpg", solidJPEG(t, 30, 90, 200)))
	published, web := gallery.StatusPublished, true
	if _, err := e.g.UpdateAlbum(e.ctx, e.studio, e.album.ID, gallery.AlbumInput{Status: &published, WebAllowed: &web}, e.act); err != nil {
		t.Fatal(err)
	}
	_, token, err := e.g.CreateLink(e.ctx, e.studio, e.album.ID, gallery.LinkInput{Label: "Priya"}, e.act)
	if err != nil {
		t.Fatal(err)
	}
	g := enter(t, e, token)

	x, err := e.g.PrepareZip(e.ctx, g, nil, gallery.DownloadWeb)
	if err != nil || x.Status != "building" || x.Files != 2 {
		t.Fatalf("prepare: %+v, %v", x, err)
	}
	if again, err := e.g.PrepareZip(e.ctx, g, nil, gallery.DownloadWeb); err != nil || again.ID != x.ID {
		t.Fatalf("a second prepare made another zip: %+v, %v", again, err)
	}
	buildZip(t, e, x)

	x, err = e.g.GuestZipExport(e.ctx, g, x.ID)
	if err != nil || x.Status != "ready" || x.Size == 0 {
		t.Fatalf("export after the build: %+v, %v", x, err)
	}
	stored := e.blobs.get(e.studio, x.ObjectKey)
	zr, err := zip.NewReader(bytes.NewReader(stored), int64(len(stored)))
	if err != nil || len(zr.File) != 2 || zr.File[0].Name != "a.jpg" || zr.File[0].Method != zip.Store {
		t.Fatalf("stored zip: %v, %+v", err, zr)
	}
	for _, f := range zr.File {
		r, err := f.Open()
		if err == nil {
			_, err = io.Copy(io.Discard, r) // checks the CRC-32 recorded at render time
		}
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
	}

	locked := true
	if _, err := e.g.UpdateFolder(e.ctx, e.studio, e.album.ID, e.folder, gallery.FolderInput{DownloadLocked: &locked}, e.act); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.GuestZipExport(e.ctx, g, x.ID); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("zip of a folder locked since: %v, want not found", err)
	}
	if n, err := e.g.ExpireZips(e.ctx); err != nil || n != 1 {
		t.Fatalf("expire: %d, %v", n, err)
	}
	if e.blobs.get(e.studio, x.ObjectKey) != nil {
		t.Fatal("the retired zip's object is still stored")
	}
	if _, err := e.g.PrepareZip(e.ctx, g, nil, gallery.DownloadWeb); !errors.Is(err, gallery.ErrForbidden) {
		t.Fatalf("prepare from a locked folder: %v", err)
	}
}

func enter(t *testing.T, e *env, token string) *gallery.GuestAccess {
	t.Helper()
	g, err := e.g.OpenLink(e.ctx, token, "", "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	session, err := e.g.Enter(e.ctx, g, "")
	if err != nil {
		t.Fatal(err)
	}
	if g, err = e.g.OpenLink(e.ctx, token, session, "198.51.100.7"); err != nil {
		t.Fatal(err)
	}
	return g
}

// buildZip works the zip's build job the way River would.
func buildZip(t *testing.T, e *env, x *gallery.ZipExport) {
	t.Helper()
	var args gallery.BuildZipArgs
	err := e.ta.Superuser().QueryRow(e.ctx, `SELECT args FROM river_job WHERE kind = $1 AND args->>'export_id' = $2`,
		gallery.BuildZipArgs{}.Kind(), x.ID.String()).Scan(&args)
	if err != nil {
		t.Fatalf("build job: %v", err)
	}
	w := &gallery.BuildZipWorker{Gallery: e.g}
	job := &river.Job[gallery.BuildZipArgs]{JobRow: &rivertype.JobRow{Attempt: 1, Kind: args.Kind()}, Args: args}
	if err := w.Work(e.ctx, job); err != nil {
		t.Fatalf("build: %v", err)
	}
}
