package faces

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// shrinkYCbCr averages each k×k block of luma and chroma exactly as a
// pixel-by-pixel reading through the image's own accessors does, for every
// chroma subsampling a JPEG may use and for a picture whose bounds do not
// start at zero.
func TestShrinkYCbCr(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		full := image.NewYCbCr(image.Rect(0, 0, 103, 77), ratio)
		for _, p := range [][]byte{full.Y, full.Cb, full.Cr} {
			for i := range p {
				p[i] = byte(rng.IntN(256))
			}
		}
		src := full.SubImage(image.Rect(5, 3, 103, 77)).(*image.YCbCr)
		for _, k := range []int{2, 3} {
			got := shrinkYCbCr(src, k)
			want := slowShrink(src, k)
			if got.W != want.W || got.H != want.H || string(got.Pix) != string(want.Pix) {
				t.Errorf("ratio %v, k %d: the shrink differs from averaging pixel by pixel", ratio, k)
			}
		}
	}
}

func slowShrink(src *image.YCbCr, k int) *RGB {
	b := src.Bounds()
	m := NewRGB(b.Dx()/k, b.Dy()/k)
	for oy := 0; oy < m.H; oy++ {
		for ox := 0; ox < m.W; ox++ {
			var y, cb, cr int
			for dy := 0; dy < k; dy++ {
				for dx := 0; dx < k; dx++ {
					c := src.YCbCrAt(b.Min.X+ox*k+dx, b.Min.Y+oy*k+dy)
					y, cb, cr = y+int(c.Y), cb+int(c.Cb), cr+int(c.Cr)
				}
			}
			r, g, bl := color.YCbCrToRGB(uint8(y/(k*k)), uint8(cb/(k*k)), uint8(cr/(k*k)))
			i := (oy*m.W + ox) * 3
			m.Pix[i], m.Pix[i+1], m.Pix[i+2] = r, g, bl
		}
	}
	return m
}
