package localpg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// PostgreSQL maps its shared buffers into every backend. In 4 KiB pages a
// backend pays for each page the first time it reads it, and on these
// machines (a paravirtualised VM) that is about 2 µs a page: a new
// backend's first face searches of a million faces took 25 ms at p50
// where a warm one took 5, and the kernel's reclaimer here (DAMON) pages
// out memory idle for a minute, which unmaps it from the backends too:
// searches after a pause slowed down again. Huge pages are never
// reclaimed and mapping them is nearly free: a million faces' search p99
// fell from 23-30 ms to 10-12 ms (BENCHMARKS.md, docs/decisions.md). PostgreSQL's default huge_pages=try uses them when
// the kernel's pool has enough; Start adds what is missing when it may.

const (
	nrHugePages   = "/proc/sys/vm/nr_hugepages"
	hugePagesFile = "hugepages" // in Dir: pages Start added to the kernel's pool
)

// lockHugePages serialises counting and changing the kernel's pool among
// this machine's clusters (the app's, the tests'), and returns the unlock.
// Locking is best effort: without the lock file, counts may race.
func lockHugePages() func() {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "proofsheet-hugepages.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return func() {}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return func() {}
	}
	return func() { f.Close() } // closing releases the lock
}

// hugePages is the kernel's pool of huge pages (/proc/meminfo).
type hugePages struct{ total, free, reserved int }

// available are the pages no process holds or has reserved.
func (h hugePages) available() int { return h.free - h.reserved }

func readHugePages() (hugePages, error) {
	m, err := meminfo()
	if err != nil {
		return hugePages{}, err
	}
	return hugePages{total: int(m["HugePages_Total"]), free: int(m["HugePages_Free"]), reserved: int(m["HugePages_Rsvd"])}, nil
}

// reserveHugePages makes the kernel's pool hold the huge pages the cluster's
// shared memory takes with settings, adding the missing ones when the
// process runs as root, and records how many it added (releaseHugePages
// gives them back). Short of them the cluster runs in normal pages, so
// failures are only logged.
func (c *Cluster) reserveHugePages(ctx context.Context, settings []string) {
	need, err := c.hugePagesNeeded(ctx, settings)
	if err != nil {
		c.Log.Info("shared buffers in normal pages: huge pages needed unknown", "err", err)
		return
	}
	before, err := readHugePages()
	if err != nil || need <= before.available() {
		return
	}
	missing := need - before.available()
	if os.Geteuid() != 0 {
		c.Log.Info("shared buffers in normal pages: too few huge pages (sysctl vm.nr_hugepages)", "need", need, "available", before.available())
		return
	}
	if err := writeNrHugePages(before.total + missing); err != nil {
		c.Log.Warn("shared buffers in normal pages: cannot add huge pages", "err", err)
		return
	}
	after, err := readHugePages()
	if err != nil {
		return
	}
	added := after.total - before.total
	if err := c.recordHugePages(c.addedHugePages() + added); err != nil {
		c.Log.Warn("huge pages added but not recorded", "added", added, "err", err)
	}
	if after.available() < need { // the kernel found too little free memory in 2 MB pieces
		c.Log.Info("shared buffers in normal pages: the kernel could not make enough huge pages", "need", need, "made", added)
		c.releaseHugePages()
		return
	}
	c.Log.Info("huge pages added for shared buffers", "pages", added)
}

// releaseHugePages gives back to the kernel the pages reserveHugePages added,
// as far as nobody holds them.
func (c *Cluster) releaseHugePages() {
	added := c.addedHugePages()
	if added == 0 {
		return
	}
	h, err := readHugePages()
	if err != nil {
		return
	}
	n := min(added, h.available())
	if err := writeNrHugePages(h.total - n); err != nil {
		c.Log.Warn("cannot give back huge pages", "pages", n, "err", err)
		return
	}
	if err := c.recordHugePages(added - n); err != nil {
		c.Log.Warn("huge pages given back but not recorded", "pages", n, "err", err)
	}
}

// hugePagesNeeded asks postgres how many huge pages its shared memory takes
// with settings (PostgreSQL 15+; the server must be stopped).
func (c *Cluster) hugePagesNeeded(ctx context.Context, settings []string) (int, error) {
	args := []string{"-D", c.dataDir(), "-C", "shared_memory_size_in_huge_pages"}
	for _, s := range settings {
		args = append(args, "-c", s)
	}
	out, err := c.output(ctx, "postgres", args...)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("localpg: huge pages needed: %q", out)
	}
	return n, nil
}

func (c *Cluster) addedHugePages() int {
	b, err := os.ReadFile(filepath.Join(c.Dir, hugePagesFile))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return max(n, 0)
}

func (c *Cluster) recordHugePages(n int) error {
	p := filepath.Join(c.Dir, hugePagesFile)
	if n <= 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	return os.WriteFile(p, []byte(strconv.Itoa(n)+"\n"), 0o600)
}

func writeNrHugePages(n int) error {
	return os.WriteFile(nrHugePages, []byte(strconv.Itoa(n)), 0o644)
}
