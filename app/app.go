// Package app is Proofsheet's composition root: it wires configuration,
// database, jobs, domain services and the Fiber HTTP server together.
package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/app/auth"
	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/app/mail"
	"github.com/proofsheet/proofsheet/app/storage"
	"github.com/proofsheet/proofsheet/billing"
	"github.com/proofsheet/proofsheet/faces"
	"github.com/proofsheet/proofsheet/frontend"
	"github.com/proofsheet/proofsheet/gallery"
)

// App holds every long-lived part of a running Proofsheet process.
type App struct {
	Config   Config
	Log      *slog.Logger
	DB       *database.DB
	Audit    *audit.Log
	Accounts *auth.Accounts
	Gallery  *gallery.Service
	Faces    *faces.Service
	Billing  *billing.Service
	Guests   *faces.Guests  // face search as event guests use it
	Blobs    *storage.Store // encrypted objects, local or S3
	Mail     *mail.Outbox
	Jobs     *Jobs
	Metrics  *Metrics
	Fiber    *fiber.App
	pages    *frontend.Pages
	now      func() time.Time

	renditions *renditionCache // guests' thumbnails and previews, decrypted

	// FacePipeline finds and embeds faces, opened on first use.
	FacePipeline *FacePipeline
}

// New wires an App on an open database. It starts nothing.
func New(cfg Config, db *database.DB, log *slog.Logger) (*App, error) {
	pages, err := frontend.Load()
	if err != nil {
		return nil, err
	}
	log = withoutSecrets(log, cfg.StripeSecretKey, cfg.StripeWebhookSecret)
	a := &App{Config: cfg, Log: log, DB: db, pages: pages, now: time.Now, renditions: newRenditionCache(renditionCacheSize)}
	a.Metrics = NewMetrics()
	a.Audit = audit.New(db.Gorm)
	a.Jobs, err = newJobs(a)
	if err != nil {
		return nil, err
	}
	a.Mail = mail.NewOutbox(a.Jobs.Enqueue, cfg.BaseURL, log)
	params := auth.DefaultParams()
	params.Memory, params.Time = uint32(cfg.Argon2Memory), uint32(cfg.Argon2Time)
	a.Accounts = auth.NewAccounts(db, a.Audit, a.Mail, auth.Settings{
		PasswordParams:  params,
		SessionIdle:     cfg.SessionIdle,
		SessionAbsolute: cfg.SessionAbsolute,
		RequireOwner2FA: cfg.RequireOwner2FA,
		IPLimit:         cfg.LoginIPLimit,
		AccountLimit:    cfg.LoginAccountLimit,
		LimitWindow:     cfg.LoginWindow,
		Issuer:          "Proofsheet",
		BaseURL:         cfg.BaseURL,
	})
	if a.Blobs, err = newBlobs(cfg, db, log); err != nil {
		return nil, err
	}
	if a.Faces, err = a.newFaces(); err != nil {
		return nil, err
	}
	a.Billing = a.newBilling()
	a.Guests = a.newFaceGuests()
	a.Gallery = a.newGallery(params)
	db.OnChange(a.Gallery.Changed)
	a.Fiber = a.newFiber()
	return a, nil
}

// HearChanges keeps the guests' cache in step with changes other processes
// make, until ctx ends; the cache serves only while this listens
// (gallery.Service.CacheLive).
func (a *App) HearChanges(ctx context.Context) {
	a.DB.ListenChanges(ctx, a.Gallery.CacheLive)
}

// Serve listens on the configured address until ctx ends, then lets
// in-flight requests finish within the shutdown timeout.
func (a *App) Serve(ctx context.Context) error {
	ln, err := a.listen()
	if err != nil {
		return err
	}
	if err := a.Jobs.Start(ctx, a.Config.Workers); err != nil {
		ln.Close()
		return err
	}
	go a.HearChanges(ctx)
	a.Log.Info("serving", "url", a.Config.BaseURL, "addr", ln.Addr().String(), "tls", a.Config.TLS())
	errc := make(chan error, 1)
	go func() { errc <- a.Fiber.Listener(ln) }()
	select {
	case err := <-errc:
		a.Jobs.Stop(context.Background())
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	err = a.Fiber.ShutdownWithContext(sctx)
	a.Jobs.Stop(sctx)
	return err
}

func (a *App) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return nil, fmt.Errorf("app: listen: %w", err)
	}
	if !a.Config.TLS() {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(a.Config.TLSCert, a.Config.TLSKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("app: tls: %w", err)
	}
	return tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}}), nil
}
