package faces

import (
	"context"
	"sort"
)

// Detector settings measured in FACES.md.
const (
	detectW, detectH = 320, 240
	detectAnchors    = 4420
	minScore         = 0.65 // column 1 of "scores"
	nmsIoU           = 0.4
)

var detectSpec = modelSpec{
	name:    "fr_detect",
	in:      []int64{1, 3, detectH, detectW},
	outName: []string{"scores", "boxes"},
	out:     [][]int64{{1, detectAnchors, 2}, {1, detectAnchors, 4}},
}

// onnxDetector is the RFB-320 detector: one 320×240 pass over a region,
// letterboxed (aspect kept, grey padding), which scored better than
// stretching.
type onnxDetector struct{ m *model }

func (d onnxDetector) ModelID() string { return d.m.id }

func (d onnxDetector) Detect(ctx context.Context, img *RGB, r Box) ([]Detection, error) {
	scale := min(detectW/r.W(), detectH/r.H())
	nw, nh := max(1, int(r.W()*scale+0.5)), max(1, int(r.H()*scale+0.5))
	nw, nh = min(nw, detectW), min(nh, detectH)
	offX, offY := (detectW-nw)/2, (detectH-nh)/2
	small := resample(img, r, nw, nh)
	sx, sy := float32(nw)/r.W(), float32(nh)/r.H()

	var found []Detection
	err := d.m.run(ctx, func(in []float32) {
		clear(in) // (127-127)/128: the padding is mid-grey
		plane := detectW * detectH
		for y := 0; y < nh; y++ {
			for x := 0; x < nw; x++ {
				p := small.Pix[(y*nw+x)*3:]
				o := (y+offY)*detectW + x + offX
				in[o] = (float32(p[0]) - 127) / 128
				in[plane+o] = (float32(p[1]) - 127) / 128
				in[2*plane+o] = (float32(p[2]) - 127) / 128
			}
		}
	}, func(outs ...[]float32) {
		scores, boxes := outs[0], outs[1]
		for i := range detectAnchors {
			s := scores[i*2+1]
			if s < minScore {
				continue
			}
			b := boxes[i*4 : i*4+4]
			found = append(found, Detection{Score: s, Box: Box{
				X0: (b[0]*detectW-float32(offX))/sx + r.X0,
				Y0: (b[1]*detectH-float32(offY))/sy + r.Y0,
				X1: (b[2]*detectW-float32(offX))/sx + r.X0,
				Y1: (b[3]*detectH-float32(offY))/sy + r.Y0,
			}})
		}
	})
	if err != nil {
		return nil, err
	}
	return nms(found, nmsIoU), nil
}

// nms keeps the best-scoring box of every group overlapping by more than
// iou, best first.
func nms(ds []Detection, iou float32) []Detection {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Score > ds[j].Score })
	var keep []Detection
next:
	for _, d := range ds {
		for _, k := range keep {
			if d.Box.IoU(k.Box) > iou {
				continue next
			}
		}
		keep = append(keep, d)
	}
	return keep
}
