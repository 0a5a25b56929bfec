package billing

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// NewStripeClient returns a Stripe client of its own for secretKey, sending
// to apiURL ("" for Stripe itself, stripe-mock's URL in tests) through
// httpClient (nil for stripe-go's default). It sets none of stripe-go's
// package globals, so two clients (two tests) never meet. stripe-go's own
// logging is off: errors come back wrapped and the app logs them.
func NewStripeClient(secretKey, apiURL string, httpClient *http.Client) *client.API {
	backend := func(kind stripe.SupportedBackend) stripe.Backend {
		cfg := &stripe.BackendConfig{HTTPClient: httpClient, LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}}
		if apiURL != "" {
			cfg.URL = stripe.String(apiURL)
		}
		return stripe.GetBackendWithConfig(kind, cfg)
	}
	return client.New(secretKey, &stripe.Backends{
		API: backend(stripe.APIBackend), Connect: backend(stripe.ConnectBackend), Uploads: backend(stripe.UploadsBackend),
	})
}

// stripeOn returns the client, or ErrBillingOff without one.
func (s *Service) stripeOn() (*client.API, error) {
	if s.Stripe == nil {
		return nil, ErrBillingOff
	}
	return s.Stripe, nil
}

// params are the common parameters of a Stripe call: the request's context
// and an idempotency key, so a retried call (stripe-go retries network
// failures, a user may click twice) does its work once.
func params(ctx context.Context, key string) stripe.Params {
	p := stripe.Params{Context: ctx}
	p.SetIdempotencyKey(key)
	return p
}

// attemptKey is an idempotency key for one attempt of an action: a new
// checkout each time the studio asks, each one safe to retry.
func attemptKey(action string, studio uuid.UUID) string {
	return fmt.Sprintf("proofsheet-%s-%s-%s", action, studio, uuid.New())
}

// stripeErr keeps Stripe's message for the log and says whether it was
// Stripe refusing the request or the call failing.
func stripeErr(op string, err error) error {
	var se *stripe.Error
	if errors.As(err, &se) {
		return fmt.Errorf("stripe %s: %s (%s, request %s): %w", op, se.Msg, se.Code, se.RequestID, err)
	}
	return fmt.Errorf("stripe %s: %w", op, err)
}
