// Package localpg runs a private PostgreSQL cluster from the system's
// binaries, so `proofsheet serve` works with no database configured.
//
// The cluster listens only on a Unix socket inside its own folder (mode 0700),
// so trust authentication admits nobody but this machine's owner of the
// folder. When the process runs as root, initdb and postgres run as the
// `postgres` user, because PostgreSQL refuses to run as root.
package localpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Cluster is a private PostgreSQL cluster in Dir.
type Cluster struct {
	Dir  string // holds data/, run/ (the socket) and postgres.log
	Port int    // names the socket file; TCP stays off

	bin    string
	owned  bool // started by us, so ours to stop
	runAs  *user.User
	Log    *slog.Logger
	lockFD *os.File
}

// New prepares a cluster in dir; it finds the newest installed PostgreSQL.
func New(dir string, port int, log *slog.Logger) (*Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localpg: %w", err)
	}
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: abs, Port: port, bin: bin, Log: log}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("localpg: running as root needs a postgres user: %w", err)
		}
		c.runAs = u
	}
	return c, nil
}

func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("localpg: PostgreSQL server binaries not found; run scripts/setup")
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func (c *Cluster) dataDir() string   { return filepath.Join(c.Dir, "data") }
func (c *Cluster) socketDir() string { return filepath.Join(c.Dir, "run") }

// URL is the connection URL of database db as the cluster's superuser.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable", db, c.socketDir(), c.Port)
}

// Start initialises the cluster on first use and starts it unless it is
// already running (then Stop leaves it running: another process owns it).
func (c *Cluster) Start(ctx context.Context) error {
	if err := c.lock(); err != nil {
		return err
	}
	defer c.unlock()
	if err := c.prepareDirs(); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		c.Log.Info("initialising private PostgreSQL cluster", "dir", c.dataDir())
		if err := c.run(ctx, "initdb", "-D", c.dataDir(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
			return err
		}
	}
	if c.running(ctx) {
		c.Log.Info("private PostgreSQL cluster already running", "dir", c.Dir)
		return nil
	}
	// The settings that size shared memory, for which huge pages are
	// counted; the others only concern the server.
	settings := append([]string{"max_connections=200"}, memorySettings(machineMemory())...)
	// Until this server holds its huge pages, no other may count them.
	defer lockHugePages()()
	c.reserveHugePages(ctx, settings)
	opts := fmt.Sprintf("-k %s -p %d -c listen_addresses='' -c unix_socket_permissions=0700", c.socketDir(), c.Port)
	for _, s := range settings {
		opts += " -c " + s
	}
	if err := c.run(ctx, "pg_ctl", "start", "-w", "-t", "60", "-s", "-D", c.dataDir(), "-l", filepath.Join(c.Dir, "postgres.log"), "-o", opts); err != nil {
		return err
	}
	c.owned = true
	c.Log.Info("private PostgreSQL cluster started", "dir", c.Dir)
	return nil
}

// Stop shuts the cluster down if this process started it.
func (c *Cluster) Stop(ctx context.Context) error {
	if !c.owned {
		return nil
	}
	return c.ForceStop(ctx)
}

// ForceStop shuts the cluster down whoever started it.
func (c *Cluster) ForceStop(ctx context.Context) error {
	if !c.running(ctx) {
		return nil
	}
	if err := c.run(ctx, "pg_ctl", "stop", "-w", "-s", "-m", "fast", "-D", c.dataDir()); err != nil {
		return err
	}
	unlock := lockHugePages()
	c.releaseHugePages()
	unlock()
	c.owned = false
	c.Log.Info("private PostgreSQL cluster stopped", "dir", c.Dir)
	return nil
}

func (c *Cluster) running(ctx context.Context) bool {
	return c.run(ctx, "pg_ctl", "status", "-s", "-D", c.dataDir()) == nil
}

// prepareDirs creates the folders owned by the user postgres runs as.
func (c *Cluster) prepareDirs() error {
	for _, d := range []string{c.Dir, c.dataDir(), c.socketDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
		if c.runAs != nil {
			uid, _ := strconv.Atoi(c.runAs.Uid)
			gid, _ := strconv.Atoi(c.runAs.Gid)
			if err := os.Chown(d, uid, gid); err != nil {
				return fmt.Errorf("localpg: %w", err)
			}
		}
	}
	return nil
}

// lock serialises Start across processes (parallel test binaries).
func (c *Cluster) lock() error {
	if err := os.MkdirAll(filepath.Dir(c.Dir), 0o755); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	f, err := os.OpenFile(c.Dir+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return fmt.Errorf("localpg: lock: %w", err)
	}
	c.lockFD = f
	return nil
}

func (c *Cluster) unlock() {
	if c.lockFD != nil {
		_ = syscall.Flock(int(c.lockFD.Fd()), syscall.LOCK_UN)
		c.lockFD.Close()
		c.lockFD = nil
	}
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	_, err := c.output(ctx, name, args...)
	return err
}

// output runs one of the server's programs as the cluster's user and
// returns what it printed.
func (c *Cluster) output(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.Dir
	if c.runAs != nil {
		uid, _ := strconv.ParseUint(c.runAs.Uid, 10, 32)
		gid, _ := strconv.ParseUint(c.runAs.Gid, 10, 32)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Env = append(os.Environ(), "HOME="+c.runAs.HomeDir)
	}
	// Own process group: a Ctrl-C aimed at us must not kill postgres before
	// we stop it cleanly.
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("localpg: %s %s: %w: %s", name, args[0], err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
