// Package apperr defines the error kinds every domain returns. Only the web
// layer maps them to status codes and translated messages.
package apperr

import (
	"errors"
	"fmt"
)

// Kinds of failure a caller can act on.
var (
	ErrNotFound     = errors.New("not found")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrConflict     = errors.New("conflict")
)

// ValidationError says which input field is wrong and why, as a message key.
type ValidationError struct {
	Field string // the input field, as the client named it
	Key   string // message key, e.g. "invalid", "required", "too_long"
	Msg   string // English detail for API clients
}

func (e *ValidationError) Error() string {
	if e.Msg != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Key)
}

// Invalid builds a ValidationError.
func Invalid(field, key, msg string) error {
	return &ValidationError{Field: field, Key: key, Msg: msg}
}

// NotFound wraps ErrNotFound with what was missing.
func NotFound(what string) error { return fmt.Errorf("%s: %w", what, ErrNotFound) }

// Forbidden wraps ErrForbidden with the action refused.
func Forbidden(what string) error { return fmt.Errorf("%s: %w", what, ErrForbidden) }

// Conflict wraps ErrConflict.
func Conflict(what string) error { return fmt.Errorf("%s: %w", what, ErrConflict) }

// AsValidation returns the ValidationError inside err, if any.
func AsValidation(err error) (*ValidationError, bool) {
	var v *ValidationError
	ok := errors.As(err, &v)
	return v, ok
}
