package faces_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/image/draw"

	"github.com/proofsheet/proofsheet/faces"
)

// groupSeat is one face pasted into a group photo: whose, from which
// photo, how wide on the canvas, and where it ended up (in fractions of
// the canvas, like stored boxes).
type groupSeat struct {
	identity, from, selfie string
	width                  int
	want                   faces.Rect
}

// groupPhoto pastes the widest face of each seat's photo, with half a face
// of margin around it, onto a grey w×h canvas, left to right, and returns
// the canvas as a JPEG.
func groupPhoto(t *testing.T, w, h int, seats []groupSeat) []byte {
	t.Helper()
	canvas := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(canvas, canvas.Bounds(), &image.Uniform{color.Gray{128}}, image.Point{}, draw.Src)
	x, y, rowH := 60, 60, 0
	for i := range seats {
		s := &seats[i]
		src, err := faces.Decode(readFace(t, s.from))
		if err != nil {
			t.Fatal(err)
		}
		f := selfieOf(t, src, s.from)
		b := f.Box
		crop := image.Rect(int(max(b.X0-b.W()/2, 0)), int(max(b.Y0-b.H()/2, 0)),
			int(min(b.X1+b.W()/2, float32(src.W))), int(min(b.Y1+b.H()/2, float32(src.H))))
		scale := float64(s.width) / float64(b.W())
		cw, ch := int(float64(crop.Dx())*scale), int(float64(crop.Dy())*scale)
		if x+cw > w-60 {
			x, y, rowH = 60, y+rowH+60, 0
		}
		if y+ch > h {
			t.Fatalf("canvas %d×%d too small", w, h)
		}
		dst := image.Rect(x, y, x+cw, y+ch)
		draw.CatmullRom.Scale(canvas, dst, src.Image(), crop, draw.Src, nil)
		sx, sy := float64(cw)/float64(crop.Dx()), float64(ch)/float64(crop.Dy())
		fx := func(v float32) float32 {
			return float32((float64(x) + (float64(v)-float64(crop.Min.X))*sx) / float64(w))
		}
		fy := func(v float32) float32 {
			return float32((float64(y) + (float64(v)-float64(crop.Min.Y))*sy) / float64(h))
		}
		s.want = faces.Rect{X: fx(b.X0), Y: fy(b.Y0), W: fx(b.X1) - fx(b.X0), H: fy(b.Y1) - fy(b.Y0)}
		x += cw + 60
		rowH = max(rowH, ch)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, canvas, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// selfieOf is the widest face of a decoded photo.
func selfieOf(t *testing.T, img *faces.RGB, name string) faces.Face {
	t.Helper()
	fs, err := pipeline(t).Faces(t.Context(), img)
	if err != nil || len(fs) == 0 {
		t.Fatalf("%s: no face (%v)", name, err)
	}
	best := fs[0]
	for _, f := range fs[1:] {
		if f.Width > best.Width {
			best = f
		}
	}
	return best
}

func iou(a, b faces.Rect) float32 {
	x0, y0 := max(a.X, b.X), max(a.Y, b.Y)
	x1, y1 := min(a.X+a.W, b.X+b.W), min(a.Y+a.H, b.Y+b.H)
	if x1 <= x0 || y1 <= y0 {
		return 0
	}
	in := (x1 - x0) * (y1 - y0)
	return in / (a.W*a.H + b.W*b.H - in)
}

// A 6 MP group photo made of six people's faces, 300 down to 64 px wide
// (about 205 to 44 px in the 2048 px preview that is indexed), and a real
// photo of a couple: the group photo is indexed with every face where it
// was pasted, and each person's selfie (another photo of them) finds the
// group photo with the box of their own face.
func TestGroupPhotosAreIndexed(t *testing.T) {
	e := newEnv(t)
	seats := []groupSeat{
		{identity: "df_img1", from: "img2.jpg", selfie: "img1.jpg", width: 300},
		{identity: "df_img26", from: "img27.jpg", selfie: "img26.jpg", width: 200},
		{identity: "df_img8", from: "img9.jpg", selfie: "img8.jpg", width: 150},
		{identity: "df_img3", from: "img53.jpg", selfie: "img3.jpg", width: 110},
		{identity: "df_img29", from: "img30.jpg", selfie: "img29.jpg", width: 80},
		{identity: "df_img34", from: "img35.jpg", selfie: "img34.jpg", width: 64},
	}
	group := groupPhoto(t, 3000, 2000, seats)
	album, folder := e.album("Reunion")
	gp := e.upload(album, folder, "group.jpg", group)
	couple := e.uploadFile(album, folder, "couple.jpg")
	c := e.collection("Reunion guests", album)
	if !c.Progress.Done() || c.Progress.Indexed != 2 {
		t.Fatalf("progress %+v", c.Progress)
	}
	if n := e.storedFaces(couple); n != 2 {
		t.Errorf("%d faces stored for the couple, want 2", n)
	}
	if n := e.storedFaces(gp); n != len(seats) {
		t.Errorf("%d faces stored for the group photo, want %d", n, len(seats))
	}
	for _, s := range seats {
		ms, err := e.svc.Search(e.ctx, e.studio, c.ID, selfie(t, s.selfie))
		if err != nil {
			t.Fatal(err)
		}
		var found *faces.PhotoMatch
		for i := range ms {
			if ms[i].PhotoID == gp {
				found = &ms[i]
			}
		}
		switch {
		case found == nil:
			t.Errorf("%s (%d px): the selfie %s does not find the group photo", s.identity, s.width, s.selfie)
		case len(found.Faces) != 1 || iou(found.Faces[0].Box, s.want) < 0.5:
			t.Errorf("%s (%d px): matched faces %+v, want one at %+v", s.identity, s.width, found.Faces, s.want)
		}
	}
}

// storedFaces counts the faces stored for a photo.
func (e *env) storedFaces(photo uuid.UUID) int {
	e.t.Helper()
	var n int
	if err := e.su.QueryRow(e.ctx, `SELECT count(*) FROM faces WHERE photo_id = $1`, photo).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}
