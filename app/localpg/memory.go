package localpg

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// memorySettings sizes the cluster's memory to the machine, as an operator
// would tune a dedicated server. PostgreSQL's defaults (128 MB of shared
// buffers, 64 MB for index builds) suit a small shared host: with them a
// face search over a large collection reads the HNSW index from the kernel's
// cache at 50-100 ms instead of 2-4 ms from shared buffers, and an HNSW
// build runs three times slower (PLATFORM.md).
func memorySettings(total int64) []string {
	const mb = 1 << 20
	if total <= 0 {
		return nil
	}
	shared := clamp(total/4, 128*mb, 8192*mb)
	maint := clamp(total/16, 64*mb, 2048*mb)
	return []string{
		fmt.Sprintf("shared_buffers=%dMB", shared/mb),
		fmt.Sprintf("effective_cache_size=%dMB", total*3/4/mb),
		fmt.Sprintf("maintenance_work_mem=%dMB", maint/mb),
	}
}

func clamp(v, lo, hi int64) int64 { return max(lo, min(v, hi)) }

// machineMemory is the memory this process may use: the machine's, or its
// control group's limit when lower (containers). 0 when unknown.
func machineMemory() int64 {
	total := memInfoTotal()
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}

func memInfoTotal() int64 {
	m, err := meminfo()
	if err != nil {
		return 0
	}
	return m["MemTotal"] << 10
}

// meminfo is /proc/meminfo's figures by name ("MemTotal", in kB;
// "HugePages_Free", in pages).
func meminfo() (map[string]int64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		fields := strings.Fields(rest)
		if !ok || len(fields) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
			m[name] = n
		}
	}
	return m, nil
}
