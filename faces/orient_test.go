package faces

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"testing"
)

// A quarter turn each way, checked by hand on a 3×2 picture, and every
// orientation undone by its inverse.
func TestOrient(t *testing.T) {
	m := &RGB{W: 3, H: 2}
	for i := range 6 {
		m.Pix = append(m.Pix, byte(i), 0, 0) // a b c / d e f
	}
	red := func(r *RGB) (s []byte) {
		for i := 0; i < len(r.Pix); i += 3 {
			s = append(s, r.Pix[i])
		}
		return s
	}
	// Stored "a b c / d e f" with orientation 6 is shown turned clockwise.
	if got := orient(m, 6); got.W != 2 || got.H != 3 || !bytes.Equal(red(got), []byte{3, 0, 4, 1, 5, 2}) {
		t.Errorf("orientation 6: %d×%d %v", got.W, got.H, red(got))
	}
	if got := orient(m, 8); !bytes.Equal(red(got), []byte{2, 5, 1, 4, 0, 3}) {
		t.Errorf("orientation 8: %v", red(got))
	}
	inverse := map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
	for o, inv := range inverse {
		if back := orient(orient(m, o), inv); back.W != 3 || !bytes.Equal(back.Pix, m.Pix) {
			t.Errorf("orientation %d then %d: %v", o, inv, red(back))
		}
	}
}

// A phone selfie stored sideways with EXIF orientation 6 is found upright;
// without the tag the same pixels show no face the detector can find.
func TestDecodeHonoursEXIFOrientation(t *testing.T) {
	p := testPipeline(t)
	upright := photo(t, "img10.jpg")
	want, err := p.OneFace(t.Context(), upright)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, orient(upright, 8).Image(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	sideways := buf.Bytes()
	if img, _ := Decode(sideways); img.W != upright.H {
		t.Fatalf("without EXIF the picture stays as stored")
	} else if _, err := p.OneFace(t.Context(), img); !errors.Is(err, ErrNoFace) {
		t.Fatalf("sideways face: %v, want ErrNoFace (else this test proves nothing)", err)
	}
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		img, err := Decode(withOrientation(sideways, order, 6))
		if err != nil || img.W != upright.W || img.H != upright.H {
			t.Fatalf("%v: %v", order, err)
		}
		f, err := p.OneFace(t.Context(), img)
		if err != nil || Similarity(f.Embedding, want.Embedding) < 0.9 {
			t.Fatalf("%v: turned upright: %v, similarity %.3f", order, err, Similarity(f.Embedding, want.Embedding))
		}
	}
}

// withOrientation inserts an EXIF segment holding only the orientation
// right after the JPEG's start marker, as a camera writes it.
func withOrientation(j []byte, bo binary.AppendByteOrder, o uint16) []byte {
	tiff := []byte("II*\x00")
	if bo.String() == binary.BigEndian.String() {
		tiff = []byte("MM\x00*")
	}
	tiff = bo.AppendUint32(tiff, 8)               // first IFD right after the header
	tiff = bo.AppendUint16(tiff, 1)               // one entry:
	tiff = bo.AppendUint16(tiff, 0x0112)          // orientation,
	tiff = bo.AppendUint16(tiff, 3)               // SHORT,
	tiff = bo.AppendUint32(tiff, 1)               // one value,
	tiff = append(bo.AppendUint16(tiff, o), 0, 0) // padded to four bytes
	tiff = bo.AppendUint32(tiff, 0)               // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{0xFF, 0xD8, 0xFF, 0xE1}, binary.BigEndian.AppendUint16(nil, uint16(len(seg)+2))...)
	return append(append(out, seg...), j[2:]...)
}
