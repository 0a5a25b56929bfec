package faces

import (
	"fmt"
	"image"
	"image/color"
)

// RGB is a decoded picture: W×H pixels, three bytes each (R, G, B), rows
// packed without padding. It is what the pipeline reads, so a caller that
// already has pixels (libvips' raw export, a camera frame) passes them
// without another conversion.
type RGB struct {
	W, H int
	Pix  []byte // len W*H*3
}

// NewRGB allocates a black w×h picture.
func NewRGB(w, h int) *RGB {
	return &RGB{W: w, H: h, Pix: make([]byte, w*h*3)}
}

// Bounds is the picture's rectangle, origin at 0,0.
func (m *RGB) Bounds() image.Rectangle { return image.Rect(0, 0, m.W, m.H) }

// valid reports a clear error for a malformed picture instead of letting an
// index go out of range deep inside a resampler.
func (m *RGB) valid() error {
	if m == nil || m.W <= 0 || m.H <= 0 || len(m.Pix) != m.W*m.H*3 {
		return fmt.Errorf("faces: picture is empty or its pixels do not match its size")
	}
	return nil
}

// FromImage copies any image.Image into RGB. The types image/jpeg and
// image/png produce take fast paths; anything else goes through color.Model.
func FromImage(img image.Image) *RGB {
	b := img.Bounds()
	m := NewRGB(b.Dx(), b.Dy())
	switch src := img.(type) {
	case *image.YCbCr:
		ycbcrToRGB(src, m)
	case *image.RGBA:
		for y := 0; y < m.H; y++ {
			row := src.Pix[(y)*src.Stride:]
			for x := 0; x < m.W; x++ {
				copy(m.Pix[(y*m.W+x)*3:][:3], row[x*4:x*4+3])
			}
		}
	case *image.Gray:
		for y := 0; y < m.H; y++ {
			for x := 0; x < m.W; x++ {
				v := src.Pix[y*src.Stride+x]
				i := (y*m.W + x) * 3
				m.Pix[i], m.Pix[i+1], m.Pix[i+2] = v, v, v
			}
		}
	default:
		for y := 0; y < m.H; y++ {
			for x := 0; x < m.W; x++ {
				c := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
				i := (y*m.W + x) * 3
				m.Pix[i], m.Pix[i+1], m.Pix[i+2] = c.R, c.G, c.B
			}
		}
	}
	return m
}

// ycbcrToRGB converts a decoded JPEG. It walks rows with the chroma
// subsampling worked out once per row: image.YCbCr's per-pixel offset
// methods and color.YCbCrToRGB (not inlined) made this a third of decoding;
// the result is the same to the bit.
func ycbcrToRGB(src *image.YCbCr, m *RGB) {
	dx, dy := chromaStep(src.SubsampleRatio)
	if dx == 0 || src.Rect.Min != (image.Point{}) {
		slowYCbCr(src, m)
		return
	}
	for y := 0; y < m.H; y++ {
		ys := src.Y[y*src.YStride:][:m.W]
		crow := (y / dy) * src.CStride
		out := m.Pix[y*m.W*3:][:m.W*3]
		for x, yv := range ys {
			// color.YCbCrToRGB, written out: it is not inlined.
			ci := crow + x/dx
			yy := int32(yv) * 0x10101
			cb, cr := int32(src.Cb[ci])-128, int32(src.Cr[ci])-128
			out[x*3] = clampFix(yy + 91881*cr)
			out[x*3+1] = clampFix(yy - 22554*cb - 46802*cr)
			out[x*3+2] = clampFix(yy + 116130*cb)
		}
	}
}

// chromaStep is how many luma pixels share one chroma sample across and
// down; 0 for a ratio this code does not know.
func chromaStep(r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 1, 1
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 0, 0
}

// clampFix turns 16.16 fixed point into a byte, clamping to 0..255.
func clampFix(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8(^(v >> 31))
}

func slowYCbCr(src *image.YCbCr, m *RGB) {
	b := src.Bounds()
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
			ci := src.COffset(b.Min.X+x, b.Min.Y+y)
			r, g, bl := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
			i := (y*m.W + x) * 3
			m.Pix[i], m.Pix[i+1], m.Pix[i+2] = r, g, bl
		}
	}
}

// Image wraps the picture as an image.Image (for tests and debugging).
func (m *RGB) Image() image.Image {
	out := image.NewRGBA(m.Bounds())
	for i := 0; i < m.W*m.H; i++ {
		copy(out.Pix[i*4:], m.Pix[i*3:i*3+3])
		out.Pix[i*4+3] = 255
	}
	return out
}
