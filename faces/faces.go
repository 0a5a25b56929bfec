// Package faces finds faces in photos and turns each into a 512-number
// embedding that is compared by cosine similarity: detection (with
// overlapping tiles on large pictures), 68 landmarks, five-point similarity
// alignment onto the ArcFace template, and the recognition model, all run by
// ONNX Runtime. Measured facts behind every constant are in FACES.md.
//
// The package knows nothing of HTTP or storage: callers decode (Decode, or
// DecodeSelfie for a selfie; or pass the preview rendition's pixels), call
// Pipeline.Faces or Pipeline.OneFace, and store Face.Embedding together
// with Face.Model.
package faces

import (
	"context"
	"errors"
	"math"
)

// DefaultThreshold is the cosine similarity from which two faces are taken
// for the same person. Measured on 26 identities: 98.7% of same-person pairs
// reach it and no different-person pair did (the closest look-alikes scored
// 0.43); 0.38-0.45 is a "possible match" band.
const DefaultThreshold = 0.45

// EmbeddingSize is the length of every embedding.
const EmbeddingSize = 512

// Errors for a caller that needs exactly one face (a guest's selfie).
var (
	ErrNoFace       = errors.New("faces: no face found")
	ErrManyFaces    = errors.New("faces: more than one face found")
	ErrFaceTooSmall = errors.New("faces: the face is too small")
	ErrClosed       = errors.New("faces: pipeline closed")
)

// Box is a rectangle in pixels (or, in Face.Rel, in fractions of the
// picture): X0,Y0 top left, X1,Y1 bottom right.
type Box struct{ X0, Y0, X1, Y1 float32 }

// W is the width.
func (b Box) W() float32 { return b.X1 - b.X0 }

// H is the height.
func (b Box) H() float32 { return b.Y1 - b.Y0 }

func (b Box) area() float32 { return max(b.W(), 0) * max(b.H(), 0) }

// IoU is the area of the intersection over the area of the union.
func (b Box) IoU(o Box) float32 {
	in := Box{max(b.X0, o.X0), max(b.Y0, o.Y0), min(b.X1, o.X1), min(b.Y1, o.Y1)}
	i := in.area()
	if i <= 0 {
		return 0
	}
	return i / (b.area() + o.area() - i)
}

// Point is a position in pixels.
type Point struct{ X, Y float32 }

// Detection is one face box found by a Detector.
type Detection struct {
	Box   Box // pixels of the picture passed to Detect
	Score float32
}

// Face is one usable face of a picture.
type Face struct {
	Box   Box // pixels of the picture passed to Faces
	Rel   Box // Box divided by the picture's size: 0..1, independent of the rendition
	Score float32
	// Landmarks are the alignment points in pixels: left eye, right eye,
	// nose tip, left and right mouth corner (as seen in the picture).
	Landmarks [5]Point
	Width     int     // quality: box width in pixels
	RawNorm   float32 // quality: the embedding's length before normalising; junk scores low
	Embedding []float32
	Model     string // the embedder's ModelID: store it beside every embedding
}

// Detector finds face boxes inside the region r of a picture. It must be
// safe for concurrent use.
type Detector interface {
	Detect(ctx context.Context, img *RGB, r Box) ([]Detection, error)
	ModelID() string
}

// Embedder turns an aligned face (AlignSize×AlignSize, eyes and mouth on
// the ArcFace template) into an L2-normalised embedding of EmbeddingSize,
// and reports the length it had before normalising. It must be safe for
// concurrent use.
type Embedder interface {
	Embed(ctx context.Context, aligned *RGB) (emb []float32, rawNorm float32, err error)
	ModelID() string
}

// Similarity is the cosine similarity of two L2-normalised embeddings,
// which is their dot product: 1 for the same face, below DefaultThreshold
// for different people.
func Similarity(a, b []float32) float32 {
	var s float32
	for i := range min(len(a), len(b)) {
		s += a[i] * b[i]
	}
	return s
}

// normalise scales v to unit length in place and returns its former length.
func normalise(v []float32) float32 {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	n := math.Sqrt(ss)
	if n > 0 {
		for i := range v {
			v[i] = float32(float64(v[i]) / n)
		}
	}
	return float32(n)
}
