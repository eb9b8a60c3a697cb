// Package domainerr is the error vocabulary every service's pure domain
// package shares: sentinels the transports map to one status code each, and
// a ValidationError listing every bad field of a request. It imports only
// the standard library, so internal/domain packages stay free of I/O and
// transport.
package domainerr

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; each transport maps each to one status code.
var (
	ErrNotFound         = errors.New("not found")
	ErrPermissionDenied = errors.New("permission denied")
	ErrPrecondition     = errors.New("failed precondition")
	ErrAlreadyExists    = errors.New("already exists")
)

// FieldViolation names one bad field of a request and says what is wrong.
type FieldViolation struct {
	Field       string
	Description string
}

// ValidationError lists every bad field of a request, not only the first.
type ValidationError struct {
	Violations []FieldViolation
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Violations))
	for _, v := range e.Violations {
		parts = append(parts, v.Field+": "+v.Description)
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// Violations collects field violations while a request is checked.
type Violations []FieldViolation

// Add records that field is bad, saying why.
func (v *Violations) Add(field, format string, args ...any) {
	*v = append(*v, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Err is a *ValidationError listing the violations, or nil when there are none.
func (v Violations) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &ValidationError{Violations: v}
}
