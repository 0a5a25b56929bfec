package gallery

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Media is what a file's first bytes say it is.
type Media struct {
	Type string // MIME type, e.g. image/jpeg
	Kind string // KindImage, KindVideo or KindDocument
}

// Accepted says, in words for the uploader, what Proofsheet takes.
const Accepted = "JPEG, PNG, WebP, HEIC/HEIF, TIFF, MP4, MOV and PDF"

// sniffLen is how many leading bytes Sniff wants (fewer only for a file
// that short).
const sniffLen = 512

// Sniff recognises a file by its content, never its name. Anything else is
// ErrUnsupported with a message naming what is accepted.
func Sniff(head []byte) (Media, error) {
	if m, ok := sniffImage(head); ok {
		return m, nil
	}
	if m, ok := sniffISOBMFF(head); ok {
		return m, nil
	}
	if bytes.HasPrefix(head, []byte("%PDF-")) {
		return Media{Type: "application/pdf", Kind: KindDocument}, nil
	}
	if len(head) == 0 {
		return Media{}, fileError(ErrUnsupported, "The file is empty.")
	}
	return Media{}, fileError(ErrUnsupported, "This kind of file is not accepted. Upload "+Accepted+" files.")
}

func sniffImage(b []byte) (Media, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return Media{Type: "image/jpeg", Kind: KindImage}, true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return Media{Type: "image/png", Kind: KindImage}, true
	case len(b) >= 16 && bytes.HasPrefix(b, []byte("RIFF")) && string(b[8:12]) == "WEBP" &&
		(string(b[12:16]) == "VP8 " || string(b[12:16]) == "VP8L" || string(b[12:16]) == "VP8X"):
		return Media{Type: "image/webp", Kind: KindImage}, true
	case bytes.HasPrefix(b, []byte("II*\x00")) && len(b) >= 10 && string(b[8:10]) == "CR":
		return Media{}, false // Canon CR2 raw: TIFF-shaped, but not a picture libvips renders
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")),
		bytes.HasPrefix(b, []byte("II+\x00")), bytes.HasPrefix(b, []byte("MM\x00+")): // BigTIFF too
		return Media{Type: "image/tiff", Kind: KindImage}, true
	}
	return Media{}, false
}

// ISO base media file brands (the ftyp box). HEIF stills and the MP4 and
// QuickTime videos share the container; the brands tell them apart.
var (
	heifBrands  = map[string]bool{"heic": true, "heix": true, "hevc": true, "hevx": true, "heim": true, "heis": true, "hevm": true, "hevs": true}
	heifGeneric = map[string]bool{"mif1": true, "msf1": true}
	videoBrands = map[string]string{
		"isom": "video/mp4", "iso2": "video/mp4", "iso3": "video/mp4", "iso4": "video/mp4", "iso5": "video/mp4",
		"iso6": "video/mp4", "mp41": "video/mp4", "mp42": "video/mp4", "avc1": "video/mp4", "M4V ": "video/mp4",
		"MSNV": "video/mp4", "XAVC": "video/mp4", "qt  ": "video/quicktime",
	}
	// Old QuickTime files start with one of these boxes and have no ftyp.
	quickTimeBoxes = map[string]bool{"moov": true, "mdat": true, "wide": true, "free": true, "skip": true, "pnot": true}
)

func sniffISOBMFF(b []byte) (Media, bool) {
	if len(b) < 12 {
		return Media{}, false
	}
	box := string(b[4:8])
	if box != "ftyp" {
		if quickTimeBoxes[box] {
			return Media{Type: "video/quicktime", Kind: KindVideo}, true
		}
		return Media{}, false
	}
	size := int(binary.BigEndian.Uint32(b[0:4]))
	if size < 16 || size > len(b) {
		size = min(len(b), 16)
	}
	major := string(b[8:12])
	var compat []string
	for i := 16; i+4 <= size; i += 4 {
		compat = append(compat, string(b[i:i+4]))
	}
	return brandMedia(major, compat)
}

// brandMedia decides by the major brand first, then the compatible ones.
// AVIF (AV1 in HEIF) and audio-only files are not on the accepted list.
func brandMedia(major string, compat []string) (Media, bool) {
	heic := Media{Type: "image/heic", Kind: KindImage}
	heif := Media{Type: "image/heif", Kind: KindImage}
	switch major {
	case "avif", "avis", "M4A ", "M4B ", "M4P ", "F4A ", "F4B ": // AVIF, audio
		return Media{}, false
	}
	if heifBrands[major] {
		return heic, true
	}
	if t, ok := videoBrands[major]; ok {
		return Media{Type: t, Kind: KindVideo}, true
	}
	avif := false
	for _, c := range compat {
		switch {
		case heifBrands[c]:
			return heic, true
		case c == "avif" || c == "avis":
			avif = true
		}
	}
	if heifGeneric[major] && !avif {
		return heif, true
	}
	for _, c := range compat {
		if t, ok := videoBrands[c]; ok && !heifGeneric[major] {
			return Media{Type: t, Kind: KindVideo}, true
		}
	}
	return Media{}, false
}

// Limits bound what an upload may be. Zero fields take the defaults.
type Limits struct {
	MaxImageBytes int64 // images and PDFs; default 200 MB
	MaxVideoBytes int64 // default 2 GB
	MaxPixels     int64 // width × height of an image; default 100 megapixels
}

// Default limits.
const (
	DefaultMaxImageBytes = 200 << 20
	DefaultMaxVideoBytes = 2 << 30
	DefaultMaxPixels     = 100_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxImageBytes <= 0 {
		l.MaxImageBytes = DefaultMaxImageBytes
	}
	if l.MaxVideoBytes <= 0 {
		l.MaxVideoBytes = DefaultMaxVideoBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	return l
}

// maxBytes is the size limit of a kind of media; before the kind is known,
// the largest.
func (l Limits) maxBytes(kind string) int64 {
	switch kind {
	case KindVideo:
		return l.MaxVideoBytes
	case "":
		return max(l.MaxVideoBytes, l.MaxImageBytes)
	default:
		return l.MaxImageBytes
	}
}

func tooBig(kind string, limit int64) error {
	what := "Images and PDFs"
	if kind == KindVideo {
		what = "Videos"
	}
	return fileError(ErrTooLarge, fmt.Sprintf("The file is too large. %s may be at most %s.", what, humanBytes(limit)))
}

func tooManyPixels(w, h int, limit int64) error {
	return fileError(ErrTooLarge, fmt.Sprintf("The image is %d × %d pixels (%d megapixels), more than the limit of %d megapixels.",
		w, h, (int64(w)*int64(h)+500_000)/1_000_000, limit/1_000_000))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	default:
		return fmt.Sprintf("%d KB", max(n>>10, 1))
	}
}

// FileError is a file refused for a reason the uploader should read; it
// matches its kind (ErrUnsupported, ErrTooLarge, ErrDuplicate) with
// errors.Is.
type FileError struct {
	Kind    error
	Message string
}

func (e *FileError) Error() string        { return e.Message }
func (e *FileError) Is(target error) bool { return target == e.Kind }

func fileError(kind error, msg string) error { return &FileError{Kind: kind, Message: msg} }
