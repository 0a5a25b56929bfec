package gallery

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
)

// Rendition sizes: the long edge in pixels. Smaller originals are not
// enlarged.
const (
	ThumbSize   = 480
	PreviewSize = 2048

	thumbQuality   = 80
	previewQuality = 85
)

var vipsOnce sync.Once

// StartVips starts libvips for the process: as many threads as cores (the
// govips default is one) and no operation cache, since every file is
// processed once; libvips' own log is dropped, failures come back as
// errors. The gallery calls it before any image work; whatever else in the
// process uses govips must call it first, or govips starts itself with
// its defaults.
func StartVips() { startVips() }

func startVips() {
	vipsOnce.Do(func() {
		vips.LoggingSettings(func(string, vips.LogLevel, string) {}, vips.LogLevelError)
		vips.Startup(&vips.Config{ConcurrencyLevel: 0, MaxCacheFiles: 0, MaxCacheMem: 0, MaxCacheSize: 0})
	})
}

// badFile is a file that cannot be rendered however often it is tried; its
// message is for the photographer.
type badFile struct{ msg string }

func (e *badFile) Error() string { return e.msg }

// unreadable wraps a libvips error as a badFile. govips appends a Go stack
// to its errors; only libvips' first line is worth showing.
func unreadable(err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return &badFile{msg: fe.Message}
	}
	detail := strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0])
	if len(detail) > 200 {
		detail = detail[:200]
	}
	msg := "The file is damaged or incomplete and could not be read."
	if detail != "" {
		msg = fmt.Sprintf("The file is damaged or incomplete and could not be read (%s).", detail)
	}
	return &badFile{msg: msg}
}

// imageHeader is what a header-only load tells, before any pixel is
// decoded.
type imageHeader struct {
	Width, Height int // as displayed: EXIF orientation applied
	TakenAt       *time.Time
}

// readHeader loads only the header of an image with libvips; libvips is
// lazy, so no pixel is decoded here. buf may be the start of a file: then
// the header may be out of reach and readHeader fails.
func readHeader(buf []byte) (imageHeader, error) {
	startVips()
	img, err := vips.LoadImageFromBuffer(govipsHEIF(buf), vips.NewImportParams())
	if err != nil {
		return imageHeader{}, err
	}
	defer img.Close()
	h := imageHeader{Width: img.Width(), Height: img.Height(), TakenAt: exifTime(img)}
	if img.Pages() > 1 && img.PageHeight() > 0 {
		h.Height = img.PageHeight() // a multi-page TIFF or PDF: the first page
	}
	if o := img.Orientation(); o >= 5 && o <= 8 {
		h.Width, h.Height = h.Height, h.Width
	}
	return h, nil
}

// checkPixels refuses an image whose header claims more pixels than the
// limit: a decompression bomb is refused before it is decoded.
func checkPixels(h imageHeader, limit int64) error {
	if int64(h.Width)*int64(h.Height) > limit {
		return tooManyPixels(h.Width, h.Height, limit)
	}
	return nil
}

// govipsHEIF lets govips load the header of a HEIF file whose major brand
// its own type check does not list (heix, hevc, ...): libheif reads the
// brand list, not the major brand, so a copy with "mif1" loads the same.
func govipsHEIF(buf []byte) []byte {
	if len(buf) < 12 || string(buf[4:8]) != "ftyp" || vips.DetermineImageType(buf) != vips.ImageTypeUnknown {
		return buf
	}
	if m, ok := sniffISOBMFF(buf); !ok || m.Kind != KindImage {
		return buf
	}
	c := make([]byte, len(buf))
	copy(c, buf)
	copy(c[8:12], "mif1")
	return c
}

// exifTime is when the photo was taken, from EXIF, in its recorded offset
// or else UTC (EXIF without an offset does not say which zone).
func exifTime(img *vips.ImageRef) *time.Time {
	fields := map[string]bool{}
	for _, f := range img.ImageFields() {
		fields[f] = true
	}
	for _, f := range []string{"exif-ifd2-DateTimeOriginal", "exif-ifd2-DateTimeDigitized", "exif-ifd0-DateTime"} {
		if !fields[f] {
			continue
		}
		// libvips gives "2024:05:01 10:11:12 (2024:05:01 10:11:12, ASCII, 20 components, 20 bytes)".
		v := img.GetString(f)
		if len(v) < 19 {
			continue
		}
		loc := time.UTC
		if off := "exif-ifd2-OffsetTimeOriginal"; fields[off] {
			loc = exifOffset(img.GetString(off))
		}
		t, err := time.ParseInLocation("2006:01:02 15:04:05", v[:19], loc)
		if err == nil && t.Year() > 1900 {
			return &t
		}
	}
	return nil
}

// exifOffset reads an EXIF offset such as "+05:30 (+05:30, ASCII, ...)";
// UTC when it cannot.
func exifOffset(v string) *time.Location {
	if len(v) >= 6 {
		if t, err := time.Parse("-07:00", v[:6]); err == nil {
			return t.Location()
		}
	}
	return time.UTC
}

// rendered is what rendering one file makes.
type rendered struct {
	Width, Height int
	TakenAt       *time.Time
	Placeholder   string // #rrggbb
	Thumb         []byte // JPEG, ThumbSize long edge
	Preview       []byte // JPEG, PreviewSize long edge
	GuestPreview  []byte // Preview with the watermark; nil without one
}

// renderImage makes the renditions of an image, a PDF's first page or a
// video's poster frame. Every rendition is sRGB, oriented, and has no
// metadata at all (EXIF, GPS, XMP, IPTC and ICC are stripped).
func renderImage(buf []byte, maxPixels int64, wm *Watermark) (*rendered, error) {
	startVips()
	h, err := readHeader(buf)
	if err != nil {
		return nil, unreadable(err)
	}
	if vips.DetermineImageType(buf) != vips.ImageTypePDF { // a PDF page is rendered at the size asked
		if err := checkPixels(h, maxPixels); err != nil {
			return nil, unreadable(err)
		}
	}
	out := &rendered{Width: h.Width, Height: h.Height, TakenAt: h.TakenAt}
	if out.Preview, err = shrinkJPEG(buf, PreviewSize, previewQuality); err != nil {
		return nil, unreadable(err)
	}
	// The smaller renditions start from the preview: decoding a 2048 px
	// JPEG again costs a few milliseconds, the original far more.
	if out.Thumb, err = shrinkJPEG(out.Preview, ThumbSize, thumbQuality); err != nil {
		return nil, err
	}
	if out.Placeholder, err = averageColour(out.Thumb); err != nil {
		return nil, err
	}
	if wm != nil {
		if out.GuestPreview, err = watermarked(out.Preview, wm); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// shrinkJPEG makes a rendition of at most size pixels on the long edge,
// shrinking on load (JPEG DCT scaling, HEIF thumbnails) and applying EXIF
// orientation; a PDF page is rendered at that size. fail=TRUE turns a
// truncated or corrupt file into an error rather than a grey-bottomed
// picture.
func shrinkJPEG(buf []byte, size, quality int) ([]byte, error) {
	fit := vips.SizeDown // never enlarge a small photo
	if vips.DetermineImageType(buf) == vips.ImageTypePDF {
		fit = vips.SizeBoth // a page is vector: render it at the size, not at 72 dpi
	}
	img, err := vips.LoadThumbnailFromBuffer(buf, size, size, vips.InterestingNone, fit, vips.NewImportParams())
	if err != nil {
		return nil, err
	}
	defer img.Close()
	if err := toSRGB(img); err != nil {
		return nil, err
	}
	return exportJPEG(img, quality)
}

// toSRGB converts through an embedded ICC profile to sRGB (the profile is
// then stripped, so the pixels must already be sRGB), and any other colour
// space (grey, CMYK, 16-bit) to 8-bit sRGB; transparency goes on white.
func toSRGB(img *vips.ImageRef) error {
	if img.HasICCProfile() {
		if err := img.TransformICCProfileWithFallback("srgb", "srgb"); err != nil {
			return err
		}
	}
	if img.Interpretation() != vips.InterpretationSRGB || img.BandFormat() != vips.BandFormatUchar {
		if err := img.ToColorSpace(vips.InterpretationSRGB); err != nil {
			return err
		}
		if img.BandFormat() != vips.BandFormatUchar {
			if err := img.Cast(vips.BandFormatUchar); err != nil {
				return err
			}
		}
	}
	if img.HasAlpha() {
		return img.Flatten(&vips.Color{R: 255, G: 255, B: 255})
	}
	return nil
}

// exportJPEG writes a progressive JPEG with no metadata whatsoever.
func exportJPEG(img *vips.ImageRef, quality int) ([]byte, error) {
	p := vips.NewJpegExportParams()
	p.StripMetadata = true
	p.Quality = quality
	p.Interlace = true
	p.OptimizeCoding = true
	b, _, err := img.ExportJpeg(p)
	return b, err
}

// averageColour is the mean colour of a rendition, for the grid to show
// while the thumbnail loads.
func averageColour(jpeg []byte) (string, error) {
	img, err := vips.NewImageFromBuffer(jpeg)
	if err != nil {
		return "", err
	}
	defer img.Close()
	var rgb [3]int
	for b := range rgb {
		band := min(b, img.Bands()-1)
		one, err := img.ExtractBandToImage(band, 1)
		if err != nil {
			return "", err
		}
		avg, err := one.Average()
		one.Close()
		if err != nil {
			return "", err
		}
		rgb[b] = min(max(int(avg+0.5), 0), 255)
	}
	return fmt.Sprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]), nil
}
