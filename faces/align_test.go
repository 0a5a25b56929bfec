package faces

import (
	"math"
	"testing"
)

// Umeyama recovers a similarity transform from points it moved, whatever
// the rotation (including past 90°), scale and shift.
func TestUmeyamaRecoversTransform(t *testing.T) {
	src := []Point{{412.5, 230.25}, {530, 221}, {470.75, 300.5}, {425, 372}, {522.5, 366.25}}
	for _, want := range []Similarity2D{
		{A: 1, B: 0},
		{A: 0.2 * math.Cos(0.4), B: 0.2 * math.Sin(0.4), TX: -40, TY: 12.5},
		{A: 3 * math.Cos(-2.5), B: 3 * math.Sin(-2.5), TX: 900, TY: -300},
		{A: 0.05, B: 0, TX: 7, TY: 7},
	} {
		dst := make([]Point, len(src))
		for i, p := range src {
			dst[i] = want.Apply(p)
		}
		got := Umeyama(src, dst)
		// The points are float32: the fit is exact up to their rounding.
		if !near(got.A, want.A, 1e-6) || !near(got.B, want.B, 1e-6) || !near(got.TX, want.TX, 1e-3) || !near(got.TY, want.TY, 1e-3) {
			t.Errorf("recovered %+v, want %+v", got, want)
		}
		for i, p := range src {
			if q := got.Apply(p); !near(float64(q.X), float64(dst[i].X), 1e-3) || !near(float64(q.Y), float64(dst[i].Y), 1e-3) {
				t.Errorf("point %d maps to %+v, want %+v", i, q, dst[i])
			}
		}
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// A mirrored point set has no exact similarity (no reflections); Umeyama
// gives the least-squares rotation, which leaves a residual, rather than
// flipping the face.
func TestUmeyamaRefusesMirror(t *testing.T) {
	src := arcface[:]
	dst := make([]Point, len(src))
	for i, p := range src {
		dst[i] = Point{112 - p.X, p.Y}
	}
	got := Umeyama(src, dst)
	if got.A*got.A+got.B*got.B > 0.5 {
		t.Fatalf("mirrored points fitted with scale %.3f, want a poor fit (no reflection available)", math.Hypot(got.A, got.B))
	}
}

// align puts the landmarks on the ArcFace template: a face whose landmarks
// are the template moved by a known transform comes out with the marked
// pixels where the template says.
func TestAlignPutsLandmarksOnTemplate(t *testing.T) {
	tr := Similarity2D{A: 2.5 * math.Cos(0.3), B: 2.5 * math.Sin(0.3), TX: 300, TY: 120}
	img := grey(800, 700, 0)
	var lm [5]Point
	for i, p := range arcface {
		// Landmarks are in pixel-index space plus 0.5 (pixel centres).
		c := tr.Apply(p)
		lm[i] = Point{c.X + 0.5, c.Y + 0.5}
		for dy := -3; dy <= 3; dy++ {
			for dx := -3; dx <= 3; dx++ {
				o := ((int(c.Y+0.5)+dy)*img.W + int(c.X+0.5) + dx) * 3
				img.Pix[o], img.Pix[o+1], img.Pix[o+2] = 255, 255, 255
			}
		}
	}
	out := align(img, lm)
	for i, p := range arcface {
		x, y := int(p.X+0.5), int(p.Y+0.5)
		if v := out.Pix[(y*AlignSize+x)*3]; v < 200 {
			t.Errorf("template point %d (%d,%d) is %d in the aligned face, want the white mark", i, x, y, v)
		}
	}
	if out.Pix[(5*AlignSize+5)*3] != 0 {
		t.Error("a corner far from every mark is not black")
	}
}
