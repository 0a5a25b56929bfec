package app_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
)

func TestStudioRenditions(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, p := w.owner.Client, w.photoPath()
	thumb := c.Get(p + "/thumb")
	if thumb.StatusCode != http.StatusOK || thumb.Body != string(w.thumb) || thumb.Header.Get("Content-Type") != "image/jpeg" ||
		!strings.HasPrefix(thumb.Header.Get("Cache-Control"), "private") || thumb.Header.Get("ETag") == "" {
		t.Fatalf("thumb: %d %q %v", thumb.StatusCode, thumb.Body, thumb.Header)
	}
	req := httptest.NewRequest(http.MethodGet, p+"/thumb", nil)
	req.Header.Set("If-None-Match", thumb.Header.Get("ETag"))
	if res := c.Do(req); res.StatusCode != http.StatusNotModified || res.Body != "" {
		t.Fatalf("revalidation: %d", res.StatusCode)
	}
	if res := c.Get(p + "/preview"); res.StatusCode != http.StatusOK || res.Body != string(w.preview) {
		t.Fatalf("preview: %d %q", res.StatusCode, res.Body)
	}
	jpeg := readFace(t, "img12.jpg")
	orig := c.Get(p + "/original")
	if orig.StatusCode != http.StatusOK || orig.Body != string(jpeg) || orig.Header.Get("Content-Type") != "image/jpeg" ||
		orig.Header.Get("Content-Disposition") != `attachment; filename=img12.jpg` || orig.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("original: %d %d bytes %v", orig.StatusCode, len(orig.Body), orig.Header)
	}
	for _, r := range []struct {
		header, body string
		status       int
		contentRange string
	}{
		{"bytes=0-99", string(jpeg[:100]), http.StatusPartialContent, "bytes 0-99/" + strconv.Itoa(len(jpeg))},
		{"bytes=100-", string(jpeg[100:]), http.StatusPartialContent, "bytes 100-" + strconv.Itoa(len(jpeg)-1) + "/" + strconv.Itoa(len(jpeg))},
		{"bytes=-10", string(jpeg[len(jpeg)-10:]), http.StatusPartialContent, "bytes " + strconv.Itoa(len(jpeg)-10) + "-" + strconv.Itoa(len(jpeg)-1) + "/" + strconv.Itoa(len(jpeg))},
		{"bytes=999999-", "The range is outside the file.", http.StatusRequestedRangeNotSatisfiable, "bytes */" + strconv.Itoa(len(jpeg))},
		{"bytes=0-1,5-6", string(jpeg), http.StatusOK, ""},
	} {
		req := httptest.NewRequest(http.MethodGet, p+"/original", nil)
		req.Header.Set("Range", r.header)
		res := c.Do(req)
		body := res.Body
		if r.status == http.StatusRequestedRangeNotSatisfiable { // a page that says why
			body = map[bool]string{true: r.body}[strings.Contains(body, r.body)]
		}
		if res.StatusCode != r.status || body != r.body || res.Header.Get("Content-Range") != r.contentRange {
			t.Errorf("range %s: %d %d bytes %q", r.header, res.StatusCode, len(res.Body), res.Header.Get("Content-Range"))
		}
	}
	// A photo still processing has no thumbnail yet.
	res := upload(t, c, w.album, w.folder, "img25.jpg", readFace(t, "img25.jpg"))
	id := uuid.MustParse(regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(res.Body)[1])
	c.Run(t, []apptest.Scenario{
		{Name: "processing", Path: albumPathOf(w.album) + "/photos/" + id.String() + "/thumb", Status: http.StatusNotFound,
			Contains: []string{"This photo is still being processed"}},
		{Name: "unknown photo", Path: albumPathOf(w.album) + "/photos/" + uuid.NewString() + "/thumb", Status: http.StatusNotFound},
		{Name: "not an id", Path: albumPathOf(w.album) + "/photos/nope/thumb", Status: http.StatusNotFound},
	})
}

func TestPhotoPageWithNotes(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, p := w.owner.Client, w.photoPath()
	note := p + "/annotations/" + w.note.String()
	res := c.Get(p)
	for _, want := range []string{
		`<img src="` + p + `/preview" alt="img12.jpg" width="640" height="480">`,
		`class="mark mark-rect" href="#note-` + w.note.String() + `" data-x="25.000" data-y="10.000" data-w="50.000" data-h="30.000" aria-label="Note 1 by Rohan"`,
		"Brighten the faces", "Rohan", "1 open note", "Mark resolved", `action="` + note + `/replies"`,
		"Delete “img12.jpg” from “Sharma wedding” with 1 note on it?",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("photo page lacks %q", want)
		}
	}
	if res.StatusCode != http.StatusOK || regexp.MustCompile(`\sstyle=`).MatchString(res.Body) {
		t.Fatalf("status %d, or an inline style (the CSP forbids them)", res.StatusCode)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "empty reply", Path: note + "/replies", Form: url.Values{"body": {"  "}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Write a reply of at most 2,000 characters."}},
		{Name: "reply", Path: note + "/replies", Form: url.Values{"body": {"Will do, in the final edit."}}, Status: http.StatusSeeOther,
			Location: p + "#note-" + w.note.String()},
		{Name: "resolve", Path: note + "/resolve", Form: url.Values{"resolved": {"1"}}, Status: http.StatusSeeOther},
		{Name: "shown", Path: p, Status: http.StatusOK,
			Contains: []string{"Will do, in the final edit.", "Owner of Lumen Studio", "Resolved", "Open again", "mark mark-rect resolved"}},
	})
	if got := query[string](t, ta, `SELECT a.status || ' ' || r.body FROM annotations a JOIN annotation_replies r ON r.annotation_id = a.id
		WHERE a.id = $1 AND r.user_id IS NOT NULL`, w.note); got != "resolved Will do, in the final edit." {
		t.Fatalf("stored %q", got)
	}
	c.Run(t, []apptest.Scenario{{Name: "reopen", Path: note + "/resolve", Form: url.Values{"resolved": {"0"}}, Status: http.StatusSeeOther}})
	if n := query[int](t, ta, "SELECT count(*) FROM annotations WHERE id = $1 AND status = 'open' AND resolved_at IS NULL", w.note); n != 1 {
		t.Fatal("not open again")
	}
}

func TestPhotoCoverMoveDeleteAndBulk(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, p := w.owner.Client, w.photoPath()
	var more []string
	for _, name := range []string{"img25.jpg", "img51.jpg", "img62.jpg"} {
		res := upload(t, c, w.album, w.folder, name, readFace(t, name))
		more = append(more, regexp.MustCompile(`"id":"([0-9a-f-]{36})"`).FindStringSubmatch(res.Body)[1])
	}
	c.Run(t, []apptest.Scenario{
		{Name: "cover", Path: p + "/cover", Form: url.Values{}, Status: http.StatusSeeOther, Location: p},
		{Name: "move to another album's folder", Path: p + "/move", Form: url.Values{"folder": {uuid.NewString()}}, Status: http.StatusUnprocessableEntity},
		{Name: "move", Path: p + "/move", Form: url.Values{"folder": {w.second.String()}}, Status: http.StatusSeeOther},
		{Name: "album list shows the cover", Path: "/studio/albums", Status: http.StatusOK, Contains: []string{p + "/thumb"}},
		{Name: "nothing ticked", Path: albumPathOf(w.album) + "/photos/bulk", Form: url.Values{"action": {"delete"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"Tick the photos first"}},
		{Name: "bulk move", Path: albumPathOf(w.album) + "/photos/bulk", Form: url.Values{"action": {"move"}, "folder": {w.second.String()}, "photo": more[:2]},
			Status: http.StatusSeeOther, Location: albumPathOf(w.album) + "?folder=" + w.second.String()},
		{Name: "bulk delete", Path: albumPathOf(w.album) + "/photos/bulk", Form: url.Values{"action": {"delete"}, "photo": more[1:]}, Status: http.StatusSeeOther},
		{Name: "flash", Path: albumPathOf(w.album), Status: http.StatusOK, Contains: []string{"2 photos deleted."}},
	})
	if got := query[string](t, ta, "SELECT string_agg(f.name || ':' || p.filename, ',' ORDER BY p.filename) FROM photos p JOIN folders f ON f.id = p.folder_id WHERE p.album_id = $1", w.album); got != "Reception:img12.jpg,Reception:img25.jpg" {
		t.Fatalf("photos now %q", got)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM albums WHERE cover_photo_id = $1", w.photo); n != 1 {
		t.Fatal("cover not set")
	}
	c.Run(t, []apptest.Scenario{
		{Name: "delete", Path: p + "/delete", Form: url.Values{}, Status: http.StatusSeeOther},
		{Name: "gone", Path: p, Status: http.StatusNotFound},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'photo.delete'"); n != 3 {
		t.Fatalf("%d photo.delete entries", n)
	}
}

func TestFoldersAsTabs(t *testing.T) {
	ta := apptest.New(t)
	w := newWorld(t, ta, "Lumen Studio", "mira@example.com")
	c, base := w.owner.Client, albumPathOf(w.album)
	second := base + "/folders/" + w.second.String()
	c.Run(t, []apptest.Scenario{
		{Name: "same name", Path: base + "/folders", Form: url.Values{"name": {"Reception"}}, Status: http.StatusUnprocessableEntity,
			Contains: []string{"This album already has a folder with that name."}},
		{Name: "rename", Path: second, Form: url.Values{"name": {"Sangeet"}}, Status: http.StatusSeeOther, Location: base + "?folder=" + w.second.String()},
		{Name: "hide", Path: second, Form: url.Values{"hidden": {"1"}}, Status: http.StatusSeeOther},
		{Name: "lock", Path: second, Form: url.Values{"download_locked": {"1"}}, Status: http.StatusSeeOther},
		{Name: "said", Path: base, Status: http.StatusOK, Contains: []string{"Downloads of “Sangeet” are locked"}},
		{Name: "move left", Path: second + "/move", Form: url.Values{"direction": {"left"}}, Status: http.StatusSeeOther},
		{Name: "non-empty folder", Path: base + "/folders/" + w.folder.String() + "/delete", Form: url.Values{}, Status: http.StatusConflict,
			Contains: []string{"move or delete its 1 photos first"}},
		{Name: "tabs", Path: base, Status: http.StatusOK,
			Contains: []string{"Hidden from guests", "Downloads locked", "1 folder(s) locked", "1 folder(s) hidden"}},
	})
	got := query[string](t, ta, "SELECT string_agg(name || ':' || position || ':' || hidden || ':' || download_locked, ',' ORDER BY position) FROM folders WHERE album_id = $1", w.album)
	if got != "Sangeet:0:true:true,Photos:1:false:false" {
		t.Fatalf("folders %q", got)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "delete the empty one", Path: second + "/delete", Form: url.Values{}, Status: http.StatusSeeOther},
		{Name: "a folder with photos stays", Path: base + "/folders/" + w.folder.String() + "/delete", Form: url.Values{}, Status: http.StatusConflict},
	})
	if n := query[int](t, ta, "SELECT count(*) FROM folders WHERE album_id = $1", w.album); n != 1 {
		t.Fatalf("%d folders", n)
	}
}
