package billing

import "errors"

// Error kinds of billing; app maps each to an HTTP status.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalidInput = errors.New("invalid input")
	ErrConflict     = errors.New("conflict")
	// ErrBillingOff: no Stripe keys are configured.
	ErrBillingOff = errors.New("billing is off")
	// ErrNotConfigured: the operator has not entered the GST profile that
	// every invoice prints.
	ErrNotConfigured = errors.New("operator billing profile not set")

	// Webhook refusals. Stripe retries refused deliveries, so each says
	// why in the log.
	ErrWebhookSignature = errors.New("webhook signature invalid")
	ErrWebhookStale     = errors.New("webhook timestamp outside tolerance")
	ErrWebhookInvalid   = errors.New("webhook payload invalid")
)

// InputError is bad input with a message safe to show the user.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string        { return e.Message }
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, msg string) error { return &InputError{Field: field, Message: msg} }

// ConflictError is a conflict with a message safe to show the user.
type ConflictError struct{ Message string }

func (e *ConflictError) Error() string        { return e.Message }
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func conflict(msg string) error { return &ConflictError{Message: msg} }
