package gallery_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/davidbyttow/govips/v2/vips"
	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// memBlobs is a TEMPORARY in-memory blob store, until app/storage (the
// encrypted local and S3 stores) can be wired into the gallery; then these
// tests should run on the real local store. Put keeps what it read before
// a failing reader, like a real store may, so tests see that the gallery
// deletes partial objects.
type memBlobs struct {
	mu   sync.Mutex
	objs map[string][]byte // studio + "/" + key
	puts int
}

func newMemBlobs() *memBlobs { return &memBlobs{objs: map[string][]byte{}} }

func (m *memBlobs) Put(_ context.Context, studio uuid.UUID, key string, r io.Reader) (int64, error) {
	b, err := io.ReadAll(r)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[studio.String()+"/"+key] = b
	m.puts++
	if err != nil {
		return int64(len(b)), fmt.Errorf("memblobs: put %s: %w", key, err)
	}
	return int64(len(b)), nil
}

func (m *memBlobs) Open(_ context.Context, studio uuid.UUID, key string) (gallery.Object, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[studio.String()+"/"+key]
	if !ok {
		return nil, fmt.Errorf("memblobs: %s: %w", key, gallery.ErrNotFound)
	}
	return memObject{bytes.NewReader(b)}, nil
}

func (m *memBlobs) Delete(_ context.Context, studio uuid.UUID, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, studio.String()+"/"+key)
	return nil
}

func (m *memBlobs) DeletePrefix(_ context.Context, studio uuid.UUID, prefix string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.objs {
		if strings.HasPrefix(k, studio.String()+"/"+prefix) {
			delete(m.objs, k)
		}
	}
	return nil
}

// get returns an object's bytes, or nil.
func (m *memBlobs) get(studio uuid.UUID, key string) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.objs[studio.String()+"/"+key]
}

// keys lists the keys under prefix.
func (m *memBlobs) keys(studio uuid.UUID, prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.objs {
		if p := studio.String() + "/" + prefix; strings.HasPrefix(k, p) {
			out = append(out, strings.TrimPrefix(k, studio.String()+"/"))
		}
	}
	return out
}

type memObject struct{ *bytes.Reader }

func (memObject) Close() error { return nil }

// env is a test app, a studio with an album, and a gallery service on an
// in-memory blob store.
type env struct {
	t      *testing.T
	ta     *apptest.TestApp
	g      *gallery.Service
	blobs  *memBlobs
	studio uuid.UUID
	act    gallery.Actor
	album  *gallery.Album
	folder uuid.UUID
	ctx    context.Context
}

func newEnv(t *testing.T, limits ...gallery.Limits) *env {
	t.Helper()
	ta := apptest.New(t)
	u := ta.NewStudio("Lumen")
	e := &env{t: t, ta: ta, blobs: newMemBlobs(), studio: u.StudioID, act: apptest.Actor(u), ctx: context.Background()}
	d := ta.Gallery.Deps
	d.Blobs = e.blobs
	if len(limits) > 0 {
		d.Limits = limits[0]
	}
	e.g = gallery.New(d)
	e.album, e.folder = e.newAlbum("Sharma wedding")
	return e
}

func (e *env) newAlbum(title string) (*gallery.Album, uuid.UUID) {
	e.t.Helper()
	a, err := e.g.CreateAlbum(e.ctx, e.studio, gallery.AlbumInput{Title: &title}, e.act)
	if err != nil {
		e.t.Fatal(err)
	}
	fs, err := e.g.Folders(e.ctx, e.studio, a.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return a, fs[0].ID
}

// upload sends b to the album's first folder and fails the test on error.
func (e *env) upload(name string, b []byte) *gallery.Photo {
	e.t.Helper()
	p, err := e.g.Upload(e.ctx, e.studio, e.album.ID, e.folder, name, bytes.NewReader(b), e.act)
	if err != nil {
		e.t.Fatalf("upload %s: %v", name, err)
	}
	return p
}

// render works the photo's render job the way River would, on its first
// attempt, and returns the photo as stored afterwards.
func (e *env) render(p *gallery.Photo) *gallery.Photo {
	e.t.Helper()
	e.work(p.ID, 1)
	got, err := e.g.Photo(e.ctx, e.studio, p.AlbumID, p.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *env) work(photo uuid.UUID, attempt int) error {
	w := &gallery.RenderWorker{Gallery: e.g}
	job := &river.Job[gallery.RenderArgs]{
		JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: 3, Kind: gallery.RenderArgs{}.Kind()},
		Args:   gallery.RenderArgs{StudioID: e.studio, PhotoID: photo},
	}
	return w.Work(e.ctx, job)
}

// jobs counts queued jobs of kind whose args hold value under field.
func (e *env) jobs(kind, field, value string) int {
	e.t.Helper()
	var n int
	err := e.ta.Superuser().QueryRow(e.ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>$2 = $3`,
		kind, field, value).Scan(&n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// ---- fixtures, made at test time from the face photos ----

func facePath(t testing.TB, name string) string {
	t.Helper()
	return apptest.TestData(t, "faces/deepface/"+name)
}

// loadFace loads a face photo, scaled so its long edge is size.
func loadFace(t testing.TB, name string, size int) *vips.ImageRef {
	t.Helper()
	gallery.StartVips()
	th, err := vips.NewThumbnailWithSizeFromFile(facePath(t, name), size, size, vips.InterestingNone, vips.SizeBoth)
	if err != nil {
		t.Fatal(err)
	}
	defer th.Close()
	// A thumbnail reads its file once, in order: keep the pixels so the
	// picture can be written in several formats.
	p := vips.NewPngExportParams()
	p.Compression = 1
	png, _, err := th.ExportPng(p)
	if err != nil {
		t.Fatal(err)
	}
	img, err := vips.NewImageFromBuffer(png)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(img.Close)
	return img
}

func must[T any](t testing.TB, v T, _ any, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jpegOf encodes img as a JPEG without metadata.
func jpegOf(t testing.TB, img *vips.ImageRef) []byte {
	t.Helper()
	p := vips.NewJpegExportParams()
	p.StripMetadata, p.Quality = true, 90
	b, m, err := img.ExportJpeg(p)
	return must(t, b, m, err)
}

// withApp1 inserts APP1 segments right after a JPEG's SOI marker.
func withApp1(jpeg []byte, payloads ...[]byte) []byte {
	out := append([]byte{}, jpeg[:2]...)
	for _, p := range payloads {
		out = append(out, 0xFF, 0xE1)
		out = binary.BigEndian.AppendUint16(out, uint16(len(p)+2))
		out = append(out, p...)
	}
	return append(out, jpeg[2:]...)
}

// exifBlock is an EXIF APP1 payload with an orientation, a capture time
// and a GPS position (51°30'N, 0°7'W), written by hand so the test knows
// exactly what must not survive.
func exifBlock(orientation uint16, taken string) []byte {
	le := binary.LittleEndian
	tiff := []byte("II*\x00")
	tiff = le.AppendUint32(tiff, 8)
	type entry struct {
		tag, typ uint16
		count    uint32
		value    []byte // inline when 4 bytes or fewer
	}
	ifd := func(at int, es []entry) []byte {
		// at is the IFD's offset; values too long to inline follow it.
		b := le.AppendUint16(nil, uint16(len(es)))
		extra := at + 2 + 12*len(es) + 4
		var data []byte
		for _, e := range es {
			b = le.AppendUint16(b, e.tag)
			b = le.AppendUint16(b, e.typ)
			b = le.AppendUint32(b, e.count)
			if len(e.value) <= 4 {
				v := append(append([]byte{}, e.value...), make([]byte, 4-len(e.value))...)
				b = append(b, v...)
			} else {
				b = le.AppendUint32(b, uint32(extra+len(data)))
				data = append(data, e.value...)
			}
		}
		b = le.AppendUint32(b, 0)
		return append(b, data...)
	}
	short := func(v uint16) []byte { return le.AppendUint16(nil, v) }
	long := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	rationals := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = le.AppendUint32(le.AppendUint32(b, v), 1)
		}
		return b
	}
	// Layout: IFD0 at 8 (3 entries), the Exif IFD, then the GPS IFD.
	ifd0Len := 2 + 12*3 + 4
	exifAt := 8 + ifd0Len
	exif := ifd(exifAt, []entry{{0x9003, 2, 20, append([]byte(taken), 0)}})
	gpsAt := exifAt + len(exif)
	gps := ifd(gpsAt, []entry{
		{0x0001, 2, 2, []byte("N\x00")},
		{0x0002, 5, 3, rationals(51, 30, 0)},
		{0x0003, 2, 2, []byte("W\x00")},
		{0x0004, 5, 3, rationals(0, 7, 0)},
	})
	ifd0 := ifd(8, []entry{
		{0x0112, 3, 1, short(orientation)},
		{0x8769, 4, 1, long(uint32(exifAt))},
		{0x8825, 4, 1, long(uint32(gpsAt))},
	})
	tiff = append(append(append(tiff, ifd0...), exif...), gps...)
	return append([]byte("Exif\x00\x00"), tiff...)
}

const xmpMarker = "proofsheet-secret-xmp"

func xmpBlock() []byte {
	return []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>" +
		"<rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:title>" + xmpMarker + "</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>")
}

// rotatedJPEG is a landscape picture tagged "rotate 90° clockwise to
// show" (orientation 6), with a capture time, GPS and XMP.
func rotatedJPEG(t testing.TB) []byte {
	img := loadFace(t, "img2.jpg", 1200) // 1200 × 900
	return withApp1(jpegOf(t, img), exifBlock(6, "2024:05:01 10:11:12"), xmpBlock())
}

// p3JPEG carries a Display P3 ICC profile.
func p3JPEG(t testing.TB) []byte {
	img := loadFace(t, "img3.jpg", 1000)
	if err := img.TransformICCProfileWithFallback("p3", "srgb"); err != nil {
		t.Fatal(err)
	}
	p := vips.NewJpegExportParams()
	p.Quality = 90
	b, m, err := img.ExportJpeg(p)
	b = must(t, b, m, err)
	if !bytes.Contains(b, []byte("ICC_PROFILE")) {
		t.Fatal("fixture has no ICC profile")
	}
	return b
}

func pngOf(t testing.TB, img *vips.ImageRef) []byte {
	b, m, err := img.ExportPng(vips.NewPngExportParams())
	return must(t, b, m, err)
}

func webpOf(t testing.TB, img *vips.ImageRef) []byte {
	b, m, err := img.ExportWebp(vips.NewWebpExportParams())
	return must(t, b, m, err)
}

func tiffOf(t testing.TB, img *vips.ImageRef) []byte {
	b, m, err := img.ExportTiff(vips.NewTiffExportParams())
	return must(t, b, m, err)
}

func heicOf(t testing.TB, img *vips.ImageRef) []byte {
	p := vips.NewHeifExportParams()
	p.Quality = 60
	b, m, err := img.ExportHeif(p)
	return must(t, b, m, err)
}

// solidJPEG is a picture of one colour.
func solidJPEG(t testing.TB, r, g, b uint8) []byte {
	gallery.StartVips()
	img, err := vips.Black(300, 200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(img.Close)
	if err := img.BandJoinConst([]float64{0, 0}); err != nil {
		t.Fatal(err)
	}
	if err := img.Linear([]float64{1, 1, 1}, []float64{float64(r), float64(g), float64(b)}); err != nil {
		t.Fatal(err)
	}
	if err := img.Cast(vips.BandFormatUchar); err != nil {
		t.Fatal(err)
	}
	srgb, err := img.CopyChangingInterpretation(vips.InterpretationSRGB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srgb.Close)
	return jpegOf(t, srgb)
}

// pdfWith is a one-page PDF showing a JPEG, written by hand (libvips reads
// PDF but does not write it).
func pdfWith(jpeg []byte, w, h int) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string, stream []byte) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offs), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>", w, h), nil)
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>", w, h, len(jpeg)), jpeg)
	content := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im0 Do Q", w, h)
	obj(fmt.Sprintf("<< /Length %d >>", len(content)), []byte(content))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

// bombPNG is a valid PNG header claiming w × h pixels, with a few bytes of
// image data: decoding it would want gigabytes.
func bombPNG(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	// zlib of a few zero bytes: a stored block.
	idat := []byte{0x78, 0x01, 0x01, 0x04, 0x00, 0xfb, 0xff, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", idat)...)
	return append(out, chunk("IEND", nil)...)
}

// videoOf makes a 2-second H.264 video of a face with ffmpeg; format
// "mov" keeps ffmpeg's default of the moov box after the media data (as
// phones write it), "mp4" moves it to the front.
func videoOf(t testing.TB, format string) []byte {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed (scripts/setup installs it)")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "clip."+format)
	args := []string{"-loglevel", "error", "-nostdin", "-y", "-loop", "1", "-i", facePath(t, "img1.jpg"), "-t", "2",
		"-vf", "scale=640:-2,format=yuv420p", "-r", "10", "-c:v", "libx264", "-preset", "ultrafast"}
	if format == "mp4" {
		args = append(args, "-movflags", "+faststart")
	}
	if b, err := exec.Command("ffmpeg", append(args, out)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// topBoxes lists an ISO media file's top-level boxes.
func topBoxes(b []byte) []string {
	var out []string
	for i := 0; i+8 <= len(b); {
		size := int(binary.BigEndian.Uint32(b[i:]))
		out = append(out, string(b[i+4:i+8]))
		if size < 8 {
			break
		}
		i += size
	}
	return out
}

// decode loads a rendition with libvips.
func decode(t testing.TB, b []byte) *vips.ImageRef {
	t.Helper()
	gallery.StartVips()
	img, err := vips.NewImageFromBuffer(b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(img.Close)
	return img
}

func deleteJob(studio uuid.UUID, prefix string) *river.Job[gallery.DeleteBlobsArgs] {
	return &river.Job[gallery.DeleteBlobsArgs]{
		JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 10, Kind: gallery.DeleteBlobsArgs{}.Kind()},
		Args:   gallery.DeleteBlobsArgs{StudioID: studio, Prefix: prefix},
	}
}
