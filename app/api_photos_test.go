package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

type photoPage struct {
	Photos []struct {
		ID          string
		Filename    string
		FolderID    string  `json:"folder_id"`
		Placeholder *string `json:"placeholder"`
	}
	Next *string
}

// more uploads two photos through the service: one into the first folder,
// one into the second, neither rendered.
func (w *apiWorld) more(t *testing.T) (uuid.UUID, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	a, err := w.ta.Gallery.Upload(ctx, w.studio, w.album, w.folder, "img10.jpg", bytes.NewReader(readFace(t, "img10.jpg")), w.act)
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.ta.Gallery.Upload(ctx, w.studio, w.album, w.second, "img11.jpg", bytes.NewReader(readFace(t, "img11.jpg")), w.act)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID, b.ID
}

func TestAPIPhotoListPages(t *testing.T) {
	w := newAPIWorld(t)
	_, inSecond := w.more(t)
	photos := apiPath("albums", w.album, "photos")
	var names []string
	next, pages := photos+"?limit=1", 0
	for next != "" && pages < 10 {
		page := decode[photoPage](t, w.read.Get(next))
		for _, p := range page.Photos {
			names = append(names, p.Filename)
		}
		next, pages = "", pages+1
		if page.Next != nil {
			next = *page.Next
		}
	}
	if fmt.Sprint(names) != "[IMG_2001.jpg img10.jpg img11.jpg]" || pages != 3 {
		t.Fatalf("paged through %v in %d pages", names, pages)
	}
	whole := decode[photoPage](t, w.read.Get(photos))
	if len(whole.Photos) != 3 || whole.Next != nil || whole.Photos[0].Placeholder == nil || whole.Photos[1].Placeholder != nil {
		t.Fatalf("one page: %+v", whole)
	}
	w.read.Run(t, []apptest.Scenario{
		{Name: "one folder", Path: photos + "?folder=" + w.second.String(), Status: http.StatusOK,
			Contains: []string{`"filename":"img11.jpg"`}, NotContains: []string{"IMG_2001"}},
		{Name: "a cursor outside the folder", Path: photos + "?folder=" + w.second.String() + "&after=" + w.photo.String(), Status: http.StatusBadRequest,
			Contains: []string{"start from the first page again"}},
		{Name: "after the last", Path: photos + "?after=" + inSecond.String(), Status: http.StatusOK, Contains: []string{`{"photos":[],"next":null}`}},
		{Name: "limit 0", Path: photos + "?limit=0", Status: http.StatusBadRequest, Contains: []string{"limit must be a number from 1 to 500"}},
		{Name: "limit too high", Path: photos + "?limit=501", Status: http.StatusBadRequest},
		{Name: "bad cursor", Path: photos + "?after=x", Status: http.StatusBadRequest},
		{Name: "bad folder", Path: photos + "?folder=x", Status: http.StatusBadRequest},
		{Name: "unknown folder", Path: photos + "?folder=" + uuid.NewString(), Status: http.StatusNotFound},
	})
}

func TestAPIPhotos(t *testing.T) {
	w := newAPIWorld(t)
	inFirst, inSecond := w.more(t)
	sum := sha256.Sum256(w.original)
	one := apiPath("albums", w.album, "photos", w.photo)
	moved := apiPath("albums", w.album, "photos", inFirst)
	w.write.Run(t, []apptest.Scenario{
		{Name: "one", Path: one, Status: http.StatusOK, Contains: []string{`"filename":"IMG_2001.jpg"`, `"media_type":"image/jpeg"`, `"kind":"image"`,
			`"sha256":"` + hex.EncodeToString(sum[:]) + `"`, `"status":"ready"`, `"failure":null`, `"placeholder":"#a1b2c3"`, `"width":640`}},
		{Name: "move", Method: http.MethodPost, Path: moved + "/move", JSON: map[string]string{"folder_id": w.second.String()}, Status: http.StatusOK,
			Contains: []string{`"folder_id":"` + w.second.String() + `"`, `"position":1`}},
		{Name: "move to no folder", Method: http.MethodPost, Path: moved + "/move", JSON: map[string]string{"folder_id": uuid.NewString()},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"folder_id":"There is no such folder in this album."}`}},
		{Name: "move to not an id", Method: http.MethodPost, Path: moved + "/move", JSON: map[string]string{"folder_id": "Reception"},
			Status: http.StatusUnprocessableEntity, Contains: []string{`"errors":{"folder_id":`}},
		{Name: "cover", Method: http.MethodPost, Path: moved + "/cover", Status: http.StatusOK,
			Contains: []string{`"cover_photo_id":"` + inFirst.String() + `"`, `"title":"Sharma wedding"`}},
		{Name: "a preview not made yet", Path: moved + "/preview", Status: http.StatusNotFound, Contains: []string{"still being processed"}},
		{Name: "delete", Method: http.MethodDelete, Path: moved, Status: http.StatusNoContent},
		{Name: "deleted", Path: moved, Status: http.StatusNotFound},
		{Name: "the cover went with it", Path: apiPath("albums", w.album), Status: http.StatusOK, Contains: []string{`"cover_photo_id":null`}},
		{Name: "the other stays", Path: apiPath("albums", w.album, "photos", inSecond), Status: http.StatusOK},
	})
	if _, err := w.ta.Gallery.Blobs.Open(context.Background(), w.studio, "albums/"+w.album.String()+"/"+inFirst.String()+"/original"); !errors.Is(err, gallery.ErrNotFound) {
		t.Fatalf("the deleted photo's original: %v", err)
	}
	if n := staffCount(t, w.ta, `SELECT count(*) FROM audit_log WHERE actor = 'token' AND kind IN ('photo.move', 'album.cover', 'photo.delete')
		AND detail->>'photo_id' = $1`, inFirst); n != 3 {
		t.Fatalf("%d entries for the moved photo, want 3", n)
	}
}

// The studio fetches its files with revalidation and byte ranges; every
// download of an original from its start is audited.
func TestAPIPhotoFiles(t *testing.T) {
	w := newAPIWorld(t)
	one := apiPath("albums", w.album, "photos", w.photo)
	size := strconv.Itoa(len(w.original))
	res := w.read.Get(one + "/original")
	etag := res.Header.Get("ETag")
	if res.StatusCode != http.StatusOK || res.Body != string(w.original) || res.Header.Get("Content-Type") != "image/jpeg" ||
		res.Header.Get("Content-Disposition") != `attachment; filename=IMG_2001.jpg` || etag == "" || res.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("original: %d %v", res.StatusCode, res.Header)
	}
	rng := func(name, h string, status int, contentRange, body string, more ...string) apptest.Scenario {
		s := apptest.Scenario{Name: name, Path: one + "/original", Request: map[string]string{"Range": h}, Status: status,
			Header: map[string]string{"Content-Range": contentRange}}
		if body != "" {
			s.Contains = []string{body}
		}
		for i := 0; i+1 < len(more); i += 2 {
			s.Request[more[i]] = more[i+1]
		}
		return s
	}
	last := len(w.original) - 10
	w.read.Run(t, []apptest.Scenario{
		{Name: "not modified", Path: one + "/original", Request: map[string]string{"If-None-Match": etag}, Status: http.StatusNotModified},
		rng("the first 100 bytes", "bytes=0-99", http.StatusPartialContent, "bytes 0-99/"+size, string(w.original[:100])),
		rng("the last 10", "bytes=-10", http.StatusPartialContent, fmt.Sprintf("bytes %d-%d/%s", last, len(w.original)-1, size), string(w.original[last:])),
		rng("from the middle", "bytes="+strconv.Itoa(last)+"-", http.StatusPartialContent, fmt.Sprintf("bytes %d-%d/%s", last, len(w.original)-1, size), ""),
		rng("past the end", "bytes="+size+"-", http.StatusRequestedRangeNotSatisfiable, "bytes */"+size, "outside the file"),
		rng("several ranges: the whole file", "bytes=0-1,5-6", http.StatusOK, "", ""),
		rng("a stale If-Range: the whole file", "bytes=0-99", http.StatusOK, "", "", "If-Range", `"other"`),
		rng("a matching If-Range", "bytes=0-99", http.StatusPartialContent, "bytes 0-99/"+size, "", "If-Range", etag),
		{Name: "thumbnail", Path: one + "/thumb", Status: http.StatusOK, Contains: []string{string(w.thumb)},
			Header: map[string]string{"Content-Type": "image/jpeg", "Content-Disposition": ""}},
		{Name: "preview", Path: one + "/preview", Status: http.StatusOK, Contains: []string{string(w.preview)}},
	})
	// The whole file, the first range, the two refused ranges and the
	// matching If-Range start at byte 0; the tail, the middle and 304 not.
	if n := staffCount(t, w.ta, `SELECT count(*) FROM audit_log WHERE kind = 'photo.download' AND actor = 'token'
		AND detail->>'photo_id' = $1 AND detail->>'what' = 'original'`, w.photo); n != 5 {
		t.Fatalf("%d downloads audited, want 5", n)
	}
}

// The checker accepts a file type that the document covers with a range
// (image/*) and refuses one it does not.
func TestOpenAPIChecksFileTypes(t *testing.T) {
	ta := apptest.New(t)
	doc := ta.OpenAPI()
	check := func(ctype string) error {
		res := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {ctype}, "Etag": {`"x"`}, "Accept-Ranges": {"bytes"}}}
		return doc.Check("GET", "/api/v1/albums/"+uuid.NewString()+"/photos/"+uuid.NewString()+"/original", res, []byte("\xff\xd8"))
	}
	for _, ok := range []string{"image/jpeg", "image/heic", "video/mp4", "application/pdf"} {
		if err := check(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if err := check("text/html"); err == nil {
		t.Error("text/html passed")
	}
}
