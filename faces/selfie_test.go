package faces

import (
	"bytes"
	"errors"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

// A selfie must hold exactly one usable face; each way of failing has its
// own error so the guest page can say what to do.
func TestOneFace(t *testing.T) {
	p := testPipeline(t)
	img1 := photo(t, "img1.jpg")
	all, err := p.Faces(t.Context(), img1)
	if err != nil || len(all) != 1 {
		t.Fatalf("img1.jpg: %d faces, %v", len(all), err)
	}
	face := all[0]

	// Below the face of img1.jpg there are only clothes.
	below := resample(img1, Box{0, face.Box.Y1 + face.Box.H()/4, float32(img1.W), float32(img1.H)}, img1.W/2,
		int(float32(img1.H)-face.Box.Y1-face.Box.H()/4)/2)
	// The face of img1.jpg, 30 px wide, in a 640×480 frame.
	tiny := grey(640, 480, 200)
	k := 30 / face.Box.W()
	paste(tiny, resample(img1, Box{0, 0, float32(img1.W), float32(img1.H)}, int(float32(img1.W)*k), int(float32(img1.H)*k)), 300, 200)
	// A selfie with a bystander a third as wide behind.
	bystander := grey(1200, 900, 90)
	paste(bystander, resample(img1, face.Box, 300, 420), 100, 200)
	paste(bystander, resample(photo(t, "img3.jpg"), Box{400, 200, 1200, 1400}, 100, 150), 900, 100)
	if fs, err := p.Faces(t.Context(), bystander); err != nil || len(fs) != 2 {
		t.Fatalf("the bystander picture has %d faces (%v), want the subject's and the bystander's", len(fs), err)
	}

	for _, tc := range []struct {
		name string
		img  *RGB
		want error
	}{
		{"portrait", img1, nil},
		{"blank frame", grey(640, 480, 128), ErrNoFace},
		{"photo without a face", below, ErrNoFace},
		{"couple", photo(t, "couple.jpg"), ErrManyFaces},
		{"crowd", photo(t, "selfie-many-people.jpg"), ErrManyFaces},
		{"tiny face", tiny, ErrFaceTooSmall},
		{"bystander", bystander, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := p.OneFace(t.Context(), tc.img)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if tc.want == nil && Similarity(f.Embedding, face.Embedding) < DefaultThreshold {
				t.Fatalf("the face returned is not img1.jpg's (similarity %.3f)", Similarity(f.Embedding, face.Embedding))
			}
		})
	}
}

// Bytes that are not a whole picture fail in Decode with ErrDecode, and a
// malformed RGB fails in the pipeline with an error, not a panic.
func TestCorruptPictures(t *testing.T) {
	good, err := os.ReadFile(testData(t, filepath.Join("faces", "deepface", "img1.jpg")))
	if err != nil {
		t.Fatal(err)
	}
	var small bytes.Buffer
	if err := jpeg.Encode(&small, grey(64, 64, 1).Image(), nil); err != nil {
		t.Fatal(err)
	}
	garbled := append([]byte(nil), good...)
	for i := 600; i < len(garbled); i += 7 {
		garbled[i] ^= 0x5a
	}
	for name, b := range map[string][]byte{
		"empty":            nil,
		"text":             []byte("this is not a picture at all"),
		"truncated JPEG":   good[:len(good)/2],
		"JPEG header only": good[:400],
		"garbled JPEG":     garbled,
		"truncated small":  small.Bytes()[:small.Len()-40],
	} {
		if img, err := Decode(b); !errors.Is(err, ErrDecode) {
			t.Errorf("%s: Decode gave %v, %v; want ErrDecode", name, img, err)
		}
	}
	p := testPipeline(t)
	for name, img := range map[string]*RGB{"nil": nil, "empty": {}, "short pixels": {W: 10, H: 10, Pix: make([]byte, 10)}} {
		if _, err := p.Faces(t.Context(), img); err == nil {
			t.Errorf("%s picture: no error", name)
		}
	}
}
