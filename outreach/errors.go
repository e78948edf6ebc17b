package outreach

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors, translated to HTTP statuses in one place by the API.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrUnavailable says a service this one needs (the database) could
	// not be reached or dropped the connection: the same call may succeed
	// later, and nothing of it was committed unless it says otherwise.
	ErrUnavailable = errors.New("temporarily unavailable")
)

// ValidationError says which input field is wrong and why.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s: %s", e.Field, e.Message)
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundError names the missing thing, e.g. "offer 12".
type NotFoundError struct {
	What string
}

func (e *NotFoundError) Error() string { return e.What + " not found" }

// Is lets errors.Is(err, ErrNotFound) match.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// RetryAtError asks the queue to run the task again at At, without counting
// it as a failure: used for quiet hours.
type RetryAtError struct {
	At     time.Time
	Reason string
}

func (e *RetryAtError) Error() string {
	return fmt.Sprintf("retry at %s: %s", e.At.Format(time.RFC3339), e.Reason)
}

// PermanentError wraps a failure that retrying cannot fix.
type PermanentError struct {
	Err error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }
