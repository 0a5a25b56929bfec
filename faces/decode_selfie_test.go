package faces

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A selfie is decoded small enough for one detector pass, and the face
// found in it is the one found at Decode's size: JPEGs of each shrink
// factor, a PNG, and a picture small enough to stay as it is.
func TestDecodeSelfie(t *testing.T) {
	p := testPipeline(t)
	img1 := photo(t, "img1.jpg")
	var pngSelfie bytes.Buffer
	if err := png.Encode(&pngSelfie, img1.Image()); err != nil {
		t.Fatal(err)
	}
	// A JPEG is scaled by n/8 in the decoder (the largest n that fits),
	// another picture shrunk by a whole factor.
	for _, tc := range []struct {
		name string
		raw  []byte
		w, h int
	}{
		{"img1.jpg", readPhoto(t, "img1.jpg"), 691, 934}, // 1382×1868 by 4/8, the app's benchmark selfie
		{"img4.jpg", readPhoto(t, "img4.jpg"), 938, 648}, // 2500×1728 by 3/8
		{"img8.jpg", readPhoto(t, "img8.jpg"), 660, 960}, // 660×960 as it is
		{"img1 as PNG", pngSelfie.Bytes(), 691, 934},     // the non-JPEG path: by 2
	} {
		t.Run(tc.name, func(t *testing.T) {
			full, err := Decode(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			small, err := DecodeSelfie(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			if small.W != tc.w || small.H != tc.h || max(small.W, small.H) > SelfieMaxSide {
				t.Fatalf("%d×%d from %d×%d, want %d×%d, at most %d px", small.W, small.H, full.W, full.H, tc.w, tc.h, SelfieMaxSide)
			}
			if grid, _ := tileGrid(small.W, small.H); grid != nil {
				t.Fatalf("%d×%d is still tiled (%d tiles)", small.W, small.H, len(grid))
			}
			want, err := p.OneFace(t.Context(), full)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.OneFace(t.Context(), small)
			if err != nil {
				t.Fatal(err)
			}
			if s := Similarity(got.Embedding, want.Embedding); s < 0.99 {
				t.Fatalf("similarity %.3f to the face at full size, want at least 0.99", s)
			}
		})
	}
}

// What SelfieMaxSide costs, as its comment says: in a 2000 px picture
// (halved) a face of 100 px is still found and matches, one of 60 px,
// which the full size takes, is too small, and the guest is told so.
func TestDecodeSelfieSmallFaces(t *testing.T) {
	p := testPipeline(t)
	img1 := photo(t, "img1.jpg")
	all, err := p.Faces(t.Context(), img1)
	if err != nil || len(all) != 1 {
		t.Fatalf("img1.jpg: %d faces, %v", len(all), err)
	}
	face := all[0]
	framed := func(width int) []byte {
		m := grey(2000, 1500, 120)
		k := float32(width) / face.Box.W()
		paste(m, resample(img1, Box{0, 0, float32(img1.W), float32(img1.H)}, int(float32(img1.W)*k), int(float32(img1.H)*k)), 700, 300)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m.Image(), &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, tc := range []struct {
		width     int
		full, got error
	}{
		{100, nil, nil},
		{60, nil, ErrFaceTooSmall},
	} {
		raw := framed(tc.width)
		full, err := Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		small, err := DecodeSelfie(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.OneFace(t.Context(), full); !errors.Is(err, tc.full) {
			t.Errorf("%d px face at full size: %v, want %v", tc.width, err, tc.full)
		}
		f, err := p.OneFace(t.Context(), small)
		if !errors.Is(err, tc.got) {
			t.Errorf("%d px face at selfie size: %v, want %v", tc.width, err, tc.got)
		}
		if err == nil && Similarity(f.Embedding, face.Embedding) < DefaultThreshold {
			t.Errorf("%d px face at selfie size: similarity %.3f", tc.width, Similarity(f.Embedding, face.Embedding))
		}
	}
}

// A selfie stored sideways is turned upright at selfie size too.
func TestDecodeSelfieHonoursEXIFOrientation(t *testing.T) {
	img1 := photo(t, "img1.jpg")
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, orient(img1, 8).Image(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	img, err := DecodeSelfie(withOrientation(buf.Bytes(), binary.LittleEndian, 6))
	if err != nil {
		t.Fatal(err)
	}
	if img.W != img1.W/2 || img.H != img1.H/2 {
		t.Fatalf("%d×%d, want %d×%d upright", img.W, img.H, img1.W/2, img1.H/2)
	}
}

func readPhoto(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testData(t, filepath.Join("faces", "deepface", name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A selfie that is not a whole JPEG is refused with ErrDecode, never
// guessed at: cut short, corrupt, or promising more pixels than allowed.
func TestDecodeSelfieRefusesBadJPEGs(t *testing.T) {
	raw := readPhoto(t, "img1.jpg")
	corrupt := bytes.Clone(raw)
	for i := len(corrupt) / 2; i < len(corrupt)/2+4096; i++ {
		corrupt[i] = byte(i * 7)
	}
	huge := bytes.Clone(raw)
	sof := frameHeader(t, huge)
	huge[sof+5], huge[sof+6], huge[sof+7], huge[sof+8] = 0xEA, 0x60, 0xEA, 0x60 // 60000×60000
	for _, tc := range []struct {
		name, want string
		raw        []byte
	}{
		{"cut in half", "", raw[:len(raw)/2]},
		{"corrupt in the middle", "", corrupt},
		{"only the start marker", "", raw[:2]},
		{"60000×60000 promised", "60000×60000 pixels is out of range", huge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := DecodeSelfie(tc.raw)
			if !errors.Is(err, ErrDecode) || m != nil {
				t.Fatalf("got a picture (%v) and %v; want ErrDecode", m != nil, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%q does not say %q", err, tc.want)
			}
		})
	}
}

// frameHeader finds the main picture's start-of-frame segment by walking
// the segments from the start (an EXIF thumbnail has one of its own).
func frameHeader(t *testing.T, b []byte) int {
	t.Helper()
	for i := 2; i+4 < len(b); {
		if b[i] != 0xFF {
			t.Fatalf("no segment at %d", i)
		}
		if m := b[i+1]; m >= 0xC0 && m <= 0xC2 {
			return i
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	t.Fatal("no frame header")
	return 0
}
