package localpg

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// testDir is under the module's var/, not /tmp: when tests run as root the
// postgres user must be able to reach the folder.
func testDir(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "var", "test", "localpg-"+strconv.Itoa(os.Getpid())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir); os.Remove(dir + ".lock") })
	return dir
}

func query(t *testing.T, url, sql string) string {
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(context.Background(), sql).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestClusterLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := testDir(t)
	log := slog.New(slog.DiscardHandler)
	c, err := New(dir, 5432, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.ForceStop(ctx)

	if v := query(t, c.URL("postgres"), "SHOW server_version_num"); v < "150000" {
		t.Fatalf("server version %s", v)
	}
	if n := query(t, c.URL("postgres"), "SELECT count(*)::text FROM pg_available_extensions WHERE name = 'vector'"); n != "1" {
		t.Fatal("pgvector is not available to the private cluster")
	}
	if query(t, c.URL("postgres"), "SHOW listen_addresses") != "" {
		t.Fatal("the private cluster listens on TCP")
	}
	// Sized to the machine: a quarter of its memory (within bounds) as
	// shared buffers, in 8 kB pages.
	want := memorySettings(machineMemory())[0]
	if got := query(t, c.URL("postgres"), "SELECT 'shared_buffers=' || (setting::bigint * 8 / 1024) || 'MB' FROM pg_settings WHERE name = 'shared_buffers'"); got != want {
		t.Fatalf("the cluster runs with %s, want %s", got, want)
	}
	if os.Geteuid() == 0 {
		st, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION"))
		if err != nil {
			t.Fatal(err)
		}
		if st.Sys().(*syscall.Stat_t).Uid == 0 {
			t.Fatal("running as root, the cluster's files belong to root, not postgres")
		}
	}

	// A second manager finds it running and must not stop it.
	other, _ := New(dir, 5432, log)
	if err := other.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := other.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if !c.running(ctx) {
		t.Fatal("a manager that did not start the cluster stopped it")
	}

	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if c.running(ctx) {
		t.Fatal("cluster still running after Stop")
	}
	// Restart reuses the data folder.
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if query(t, c.URL("postgres"), "SELECT 'up'") != "up" {
		t.Fatal("restart failed")
	}
}

func TestMemorySettings(t *testing.T) {
	const gb = int64(1) << 30
	for _, tc := range []struct {
		total int64
		want  []string
	}{
		{0, nil}, // unknown: PostgreSQL's defaults
		{256 << 20, []string{"shared_buffers=128MB", "effective_cache_size=192MB", "maintenance_work_mem=64MB"}},
		{24 * gb, []string{"shared_buffers=6144MB", "effective_cache_size=18432MB", "maintenance_work_mem=1536MB"}},
		{128 * gb, []string{"shared_buffers=8192MB", "effective_cache_size=98304MB", "maintenance_work_mem=2048MB"}},
	} {
		if got := memorySettings(tc.total); !slices.Equal(got, tc.want) {
			t.Errorf("memorySettings(%d) = %v, want %v", tc.total, got, tc.want)
		}
	}
	if machineMemory() <= 0 {
		t.Error("this machine's memory is unknown")
	}
}

// The cluster's shared buffers live in huge pages: as root, Start adds the
// pages the kernel's pool lacks and the cluster holds them; stopping gives
// back what Start added. As another user nothing of the pool changes.
func TestSharedBuffersInHugePages(t *testing.T) {
	ctx := context.Background()
	c, err := New(testDir(t), 5432, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	before, err := readHugePages()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.ForceStop(ctx)
	during, err := readHugePages()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if during.total != before.total {
			t.Fatalf("not root, Start changed the huge page pool from %d to %d", before.total, during.total)
		}
		return
	}
	held := func(h hugePages) int { return h.total - h.free + h.reserved }
	var sharedMB int
	fmt.Sscanf(memorySettings(machineMemory())[0], "shared_buffers=%dMB", &sharedMB)
	if got := held(during) - held(before); got < sharedMB/2 {
		t.Fatalf("the cluster holds %d huge pages, want at least %d for %d MB of shared buffers", got, sharedMB/2, sharedMB)
	}
	if err := c.ForceStop(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := readHugePages()
	if err != nil {
		t.Fatal(err)
	}
	if after.total != before.total || c.addedHugePages() != 0 {
		t.Fatalf("after the stop the pool holds %d huge pages (%d recorded as added), want %d as before", after.total, c.addedHugePages(), before.total)
	}
}
