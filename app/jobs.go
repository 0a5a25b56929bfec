package app

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/mail"
	"github.com/proofsheet/proofsheet/billing"
	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/gallery"
)

// Jobs inserts background jobs inside the caller's GORM transaction (so a
// rolled-back transaction enqueues nothing) and, in serve and worker, works
// them on the shared pgx pool.
type Jobs struct {
	inserter *river.Client[*sql.Tx]
	worker   *river.Client[pgx.Tx]
	a        *App
}

func newJobs(a *App) (*Jobs, error) {
	ins, err := river.NewClient(riverdatabasesql.New(a.DB.SQL), &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("app: jobs: %w", err)
	}
	return &Jobs{inserter: ins, a: a}, nil
}

// Enqueue inserts a job in tx, the GORM transaction of the data it acts on.
func (j *Jobs) Enqueue(ctx context.Context, tx *gorm.DB, args river.JobArgs) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("app: enqueue %s: not inside a transaction", args.Kind())
	}
	if _, err := j.inserter.InsertTx(ctx, sqlTx, args, nil); err != nil {
		return fmt.Errorf("app: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// EnqueueMany inserts several jobs in tx in one statement.
func (j *Jobs) EnqueueMany(ctx context.Context, tx *gorm.DB, args []river.JobArgs) error {
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("app: enqueue %d jobs: not inside a transaction", len(args))
	}
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		params[i] = river.InsertManyParams{Args: a}
	}
	if _, err := j.inserter.InsertManyTx(ctx, sqlTx, params); err != nil {
		return fmt.Errorf("app: enqueue %d jobs: %w", len(args), err)
	}
	return nil
}

// Start works jobs with n workers; n == 0 leaves the work to `proofsheet worker`.
func (j *Jobs) Start(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, mail.NewSendWorker(j.a.DB, mail.SMTPConfig{
		Host: j.a.Config.SMTPHost, Port: j.a.Config.SMTPPort,
		User: j.a.Config.SMTPUser, Pass: j.a.Config.SMTPPass, From: j.a.Config.SMTPFrom,
	}, mailBlobs{j.a.Blobs}, j.a.Log))
	j.addGalleryWorkers(workers)
	j.addFacesWorkers(workers)
	j.addBillingWorkers(workers)
	river.AddWorker(workers, &PruneRateLimitsWorker{a: j.a})
	c, err := river.NewClient(riverpgxv5.New(j.a.DB.Pool), &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: n},
			// Face indexing is CPU-bound: as many at once as the pipeline
			// has sessions (one per core), whatever n is.
			faces.Queue: {MaxWorkers: min(n, runtime.GOMAXPROCS(0))},
		},
		Workers:      workers,
		PeriodicJobs: j.periodic(),
		Logger:       j.a.Log.With("component", "river"),
	})
	if err != nil {
		return fmt.Errorf("app: jobs: %w", err)
	}
	j.worker = c
	j.a.Metrics.watchJobs(c)
	return c.Start(context.WithoutCancel(ctx))
}

// Stop lets running jobs finish until ctx ends.
func (j *Jobs) Stop(ctx context.Context) {
	if j.worker != nil {
		_ = j.worker.Stop(ctx)
	}
}

func (j *Jobs) addGalleryWorkers(w *river.Workers) {
	g := j.a.Gallery
	river.AddWorker(w, &gallery.RenderWorker{Gallery: g})
	river.AddWorker(w, &gallery.DeleteBlobsWorker{Gallery: g})
	river.AddWorker(w, &gallery.ExpireUploadWorker{Gallery: g})
	river.AddWorker(w, &gallery.BuildZipWorker{Gallery: g})
	river.AddWorker(w, &gallery.ExpireZipsWorker{Gallery: g})
}

func (j *Jobs) addFacesWorkers(w *river.Workers) {
	f := j.a.Faces
	river.AddWorker(w, &faces.IndexCollectionWorker{Faces: f})
	river.AddWorker(w, &faces.IndexPhotoWorker{Faces: f})
	river.AddWorker(w, &faces.VacuumWorker{Faces: f})
}

// addBillingWorkers works Stripe's events and the invoices they issue,
// whether or not billing is on here: events received before keys were
// removed still apply, and documents still render and go out.
func (j *Jobs) addBillingWorkers(w *river.Workers) {
	b := j.a.Billing
	river.AddWorker(w, &billing.EventWorker{Billing: b})
	river.AddWorker(w, &billing.DocumentWorker{Billing: b})
	river.AddWorker(w, &billing.PruneEventsWorker{Billing: b})
}

// periodic jobs run on the leader only, whatever the number of workers.
func (j *Jobs) periodic() []*river.PeriodicJob {
	hourly := river.PeriodicInterval(time.Hour)
	return []*river.PeriodicJob{
		river.NewPeriodicJob(hourly, func() (river.JobArgs, *river.InsertOpts) {
			return gallery.ExpireZipsArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(hourly, func() (river.JobArgs, *river.InsertOpts) {
			return PruneRateLimitsArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour), func() (river.JobArgs, *river.InsertOpts) {
			return billing.PruneEventsArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
	}
}
