package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

func TestUploadStoresARealJPEG(t *testing.T) {
	ta := apptest.New(t)
	useBlobs(t, ta)
	o := ta.SignUp("Lumen Studio", "mira@example.com")
	studio := studioOf(t, ta, "mira@example.com")
	album := createAlbum(t, o.Client, "Sharma wedding", nil)
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", album)
	jpeg := readFace(t, "img1.jpg") // 2.2 MB: more than the 1 MB body limit of other routes
	if len(jpeg) <= ta.Config.BodyLimit {
		t.Fatalf("the test file should be larger than the body limit")
	}
	res := upload(t, o.Client, album, folder, "img1.jpg", jpeg)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, res.Body)
	}
	var p struct {
		ID        uuid.UUID `json:"id"`
		Filename  string    `json:"filename"`
		MediaType string    `json:"media_type"`
		Kind      string    `json:"kind"`
		Status    string    `json:"status"`
		Size      int64     `json:"size"`
		URL       string    `json:"url"`
		ThumbURL  string    `json:"thumb_url"`
	}
	res.JSON(t, &p)
	want := albumPathOf(album) + "/photos/" + p.ID.String()
	if p.Filename != "img1.jpg" || p.MediaType != "image/jpeg" || p.Kind != "image" || p.Status != "processing" ||
		p.Size != int64(len(jpeg)) || p.URL != want || p.ThumbURL != want+"/thumb" {
		t.Fatalf("answer %+v", p)
	}
	key := query[string](t, ta, "SELECT original_key FROM photos WHERE id = $1 AND folder_id = $2 AND sha256 = $3", p.ID, folder, sha(jpeg))
	if got := readBlob(t, ta, studio, key); !bytes.Equal(got, jpeg) {
		t.Fatalf("stored %d bytes, not the file", len(got))
	}
	if n := query[int](t, ta, "SELECT count(*) FROM audit_log WHERE kind = 'photo.upload' AND actor = 'user' AND detail->>'photo_id' = $1", p.ID.String()); n != 1 {
		t.Fatalf("%d photo.upload entries", n)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM river_job WHERE kind = 'gallery.render' AND args->>'photo_id' = $1", p.ID.String()); n != 1 {
		t.Fatalf("%d render jobs", n)
	}
	o.Client.Run(t, []apptest.Scenario{
		{Name: "the tile shows", Path: albumPathOf(album), Status: http.StatusOK,
			Contains: []string{`data-photo="` + p.ID.String() + `" data-status="processing"`, "img1.jpg", "0 of 1 photo ready."}},
		{Name: "the list counts it", Path: "/studio/albums", Status: http.StatusOK, Contains: []string{"1 photo", "1 processing"}},
	})
}

func sha(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func TestUploadRefusalsAreClear(t *testing.T) {
	ta := apptest.New(t, func(c *app.Config) { c.UploadLimit = 3 << 20 })
	useBlobs(t, ta)
	o := ta.SignUp("Lumen Studio", "mira@example.com")
	album := createAlbum(t, o.Client, "Sharma wedding", nil)
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", album)
	small := readFace(t, "img12.jpg")
	if res := upload(t, o.Client, album, folder, "first.jpg", small); res.StatusCode != http.StatusCreated {
		t.Fatalf("first upload: %d %s", res.StatusCode, res.Body)
	}
	cases := []struct {
		name   string
		file   string
		body   []byte
		status int
		detail string
	}{
		{"duplicate", "again.jpg", small, http.StatusConflict, "This file is already in the album, as “first.jpg”."},
		{"not a photo", "notes.jpg", []byte("Dear Anita, here are the photos.\n"), http.StatusUnsupportedMediaType,
			"This kind of file is not accepted. Upload JPEG, PNG, WebP, HEIC/HEIF, TIFF, MP4, MOV and PDF files."},
		{"empty", "empty.jpg", nil, http.StatusUnsupportedMediaType, "The file is empty."},
		{"decompression bomb", "bomb.png", bombPNG(50000, 50000), http.StatusRequestEntityTooLarge,
			"The image is 50000 × 50000 pixels (2500 megapixels), more than the limit of 100 megapixels."},
		{"over the request limit", "big.jpg", append(append([]byte{}, small...), make([]byte, 3<<20)...), http.StatusRequestEntityTooLarge,
			"The file is too large: this server takes uploads of at most 3 MB."},
	}
	for _, c := range cases {
		res := upload(t, o.Client, album, folder, c.file, c.body)
		if res.StatusCode != c.status || !strings.Contains(res.Header.Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(res.Body, `"detail":"`+c.detail+`"`) {
			t.Errorf("%s: %d %s %s", c.name, res.StatusCode, res.Header.Get("Content-Type"), res.Body)
		}
	}
	// A smaller size limit in the gallery is checked as the bytes arrive.
	ta.Gallery.Limits = gallery.Limits{MaxImageBytes: 1 << 20}
	res := upload(t, o.Client, album, folder, "img1.jpg", readFace(t, "img1.jpg"))
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "The file is too large. Images and PDFs may be at most 1 MB.") {
		t.Errorf("over the gallery's limit: %d %s", res.StatusCode, res.Body)
	}
	if n := query[int](t, ta, "SELECT count(*) FROM photos"); n != 1 {
		t.Fatalf("%d photos, want only the first", n)
	}
}

func TestUploadRequestMistakes(t *testing.T) {
	ta := apptest.New(t)
	useBlobs(t, ta)
	o := ta.SignUp("Lumen Studio", "mira@example.com")
	album := createAlbum(t, o.Client, "Sharma wedding", nil)
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", album)
	path := fmt.Sprintf("/studio/albums/%s/folders/%s/uploads", album, folder)
	send := func(name, ctype string, body []byte, csrf bool, status int, detail string) {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if csrf {
			req.Header.Set("X-CSRF-Token", o.Client.CSRF())
		}
		res := o.Client.Do(req)
		if res.StatusCode != status || !strings.Contains(res.Body, detail) {
			t.Errorf("%s: %d %.300s", name, res.StatusCode, res.Body)
		}
	}
	ctype, body := multipartBody(t, "file", "img12.jpg", readFace(t, "img12.jpg"))
	send("no CSRF header", ctype, body, false, http.StatusForbidden, "This form has expired")
	// The token in a form field is not read: that would read the file too.
	fctype, fbody := formWithToken(t, o.Client.CSRF(), readFace(t, "img12.jpg"))
	send("CSRF only in the form", fctype, fbody, false, http.StatusForbidden, "This form has expired")
	send("not multipart", "image/jpeg", readFace(t, "img12.jpg"), true, http.StatusBadRequest, "Send the file as multipart/form-data")
	nctype, nbody := multipartBody(t, "", "", nil)
	send("no file part", nctype, nbody, true, http.StatusBadRequest, "No file arrived. Choose a file and try again.")
	send("cut off", ctype, body[:len(body)/2], true, http.StatusBadRequest, "The upload was interrupted. Try again.")
	if n := query[int](t, ta, "SELECT count(*) FROM photos"); n != 0 {
		t.Fatalf("%d photos stored from mistakes", n)
	}
}

func formWithToken(t *testing.T, token string, file []byte) (string, []byte) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", token)
	part, _ := w.CreateFormFile("file", "img12.jpg")
	part.Write(file)
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// bombPNG is a valid PNG header claiming w × h pixels.
func bombPNG(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	idat := []byte{0x78, 0x01, 0x01, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", idat)...)
	return append(out, chunk("IEND", nil)...)
}

// countingBlobs stores nothing: it counts and hashes what it is given, so
// a large upload measures the server's memory, not the test store's.
type countingBlobs struct {
	memBlobs
	mu    sync.Mutex
	bytes int64
	sum   []byte
}

func (b *countingBlobs) Put(ctx context.Context, studio uuid.UUID, key string, r io.Reader) (int64, error) {
	if !strings.HasSuffix(key, "/original") {
		return b.memBlobs.Put(ctx, studio, key, r)
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	b.mu.Lock()
	b.bytes, b.sum = n, h.Sum(nil)
	b.mu.Unlock()
	return n, err
}

// TestUploadStreamsWithoutBuffering sends a 96 MB file over a real
// connection and samples the heap meanwhile: the server must hold a few
// hundred KB of it at a time, not the file. Fiber's app.Test cannot show
// this (it buffers the whole request itself).
func TestUploadStreamsWithoutBuffering(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 96 MB")
	}
	ta := apptest.New(t)
	store := &countingBlobs{memBlobs: memBlobs{objs: map[string][]byte{}}}
	ta.Gallery.Blobs = store
	o := ta.SignUp("Lumen Studio", "mira@example.com")
	album := createAlbum(t, o.Client, "Big files", nil)
	folder := query[uuid.UUID](t, ta, "SELECT id FROM folders WHERE album_id = $1", album)
	base := ta.Listen()

	const size = 96 << 20
	head := readFace(t, "img12.jpg") // a real JPEG, then filler: sniffed and checked like any photo
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	want := sha256.New()
	go func() {
		part, _ := mw.CreateFormFile("file", "big.jpg")
		w := io.MultiWriter(part, want)
		w.Write(head)
		chunk := bytes.Repeat([]byte{0x5a}, 64<<10)
		for n := len(head); n < size; n += len(chunk) {
			w.Write(chunk[:min(len(chunk), size-n)])
		}
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/studio/albums/%s/folders/%s/uploads", base, album, folder), pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", o.Client.Cookie("__Host-csrf"))
	req.Header.Set("Cookie", "__Host-proofsheet="+o.Client.Cookie("__Host-proofsheet")+"; __Host-csrf="+o.Client.Cookie("__Host-csrf"))

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > peak.Load() {
					peak.Store(m.HeapAlloc)
				}
			}
		}
	}()
	res, err := http.DefaultClient.Do(req)
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.bytes != size || !bytes.Equal(store.sum, want.Sum(nil)) {
		t.Fatalf("stored %d bytes, want %d, and the same content", store.bytes, size)
	}
	grew := int64(peak.Load()) - int64(before.HeapAlloc)
	t.Logf("96 MB upload: heap grew by at most %.1f MB", float64(grew)/(1<<20))
	if grew > 32<<20 {
		t.Fatalf("the heap grew by %d MB during a 96 MB upload: the body is buffered", grew>>20)
	}
}

// Other routes keep the body limit, chunked bodies included. A body with
// a length over the limit is refused before it is read, so the test sends
// only its start: writing all of it after the early answer could meet a
// closed connection.
func TestBodyLimitOutsideUploads(t *testing.T) {
	ta := apptest.New(t)
	base := ta.Listen()
	check := func(name string, res *http.Response) {
		t.Helper()
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(got), "The request body is too large.") {
			t.Errorf("%s: %d %.300s", name, res.StatusCode, got)
		}
	}

	res := oversizedPost(t, base, "/login", ta.Config.BodyLimit+10, "Content-Type: application/x-www-form-urlencoded")
	check("with a length", res)

	body := io.MultiReader(strings.NewReader("email=a%40b.c&password=" + strings.Repeat("x", ta.Config.BodyLimit+10)))
	req, _ := http.NewRequest(http.MethodPost, base+"/login", body) // no length: sent chunked
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	check("chunked", res)
}

// oversizedPost announces a body of length bytes but sends only the first
// 64 KiB (the server reads ahead before it answers) and reads the answer.
// Sending it all would race the server's close: a refused body ends in a
// reset connection while the client still writes.
func oversizedPost(t *testing.T, base, path string, length int, headers ...string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", path, length)
	for _, h := range headers {
		fmt.Fprintf(conn, "%s\r\n", h)
	}
	fmt.Fprint(conn, "\r\n")
	conn.Write(bytes.Repeat([]byte("x"), 64<<10))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
