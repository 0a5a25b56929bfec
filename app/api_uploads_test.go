package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

const tusType = "application/offset+octet-stream"

// tusRequest is a tus request: Tus-Resumable set, then headers (an empty
// value removes one).
func tusRequest(method, path string, headers map[string]string, body []byte) *http.Request {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Tus-Resumable", "1.0.0")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return req
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func (w *apiWorld) uploadsPath() string {
	return apiPath("albums", w.album, "folders", w.folder, "uploads")
}

var uploadURL = regexp.MustCompile(`^/api/v1/albums/[0-9a-f-]{36}/folders/[0-9a-f-]{36}/uploads/([0-9a-f-]{36})$`)

// startUpload creates an upload of size bytes and returns its URL.
func (w *apiWorld) startUpload(t *testing.T, c *apptest.Client, name string, size int) string {
	t.Helper()
	res := c.Do(tusRequest(http.MethodPost, w.uploadsPath(), map[string]string{
		"Upload-Length": strconv.Itoa(size), "Upload-Metadata": "filename " + b64(name)}, nil))
	if res.StatusCode != http.StatusCreated || !uploadURL.MatchString(res.Header.Get("Location")) {
		t.Fatalf("create upload: %d %q %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	return res.Header.Get("Location")
}

func tusPatch(c *apptest.Client, url string, offset int, body []byte, headers ...string) *apptest.Response {
	h := map[string]string{"Content-Type": tusType, "Upload-Offset": strconv.Itoa(offset)}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return c.Do(tusRequest(http.MethodPatch, url, h, body))
}

// tusOffset asks where an upload stands.
func tusOffset(t *testing.T, c *apptest.Client, url string) int {
	t.Helper()
	res := c.Do(tusRequest(http.MethodHead, url, nil, nil))
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("HEAD %s: %d %v", url, res.StatusCode, res.Header)
	}
	n, err := strconv.Atoi(res.Header.Get("Upload-Offset"))
	if err != nil {
		t.Fatalf("Upload-Offset %q", res.Header.Get("Upload-Offset"))
	}
	return n
}

// cutPatch sends a PATCH over a real connection and closes it half-way
// through the body, like a phone losing its network, then waits for the
// server to have finished with the request.
func cutPatch(t *testing.T, base string, logs *syncBuffer, token, url string, offset int, part []byte) {
	t.Helper()
	handled := func() (n int) {
		for _, l := range logs.lines() {
			if l["msg"] == "request" && l["method"] == "PATCH" && l["path"] == url {
				n++
			}
		}
		return n
	}
	before := handled()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PATCH %s HTTP/1.1\r\nHost: proofsheet.test\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\n"+
		"Content-Type: %s\r\nUpload-Offset: %d\r\nContent-Length: %d\r\n\r\n", url, token, tusType, offset, len(part))
	if _, err := conn.Write(part[:len(part)/2]); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	for range 200 {
		if handled() > before {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("the server did not finish the cut request")
}

// A 3-part upload, interrupted in the middle of the second part, resumes
// from where HEAD says and becomes a photo identical to the file.
func TestTusUploadResumesAfterAnInterruption(t *testing.T) {
	var logs syncBuffer
	w := newAPIWorldOn(t, apptest.NewWithLog(t, &logs))
	base := w.ta.Listen()
	c := w.write
	file := readFace(t, "img13.jpg")
	third := len(file) / 3
	parts := [][]byte{file[:third], file[third : 2*third], file[2*third:]}

	opts := w.anon.Do(httptest.NewRequest(http.MethodOptions, w.uploadsPath(), nil))
	if opts.StatusCode != http.StatusNoContent || opts.Header.Get("Tus-Version") != "1.0.0" ||
		opts.Header.Get("Tus-Extension") != "creation,termination,expiration" || opts.Header.Get("Tus-Max-Size") != strconv.Itoa(gallery.DefaultMaxVideoBytes) {
		t.Fatalf("OPTIONS: %d %v", opts.StatusCode, opts.Header)
	}
	res := c.Do(tusRequest(http.MethodPost, w.uploadsPath(), map[string]string{
		"Upload-Length": strconv.Itoa(len(file)), "Upload-Metadata": "filename " + b64("IMG_7001.jpg") + ",is_confidential"}, nil))
	url := res.Header.Get("Location")
	expires, err := http.ParseTime(res.Header.Get("Upload-Expires"))
	if res.StatusCode != http.StatusCreated || !uploadURL.MatchString(url) || res.Header.Get("Tus-Resumable") != "1.0.0" ||
		err != nil || time.Until(expires) < 23*time.Hour || time.Until(expires) > 25*time.Hour {
		t.Fatalf("create: %d %v %s", res.StatusCode, res.Header, res.Body)
	}
	id := uuid.MustParse(uploadURL.FindStringSubmatch(url)[1])
	if got := tusOffset(t, c, url); got != 0 {
		t.Fatalf("fresh upload at %d", got)
	}

	res = tusPatch(c, url, 0, parts[0])
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(third) || res.Header.Get("Proofsheet-Photo-Id") != "" {
		t.Fatalf("part 1: %d %v %s", res.StatusCode, res.Header, res.Body)
	}
	cutPatch(t, base, &logs, c.Bearer, url, third, parts[1])
	resume := tusOffset(t, c, url)
	if resume != third+len(parts[1])/2 {
		t.Fatalf("after the cut HEAD says %d, want the %d bytes that arrived", resume, third+len(parts[1])/2)
	}
	res = tusPatch(c, url, resume, file[resume:2*third])
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(2*third) {
		t.Fatalf("rest of part 2: %d %s", res.StatusCode, res.Body)
	}
	res = tusPatch(c, url, 2*third, parts[2])
	photo := res.Header.Get("Proofsheet-Photo-Id")
	if res.StatusCode != http.StatusNoContent || res.Header.Get("Upload-Offset") != strconv.Itoa(len(file)) || photo == "" {
		t.Fatalf("last part: %d %v %s", res.StatusCode, res.Header, res.Body)
	}

	// The photo is the file, byte for byte.
	sum := sha256.Sum256(file)
	got := decode[struct {
		Filename, SHA256, Status string
		FolderID                 string `json:"folder_id"`
	}](t, c.Get(apiPath("albums", w.album, "photos", photo)))
	if got.Filename != "IMG_7001.jpg" || got.SHA256 != hex.EncodeToString(sum[:]) || got.Status != "processing" || got.FolderID != w.folder.String() {
		t.Fatalf("photo %+v", got)
	}
	if dl := c.Get(apiPath("albums", w.album, "photos", photo, "original")); !bytes.Equal([]byte(dl.Body), file) {
		t.Fatal("the original is not the file")
	}
	// The upload and its parts are gone.
	c.Run(t, []apptest.Scenario{{Name: "finished upload", Method: http.MethodHead, Path: url,
		Request: map[string]string{"Tus-Resumable": "1.0.0"}, Status: http.StatusNotFound}})
	for n := 1; n <= 4; n++ {
		key := fmt.Sprintf("albums/%s/uploads/%s/part-%06d", w.album, id, n)
		if _, err := w.ta.Gallery.Blobs.Open(context.Background(), w.studio, key); !errors.Is(err, gallery.ErrNotFound) {
			t.Errorf("part %d left: %v", n, err)
		}
	}
	if n := staffCount(t, w.ta, `SELECT count(*) FROM audit_log WHERE kind = 'photo.upload' AND actor = 'token' AND detail->>'photo_id' = $1`, photo); n != 1 {
		t.Fatalf("%d photo.upload entries by the token", n)
	}
	if n := staffCount(t, w.ta, `SELECT count(*) FROM river_job WHERE kind = 'gallery.render' AND args->>'photo_id' = $1`, photo); n != 1 {
		t.Fatal("no render job")
	}
}

func TestTusRefusals(t *testing.T) {
	w := newAPIWorld(t)
	c := w.write
	file := readFace(t, "img10.jpg")
	create := func(name, length, meta string, status int, contains ...string) apptest.Scenario {
		return apptest.Scenario{Name: name, Method: http.MethodPost, Path: w.uploadsPath(), Status: status, Contains: contains,
			Request: map[string]string{"Tus-Resumable": "1.0.0", "Upload-Length": length, "Upload-Metadata": meta},
			Header:  map[string]string{"Tus-Resumable": "1.0.0"}}
	}
	name := "filename " + b64("a.jpg")
	oldTus := create("another tus version", "10", name, http.StatusPreconditionFailed, "tus 1.0.0")
	oldTus.Request["Tus-Resumable"] = "0.2.2"
	oldTus.Header["Tus-Version"] = "1.0.0"
	deferred := create("deferred length", "", name, http.StatusBadRequest, "Deferred lengths")
	deferred.Request["Upload-Defer-Length"] = "1"
	otherFolder := create("a folder of another album", "10", name, http.StatusNotFound)
	otherFolder.Path = apiPath("albums", w.album, "folders", uuid.New(), "uploads")
	c.Run(t, []apptest.Scenario{
		oldTus, deferred, otherFolder,
		create("no length", "", name, http.StatusBadRequest, "Upload-Length"),
		create("negative length", "-5", name, http.StatusBadRequest, "Upload-Length"),
		create("bad metadata", "10", "filename not*base64", http.StatusBadRequest, "Upload-Metadata"),
		create("no file name", "10", "", http.StatusUnprocessableEntity, `"errors":{"filename":`),
		create("larger than any file may be", strconv.Itoa(3<<30), name, http.StatusRequestEntityTooLarge, "at most 2 GB"),
		create("empty file", "0", name, http.StatusUnsupportedMediaType, "empty"),
	})
	if n := staffCount(t, w.ta, "SELECT count(*) FROM uploads"); n != 0 {
		t.Fatalf("%d uploads made by refused requests", n)
	}

	url := w.startUpload(t, c, "IMG_10.jpg", len(file))
	patch := func(name string, offset int, body []byte, status int, contains string, headers ...string) apptest.Scenario {
		h := map[string]string{"Tus-Resumable": "1.0.0", "Content-Type": tusType, "Upload-Offset": strconv.Itoa(offset)}
		for i := 0; i+1 < len(headers); i += 2 {
			h[headers[i]] = headers[i+1]
		}
		return apptest.Scenario{Name: name, Method: http.MethodPatch, Path: url, JSON: string(body), Request: h, Status: status,
			Contains: []string{contains}, Header: map[string]string{"Tus-Resumable": "1.0.0"}}
	}
	c.Run(t, []apptest.Scenario{
		patch("offset ahead of the upload", 100, file[100:200], http.StatusConflict, "at byte 0, not 100"),
		patch("not offset+octet-stream", 0, file[:100], http.StatusUnsupportedMediaType, tusType, "Content-Type", "application/octet-stream"),
		patch("no offset", 0, file[:100], http.StatusBadRequest, "Upload-Offset", "Upload-Offset", "x"),
		patch("more than the declared length", 0, append(append([]byte{}, file...), 'x'), http.StatusRequestEntityTooLarge,
			"declared length of "+strconv.Itoa(len(file))),
		patch("no bytes", 0, nil, http.StatusUnprocessableEntity, "no bytes"),
		patch("no Tus-Resumable", 0, file[:100], http.StatusPreconditionFailed, "Tus-Resumable", "Tus-Resumable", ""),
	})
	if got := tusOffset(t, c, url); got != 0 {
		t.Fatalf("refused requests moved the upload to %d", got)
	}
	// A chunked body has no length to check first: the gallery counts.
	// (app.Test cannot send one, so this goes over a real connection.)
	req, err := http.NewRequest(http.MethodPatch, w.ta.Listen()+url, io.MultiReader(bytes.NewReader(file), strings.NewReader("xyz")))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"Tus-Resumable": "1.0.0", "Content-Type": tusType, "Upload-Offset": "0", "Authorization": "Bearer " + c.Bearer} {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || req.ContentLength != 0 {
		t.Fatalf("chunked, too long: %d %s", res.StatusCode, body)
	}
	if err := w.doc.Check(http.MethodPatch, url, res, body); err != nil {
		t.Fatal(err)
	}
	// Still usable: the whole file in one request.
	if res := tusPatch(c, url, 0, file); res.StatusCode != http.StatusNoContent || res.Header.Get("Proofsheet-Photo-Id") == "" {
		t.Fatalf("whole file: %d %s", res.StatusCode, res.Body)
	}

	// The same file again is a duplicate, refused on completion (not 409,
	// which tus clients retry), and the upload ends.
	again := w.startUpload(t, c, "again.jpg", len(file))
	if res := tusPatch(c, again, 0, file); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "already in the album") {
		t.Fatalf("duplicate: %d %s", res.StatusCode, res.Body)
	}
	// Not a photo: refused by its first bytes, and the upload ends.
	text := w.startUpload(t, c, "notes.jpg", 5000)
	if res := tusPatch(c, text, 0, bytes.Repeat([]byte("not a photo "), 100)); res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("text: %d %s", res.StatusCode, res.Body)
	}
	// Abandoned by the client (termination).
	quit := w.startUpload(t, c, "quit.jpg", len(file))
	if res := tusPatch(c, quit, 0, file[:1000]); res.StatusCode != http.StatusNoContent {
		t.Fatalf("quit part: %d %s", res.StatusCode, res.Body)
	}
	c.Run(t, []apptest.Scenario{
		{Name: "terminate", Method: http.MethodDelete, Path: quit, Request: map[string]string{"Tus-Resumable": "1.0.0"}, Status: http.StatusNoContent,
			Header: map[string]string{"Tus-Resumable": "1.0.0"}},
		{Name: "terminated twice", Method: http.MethodDelete, Path: quit, Request: map[string]string{"Tus-Resumable": "1.0.0"}, Status: http.StatusNotFound},
	})
	for _, u := range []string{again, text, quit} {
		c.Run(t, []apptest.Scenario{{Name: "gone: " + u, Method: http.MethodHead, Path: u,
			Request: map[string]string{"Tus-Resumable": "1.0.0"}, Status: http.StatusNotFound}})
	}
	if n := staffCount(t, w.ta, "SELECT count(*) FROM uploads"); n != 0 {
		t.Fatalf("%d uploads left", n)
	}

	// Another studio's upload, or one asked for under another folder, is
	// not found, and stays where it was.
	mine := w.startUpload(t, c, "mine.jpg", len(file))
	if res := tusPatch(c, mine, 0, file[:500]); res.StatusCode != http.StatusNoContent {
		t.Fatal(res.Body)
	}
	elsewhere := strings.Replace(mine, w.folder.String(), w.second.String(), 1)
	tus := map[string]string{"Tus-Resumable": "1.0.0"}
	for _, s := range []struct {
		c    *apptest.Client
		path string
	}{{w.other, mine}, {c, elsewhere}} {
		s.c.Run(t, []apptest.Scenario{
			{Name: "HEAD " + s.path, Method: http.MethodHead, Path: s.path, Request: tus, Status: http.StatusNotFound},
			patch("PATCH "+s.path, 500, file[500:600], http.StatusNotFound, "Not found"),
			{Name: "DELETE " + s.path, Method: http.MethodDelete, Path: s.path, Request: tus, Status: http.StatusNotFound},
		})
	}
	if got := tusOffset(t, c, mine); got != 500 {
		t.Fatalf("after the other studio's tries: %d", got)
	}
}
