package gallery

import (
	"fmt"

	"github.com/davidbyttow/govips/v2/vips"
)

// CropJPEG cuts a region out of a rendition (a JPEG the gallery made, so
// upright sRGB) and shrinks it to at most size pixels on its long edge:
// the face crops of face search's people. The region is in fractions of
// the picture's width and height and is grown by margin of its size on
// every side, within the picture.
func CropJPEG(buf []byte, x, y, w, h, margin float64, size int) ([]byte, error) {
	startVips()
	img, err := vips.NewImageFromBuffer(buf)
	if err != nil {
		return nil, fmt.Errorf("gallery: crop: %w", err)
	}
	defer img.Close()
	W, H := float64(img.Width()), float64(img.Height())
	x0, y0 := max((x-w*margin)*W, 0), max((y-h*margin)*H, 0)
	x1, y1 := min((x+w+w*margin)*W, W), min((y+h+h*margin)*H, H)
	if x1-x0 < 1 || y1-y0 < 1 {
		return nil, fmt.Errorf("gallery: crop: empty region %.3f,%.3f %.3fx%.3f: %w", x, y, w, h, ErrInvalidInput)
	}
	if err := img.ExtractArea(int(x0), int(y0), int(x1-x0), int(y1-y0)); err != nil {
		return nil, fmt.Errorf("gallery: crop: %w", err)
	}
	if long := max(img.Width(), img.Height()); long > size {
		if err := img.Resize(float64(size)/float64(long), vips.KernelLanczos3); err != nil {
			return nil, fmt.Errorf("gallery: crop: %w", err)
		}
	}
	b, err := exportJPEG(img, thumbQuality)
	if err != nil {
		return nil, fmt.Errorf("gallery: crop: %w", err)
	}
	return b, nil
}
