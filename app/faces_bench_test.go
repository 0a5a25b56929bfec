package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/image/draw"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/faces"
)

// BenchmarkSelfieSearch measures a registered guest's whole selfie search
// through the API, one request at a time over loopback: the POST of a
// JPEG selfie to /api/v1/face-invites/{token}/search, decode, detection and
// embedding by the real models, the pgvector search, the visibility
// filter, and the JSON read to its end. The selfie is Asha's test photo
// as it is (a camera's JPEG, as a native app may send it), and once more
// as the guest page sends it (1280 px, JPEG quality 0.92: selfie.js). Two
// baselines in the same run split the time: the pipeline's face finding
// alone on the first one's bytes (faces.DecodeSelfie and OneFace, no HTTP,
// no database), and GET …/photos, the same search with the registered
// face over HTTP without a selfie. Goal: p50 under 150 ms.
//
//	go test ./app -run '^$' -bench BenchmarkSelfieSearch -benchtime 50x
func BenchmarkSelfieSearch(b *testing.B) {
	s := newSelfieBench(b)
	lat := map[string][2]time.Duration{} // p50, p99 of each sub-benchmark's last round
	measure := func(name string, op func(b *testing.B) time.Duration) {
		b.Run(name, func(b *testing.B) {
			d := make([]time.Duration, 0, max(b.N, minSamples))
			for range b.N {
				d = append(d, op(b))
			}
			// A p99 wants samples whatever b.N is (a few at make bench's
			// 1 s): the extra ones are off the clock, so ns/op stays true.
			b.StopTimer()
			for len(d) < minSamples {
				d = append(d, op(b))
			}
			p50, p99 := percentiles(d)
			lat[name] = [2]time.Duration{p50, p99}
			b.ReportMetric(ms(p50), "p50-ms")
			b.ReportMetric(ms(p99), "p99-ms")
		})
	}
	measure("find-face-baseline", func(b *testing.B) time.Duration { return s.findFace(b, s.camera) })
	measure("api-photos-baseline", s.photos)
	measure("api-search", func(b *testing.B) time.Duration { return s.search(b, s.camera) })
	measure("api-search-web-size", func(b *testing.B) time.Duration { return s.search(b, s.web) })
	// Printed once, after the last rounds: a parent benchmark's log is not shown.
	base, photos := lat["find-face-baseline"], lat["api-photos-baseline"]
	full, web := lat["api-search"], lat["api-search-web-size"]
	fmt.Printf("BenchmarkSelfieSearch: selfie %s, %s; collection of %d faces on %d photos, %d found; "+
		"face finding alone (decode + OneFace) p50 %.1f ms, p99 %.1f ms; GET …/photos (search by the registered face, no selfie) p50 %.1f ms, p99 %.1f ms; "+
		"whole selfie request p50 %.1f ms, p99 %.1f ms, %.1f ms over face finding at p50; the same selfie as the guest page sends it, %s: p50 %.1f ms, p99 %.1f ms\n",
		ashaSelfie, s.camera, s.faces, len(s.world.files), len(ashaPhotos), ms(base[0]), ms(base[1]), ms(photos[0]), ms(photos[1]),
		ms(full[0]), ms(full[1]), ms(full[0]-base[0]), s.web, ms(web[0]), ms(web[1]))
	// Two goal lines: a guest's selfie is the page's (the guest flow takes
	// it in the page), a native app may send its camera's picture as it is.
	fmt.Printf("goal: selfie-to-results of a guest taking the selfie in the page (%s): p50 %.1f ms, p99 %.1f ms; goal p50 under 150 ms: %s\n",
		s.web, ms(web[0]), ms(web[1]), met(web[0] < 150*time.Millisecond))
	fmt.Printf("goal: selfie-to-results of a native app sending a camera's picture (%s, face finding alone p50 %.1f ms): p50 %.1f ms, p99 %.1f ms; goal p50 under 150 ms: %s\n",
		s.camera, ms(base[0]), ms(full[0]), ms(full[1]), met(full[0] < 150*time.Millisecond))
}

// minSamples is the fewest requests a percentile is taken from.
const minSamples = 20

// selfieBench is the face world, indexed, served on loopback, with one
// guest registered and bound to Asha's face by her selfie.
type selfieBench struct {
	world     *faceWorld
	pipeline  *faces.Pipeline
	base      string // the server
	invite    string // the invite's API path
	bearer    string // the registration's token
	camera    *selfie
	web       *selfie
	faces     int // in the collection
	client    *http.Client
	wantFiles []string // Asha's photos, sorted
}

// selfie is a JPEG and its size.
type selfie struct {
	jpeg []byte
	w, h int
}

func (s *selfie) String() string {
	return fmt.Sprintf("%d×%d px JPEG of %d KB", s.w, s.h, len(s.jpeg)>>10)
}

func newSelfieBench(b *testing.B) *selfieBench {
	b.Helper()
	// Every search counts towards the limits; raised here, never by default.
	ta := faceApp(b, func(c *app.Config) { c.FaceSearchLimit, c.FaceSearchIPLimit = 1_000_000, 1_000_000 })
	w := newFaceWorld(b, ta)
	w.index(b)
	// Nothing else runs while the searches are timed.
	ta.Jobs.Stop(context.Background())
	_, token := w.newInvite(b, faces.InviteInput{Label: "Bench"})
	p, err := ta.FacePipeline.Pipeline()
	if err != nil {
		b.Fatal(err)
	}
	s := &selfieBench{world: w, pipeline: p, base: ta.Listen(), invite: fiPath(token),
		client: &http.Client{}, wantFiles: slices.Sorted(slices.Values(ashaPhotos))}
	s.camera = newSelfie(b, readFace(b, ashaSelfie))
	s.web = s.camera.webSize(b)
	s.faces = query[int](b, ta, "SELECT count(*) FROM faces WHERE collection_id = $1", w.coll)
	s.register(b)
	if _, bound := s.post(b, s.camera); !bound { // binds the registration, and warms the path up
		b.Fatal("the first selfie did not bind the registration")
	}
	return s
}

func newSelfie(b *testing.B, raw []byte) *selfie {
	b.Helper()
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	return &selfie{jpeg: raw, w: cfg.Width, h: cfg.Height}
}

// webSize is the picture as the guest page's canvas sends it: at most
// 1280 px on the long edge, JPEG quality 0.92.
func (s *selfie) webSize(b *testing.B) *selfie {
	b.Helper()
	src, err := jpeg.Decode(bytes.NewReader(s.jpeg))
	if err != nil {
		b.Fatal(err)
	}
	k := min(1, 1280/float64(max(s.w, s.h)))
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(s.w)*k+0.5), int(float64(s.h)*k+0.5)))
	draw.BiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 92}); err != nil {
		b.Fatal(err)
	}
	return newSelfie(b, buf.Bytes())
}

// register makes the guest's registration through the API.
func (s *selfieBench) register(b *testing.B) {
	b.Helper()
	body, _ := json.Marshal(map[string]any{"name": "Asha", "email": "asha@example.com",
		"consent": true, "consent_version": faces.ConsentVersion})
	res, err := s.client.Post(s.base+s.invite+"/registrations", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var reg struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&reg); err != nil || res.StatusCode != http.StatusCreated || reg.Token == "" {
		b.Fatalf("register: %d %v", res.StatusCode, err)
	}
	s.bearer = reg.Token
}

// search is one timed request.
func (s *selfieBench) search(b *testing.B, sf *selfie) time.Duration {
	d, bound := s.post(b, sf)
	if bound {
		b.Fatal("a later selfie bound the registration again")
	}
	return d
}

// photos is GET …/photos: Asha's photos by her registered face.
func (s *selfieBench) photos(b *testing.B) time.Duration {
	req, _ := http.NewRequest(http.MethodGet, s.base+s.invite+"/photos", nil)
	d, _ := s.do(b, req)
	return d
}

// post sends the selfie; see do.
func (s *selfieBench) post(b *testing.B, sf *selfie) (time.Duration, bool) {
	req, _ := http.NewRequest(http.MethodPost, s.base+s.invite+"/search", bytes.NewReader(sf.jpeg))
	req.Header.Set("Content-Type", "image/jpeg")
	return s.do(b, req)
}

// do sends req as the guest and checks the answer is exactly Asha's
// photos. It returns the time from the request's start to the answer's
// last byte, and whether the request bound the registration.
func (s *selfieBench) do(b *testing.B, req *http.Request) (time.Duration, bool) {
	req.Header.Set("Authorization", "Bearer "+s.bearer)
	t0 := time.Now()
	res, err := s.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	d := time.Since(t0)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("%s %s: %d %.300s %v", req.Method, req.URL.Path, res.StatusCode, body, err)
	}
	var out struct {
		Bound  bool
		Photos []struct{ ID uuid.UUID }
	}
	if err := json.Unmarshal(body, &out); err != nil {
		b.Fatal(err)
	}
	got := make([]string, len(out.Photos))
	for i, p := range out.Photos {
		got[i] = s.world.files[p.ID]
	}
	if slices.Sort(got); !slices.Equal(got, s.wantFiles) {
		b.Fatalf("%s %s found %v, want %v", req.Method, req.URL.Path, got, s.wantFiles)
	}
	return d, out.Bound
}

// findFace is the baseline: what the selfie path does with the bytes
// before and besides the database.
func (s *selfieBench) findFace(b *testing.B, sf *selfie) time.Duration {
	t0 := time.Now()
	img, err := faces.DecodeSelfie(sf.jpeg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.pipeline.OneFace(context.Background(), img); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*99/100)]
}
