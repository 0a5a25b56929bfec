package gallery

import "errors"

// Error kinds of the gallery; app maps each to an HTTP status.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalidInput = errors.New("invalid input")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrLinkGone     = errors.New("link expired or revoked")
	ErrWrongPIN     = errors.New("wrong PIN")
	ErrLockedOut    = errors.New("too many wrong PINs")
	ErrDuplicate    = errors.New("duplicate file")
	ErrUnsupported  = errors.New("unsupported file")
	ErrTooLarge     = errors.New("file too large")
)

// InputError is bad input with a message safe to show the user.
type InputError struct {
	Field   string
	Message string
}

func (e *InputError) Error() string        { return e.Message }
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, msg string) error { return &InputError{Field: field, Message: msg} }
