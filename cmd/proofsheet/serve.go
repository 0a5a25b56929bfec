package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/database"
)

// env is the process environment; main's only global input.
func env(k string) string { return os.Getenv(k) }

// load parses the configuration for a subcommand; extra adds its own flags.
func load(name string, args []string, extra func(fs *flag.FlagSet)) (app.Config, *slog.Logger, error) {
	fs := flag.NewFlagSet("proofsheet "+name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	cfg, err := app.Load(fs, args, env)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, app.NewLogger(cfg), nil
}

// withDB starts (or finds) the database, migrates it and calls fn.
func withDB(ctx context.Context, cfg app.Config, log *slog.Logger, fn func(pg *app.Postgres, db *database.DB) error) error {
	pg, err := app.StartPostgres(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := pg.Stop(context.WithoutCancel(ctx)); err != nil {
			log.Error("stopping PostgreSQL", "err", err)
		}
	}()
	db, err := app.Open(ctx, pg.URL, log)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(pg, db)
}

func serve(ctx context.Context, args []string, _ io.Writer) error {
	cfg, log, err := load("serve", args, nil)
	if err != nil {
		return err
	}
	return withDB(ctx, cfg, log, func(_ *app.Postgres, db *database.DB) error {
		a, err := app.New(cfg, db, log)
		if err != nil {
			return err
		}
		return a.Serve(ctx)
	})
}

func worker(ctx context.Context, args []string, _ io.Writer) error {
	cfg, log, err := load("worker", args, nil)
	if err != nil {
		return err
	}
	if cfg.Workers < 1 {
		return fmt.Errorf("worker needs --workers of at least 1")
	}
	return withDB(ctx, cfg, log, func(_ *app.Postgres, db *database.DB) error {
		a, err := app.New(cfg, db, log)
		if err != nil {
			return err
		}
		if err := a.Jobs.Start(ctx, cfg.Workers); err != nil {
			return err
		}
		log.Info("working jobs", "workers", cfg.Workers)
		<-ctx.Done()
		a.Jobs.Stop(context.WithoutCancel(ctx))
		return nil
	})
}

func migrate(ctx context.Context, args []string, out io.Writer) error {
	cfg, log, err := load("migrate", args, nil)
	if err != nil {
		return err
	}
	pg, err := app.StartPostgres(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer pg.Stop(context.WithoutCancel(ctx))
	n, err := database.Migrate(ctx, pg.URL)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "applied %d migrations\n", n)
	return nil
}

func dbCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("db: say start, stop or url")
	}
	cfg, log, err := load("db", args[1:], nil)
	if err != nil {
		return err
	}
	cl, err := app.LocalCluster(cfg, log)
	if err != nil {
		return err
	}
	switch args[0] {
	case "start":
		pg, err := app.StartPostgres(ctx, cfg, log) // also creates the database
		if err != nil {
			return err
		}
		fmt.Fprintln(out, pg.URL)
		return nil // left running on purpose
	case "stop":
		return cl.ForceStop(ctx)
	case "url":
		fmt.Fprintln(out, cl.URL("proofsheet"))
		return nil
	}
	return fmt.Errorf("db: unknown action %q", args[0])
}
