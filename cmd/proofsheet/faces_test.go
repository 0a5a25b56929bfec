package main

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// `faces eval` on the labelled test photos, with the real models: rank-1 of
// at least 95%, and printed figures that agree with each other and with the
// labels file.
func TestFacesEval(t *testing.T) {
	root := moduleRoot(t)
	data := os.Getenv("PROOFSHEET_TESTDATA")
	if data == "" {
		data = filepath.Join(filepath.Dir(root), "shared", "testdata")
	}
	labels := filepath.Join(data, "faces", "deepface", "labels.tsv")
	if _, err := os.Stat(labels); err != nil {
		t.Skipf("face test photos missing (%v): put the shared test data in ../shared/testdata beside the checkout or set PROOFSHEET_TESTDATA", err)
	}
	var out bytes.Buffer
	err := facesCmd(t.Context(), []string{"eval", "--labels", labels, "--face-threshold", "0.5",
		"--onnxruntime-library", filepath.Join(root, "var", "onnxruntime", "libonnxruntime.so.1"),
		"--model-dir", filepath.Join(root, "var", "models")}, &out)
	if err != nil {
		t.Fatalf("faces eval: %v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	r := parseEval(t, out.String())
	ids := identities(t, labels)

	if r["photos"] != float64(len(ids)) || r["nofaces"] != 0 {
		t.Errorf("%v photos, %v without a face; the labels list %d", r["photos"], r["nofaces"], len(ids))
	}
	perID := map[string]int{}
	for _, id := range ids {
		perID[id]++
	}
	samePairs, queries := 0, 0
	for _, n := range perID {
		samePairs += n * (n - 1) / 2
		if n > 1 {
			queries += n
		}
	}
	n := len(ids)
	if int(r["same.n"]) != samePairs || int(r["different.n"]) != n*(n-1)/2-samePairs {
		t.Errorf("pairs: %v same, %v different; the labels make %d and %d", r["same.n"], r["different.n"], samePairs, n*(n-1)/2-samePairs)
	}
	for _, set := range []string{"same", "different"} {
		seq := []string{"min", "p5", "p25", "p50", "p75", "p95", "max"}
		for i := 1; i < len(seq); i++ {
			if r[set+"."+seq[i-1]] > r[set+"."+seq[i]] {
				t.Errorf("%s: %s %v above %s %v", set, seq[i-1], r[set+"."+seq[i-1]], seq[i], r[set+"."+seq[i]])
			}
		}
		if m := r[set+".mean"]; m < r[set+".min"] || m > r[set+".max"] {
			t.Errorf("%s: mean %v outside min..max", set, m)
		}
	}
	if r["same.mean"] <= r["different.mean"] {
		t.Errorf("same-person mean %v not above different-person mean %v", r["same.mean"], r["different.mean"])
	}
	checkRates(t, r)
	if int(r["rank1.of"]) != queries || r["rank1.pct"] < 95 || !pct(r["rank1.ok"], r["rank1.of"], r["rank1.pct"]) {
		t.Errorf("rank-1 %v of %v (%v%%), want at least 95%% of %d queries", r["rank1.ok"], r["rank1.of"], r["rank1.pct"], queries)
	}
}

// checkRates: the error counts at the configured threshold follow from the
// printed pair counts, percentages and distributions.
func checkRates(t *testing.T, r map[string]float64) {
	t.Helper()
	s, d, fm, miss := r["same.n"], r["different.n"], r["fm"], r["miss"]
	if r["threshold"] != 0.5 || r["fm.of"] != d || r["miss.of"] != s {
		t.Errorf("threshold %v (want the configured 0.5), false matches of %v, misses of %v", r["threshold"], r["fm.of"], r["miss.of"])
	}
	if !pct(fm, d, r["fm.pct"]) || !pct(miss, s, r["miss.pct"]) || !pct(s+d-fm-miss, s+d, r["accuracy"]) {
		t.Errorf("rates do not follow from the counts: %v", r)
	}
	if (r["threshold"] > r["different.max"]+0.001 && fm != 0) || (r["threshold"] < r["different.max"]-0.001 && fm == 0) {
		t.Errorf("%v false matches with the different-person maximum %v at threshold %v", fm, r["different.max"], r["threshold"])
	}
	if (r["threshold"] < r["same.min"]-0.001 && miss != 0) || (r["threshold"] > r["same.min"]+0.001 && miss == 0) {
		t.Errorf("%v misses with the same-person minimum %v at threshold %v", miss, r["same.min"], r["threshold"])
	}
	if r["best.accuracy"] < r["accuracy"] {
		t.Errorf("best threshold's accuracy %v below the configured one's %v", r["best.accuracy"], r["accuracy"])
	}
}

// pct reports whether pct is 100·n/of as printed with two decimals.
func pct(n, of, pct float64) bool { return math.Abs(100*n/of-pct) <= 0.005+1e-9 }

var evalLines = []struct {
	re   *regexp.Regexp
	keys []string
}{
	{regexp.MustCompile(`(?m)^photos: (\d+) labelled, \d+ with a face, (\d+) without$`), []string{"photos", "nofaces"}},
	{regexp.MustCompile(`(?m)^same-person pairs: n=(\d+) mean=(\S+) min=(\S+) p5=(\S+) p25=(\S+) p50=(\S+) p75=(\S+) p95=(\S+) max=(\S+)$`),
		[]string{"same.n", "same.mean", "same.min", "same.p5", "same.p25", "same.p50", "same.p75", "same.p95", "same.max"}},
	{regexp.MustCompile(`(?m)^different-person pairs: n=(\d+) mean=(\S+) min=(\S+) p5=(\S+) p25=(\S+) p50=(\S+) p75=(\S+) p95=(\S+) max=(\S+)$`),
		[]string{"different.n", "different.mean", "different.min", "different.p5", "different.p25", "different.p50", "different.p75", "different.p95", "different.max"}},
	{regexp.MustCompile(`(?m)^best threshold: (\S+) \(accuracy (\S+)%\)$`), []string{"best", "best.accuracy"}},
	{regexp.MustCompile(`(?m)^at threshold (\S+): accuracy (\S+)%, false matches (\d+) of (\d+) \((\S+)%\), misses (\d+) of (\d+) \((\S+)%\)$`),
		[]string{"threshold", "accuracy", "fm", "fm.of", "fm.pct", "miss", "miss.of", "miss.pct"}},
	{regexp.MustCompile(`(?m)^rank-1: (\d+) of (\d+) \((\S+)%\)$`), []string{"rank1.ok", "rank1.of", "rank1.pct"}},
}

func parseEval(t *testing.T, out string) map[string]float64 {
	t.Helper()
	r := map[string]float64{}
	for _, l := range evalLines {
		m := l.re.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no line matching %s in:\n%s", l.re, out)
		}
		for i, k := range l.keys {
			v, err := strconv.ParseFloat(m[i+1], 64)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			r[k] = v
		}
	}
	return r
}

// identities reads the labels file independently of the faces package.
func identities(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if _, id, ok := strings.Cut(strings.TrimSpace(sc.Text()), "\t"); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	t.Fatalf("no go.mod above %s", dir)
	return ""
}
