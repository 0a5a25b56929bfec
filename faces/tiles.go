package faces

import (
	"context"
	"math"
)

// Tiling: one 320×240 pass over a large frame misses small faces (FACES.md:
// 0 of 60 faces of 40 px in a 6000×4000 frame), overlapping tiles find them.
const (
	tileAbove = 1000 // long edges up to this get the full-frame pass only
	tileMin   = 1000 // tiles' width at least; their height is 3/4 of it, like the detector's input
)

// tileGrid lays overlapping 4:3 tiles over a w×h picture and returns them
// with their least overlap in pixels. The overlap is at least a quarter of
// a tile and at least twice the smallest face the full-frame pass finds
// (about 4% of the long edge), so every face is either whole inside some
// tile or large enough for the full frame.
func tileGrid(w, h int) ([]Box, float32) {
	long := max(w, h)
	if long <= tileAbove {
		return nil, 0
	}
	tw := max(tileMin, long/3)
	th := tw * 3 / 4
	ov := max(tw/4, long*8/100)
	xs, ys := spread(w, tw, ov), spread(h, th, ov)
	var out []Box
	for _, y := range ys {
		for _, x := range xs {
			out = append(out, Box{float32(x[0]), float32(y[0]), float32(x[1]), float32(y[1])})
		}
	}
	return out, float32(ov)
}

// spread places tiles of size t along a line of n pixels so neighbours
// overlap by at least ov and the first and last touch the ends.
func spread(n, t, ov int) [][2]int {
	if n <= t {
		return [][2]int{{0, n}}
	}
	k := int(math.Ceil(float64(n-ov) / float64(t-ov)))
	out := make([][2]int, k)
	for i := range out {
		start := (n - t) * i / (k - 1)
		out[i] = [2]int{start, start + t}
	}
	return out
}

// detect runs the detector on the whole picture and, on large ones, on
// every tile; then NMS across all of them. Tiles are there for the small
// faces the full frame misses, so a tile's box is dropped when it
//   - touches an inner edge of its tile: a cut face, whole in the
//     neighbouring tile or large enough for the full frame;
//   - is wider than the overlap: the full frame sees faces that large, and
//     the tile may hold only part of one;
//   - lies mostly inside a full-frame box: part of a face already found.
//
// Partial faces otherwise score high and survive NMS beside the whole face.
func (p *Pipeline) detect(ctx context.Context, img *RGB) ([]Detection, error) {
	full := Box{0, 0, float32(img.W), float32(img.H)}
	grid, ov := tileGrid(img.W, img.H)
	src, k := detectLevel(img, grid)
	scan := func(r Box) ([]Detection, error) {
		ds, err := p.det.Detect(ctx, src, Box{r.X0 / k, r.Y0 / k, r.X1 / k, r.Y1 / k})
		for i := range ds {
			b := &ds[i].Box
			b.X0, b.Y0, b.X1, b.Y1 = b.X0*k, b.Y0*k, b.X1*k, b.Y1*k
		}
		return ds, err
	}
	whole, err := scan(full)
	if err != nil {
		return nil, err
	}
	all := whole
	for _, t := range grid {
		ds, err := scan(t)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if cut(d.Box, t, full, t.W()/100) || d.Box.W() > ov || insideAny(d.Box, whole) {
				continue
			}
			all = append(all, d)
		}
	}
	all = nms(all, nmsIoU)
	for i := range all {
		b := &all[i].Box
		b.X0, b.Y0 = max(b.X0, 0), max(b.Y0, 0)
		b.X1, b.Y1 = min(b.X1, full.X1), min(b.Y1, full.Y1)
	}
	return all, nil
}

// detectLevel is the picture the detector reads, and its scale: when
// tiling, the picture shrunk by the whole factor that brings a tile to about
// the detector's width (a cheap box filter). Tiles overlap and the
// full-resolution resampling of each cost more than the detector itself
// (5 ms against 2.3 ms a tile of a 2048 px preview); from the shrunk copy
// each tile is resampled by a factor near 1.
func detectLevel(img *RGB, grid []Box) (*RGB, float32) {
	if len(grid) == 0 {
		return img, 1
	}
	k := int(grid[0].W()) / detectW
	if k < 2 {
		return img, 1
	}
	return shrinkBox(img, k), float32(k)
}

// insideAny reports whether more than half of b lies inside one of boxes.
func insideAny(b Box, boxes []Detection) bool {
	for _, o := range boxes {
		in := Box{max(b.X0, o.Box.X0), max(b.Y0, o.Box.Y0), min(b.X1, o.Box.X1), min(b.Y1, o.Box.Y1)}
		if in.area() > b.area()/2 {
			return true
		}
	}
	return false
}

// cut reports whether b reaches within margin of an edge of tile t that is
// not an edge of the picture.
func cut(b, t, full Box, margin float32) bool {
	return (t.X0 > full.X0 && b.X0 < t.X0+margin) || (t.X1 < full.X1 && b.X1 > t.X1-margin) ||
		(t.Y0 > full.Y0 && b.Y0 < t.Y0+margin) || (t.Y1 < full.Y1 && b.Y1 > t.Y1-margin)
}
