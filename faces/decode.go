package faces

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // Decode reads PNG too

	_ "golang.org/x/image/webp" // and WebP
)

// DecodeMaxSide is the longest edge DecodeJPEG returns. Detection is tiled,
// so a 2048-2560 px picture finds 40 px faces; more pixels only cost decode
// and resampling time (FACES.md).
const DecodeMaxSide = 2560

// SelfieMaxSide is the longest edge DecodeSelfie returns: a picture no
// larger gets one detector pass over the whole frame and no tiles. Tiles
// are for the small faces of group photos; a selfie's face is its subject
// (the guest page sends 1280 px with the face ~200 px wide). On the 64
// test photos taken as selfies this gave the same outcome as Decode's size
// and the same face (cosine similarity at least 0.996), for a fraction of
// the detection and colour conversion. The cost: the face must still be
// 40 px wide after the shrink (Quality.MinWidth), so ~80 px in a picture
// halved to fit, where the full size took 40 px (ErrFaceTooSmall).
const SelfieMaxSide = tileAbove

// decodeMaxPixels refuses pictures whose header promises more than this, so
// a small hostile file cannot make the decoder allocate gigabytes.
const decodeMaxPixels = 100_000_000

// ErrDecode wraps every failure to read a picture: corrupt, truncated, not a
// JPEG, or too large. A guest-facing caller shows "could not read the image".
var ErrDecode = errors.New("faces: cannot decode the picture")

// Decode reads a JPEG (through DecodeJPEG), PNG or WebP picture and
// shrinks it like DecodeJPEG does.
func Decode(b []byte) (*RGB, error) { return decode(b, DecodeMaxSide) }

// DecodeSelfie reads a selfie like Decode but shrinks it to at most
// SelfieMaxSide on its long edge: a JPEG through libjpeg-turbo, scaled by
// n/8 in the decoder (decode_turbo.go), another picture by a whole factor
// with Decode's box filter.
func DecodeSelfie(b []byte) (*RGB, error) {
	if !isJPEG(b) {
		return decode(b, SelfieMaxSide)
	}
	m, err := decodeJPEGTurbo(b, SelfieMaxSide)
	if err != nil {
		return nil, err
	}
	return orient(m, jpegOrientation(b)), nil
}

func isJPEG(b []byte) bool { return len(b) > 2 && b[0] == 0xFF && b[1] == 0xD8 }

func decode(b []byte, maxSide int) (*RGB, error) {
	if isJPEG(b) {
		return decodeJPEG(b, maxSide)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	if err := checkSize(cfg); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	m := FromImage(img)
	if k := shrinkFactor(m.W, m.H, maxSide); k > 1 {
		m = shrinkBox(m, k)
	}
	return m, nil
}

func checkSize(cfg image.Config) error {
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > decodeMaxPixels {
		return fmt.Errorf("%w: %d×%d pixels is out of range", ErrDecode, cfg.Width, cfg.Height)
	}
	return nil
}

// shrinkFactor is the whole factor that brings the long edge to at most
// maxSide.
func shrinkFactor(w, h, maxSide int) int {
	return (max(w, h) + maxSide - 1) / maxSide
}

// DecodeJPEG decodes a JPEG with the standard library and, when its long edge
// is over DecodeMaxSide, shrinks it by a whole factor with a box filter
// while converting colour (cheap, unlike a bilinear resize of the full
// frame). A picture stored sideways (EXIF orientation) is turned upright.
func DecodeJPEG(b []byte) (*RGB, error) { return decodeJPEG(b, DecodeMaxSide) }

func decodeJPEG(b []byte, maxSide int) (*RGB, error) {
	m, err := decodeJPEGPixels(b, maxSide)
	if err != nil {
		return nil, err
	}
	return orient(m, jpegOrientation(b)), nil
}

// decodeJPEGPixels decodes and shrinks, as the picture is stored.
func decodeJPEGPixels(b []byte, maxSide int) (*RGB, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	if err := checkSize(cfg); err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	k := shrinkFactor(cfg.Width, cfg.Height, maxSide)
	if y, ok := img.(*image.YCbCr); ok && k > 1 {
		return shrinkYCbCr(y, k), nil
	}
	m := FromImage(img)
	if k > 1 {
		m = shrinkBox(m, k)
	}
	return m, nil
}

// shrinkYCbCr averages k×k blocks in YCbCr and converts only the averaged
// pixels to RGB: the conversion is linear, so this equals converting first
// (up to rounding), at a k² fraction of the cost.
func shrinkYCbCr(src *image.YCbCr, k int) *RGB {
	b := src.Bounds()
	m := NewRGB(b.Dx()/k, b.Dy()/k)
	ys, cbs, crs := make([]int, m.W), make([]int, m.W), make([]int, m.W)
	n := k * k
	// A pixel's chroma column depends on x only: found once, not through
	// COffset's switch per pixel (a third of a selfie's decoding).
	cols := make([]int, m.W*k)
	c0 := src.COffset(b.Min.X, b.Min.Y)
	for i := range cols {
		cols[i] = src.COffset(b.Min.X+i, b.Min.Y) - c0
	}
	for oy := 0; oy < m.H; oy++ {
		clear(ys)
		clear(cbs)
		clear(crs)
		for y := b.Min.Y + oy*k; y < b.Min.Y+oy*k+k; y++ {
			yrow := src.Y[src.YOffset(b.Min.X, y):][:m.W*k]
			ci := src.COffset(b.Min.X, y)
			cbrow, crrow := src.Cb[ci:], src.Cr[ci:]
			for i, v := range yrow {
				ox := i / k
				ys[ox] += int(v)
				cbs[ox] += int(cbrow[cols[i]])
				crs[ox] += int(crrow[cols[i]])
			}
		}
		row := m.Pix[oy*m.W*3:]
		for ox := 0; ox < m.W; ox++ {
			r, g, bl := color.YCbCrToRGB(uint8(ys[ox]/n), uint8(cbs[ox]/n), uint8(crs[ox]/n))
			row[ox*3], row[ox*3+1], row[ox*3+2] = r, g, bl
		}
	}
	return m
}

// shrinkBox averages k×k blocks of an RGB picture.
func shrinkBox(src *RGB, k int) *RGB {
	m := NewRGB(src.W/k, src.H/k)
	sum := make([]int, m.W*3)
	for oy := 0; oy < m.H; oy++ {
		clear(sum)
		for y := oy * k; y < oy*k+k; y++ {
			row := src.Pix[y*src.W*3:]
			for ox := 0; ox < m.W; ox++ {
				for x := ox * k; x < ox*k+k; x++ {
					sum[ox*3] += int(row[x*3])
					sum[ox*3+1] += int(row[x*3+1])
					sum[ox*3+2] += int(row[x*3+2])
				}
			}
		}
		for i, s := range sum {
			m.Pix[oy*m.W*3+i] = uint8(s / (k * k))
		}
	}
	return m
}
