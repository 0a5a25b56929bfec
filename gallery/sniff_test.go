package gallery_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/proofsheet/proofsheet/gallery"
)

// ftyp builds an ISO media file's first box.
func ftyp(major string, compat ...string) []byte {
	body := major + "\x00\x00\x00\x00" + strings.Join(compat, "")
	size := 8 + len(body)
	return append([]byte{0, 0, 0, byte(size)}, []byte("ftyp"+body+"\x00\x00\x00\x08mdat")...)
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name       string
		head       []byte
		kind, mime string // empty: refused
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF"), gallery.KindImage, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), gallery.KindImage, "image/png"},
		{"webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), gallery.KindImage, "image/webp"},
		{"wav is RIFF too", []byte("RIFF\x10\x00\x00\x00WAVEfmt "), "", ""},
		{"tiff little-endian", []byte("II*\x00\x08\x00\x00\x00"), gallery.KindImage, "image/tiff"},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), gallery.KindImage, "image/tiff"},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00"), gallery.KindImage, "image/tiff"},
		{"canon raw", []byte("II*\x00\x10\x00\x00\x00CR\x02\x00"), "", ""},
		{"heic", ftyp("heic", "mif1", "heic"), gallery.KindImage, "image/heic"},
		{"heic 10-bit", ftyp("heix", "mif1"), gallery.KindImage, "image/heic"},
		{"heif generic", ftyp("mif1", "mif1", "miaf"), gallery.KindImage, "image/heif"},
		{"heic under mif1", ftyp("mif1", "mif1", "heic"), gallery.KindImage, "image/heic"},
		{"avif", ftyp("avif", "mif1", "avif"), "", ""},
		{"avif under mif1", ftyp("mif1", "avif", "mif1"), "", ""},
		{"mp4", ftyp("isom", "isom", "iso2", "avc1", "mp41"), gallery.KindVideo, "video/mp4"},
		{"mp4 v2", ftyp("mp42", "isom"), gallery.KindVideo, "video/mp4"},
		{"quicktime", ftyp("qt  ", "qt  "), gallery.KindVideo, "video/quicktime"},
		{"old quicktime", []byte("\x00\x00\x00\x08wide\x00\x00\x10\x00mdat"), gallery.KindVideo, "video/quicktime"},
		{"m4a audio", ftyp("M4A ", "M4A ", "mp42", "isom"), "", ""},
		{"3gp", ftyp("3gp4", "3gp4"), "", ""},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3"), gallery.KindDocument, "application/pdf"},
		{"pdf after junk", []byte("junk%PDF-1.7\n"), "", ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "", ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "", ""},
		{"text", []byte("Shot list\n"), "", ""},
		{"zip", []byte("PK\x03\x04"), "", ""},
		{"empty", nil, "", ""},
	} {
		m, err := gallery.Sniff(c.head)
		switch {
		case c.kind == "" && !errors.Is(err, gallery.ErrUnsupported):
			t.Errorf("%s: %+v, %v; want refused", c.name, m, err)
		case c.kind == "" && !strings.Contains(err.Error(), "JPEG") && len(c.head) > 0:
			t.Errorf("%s: message %q does not say what is accepted", c.name, err)
		case c.kind != "" && (err != nil || m.Kind != c.kind || m.Type != c.mime):
			t.Errorf("%s: %+v, %v; want %s %s", c.name, m, err, c.kind, c.mime)
		}
	}
}
