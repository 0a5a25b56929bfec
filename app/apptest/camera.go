package apptest

import (
	"bufio"
	"fmt"
	"image"
	"os"

	"github.com/chromedp/chromedp"
	"golang.org/x/image/draw"
)

// FakeCamera makes Chromium's camera a clip: getUserMedia gets the frames
// of the Y4M file at path, looped, and the permission prompt is answered
// yes. Pass it to NewBrowser.
func FakeCamera(path string) chromedp.ExecAllocatorOption {
	return func(a *chromedp.ExecAllocator) {
		chromedp.Flag("use-fake-ui-for-media-stream", true)(a)
		chromedp.Flag("use-fake-device-for-media-stream", true)(a)
		chromedp.Flag("use-file-for-fake-video-capture", path)(a)
	}
}

// WriteY4M writes a clip for FakeCamera: frames copies of img, scaled to
// fit w×h (even numbers) on a grey background, as YUV4MPEG2 with 4:2:0
// chroma (a header line, then "FRAME" and the Y, U and V planes per
// frame), in full-range BT.601 as Chromium reads it.
func WriteY4M(path string, img image.Image, w, h, frames int) error {
	if w%2 != 0 || h%2 != 0 || frames < 1 {
		return fmt.Errorf("apptest: a %dx%d clip of %d frames", w, h, frames)
	}
	y, u, v := i420(fit(img, w, h))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(f)
	fmt.Fprintf(out, "YUV4MPEG2 W%d H%d F30:1 Ip A1:1 C420jpeg\n", w, h)
	for range frames {
		out.WriteString("FRAME\n")
		out.Write(y)
		out.Write(u)
		out.Write(v)
	}
	if err := out.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fit scales img into a w×h frame, keeping its shape, centred on grey.
func fit(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range dst.Pix {
		dst.Pix[i] = 128
	}
	b := img.Bounds()
	k := min(float64(w)/float64(b.Dx()), float64(h)/float64(b.Dy()))
	sw, sh := int(float64(b.Dx())*k), int(float64(b.Dy())*k)
	at := image.Rect((w-sw)/2, (h-sh)/2, (w-sw)/2+sw, (h-sh)/2+sh)
	draw.CatmullRom.Scale(dst, at, img, b, draw.Src, nil)
	return dst
}

// i420 splits an RGB frame into its Y plane and quarter-size U and V
// planes (each chroma sample the mean of a 2×2 block).
func i420(m *image.RGBA) (y, u, v []byte) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	y = make([]byte, w*h)
	u = make([]byte, w*h/4)
	v = make([]byte, w*h/4)
	clamp := func(x float64) byte { return byte(min(max(x+0.5, 0), 255)) }
	for j := range h {
		for i := range w {
			p := m.Pix[j*m.Stride+i*4:]
			r, g, b := float64(p[0]), float64(p[1]), float64(p[2])
			y[j*w+i] = clamp(0.299*r + 0.587*g + 0.114*b)
		}
	}
	for j := 0; j < h; j += 2 {
		for i := 0; i < w; i += 2 {
			var r, g, b float64
			for _, d := range [][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				p := m.Pix[(j+d[1])*m.Stride+(i+d[0])*4:]
				r, g, b = r+float64(p[0]), g+float64(p[1]), b+float64(p[2])
			}
			r, g, b = r/4, g/4, b/4
			k := (j/2)*(w/2) + i/2
			u[k] = clamp(128 - 0.168736*r - 0.331264*g + 0.5*b)
			v[k] = clamp(128 + 0.5*r - 0.418688*g - 0.081312*b)
		}
	}
	return y, u, v
}
