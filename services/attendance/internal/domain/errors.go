package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; the transport maps each to one status code.
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

// violations collects field violations while a request is checked.
type violations []FieldViolation

func (v *violations) add(field, format string, args ...any) {
	*v = append(*v, FieldViolation{Field: field, Description: fmt.Sprintf(format, args...)})
}

func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	return &ValidationError{Violations: v}
}
