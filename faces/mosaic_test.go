package faces

import "testing"

// pasted is one face put into a mosaic: whose it is, the box it must be
// found at, and its embedding in the photo it came from.
type pasted struct {
	who  string
	want Box
	emb  []float32
}

// mosaic pastes the widest face of each photo, scaled to the given face
// widths, onto a grey w×h canvas, left to right in rows, each with a margin
// of half a face around it (so the detector sees some head and shoulders).
func mosaic(t *testing.T, p *Pipeline, w, h int, photos []Labelled, widths []int) (*RGB, []pasted) {
	t.Helper()
	canvas := grey(w, h, 128)
	var out []pasted
	x, y, rowH := 40, 40, 0
	for i, l := range photos {
		src := photo(t, l.File)
		fs, err := p.Faces(t.Context(), src)
		f, ok := largest(fs)
		if err != nil || !ok {
			t.Fatalf("%s: no face to paste (%v)", l.File, err)
		}
		b := f.Box
		crop := Box{max(b.X0-b.W()/2, 0), max(b.Y0-b.H()/2, 0),
			min(b.X1+b.W()/2, float32(src.W)), min(b.Y1+b.H()/2, float32(src.H))}
		s := float32(widths[i]) / b.W()
		cw, ch := int(crop.W()*s), int(crop.H()*s)
		if x+cw > w-40 {
			x, y, rowH = 40, y+rowH+40, 0
		}
		if y+ch > h {
			t.Fatalf("mosaic %d×%d too small for %d faces", w, h, len(photos))
		}
		part := resample(src, crop, cw, ch)
		paste(canvas, part, x, y)
		// The crop is scaled by cw/crop.W(), which rounding makes slightly
		// different from s.
		sx, sy := float32(cw)/crop.W(), float32(ch)/crop.H()
		want := Box{float32(x) + (b.X0-crop.X0)*sx, float32(y) + (b.Y0-crop.Y0)*sy,
			float32(x) + (b.X1-crop.X0)*sx, float32(y) + (b.Y1-crop.Y0)*sy}
		out = append(out, pasted{l.Identity, want, f.Embedding})
		x += cw + 40
		rowH = max(rowH, ch)
	}
	return canvas, out
}

// A 2560 px group mosaic (the size of a preview rendition) with one face
// per identity, 320 down to 28 px wide: every face of at least the minimum
// width is found where it was pasted and matches its own photo best; the
// smaller ones are left out; nothing else is found. Faces of 48 px and less
// are invisible to one pass over the whole frame, so finding them is the
// tiles' work.
func TestMosaic(t *testing.T) {
	p := testPipeline(t)
	seen := map[string]bool{}
	var people []Labelled
	for _, l := range labels(t) {
		if !seen[l.Identity] {
			seen[l.Identity] = true
			people = append(people, l)
		}
	}
	widths := []int{320, 200, 140, 100, 80, 64, 56, 48, 44, 40, 36, 32, 28}
	if len(people) < len(widths) {
		t.Fatalf("%d identities, want %d", len(people), len(widths))
	}
	img, want := mosaic(t, p, 2560, 1707, people[:len(widths)], widths)
	fs, err := p.Faces(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := p.det.Detect(t.Context(), img, Box{0, 0, float32(img.W), float32(img.H)})
	if err != nil {
		t.Fatal(err)
	}
	used := make([]bool, len(fs))
	for i, w := range want {
		found := -1
		for j, f := range fs {
			if f.Box.IoU(w.want) >= 0.6 {
				found, used[j] = j, true
			}
		}
		switch {
		case widths[i] < DefaultQuality.MinWidth:
			if found >= 0 {
				t.Errorf("%d px face of %s returned, want it left out as too small", widths[i], w.who)
			}
		case found < 0:
			t.Errorf("%d px face of %s at %+v not found", widths[i], w.who, w.want)
		default:
			checkIdentity(t, fs[found], widths[i], i, want)
		}
		if widths[i] <= 48 && widths[i] >= DefaultQuality.MinWidth && overlaps(whole, w.want) {
			t.Errorf("%d px face found by the whole-frame pass too: the mosaic no longer tests the tiles", widths[i])
		}
	}
	for j, f := range fs {
		if !used[j] {
			t.Errorf("face at %+v (score %.2f, raw length %.2f) is not one that was pasted", f.Box, f.Score, f.RawNorm)
		}
	}
}

// checkIdentity asserts that face f, found where want[i] was pasted, is
// most similar to the photo it came from, above the threshold.
func checkIdentity(t *testing.T, f Face, width, i int, want []pasted) {
	t.Helper()
	best := 0
	for k := range want {
		if Similarity(f.Embedding, want[k].emb) > Similarity(f.Embedding, want[best].emb) {
			best = k
		}
	}
	if s := Similarity(f.Embedding, want[i].emb); best != i || s < DefaultThreshold {
		t.Errorf("%d px face of %s: similarity to its photo %.3f, most similar to %s", width, want[i].who, s, want[best].who)
	}
}

func overlaps(ds []Detection, b Box) bool {
	for _, d := range ds {
		if d.Box.IoU(b) >= 0.5 {
			return true
		}
	}
	return false
}
