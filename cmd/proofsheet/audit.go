package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/audit"
)

func auditCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("audit: say verify")
	}
	cfg, log, err := load("audit verify", args[1:], nil)
	if err != nil {
		return err
	}
	pg, err := app.StartPostgres(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := pg.Stop(context.WithoutCancel(ctx)); err != nil {
			log.Error("stopping PostgreSQL", "err", err)
		}
	}()
	return verifyAudit(ctx, pg.URL, out)
}

// verifyAudit connects as the URL's own user, not the app role: the app
// role's row-level security would show one studio at most.
func verifyAudit(ctx context.Context, url string, out io.Writer) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("audit: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rep, err := audit.Verify(ctx, conn)
	if err != nil {
		return err
	}
	if rep.OK() {
		fmt.Fprintf(out, "audit log OK: %d entries in %d studios\n", rep.Entries, rep.Studios)
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(out, p)
	}
	return fmt.Errorf("audit log is not intact: %d problems in %d studios (of %d entries checked)",
		len(rep.Problems), len(rep.ByStudio()), rep.Entries)
}
