package faces

import "context"

const landmarkSize = 64

var landmarkSpec = modelSpec{
	name:    "fr_landmark",
	in:      []int64{1, 1, landmarkSize, landmarkSize},
	outName: []string{"output"},
	out:     [][]int64{{1, 136}},
}

// landmarker finds 68 facial points in a square grey crop of a face box and
// reduces them to the five alignment points.
type landmarker struct{ m *model }

// five returns left eye, right eye, nose tip, left and right mouth corner,
// in picture pixels. The crop's side is the box height, centred on the box.
func (l landmarker) five(ctx context.Context, img *RGB, b Box) ([5]Point, error) {
	side := b.H()
	cx, cy := (b.X0+b.X1)/2, (b.Y0+b.Y1)/2
	crop := Box{cx - side/2, cy - side/2, cx + side/2, cy + side/2}
	small := resample(img, crop, landmarkSize, landmarkSize)
	var pts [68]Point
	err := l.m.run(ctx, func(in []float32) {
		for i := range in {
			p := small.Pix[i*3:]
			in[i] = (0.299*float32(p[0]) + 0.587*float32(p[1]) + 0.114*float32(p[2])) / 256
		}
	}, func(outs ...[]float32) {
		for i := range pts {
			pts[i] = Point{crop.X0 + outs[0][2*i]*side, crop.Y0 + outs[0][2*i+1]*side}
		}
	})
	if err != nil {
		return [5]Point{}, err
	}
	return fivePoints(&pts), nil
}

// fivePoints picks the alignment points out of the 68 (0-based iBUG
// numbering, FACES.md): eye centres from the lid points, nose tip, and
// each mouth corner averaged with its inner corner.
func fivePoints(p *[68]Point) [5]Point {
	mean := func(idx ...int) Point {
		var s Point
		for _, i := range idx {
			s.X += p[i].X
			s.Y += p[i].Y
		}
		n := float32(len(idx))
		return Point{s.X / n, s.Y / n}
	}
	return [5]Point{mean(37, 38, 40, 41), mean(43, 44, 46, 47), p[30], mean(48, 60), mean(54, 64)}
}
