package gallery_test

import (
	"bytes"
	"crypto/sha256"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"

	"github.com/proofsheet/proofsheet/gallery"
)

var hexColour = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// renditions fetches a rendered photo's thumbnail and preview.
func (e *env) renditions(p *gallery.Photo) (thumb, preview []byte) {
	e.t.Helper()
	if p.Status != gallery.PhotoReady {
		e.t.Fatalf("%s: status %s (%s)", p.Filename, p.Status, p.Failure)
	}
	thumb, preview = e.blobs.get(e.studio, p.ThumbKey), e.blobs.get(e.studio, p.PreviewKey)
	if thumb == nil || preview == nil {
		e.t.Fatalf("%s: renditions missing (%q, %q)", p.Filename, p.ThumbKey, p.PreviewKey)
	}
	return thumb, preview
}

// checkClean asserts a rendition is a JPEG with no metadata at all.
func checkClean(t *testing.T, name string, b []byte) {
	t.Helper()
	// Metadata lives in the segments before the scan: APP1 (EXIF with
	// GPS, XMP), APP2 (ICC), APP13 (IPTC, Photoshop), COM. Only the
	// JFIF APP0 and the coding segments may be there.
	segs, ok := jpegSegments(b)
	if !ok {
		t.Errorf("%s: not a JPEG", name)
	}
	for _, s := range segs {
		if s.marker >= 0xE1 && s.marker <= 0xEF || s.marker == 0xFE || s.marker == 0xE0 && !bytes.HasPrefix(s.data, []byte("JFIF\x00")) {
			t.Errorf("%s: metadata segment %#x %q", name, s.marker, s.data[:min(len(s.data), 12)])
		}
		for _, m := range []string{"Exif", "GPS", "http://ns.adobe.com/xap", xmpMarker, "ICC_PROFILE", "Photoshop", "Canon"} {
			if bytes.Contains(s.data, []byte(m)) {
				t.Errorf("%s: has %q", name, m)
			}
		}
	}
	img := decode(t, b)
	if img.HasExif() || img.HasICCProfile() || img.HasIPTC() {
		t.Errorf("%s: metadata left: exif %v icc %v iptc %v", name, img.HasExif(), img.HasICCProfile(), img.HasIPTC())
	}
	for _, f := range img.ImageFields() {
		if strings.HasPrefix(f, "exif-") || f == "xmp-data" || f == "icc-profile-data" || f == "orientation" && img.GetInt(f) != 1 {
			t.Errorf("%s: field %s", name, f)
		}
	}
}

type segment struct {
	marker byte
	data   []byte
}

// jpegSegments lists a JPEG's marker segments up to the start of the scan.
func jpegSegments(b []byte) ([]segment, bool) {
	if !bytes.HasPrefix(b, []byte{0xFF, 0xD8}) {
		return nil, false
	}
	var out []segment
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		m, n := b[i+1], int(b[i+2])<<8|int(b[i+3])
		if i+2+n > len(b) {
			return out, false
		}
		out = append(out, segment{m, b[i+4 : i+2+n]})
		if m == 0xDA { // start of scan: entropy-coded data follows
			return out, true
		}
		i += 2 + n
	}
	return out, false
}

func longEdge(img *vips.ImageRef) int { return max(img.Width(), img.Height()) }

func TestRenditionsAreOrientedSizedAndClean(t *testing.T) {
	e := newEnv(t)
	orig := rotatedJPEG(t) // 1200 × 900 pixels, orientation 6, GPS, XMP
	fields := strings.Join(decode(t, orig).ImageFields(), " ")
	if !strings.Contains(fields, "exif-ifd3-GPSLatitude") || !strings.Contains(fields, "xmp-data") {
		t.Fatalf("the fixture should carry GPS and XMP: %s", fields)
	}
	p := e.render(e.upload("rotated.jpg", orig))

	if p.Width != 900 || p.Height != 1200 {
		t.Fatalf("size %d × %d, want 900 × 1200 (orientation applied)", p.Width, p.Height)
	}
	want := time.Date(2024, 5, 1, 10, 11, 12, 0, time.UTC)
	if p.TakenAt == nil || !p.TakenAt.Equal(want) {
		t.Fatalf("taken at %v, want %v", p.TakenAt, want)
	}
	if !hexColour.MatchString(p.Placeholder) || p.Placeholder == "#000000" {
		t.Fatalf("placeholder %q", p.Placeholder)
	}
	thumb, preview := e.renditions(p)
	ti, pi := decode(t, thumb), decode(t, preview)
	if ti.Width() >= ti.Height() || longEdge(ti) != gallery.ThumbSize {
		t.Errorf("thumb %d × %d", ti.Width(), ti.Height())
	}
	if pi.Width() != 900 || pi.Height() != 1200 { // smaller than 2048: not enlarged
		t.Errorf("preview %d × %d", pi.Width(), pi.Height())
	}
	checkClean(t, "thumb", thumb)
	checkClean(t, "preview", preview)

	// The original is never modified.
	stored := e.blobs.get(e.studio, p.OriginalKey)
	if sha256.Sum256(stored) != sha256.Sum256(orig) || !bytes.Equal(p.SHA256, sha256Of(orig)) {
		t.Fatal("the original changed")
	}
	if progress, _ := e.g.AlbumProgress(e.ctx, e.studio, e.album.ID); progress != (gallery.Progress{Total: 1, Ready: 1}) {
		t.Fatalf("progress %+v", progress)
	}
}

func sha256Of(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func TestPreviewOfALargePhotoIs2048(t *testing.T) {
	e := newEnv(t)
	big := loadFace(t, "couple.jpg", 3000) // 3000 × 2090, with the camera's EXIF kept
	if err := big.RemoveMetadata(); err != nil {
		t.Fatal(err)
	}
	p := e.render(e.upload("couple.jpg", jpegOf(t, big)))
	thumb, preview := e.renditions(p)
	if ti, pi := decode(t, thumb), decode(t, preview); longEdge(ti) != gallery.ThumbSize || longEdge(pi) != gallery.PreviewSize || pi.Width() <= pi.Height() {
		t.Fatalf("thumb %d × %d, preview %d × %d", ti.Width(), ti.Height(), pi.Width(), pi.Height())
	}
	if p.Width != 3000 || p.Height != big.Height() {
		t.Fatalf("size %d × %d", p.Width, p.Height)
	}
}

func TestCameraEXIFAndICCAreStrippedAndColourKept(t *testing.T) {
	e := newEnv(t)
	camera, err := os.ReadFile(facePath(t, "img1.jpg")) // Canon EXIF and Photoshop blocks
	if err != nil {
		t.Fatal(err)
	}
	p := e.render(e.upload("img1.jpg", camera))
	// DateTimeOriginal 2019:07:20 17:45:22, OffsetTimeOriginal -07:00.
	if want := time.Date(2019, 7, 21, 0, 45, 22, 0, time.UTC); p.TakenAt == nil || !p.TakenAt.Equal(want) {
		t.Fatalf("taken at %v, want %v", p.TakenAt, want)
	}
	thumb, preview := e.renditions(p)
	checkClean(t, "camera thumb", thumb)
	checkClean(t, "camera preview", preview)

	// A Display P3 photo is converted to sRGB before its profile is
	// dropped: its colours stay close to the sRGB original's.
	srgb := e.render(e.upload("srgb.jpg", jpegOf(t, loadFace(t, "img3.jpg", 1000))))
	p3 := e.render(e.upload("p3.jpg", p3JPEG(t)))
	_, p3Preview := e.renditions(p3)
	checkClean(t, "p3 preview", p3Preview)
	if d := colourDistance(srgb.Placeholder, p3.Placeholder); d > 6 {
		t.Fatalf("placeholders %s (sRGB) and %s (P3) differ by %.1f", srgb.Placeholder, p3.Placeholder, d)
	}
}

func TestPlaceholderIsTheAverageColour(t *testing.T) {
	e := newEnv(t)
	p := e.render(e.upload("red.jpg", solidJPEG(t, 200, 30, 40)))
	if d := colourDistance(p.Placeholder, "#c81e28"); d > 4 {
		t.Fatalf("placeholder %s, want about #c81e28", p.Placeholder)
	}
}

func colourDistance(a, b string) float64 {
	var x, y [3]int
	parse := func(s string, c *[3]int) {
		for i := range c {
			v := 0
			for _, ch := range s[1+2*i : 3+2*i] {
				v = v*16 + strings.IndexRune("0123456789abcdef", ch)
			}
			c[i] = v
		}
	}
	parse(a, &x)
	parse(b, &y)
	var sum float64
	for i := range x {
		sum += float64((x[i] - y[i]) * (x[i] - y[i]))
	}
	return math.Sqrt(sum)
}

func TestEveryAcceptedKindRenders(t *testing.T) {
	e := newEnv(t)
	face := loadFace(t, "img2.jpg", 800) // 800 × 600
	mov := videoOf(t, "mov")
	if boxes := strings.Join(topBoxes(mov), ","); !strings.HasSuffix(boxes, "mdat,moov") {
		t.Fatalf("the MOV fixture should have its moov box last: %s", boxes)
	}
	for _, c := range []struct {
		name string
		b    []byte
		w, h int
	}{
		{"a.png", pngOf(t, face), 800, 600},
		{"a.webp", webpOf(t, face), 800, 600},
		{"a.tif", tiffOf(t, face), 800, 600},
		{"a.heic", heicOf(t, face), 800, 600},
		{"a.pdf", pdfWith(jpegOf(t, face), 400, 300), 400, 300}, // the page, in points
		{"clip.mov", mov, 640, 866},
		{"clip.mp4", videoOf(t, "mp4"), 640, 866},
	} {
		p := e.render(e.upload(c.name, c.b))
		if p.Status != gallery.PhotoReady {
			t.Errorf("%s: %s: %s", c.name, p.Status, p.Failure)
			continue
		}
		thumb, preview := e.renditions(p)
		checkClean(t, c.name+" thumb", thumb)
		checkClean(t, c.name+" preview", preview)
		ti := decode(t, thumb)
		if p.Width != c.w || p.Height != c.h || longEdge(ti) != gallery.ThumbSize && longEdge(ti) != max(c.w, c.h) {
			t.Errorf("%s: photo %d × %d, thumb %d × %d; want %d × %d", c.name, p.Width, p.Height, ti.Width(), ti.Height(), c.w, c.h)
		}
		if !hexColour.MatchString(p.Placeholder) {
			t.Errorf("%s: placeholder %q", c.name, p.Placeholder)
		}
		if !bytes.Equal(e.blobs.get(e.studio, p.OriginalKey), c.b) {
			t.Errorf("%s: original changed", c.name)
		}
	}
	// A PDF page renders at the preview size, not at its 72 dpi size.
	ps, _ := e.g.Photos(e.ctx, e.studio, e.album.ID, e.folder)
	for _, p := range ps {
		if p.Kind == gallery.KindDocument {
			if _, preview := e.renditions(&p); longEdge(decode(t, preview)) != gallery.PreviewSize {
				t.Errorf("PDF preview long edge %d", longEdge(decode(t, preview)))
			}
		}
	}
}

func TestABadFileFailsAloneWithAMessage(t *testing.T) {
	e := newEnv(t)
	good := jpegOf(t, loadFace(t, "img2.jpg", 800))
	truncated := good[:len(good)*6/10]
	a := e.upload("a.jpg", good)
	bad := e.upload("broken.jpg", truncated) // looks like a JPEG; the header is intact
	b := e.upload("b.png", pngOf(t, loadFace(t, "img2.jpg", 700)))

	// The bad file's job is worked first: it must not stop the others.
	if err := e.work(bad.ID, 1); err != nil {
		t.Fatalf("a bad file must not make River retry: %v", err)
	}
	for _, p := range []*gallery.Photo{a, b} {
		if got := e.render(p); got.Status != gallery.PhotoReady {
			t.Fatalf("%s: %s %s", got.Filename, got.Status, got.Failure)
		}
	}
	got, _ := e.g.Photo(e.ctx, e.studio, e.album.ID, bad.ID)
	if got.Status != gallery.PhotoFailed || !strings.Contains(got.Failure, "damaged or incomplete") || strings.Contains(got.Failure, "goroutine") {
		t.Fatalf("bad file: %s %q", got.Status, got.Failure)
	}
	if got.ThumbKey != "" || len(e.blobs.keys(e.studio, "albums/"+e.album.ID.String()+"/"+bad.ID.String()+"/")) != 1 {
		t.Fatal("a failed photo has renditions")
	}
	if progress, _ := e.g.AlbumProgress(e.ctx, e.studio, e.album.ID); progress != (gallery.Progress{Total: 3, Ready: 2, Failed: 1}) {
		t.Fatalf("progress %+v", progress)
	}
	if !bytes.Equal(e.blobs.get(e.studio, bad.OriginalKey), truncated) {
		t.Fatal("the bad original changed")
	}

	// A video cut before its moov box: ffmpeg's complaint, without the
	// loopback URL it read from.
	mov := videoOf(t, "mov")
	cut := e.render(e.upload("cut.mov", mov[:len(mov)/2]))
	if cut.Status != gallery.PhotoFailed || !strings.Contains(cut.Failure, "video could not be read") ||
		strings.Contains(cut.Failure, "127.0.0.1") {
		t.Fatalf("cut video: %s %q", cut.Status, cut.Failure)
	}
	t.Logf("cut video: %s", cut.Failure)
}

func TestStoreFailuresAreRetriedThenMarkedFailed(t *testing.T) {
	e := newEnv(t)
	p := e.upload("a.jpg", jpegOf(t, loadFace(t, "img10.jpg", 300)))
	e.blobs.Delete(e.ctx, e.studio, p.OriginalKey) // the store lost it (or is down)
	if err := e.work(p.ID, 1); err == nil {
		t.Fatal("a store failure should be retried")
	}
	if got, _ := e.g.Photo(e.ctx, e.studio, e.album.ID, p.ID); got.Status != gallery.PhotoProcessing {
		t.Fatalf("after attempt 1: %s", got.Status)
	}
	if err := e.work(p.ID, 3); err == nil {
		t.Fatal("the last attempt still reports the error to River")
	}
	if got, _ := e.g.Photo(e.ctx, e.studio, e.album.ID, p.ID); got.Status != gallery.PhotoFailed || !strings.Contains(got.Failure, "3 times") {
		t.Fatalf("after the last attempt: %s %q", got.Status, got.Failure)
	}
}

func TestTheRenderJobChecksPixelsBeforeDecoding(t *testing.T) {
	// A TIFF keeps its header at the end, out of reach of the upload's
	// check; the job reads the whole header and refuses before decoding.
	e := newEnv(t, gallery.Limits{MaxPixels: 200_000})
	p := e.render(e.upload("wide.tif", tiffOf(t, loadFace(t, "img2.jpg", 800)))) // 480,000 pixels
	if p.Status != gallery.PhotoFailed || !strings.Contains(p.Failure, "800 × 600 pixels") {
		t.Fatalf("%s %q", p.Status, p.Failure)
	}
}

func TestWatermarkIsOnlyOnTheGuestPreview(t *testing.T) {
	e := newEnv(t)
	photo := e.render(e.upload("a.jpg", jpegOf(t, loadFace(t, "img2.jpg", 1600))))
	_, clean := e.renditions(photo)
	if photo.GuestPreviewKey(e.album) != photo.PreviewKey {
		t.Fatal("without a watermark guests get the preview")
	}

	wm := &gallery.Watermark{Kind: "text", Text: "© Lumen <Studio> & Co", Position: "bottom-right", Opacity: 0.6}
	album, err := e.g.UpdateAlbum(e.ctx, e.studio, e.album.ID, gallery.AlbumInput{Watermark: wm}, e.act)
	if err != nil {
		t.Fatal(err)
	}
	// Changing the watermark queues the re-rendering in the same transaction.
	if n := e.jobs("gallery.render", "photo_id", photo.ID.String()); n != 2 {
		t.Fatalf("render jobs after the watermark changed: %d", n)
	}
	if got, _ := e.g.Photo(e.ctx, e.studio, e.album.ID, photo.ID); got.Status != gallery.PhotoProcessing {
		t.Fatalf("while re-rendering: %s", got.Status)
	}
	photo = e.render(photo)
	_, preview := e.renditions(photo)
	key := photo.GuestPreviewKey(album)
	marked := e.blobs.get(e.studio, key)
	if key == photo.PreviewKey || marked == nil {
		t.Fatalf("guest preview %q", key)
	}
	checkClean(t, "watermarked", marked)

	// The photographer's preview is the same as before; the guest's differs
	// in the bottom-right corner only.
	if d := meanDiff(t, clean, preview, 0, 0, 1, 1); d > 0.5 {
		t.Fatalf("the photographer's preview changed by %.2f", d)
	}
	if d := meanDiff(t, preview, marked, 0.5, 0.85, 1, 1); d < 2 {
		t.Fatalf("bottom-right corner differs by %.2f: no watermark", d)
	}
	if d := meanDiff(t, preview, marked, 0, 0, 0.5, 0.5); d > 0.5 {
		t.Fatalf("top-left quarter differs by %.2f", d)
	}

	// Tiled, the mark covers the whole picture.
	wm.Position = "tile"
	if _, err := e.g.UpdateAlbum(e.ctx, e.studio, e.album.ID, gallery.AlbumInput{Watermark: wm}, e.act); err != nil {
		t.Fatal(err)
	}
	photo = e.render(photo)
	marked = e.blobs.get(e.studio, key)
	for _, q := range [][4]float64{{0, 0, .5, .5}, {.5, 0, 1, .5}, {0, .5, .5, 1}, {.5, .5, 1, 1}} {
		if d := meanDiff(t, preview, marked, q[0], q[1], q[2], q[3]); d < 2 {
			t.Fatalf("tiled: quarter %v differs by %.2f", q, d)
		}
	}

	// Without the watermark again, the marked preview is deleted.
	album, _ = e.g.UpdateAlbum(e.ctx, e.studio, e.album.ID, gallery.AlbumInput{ClearWatermark: true}, e.act)
	photo = e.render(photo)
	if e.blobs.get(e.studio, key) != nil || photo.GuestPreviewKey(album) != photo.PreviewKey {
		t.Fatal("the watermarked preview outlived the watermark")
	}
}

// meanDiff is the mean absolute difference of two same-sized JPEGs over a
// region given in fractions of the size.
func meanDiff(t *testing.T, a, b []byte, x0, y0, x1, y1 float64) float64 {
	t.Helper()
	ia, ib := decode(t, a), decode(t, b)
	if ia.Width() != ib.Width() || ia.Height() != ib.Height() {
		t.Fatalf("sizes %d × %d and %d × %d", ia.Width(), ia.Height(), ib.Width(), ib.Height())
	}
	pa, err := ia.ToBytes()
	if err != nil {
		t.Fatal(err)
	}
	pb, err := ib.ToBytes()
	if err != nil {
		t.Fatal(err)
	}
	w, h, bands := ia.Width(), ia.Height(), ia.Bands()
	var sum, n float64
	for y := int(y0 * float64(h)); y < int(y1*float64(h)); y++ {
		for x := int(x0 * float64(w)); x < int(x1*float64(w)); x++ {
			for c := 0; c < bands; c++ {
				i := (y*w+x)*bands + c
				sum += math.Abs(float64(pa[i]) - float64(pb[i]))
				n++
			}
		}
	}
	return sum / n
}
