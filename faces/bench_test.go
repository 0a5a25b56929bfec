package faces

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// previewSide is the gallery's preview rendition, which indexing reads.
const previewSide = 2048

// BenchmarkIndexPhoto measures what indexing does per photo: decode the
// preview rendition (every test photo made into one: at most 2048 px,
// JPEG) and find and embed its faces, on as many goroutines as cores, the
// pipeline sharing its sessions among them. It reports photos/s and
// faces/s.
func BenchmarkIndexPhoto(b *testing.B) {
	p := testPipeline(b)
	previews := benchPreviews(b)
	var photos, faces float64
	// One op indexes the whole set, so every round sees the same mix of
	// sizes and faces.
	b.Run("all-photos", func(b *testing.B) {
		var found atomic.Int64
		for range b.N {
			indexAll(b, p, previews, &found)
		}
		secs := b.Elapsed().Seconds()
		photos, faces = float64(b.N*len(previews))/secs, float64(found.Load())/secs
		b.ReportMetric(photos, "photos/s")
		b.ReportMetric(faces, "faces/s")
	})
	// Printed once, after the sub-benchmark's last round: a parent
	// benchmark's log is not shown.
	fmt.Printf("goal: indexing %d px previews of %d real photos on %d cores at %.1f photos/s, %.1f faces/s; goal at least 10 photos/s: %s\n",
		previewSide, len(previews), runtime.GOMAXPROCS(0), photos, faces, met(photos >= 10))
}

// indexAll decodes and indexes every preview on GOMAXPROCS goroutines.
func indexAll(b *testing.B, p *Pipeline, previews [][]byte, found *atomic.Int64) {
	work := make(chan []byte)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for buf := range work {
				img, err := Decode(buf)
				if err != nil {
					b.Error(err)
					continue
				}
				fs, err := p.Faces(b.Context(), img)
				if err != nil {
					b.Error(err)
				}
				found.Add(int64(len(fs)))
			}
		}()
	}
	for _, buf := range previews {
		work <- buf
	}
	close(work)
	wg.Wait()
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// benchPreviews turns every test photo into the JPEG its preview
// rendition would be.
func benchPreviews(b *testing.B) [][]byte {
	dir := testData(b, filepath.Join("faces", "deepface"))
	names, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(names) == 0 {
		b.Fatalf("no photos in %s: %v", dir, err)
	}
	var out [][]byte
	for _, n := range names {
		raw, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		img, err := Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		if k := float32(previewSide) / float32(max(img.W, img.H)); k < 1 {
			img = resample(img, Box{0, 0, float32(img.W), float32(img.H)}, int(float32(img.W)*k), int(float32(img.H)*k))
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img.Image(), &jpeg.Options{Quality: 85}); err != nil {
			b.Fatal(err)
		}
		out = append(out, buf.Bytes())
	}
	return out
}
