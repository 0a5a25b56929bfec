// Command proofsheet is the Proofsheet server, worker and operator tool.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, out io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server (and background jobs) until interrupted", serve},
		{"worker", "work background jobs only, for more machines", worker},
		{"migrate", "apply database migrations and exit", migrate},
		{"admin", "operator tasks: create-studio, reset-password; plan, product, operator (billing)", admin},
		{"audit", "audit log tools: verify", auditCmd},
		{"db", "the private PostgreSQL cluster: start, stop, url", dbCmd},
		{"faces", "face search tools: eval (similarity statistics on labelled photos)", facesCmd},
		{"version", "print the version", func(context.Context, []string, io.Writer) error {
			fmt.Println("proofsheet", version)
			return nil
		}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "proofsheet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(out)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], out)
		}
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: proofsheet COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery setting is a flag or a PROOFSHEET_* variable: see `proofsheet serve --help`.")
}
