package gallery

import (
	"strings"

	"github.com/davidbyttow/govips/v2/vips"
)

// watermarked burns wm into a copy of the preview, for guests. A text
// watermark is white with a soft dark shadow, so it reads on light and
// dark photos alike. A logo watermark needs the studio's logo, which does
// not exist yet: until then the photo fails with a message rather than
// going ready without the mark.
func watermarked(preview []byte, wm *Watermark) ([]byte, error) {
	if wm.Kind != "text" || strings.TrimSpace(wm.Text) == "" {
		return nil, &badFile{msg: "A logo watermark cannot be made yet. Choose a text watermark for this album."}
	}
	img, err := vips.NewImageFromBuffer(preview)
	if err != nil {
		return nil, err
	}
	defer img.Close()
	mask, err := watermarkMask(img.Width(), img.Height(), wm)
	if err != nil {
		return nil, err
	}
	defer mask.Close()
	shift := max(1, min(img.Width(), img.Height())/400)
	shadow, err := solidWithAlpha(mask, 0, wm.Opacity*0.5, shift)
	if err != nil {
		return nil, err
	}
	defer shadow.Close()
	text, err := solidWithAlpha(mask, 255, wm.Opacity, 0)
	if err != nil {
		return nil, err
	}
	defer text.Close()
	// Both layers in one pass over the picture.
	err = img.CompositeMulti([]*vips.ImageComposite{
		{Image: shadow, BlendMode: vips.BlendModeOver}, {Image: text, BlendMode: vips.BlendModeOver},
	})
	if err != nil {
		return nil, err
	}
	if err := img.ExtractBand(0, 3); err != nil { // composite adds an alpha band
		return nil, err
	}
	return exportJPEG(img, previewQuality)
}

// watermarkMask is a one-band image of the preview's size, 255 where the
// text is: once at the chosen place, or tiled over the whole picture.
func watermarkMask(w, h int, wm *Watermark) (*vips.ImageRef, error) {
	short := min(w, h)
	boxW, boxH := w*2/5, max(short/12, 12)
	if wm.Position == "center" {
		boxW, boxH = w*3/5, max(short/6, 12)
	}
	text, err := textMask(wm.Text, boxW, boxH)
	if err != nil {
		return nil, err
	}
	defer text.Close()
	mask, err := vips.Black(w, h)
	if err != nil {
		return nil, err
	}
	for _, p := range watermarkPlaces(wm.Position, w, h, text.Width(), text.Height()) {
		if err := mask.Insert(text, p[0], p[1], false, nil); err != nil {
			mask.Close()
			return nil, err
		}
	}
	return mask, nil
}

// watermarkPlaces are the top-left corners of the text: a margin of 3% of
// the short edge from the chosen corner, the centre, or a brick pattern.
func watermarkPlaces(pos string, w, h, tw, th int) [][2]int {
	m := min(w, h) * 3 / 100
	switch pos {
	case "top-left":
		return [][2]int{{m, m}}
	case "top-right":
		return [][2]int{{w - tw - m, m}}
	case "bottom-left":
		return [][2]int{{m, h - th - m}}
	case "bottom-right":
		return [][2]int{{w - tw - m, h - th - m}}
	case "tile":
		var out [][2]int
		stepX, stepY := tw+tw/2, th*3
		for row, y := 0, th; y < h; row, y = row+1, y+stepY {
			for x := -(row % 2) * stepX / 2; x < w; x += stepX {
				out = append(out, [2]int{x, y})
			}
		}
		return out
	default: // center
		return [][2]int{{(w - tw) / 2, (h - th) / 2}}
	}
}

// textMask renders text with libvips (Pango), fitted into a box of boxW ×
// boxH, and crops it to its ink: a one-band image, 255 on the letters.
func textMask(text string, boxW, boxH int) (*vips.ImageRef, error) {
	canvas, err := vips.Black(boxW, boxH)
	if err != nil {
		return nil, err
	}
	err = canvas.Label(&vips.LabelParams{
		Text:    pangoEscape(text),
		Font:    "DejaVu Sans Bold",
		Width:   vips.ValueOf(float64(boxW)),
		Height:  vips.ValueOf(float64(boxH)),
		Opacity: 1,
		Color:   vips.Color{R: 255, G: 255, B: 255},
	})
	if err != nil {
		canvas.Close()
		return nil, err
	}
	// Label leaves three bands; crop to the ink, then keep one band.
	left, top, cw, ch, err := canvas.FindTrim(10, &vips.Color{})
	if err == nil && cw > 0 && ch > 0 {
		err = canvas.ExtractArea(left, top, cw, ch)
	}
	if err == nil {
		err = canvas.ExtractBand(0, 1)
	}
	if err != nil {
		canvas.Close()
		return nil, err
	}
	return canvas, nil
}

// pangoEscape keeps the photographer's text from being read as Pango
// markup, and on one line: Pango does not break at a no-break space, so
// the text is fitted to the box's width instead of wrapped.
func pangoEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", " ", "\u00a0").Replace(s)
}

// solidWithAlpha is an sRGB image of one grey level whose alpha is the
// mask times opacity, shifted right and down by shift pixels.
func solidWithAlpha(mask *vips.ImageRef, level float64, opacity float64, shift int) (*vips.ImageRef, error) {
	alpha, err := mask.Copy()
	if err != nil {
		return nil, err
	}
	w, h := mask.Width(), mask.Height()
	steps := []func() error{
		func() error { return alpha.Embed(shift, shift, w, h, vips.ExtendBlack) },
		func() error { return alpha.Linear1(opacity, 0) },
		func() error { return alpha.Cast(vips.BandFormatUchar) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			alpha.Close()
			return nil, err
		}
	}
	defer alpha.Close()
	colour, err := mask.Copy()
	if err != nil {
		return nil, err
	}
	defer colour.Close()
	steps = []func() error{
		func() error { return colour.Linear1(0, level) },
		func() error { return colour.Cast(vips.BandFormatUchar) },
		func() error { return colour.BandJoin(colour, colour, alpha) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	// Four bands of a one-band (B_W) start: say they are RGB plus alpha.
	return colour.CopyChangingInterpretation(vips.InterpretationSRGB)
}
