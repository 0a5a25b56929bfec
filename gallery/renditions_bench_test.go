package gallery

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/davidbyttow/govips/v2/vips"
)

// bench24MP writes a 24-megapixel camera-like JPEG (6000 × 4000, quality
// 92) made from a test photo, and returns its path and bytes.
func bench24MP(b *testing.B) (string, []byte) {
	b.Helper()
	startVips()
	// ../shared/testdata beside the checkout (see apptest.TestData, which
	// this package's own tests cannot import).
	dir := cmp.Or(os.Getenv("PROOFSHEET_TESTDATA"), filepath.Join("..", "..", "shared", "testdata"))
	src := filepath.Join(dir, "faces", "deepface", "couple.jpg")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("test data missing: %v", err)
	}
	img, err := vips.NewThumbnailWithSizeFromFile(src, 6000, 4000, vips.InterestingCentre, vips.SizeForce)
	if err != nil {
		b.Fatal(err)
	}
	defer img.Close()
	p := vips.NewJpegExportParams()
	p.Quality = 92
	buf, _, err := img.ExportJpeg(p)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "24mp.jpg")
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		b.Fatal(err)
	}
	return path, buf
}

// BenchmarkThumbnail compares the render job's image path with libvips'
// own vipsthumbnail on the same 24 MP JPEG in the same run:
//
//   - proofsheet-thumb: a thumbnail straight from the original, as
//     vipsthumbnail makes it (shrink-on-load, sRGB, strip, JPEG);
//   - proofsheet-renditions: everything the job makes per photo (header
//     check, 2048 px preview, 480 px thumbnail, placeholder colour);
//   - vipsthumbnail-480 and vipsthumbnail-2048+480: the CLI making one or
//     both of those sizes, process start included.
//
// Each reports photos/s; the speed ratios are printed at the end.
func BenchmarkThumbnail(b *testing.B) {
	path, buf := bench24MP(b)
	perOp := map[string]time.Duration{}
	run := func(name string, fn func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				fn(b)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "photos/s")
			perOp[name] = b.Elapsed() / time.Duration(b.N)
		})
	}
	run("proofsheet-thumb", func(b *testing.B) {
		if _, err := shrinkJPEG(buf, ThumbSize, thumbQuality); err != nil {
			b.Fatal(err)
		}
	})
	run("proofsheet-renditions", func(b *testing.B) {
		if _, err := renderImage(buf, DefaultMaxPixels, nil); err != nil {
			b.Fatal(err)
		}
	})
	cli, err := exec.LookPath("vipsthumbnail")
	if err != nil {
		b.Fatal("vipsthumbnail not installed: scripts/setup --test installs libvips-tools")
	}
	out := filepath.Join(b.TempDir(), "out.jpg")
	vt := func(b *testing.B, size string, q int) {
		cmd := exec.Command(cli, path, "--size", size, "-o", out+"[Q="+strconv.Itoa(q)+",strip,optimize_coding,interlace]")
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("vipsthumbnail: %v: %s", err, msg)
		}
	}
	run("vipsthumbnail-480", func(b *testing.B) { vt(b, "480", thumbQuality) })
	run("vipsthumbnail-2048+480", func(b *testing.B) {
		vt(b, "2048", previewQuality)
		vt(b, "480", thumbQuality)
	})
	ratio := func(ours, theirs string) float64 {
		if perOp[ours] == 0 {
			return 0 // not run (-bench filtered it out)
		}
		return float64(perOp[theirs]) / float64(perOp[ours])
	}
	// Printed, not logged: a parent benchmark's log is not shown.
	fmt.Printf("BenchmarkThumbnail: speed relative to vipsthumbnail: thumbnail %.2f, all renditions vs both sizes %.2f, all renditions vs 480 only %.2f\n",
		ratio("proofsheet-thumb", "vipsthumbnail-480"),
		ratio("proofsheet-renditions", "vipsthumbnail-2048+480"),
		ratio("proofsheet-renditions", "vipsthumbnail-480"))
	if r := ratio("proofsheet-renditions", "vipsthumbnail-2048+480"); r > 0 {
		fmt.Printf("goal: renditions of a 24 MP JPEG (preview, thumbnail, placeholder) at %.2f of vipsthumbnail's speed making both sizes; goal at least 0.9: %s\n",
			r, met(r >= 0.9))
	}
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
