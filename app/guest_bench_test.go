package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/proofsheet/proofsheet/app/apptest"
	"github.com/proofsheet/proofsheet/gallery"
)

// benchAlbum is a published album without PINs, shared by one link, with a
// guest already in; base is the server's URL.
type benchAlbum struct {
	ta     *apptest.TestApp
	base   string
	studio uuid.UUID
	album  *gallery.Album
	folder uuid.UUID
	token  string
	cookie *http.Cookie
	photos []uuid.UUID
}

func newBenchAlbum(b testing.TB) *benchAlbum {
	b.Helper()
	ta := apptest.New(b)
	u := ta.NewStudio("Bench")
	ctx, act := context.Background(), apptest.Actor(u)
	on, published, title := true, gallery.StatusPublished, "Bench wedding"
	al, err := ta.Gallery.CreateAlbum(ctx, u.StudioID, gallery.AlbumInput{Title: &title,
		Status: &published, OriginalsAllowed: &on, WebAllowed: &on}, act)
	if err != nil {
		b.Fatal(err)
	}
	fs, err := ta.Gallery.Folders(ctx, u.StudioID, al.ID)
	if err != nil {
		b.Fatal(err)
	}
	_, token, err := ta.Gallery.CreateLink(ctx, u.StudioID, al.ID, gallery.LinkInput{Label: "bench"}, act)
	if err != nil {
		b.Fatal(err)
	}
	return &benchAlbum{ta: ta, base: ta.Listen(), studio: u.StudioID, album: al, folder: fs[0].ID, token: token}
}

// addRealPhotos uploads and renders n of the shared test photos.
func (ba *benchAlbum) addRealPhotos(b testing.TB, n int) {
	b.Helper()
	ctx := context.Background()
	dir := apptest.TestData(b, "faces/deepface")
	names, _ := os.ReadDir(dir)
	w := &gallery.RenderWorker{Gallery: ba.ta.Gallery}
	for _, e := range names {
		if len(ba.photos) == n {
			break
		}
		f, err := os.ReadFile(dir + "/" + e.Name())
		if err != nil || !bytes.HasPrefix(f, []byte{0xFF, 0xD8}) {
			continue
		}
		p, err := ba.ta.Gallery.Upload(ctx, ba.studio, ba.album.ID, ba.folder, e.Name(), bytes.NewReader(f), gallery.Actor{IP: "192.0.2.1"})
		if err != nil {
			continue // a duplicate of another test photo
		}
		job := &river.Job[gallery.RenderArgs]{JobRow: &rivertype.JobRow{Attempt: 1, Kind: gallery.RenderArgs{}.Kind()},
			Args: gallery.RenderArgs{StudioID: ba.studio, PhotoID: p.ID}}
		if err := w.Work(ctx, job); err != nil {
			b.Fatal(err)
		}
		ba.photos = append(ba.photos, p.ID)
	}
	if len(ba.photos) < n {
		b.Fatalf("only %d test photos", len(ba.photos))
	}
}

// addRandomOriginals stores n ready photos of size bytes of random data
// (incompressible, like photos) straight in the store and the table.
func (ba *benchAlbum) addRandomOriginals(b *testing.B, n, size int) {
	b.Helper()
	ctx := context.Background()
	db := ba.ta.Superuser()
	for i := range n {
		buf := make([]byte, size)
		_, _ = rand.Read(buf)
		id := uuid.New()
		key := fmt.Sprintf("albums/%s/%s/original", ba.album.ID, id)
		if _, err := ba.ta.Gallery.Blobs.Put(ctx, ba.studio, key, bytes.NewReader(buf)); err != nil {
			b.Fatal(err)
		}
		sum := make([]byte, 32)
		_, _ = rand.Read(sum)
		_, err := db.Exec(ctx, `INSERT INTO photos (id, studio_id, album_id, folder_id, filename, media_type, kind, size, sha256, crc32, status, original_key, position)
			VALUES ($1, $2, $3, $4, $5, 'image/jpeg', 'image', $6, $7, $8, 'ready', $9, $10)`,
			id, ba.studio, ba.album.ID, ba.folder, fmt.Sprintf("IMG_%04d.jpg", i), size, sum, int64(crc32.ChecksumIEEE(buf)), key, i)
		if err != nil {
			b.Fatal(err)
		}
		ba.photos = append(ba.photos, id)
	}
}

// enter opens the link like a browser and keeps the guest's cookie.
func (ba *benchAlbum) enter(b testing.TB) {
	b.Helper()
	ba.cookie = ba.newGuest(b)
}

// newGuest opens the link as a new browser would and returns its cookie.
func (ba *benchAlbum) newGuest(b testing.TB) *http.Cookie {
	b.Helper()
	res, err := noRedirect.Get(ba.base + "/g/" + ba.token)
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if len(c.Name) > 8 && c.Name[:8] == "__Host-g" {
			return c
		}
	}
	b.Fatalf("opening the link: %d and no guest cookie", res.StatusCode)
	return nil
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// load sends total GETs from as many concurrent clients as guests, each
// with its own guest's cookie (none when guests is empty: one client per
// path), paths taken in turn, and returns requests per second and the 50th
// and 99th percentile latencies. Any answer but 200 fails the benchmark.
func (ba *benchAlbum) load(b *testing.B, guests []*http.Cookie, total int, paths []string) (rps float64, p50, p99 time.Duration) {
	clients := len(guests)
	b.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	lat := make([]time.Duration, total)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	start := time.Now()
	for who := range clients {
		wg.Go(func() {
			for {
				next.Lock()
				n := i
				i++
				next.Unlock()
				if n >= total {
					return
				}
				req, _ := http.NewRequest(http.MethodGet, ba.base+paths[n%len(paths)], nil)
				if guests[who] != nil {
					req.AddCookie(guests[who])
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				lat[n] = time.Since(t0)
				if err != nil {
					b.Errorf("GET %s: %v", paths[n%len(paths)], err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return float64(total) / elapsed.Seconds(), lat[total/2], lat[total*99/100]
}

// BenchmarkGuestServing puts 200 concurrent guests, each in a session of
// its own, on loopback against the album page and the thumbnails, with
// the static stylesheet served by the same process as the baseline. Each
// run is measured after a first round that fills the guests' cache, so
// it shows the steady state of an album being viewed. Goal: p99 under
// 50 ms.
func BenchmarkGuestServing(b *testing.B) {
	ba := newBenchAlbum(b)
	ba.addRealPhotos(b, 24)
	const clients, total = 200, 4000
	guests := make([]*http.Cookie, clients)
	for i := range guests {
		guests[i] = ba.newGuest(b)
	}
	thumbs := make([]string, len(ba.photos))
	for i, id := range ba.photos {
		thumbs[i] = "/g/" + ba.token + "/p/" + id.String() + "/thumb"
	}
	for _, s := range []struct {
		name  string
		paths []string
	}{
		{"static-baseline", []string{"/static/app.css"}},
		{"album-page", []string{"/g/" + ba.token}},
		{"thumbnails", thumbs},
	} {
		var rps float64
		var p50, p99 time.Duration
		b.Run(s.name, func(b *testing.B) {
			ba.load(b, guests, 2*clients, s.paths)
			for range b.N {
				rps, p50, p99 = ba.load(b, guests, total, s.paths)
			}
			b.ReportMetric(rps, "req/s")
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		})
		// Said once, of the last run: b.Run calls the function again as
		// b.N grows, and a line among its output breaks the report.
		if s.name != "static-baseline" && rps > 0 {
			fmt.Printf("goal: guest %s under %d concurrent clients: %.0f req/s, p50 %.1f ms, p99 %.1f ms; goal p99 under 50 ms: %s\n",
				s.name, clients, rps, ms(p50), ms(p99), met(p99 < 50*time.Millisecond))
		}
	}
}

// BenchmarkZipStreaming streams a zip of 16 originals of 8 MB against
// reading the same objects decrypted from the store, in the same run, both
// into a writer that discards (goal: at least 80% of the store's speed).
// The same zip is downloaded over loopback HTTP too; there the in-process
// client and both ends of the kernel's TCP share the two cores with
// decryption, which cpu-ms/op shows.
func BenchmarkZipStreaming(b *testing.B) {
	ba := newBenchAlbum(b)
	const n, size = 16, 8 << 20
	ba.addRandomOriginals(b, n, size)
	ba.enter(b)
	ctx := context.Background()
	open := func(ctx context.Context, key string) (io.ReadCloser, error) {
		return ba.ta.Gallery.Blobs.Open(ctx, ba.studio, key)
	}
	z := &gallery.Zip{Name: "bench.zip"}
	for i, id := range ba.photos {
		z.Entries = append(z.Entries, gallery.ZipEntry{Name: fmt.Sprintf("IMG_%04d.jpg", i),
			Key: fmt.Sprintf("albums/%s/%s/original", ba.album.ID, id), Size: size})
	}
	// The client reads in 256 KiB pieces, as a download manager or curl
	// does; net/http's defaults (4 KiB buffer, 8 KiB copies) would make
	// the loopback client, not the server, the measure on two cores.
	client := &http.Client{Transport: &http.Transport{ReadBufferSize: 256 << 10}}
	buf := make([]byte, 256<<10)
	speed := map[string]float64{}
	measure := func(name string, fn func(b *testing.B) int64) {
		b.Run(name, func(b *testing.B) {
			cpu0 := cpuTime()
			var bytes int64
			for range b.N {
				bytes += fn(b)
			}
			speed[name] = float64(bytes) / (1 << 20) / b.Elapsed().Seconds()
			b.ReportMetric(speed[name], "MB/s")
			b.ReportMetric(ms(cpuTime()-cpu0)/float64(b.N), "cpu-ms/op")
		})
	}
	measure("store-read-baseline", func(b *testing.B) int64 {
		var total int64
		for _, e := range z.Entries {
			obj, err := open(ctx, e.Key)
			if err != nil {
				b.Fatal(err)
			}
			k, err := io.Copy(io.Discard, obj)
			obj.Close()
			if err != nil {
				b.Fatal(err)
			}
			total += k
		}
		return total
	})
	measure("zip", func(b *testing.B) int64 {
		var c countingDiscard
		if err := z.WriteTo(ctx, &c, open); err != nil || c.n < n*size {
			b.Fatalf("zip: %d bytes, %v", c.n, err)
		}
		return c.n
	})
	measure("zip-over-http", func(b *testing.B) int64 {
		req, _ := http.NewRequest(http.MethodGet, ba.base+"/g/"+ba.token+"/zip?size=original", nil)
		req.AddCookie(ba.cookie)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		k, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, res.Body, buf)
		if err != nil || res.StatusCode != http.StatusOK || k != res.ContentLength || k < n*size {
			b.Fatalf("zip: %d, %d of %d bytes, %v", res.StatusCode, k, res.ContentLength, err)
		}
		return k
	})
	if base := speed["store-read-baseline"]; base > 0 && speed["zip"] > 0 && speed["zip-over-http"] > 0 {
		r := speed["zip"] / base
		fmt.Printf("goal: zip streaming at %.0f MB/s, %.2f of reading the same objects decrypted (%.0f MB/s); goal at least 0.8: %s."+
			" Downloaded over loopback HTTP by a client on the same two cores, the zip streams at %.0f MB/s (%.2f)\n",
			speed["zip"], r, base, met(r >= 0.8), speed["zip-over-http"], speed["zip-over-http"]/base)
	}
}

// countingDiscard counts and drops what is written.
type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// cpuTime is the CPU the process has used, in user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
