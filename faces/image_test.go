package faces

import (
	"image"
	"image/color"
	"testing"
)

// The fast YCbCr conversion gives the standard library's colours to the
// bit, for every chroma subsampling a JPEG can have and for pictures whose
// size is not a multiple of the chroma block, and also for a sub-image
// (which takes the slow path).
func TestYCbCrToRGBMatchesStandardLibrary(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		src := image.NewYCbCr(image.Rect(0, 0, 37, 23), ratio)
		for i := range src.Y {
			src.Y[i] = uint8(i * 7)
		}
		for i := range src.Cb {
			src.Cb[i], src.Cr[i] = uint8(i*13), uint8(i*29+5)
		}
		for name, img := range map[string]*image.YCbCr{"whole": src, "sub-image": src.SubImage(image.Rect(3, 2, 30, 21)).(*image.YCbCr)} {
			m := FromImage(img)
			b := img.Bounds()
			for y := 0; y < m.H; y++ {
				for x := 0; x < m.W; x++ {
					c := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
					if p := m.Pix[(y*m.W+x)*3:]; p[0] != c.R || p[1] != c.G || p[2] != c.B {
						t.Fatalf("%v %s: pixel %d,%d is %v, want %v", ratio, name, x, y, p[:3], c)
					}
				}
			}
		}
	}
}
