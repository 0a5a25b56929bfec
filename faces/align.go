package faces

import "math"

// AlignSize is the side of the aligned face the embedder reads.
const AlignSize = 112

// arcface is the standard ArcFace five-point template for 112×112 faces
// (pixel-index coordinates): left eye, right eye, nose tip, mouth corners.
var arcface = [5]Point{
	{38.2946, 51.6963}, {73.5318, 51.5014}, {56.0252, 71.7366}, {41.5493, 92.3655}, {70.7299, 92.2041},
}

// Similarity2D maps p to (A·x − B·y + TX, B·x + A·y + TY): a rotation by
// atan2(B, A), a scale of √(A²+B²) and a shift. No shear, no mirroring.
type Similarity2D struct{ A, B, TX, TY float64 }

// Apply maps one point.
func (t Similarity2D) Apply(p Point) Point {
	x, y := float64(p.X), float64(p.Y)
	return Point{float32(t.A*x - t.B*y + t.TX), float32(t.B*x + t.A*y + t.TY)}
}

// Umeyama is the least-squares similarity transform taking src onto dst
// (Umeyama 1991). In two dimensions, with reflections excluded as Umeyama
// excludes them, the SVD solution reduces to this closed form over the
// centred points: A = Σ(s·d)/Σ|s|², B = Σ(s×d)/Σ|s|².
func Umeyama(src, dst []Point) Similarity2D {
	n := float64(min(len(src), len(dst)))
	var msx, msy, mdx, mdy float64
	for i := range int(n) {
		msx, msy = msx+float64(src[i].X), msy+float64(src[i].Y)
		mdx, mdy = mdx+float64(dst[i].X), mdy+float64(dst[i].Y)
	}
	msx, msy, mdx, mdy = msx/n, msy/n, mdx/n, mdy/n
	var dot, cross, ss float64
	for i := range int(n) {
		sx, sy := float64(src[i].X)-msx, float64(src[i].Y)-msy
		dx, dy := float64(dst[i].X)-mdx, float64(dst[i].Y)-mdy
		dot += sx*dx + sy*dy
		cross += sx*dy - sy*dx
		ss += sx*sx + sy*sy
	}
	if ss == 0 {
		return Similarity2D{A: 1, TX: mdx - msx, TY: mdy - msy}
	}
	t := Similarity2D{A: dot / ss, B: cross / ss}
	t.TX = mdx - (t.A*msx - t.B*msy)
	t.TY = mdy - (t.B*msx + t.A*msy)
	return t
}

// align warps the face with the given landmarks (picture pixels, pixel
// centres at +0.5) onto the AlignSize template. Each output pixel is a
// bilinear sample, averaged over a k×k grid when the face is more than
// 1.5 times larger than the template, so large faces do not alias.
func align(img *RGB, lm [5]Point) *RGB {
	var tpl [5]Point
	for i, p := range arcface {
		tpl[i] = Point{p.X + 0.5, p.Y + 0.5}
	}
	t := Umeyama(lm[:], tpl[:])
	// Inverse: template → picture.
	d := t.A*t.A + t.B*t.B
	inv := Similarity2D{A: t.A / d, B: -t.B / d}
	inv.TX = -(inv.A*t.TX - inv.B*t.TY)
	inv.TY = -(inv.B*t.TX + inv.A*t.TY)
	k := min(4, int(math.Ceil(1/math.Sqrt(d)/1.5)))
	k = max(k, 1)
	out := NewRGB(AlignSize, AlignSize)
	for v := 0; v < AlignSize; v++ {
		for u := 0; u < AlignSize; u++ {
			var acc [3]float32
			for j := range k {
				for i := range k {
					p := inv.Apply(Point{float32(u) + (float32(i)+0.5)/float32(k), float32(v) + (float32(j)+0.5)/float32(k)})
					r, g, b := bilinear(img, p.X-0.5, p.Y-0.5)
					acc[0], acc[1], acc[2] = acc[0]+r, acc[1]+g, acc[2]+b
				}
			}
			o := out.Pix[(v*AlignSize+u)*3:]
			n := float32(k * k)
			o[0], o[1], o[2] = clamp8(acc[0]/n), clamp8(acc[1]/n), clamp8(acc[2]/n)
		}
	}
	return out
}

// bilinear samples at pixel-index coordinates; outside the picture is black.
func bilinear(img *RGB, x, y float32) (r, g, b float32) {
	x0, y0 := int(math.Floor(float64(x))), int(math.Floor(float64(y)))
	fx, fy := x-float32(x0), y-float32(y0)
	px := func(xi, yi int) (float32, float32, float32) {
		if xi < 0 || yi < 0 || xi >= img.W || yi >= img.H {
			return 0, 0, 0
		}
		p := img.Pix[(yi*img.W+xi)*3:]
		return float32(p[0]), float32(p[1]), float32(p[2])
	}
	r00, g00, b00 := px(x0, y0)
	r10, g10, b10 := px(x0+1, y0)
	r01, g01, b01 := px(x0, y0+1)
	r11, g11, b11 := px(x0+1, y0+1)
	w00, w10, w01, w11 := (1-fx)*(1-fy), fx*(1-fy), (1-fx)*fy, fx*fy
	return r00*w00 + r10*w10 + r01*w01 + r11*w11,
		g00*w00 + g10*w10 + g01*w01 + g11*w11,
		b00*w00 + b10*w10 + b01*w01 + b11*w11
}
