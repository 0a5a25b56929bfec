package faces

import "errors"

// Error kinds of face search's storage; app maps each to an HTTP status.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalidInput = errors.New("invalid input")
	ErrConflict     = errors.New("conflict")
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
