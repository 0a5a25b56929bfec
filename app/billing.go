package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/app/mail"
	"github.com/proofsheet/proofsheet/app/storage"
	"github.com/proofsheet/proofsheet/billing"
)

// BillingOn reports whether Stripe keys are configured. Without them the
// plans, profiles and invoices still work, but nothing is sold.
func (c Config) BillingOn() bool { return c.StripeSecretKey != "" }

// validateBilling checks the Stripe settings (part of Validate). Messages
// name the settings, never their values: a key must not reach a log.
func (c Config) validateBilling() []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if (c.StripeSecretKey == "") != (c.StripeWebhookSecret == "") {
		bad("stripe-secret-key and stripe-webhook-secret must be set together: without the webhook secret no payment could be confirmed")
	}
	if k := c.StripeSecretKey; k != "" && !hasAnyPrefix(k, "sk_live_", "sk_test_", "rk_live_", "rk_test_") {
		bad("%s is not a Stripe secret key: it starts with sk_live_, sk_test_, rk_live_ or rk_test_ (a publishable pk_ key will not do)", EnvName("stripe-secret-key"))
	}
	if s := c.StripeWebhookSecret; s != "" && (!strings.HasPrefix(s, "whsec_") || len(s) < len("whsec_")+8) {
		bad("%s is not a webhook signing secret: it starts with whsec_ (Stripe shows it on the endpoint's page)", EnvName("stripe-webhook-secret"))
	}
	if c.StripeAPIURL != "" {
		if u, err := url.Parse(c.StripeAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("stripe-api-url %q is not an http(s) URL", c.StripeAPIURL)
		}
	}
	return errs
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// newBilling wires billing to the database, the audit log, the jobs, the
// encrypted store (invoice PDFs) and the outbox. Without Stripe keys it has
// no client: billing is off, and the pages say so.
func (a *App) newBilling() *billing.Service {
	d := billing.Deps{
		InStudio: a.DB.InStudio,
		Unscoped: a.DB.Unscoped,
		Audit:    billingAudit{a.Audit},
		Jobs:     a.Jobs,
		Blobs:    billingBlobs{a.Blobs},
		Mail:     billingMail{a.Mail},
		BaseURL:  a.Config.BaseURL,
		Now:      a.now,
	}
	if a.Config.BillingOn() {
		d.Stripe = billing.NewStripeClient(a.Config.StripeSecretKey, a.Config.StripeAPIURL, nil)
		d.WebhookSecret = a.Config.StripeWebhookSecret
	}
	return billing.New(d)
}

// billingAudit writes billing actions to the audit log.
type billingAudit struct{ log *audit.Log }

func (b billingAudit) Record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act billing.Actor, kind string, detail map[string]any) error {
	who := audit.Who{UserID: act.UserID, TokenID: act.TokenID, IP: act.IP}
	return b.log.Append(ctx, tx, audit.NewEntry(studio, who, kind, detail))
}

// billingBlobs is the store as billing sees it: its own not-found.
type billingBlobs struct{ *storage.Store }

func (b billingBlobs) Open(ctx context.Context, studio uuid.UUID, key string) (billing.Object, error) {
	obj, err := b.Store.Open(ctx, studio, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", billing.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// billingMail queues billing's e-mails, attachments and all, in the
// outbox.
type billingMail struct{ out *mail.Outbox }

func (m billingMail) Queue(ctx context.Context, tx *gorm.DB, studio uuid.UUID, msg billing.Message) error {
	files := make([]mail.Attachment, len(msg.Attachments))
	for i, f := range msg.Attachments {
		files[i] = mail.Attachment{Filename: f.Filename, ContentType: f.ContentType, BlobKey: f.BlobKey}
	}
	return m.out.QueueWith(ctx, tx, studio, msg.To, msg.Subject, msg.Body, files)
}

// mailBlobs opens attachments for the send job.
type mailBlobs struct{ *storage.Store }

func (m mailBlobs) Open(ctx context.Context, studio uuid.UUID, key string) (io.ReadCloser, error) {
	obj, err := m.Store.Open(ctx, studio, key)
	if err != nil {
		return nil, err // not a nil *Object in a non-nil interface
	}
	return obj, nil
}
