// Command benchreport turns `go test -bench` output (on stdin) into
// BENCHMARKS.md (on stdout): the machine and date, one table per package,
// and the goal lines benchmarks print ("goal: ..."), so the figures and
// what they were measured against stay together.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

type pkg struct {
	name  string
	rows  [][]string // benchmark name, iterations, then "value unit" pairs
	notes []string
}

func main() {
	pkgs, goals, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	write(os.Stdout, pkgs, goals)
}

// parse reads benchmark lines, per-package "pkg:" headers, and the lines
// benchmarks print on purpose: "goal: …" lines and "Benchmark…: …" notes.
func parse(r io.Reader) ([]*pkg, []string, error) {
	var pkgs []*pkg
	var goals []string
	cur := &pkg{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "pkg: "):
			cur = &pkg{name: strings.TrimPrefix(line, "pkg: ")}
			pkgs = append(pkgs, cur)
		case strings.HasPrefix(line, "goal: "):
			goals = append(goals, strings.TrimPrefix(line, "goal: "))
		case strings.HasPrefix(line, "Benchmark") && strings.Contains(line, ": "):
			cur.notes = append(cur.notes, line)
		case strings.HasPrefix(line, "Benchmark"):
			if f := strings.Fields(line); len(f) >= 4 {
				cur.rows = append(cur.rows, f)
			}
		}
	}
	return pkgs, goals, sc.Err()
}

func write(w io.Writer, pkgs []*pkg, goals []string) {
	fmt.Fprintf(w, "# Benchmarks\n\nWritten by `make bench` on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "Machine: %s, %d cores, %s; %s; %s.\n\n", cpuModel(), runtime.NumCPU(), memTotal(), kernel(), runtime.Version())
	fmt.Fprintln(w, "Each figure is compared with a baseline measured in the same run (these machines are noisy).")
	if len(goals) > 0 {
		fmt.Fprint(w, "\n## Goals\n\n")
		for _, g := range goals {
			fmt.Fprintf(w, "- %s\n", g)
		}
	}
	for _, p := range pkgs {
		if len(p.rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n## %s\n\n| benchmark | runs | results |\n|---|---:|---|\n", p.name)
		for _, f := range p.rows {
			name := strings.TrimPrefix(f[0], "Benchmark")
			var metrics []string
			for i := 2; i+1 < len(f); i += 2 {
				metrics = append(metrics, f[i]+" "+f[i+1])
			}
			fmt.Fprintf(w, "| %s | %s | %s |\n", name, f[1], strings.Join(metrics, ", "))
		}
		for _, n := range p.notes {
			fmt.Fprintf(w, "\n%s\n", n)
		}
	}
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	var kb int64
	for _, l := range strings.Split(string(b), "\n") {
		if _, err := fmt.Sscanf(l, "MemTotal: %d kB", &kb); err == nil {
			return fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return "unknown RAM"
}

func kernel() string {
	out, err := exec.Command("uname", "-sr").Output()
	if err != nil {
		return runtime.GOOS
	}
	return strings.TrimSpace(string(out))
}
