package faces

import "math"

// taps are the source pixels (and their weights) behind one output pixel.
type taps struct {
	idx []int
	w   []float32
}

// tentTaps lays a tent filter over n output pixels covering source
// coordinates [start, start+length) of a line of limit pixels. Its radius
// is one pixel when enlarging (bilinear) and the shrink factor when
// shrinking, so every source pixel contributes (an area average without
// aliasing). Pixels beyond the edges repeat the edge.
func tentTaps(start, length float64, n, limit int) []taps {
	s := length / float64(n)
	radius := math.Max(s, 1)
	out := make([]taps, n)
	for i := range out {
		c := start + (float64(i)+0.5)*s - 0.5
		lo, hi := int(math.Ceil(c-radius)), int(math.Floor(c+radius))
		var t taps
		var sum float32
		for j := lo; j <= hi; j++ {
			w := float32(1 - math.Abs(float64(j)-c)/radius)
			if w <= 0 {
				continue
			}
			t.idx = append(t.idx, min(max(j, 0), limit-1))
			t.w = append(t.w, w)
			sum += w
		}
		if sum == 0 { // c sits exactly on a pixel with radius 1
			t.idx, t.w, sum = []int{min(max(int(math.Round(c)), 0), limit-1)}, []float32{1}, 1
		}
		for k := range t.w {
			t.w[k] /= sum
		}
		out[i] = t
	}
	return out
}

// resample maps the source rectangle r (pixel units; it may reach outside
// the picture) onto a new w×h picture. Separable: rows first into a float
// buffer over only the columns the second pass reads, then columns.
func resample(src *RGB, r Box, w, h int) *RGB {
	cols := tentTaps(float64(r.X0), float64(r.X1-r.X0), w, src.W)
	rows := tentTaps(float64(r.Y0), float64(r.Y1-r.Y0), h, src.H)
	x0, x1 := src.W, 0
	for _, t := range cols {
		x0, x1 = min(x0, t.idx[0]), max(x1, t.idx[len(t.idx)-1]+1)
	}
	span := x1 - x0
	tmp := make([]float32, h*span*3)
	for oy, t := range rows {
		acc := tmp[oy*span*3 : (oy+1)*span*3]
		for k, sy := range t.idx {
			wt := t.w[k]
			row := src.Pix[(sy*src.W+x0)*3 : (sy*src.W+x1)*3]
			for i, v := range row {
				acc[i] += wt * float32(v)
			}
		}
	}
	out := NewRGB(w, h)
	for oy := 0; oy < h; oy++ {
		acc := tmp[oy*span*3:]
		dst := out.Pix[oy*w*3:]
		for ox, t := range cols {
			var r, g, b float32
			for k, sx := range t.idx {
				i := (sx - x0) * 3
				r += t.w[k] * acc[i]
				g += t.w[k] * acc[i+1]
				b += t.w[k] * acc[i+2]
			}
			dst[ox*3], dst[ox*3+1], dst[ox*3+2] = clamp8(r), clamp8(g), clamp8(b)
		}
	}
	return out
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
