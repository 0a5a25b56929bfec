package auth

import "errors"

// Error kinds of the accounts service; app maps each to an HTTP status.
var (
	ErrNotFound           = errors.New("not found")
	ErrInvalidCredentials = errors.New("invalid credentials")
	ErrInvalidCode        = errors.New("invalid or reused code")
	ErrRateLimited        = errors.New("too many attempts")
	ErrLinkExpired        = errors.New("link expired or used")
	ErrConflict           = errors.New("conflict")
	ErrForbidden          = errors.New("forbidden")
	ErrInvalidInput       = errors.New("invalid input")
)

// InputError is bad input with a message safe to show the user.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string        { return e.Message }
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, msg string) error { return &InputError{Field: field, Message: msg} }
