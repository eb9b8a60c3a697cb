package domain

import "github.com/holdfast/holdfast/pkg/domainerr"

// The shared error vocabulary (pkg/domainerr), under the names this
// package's decisions use.
var (
	ErrNotFound         = domainerr.ErrNotFound
	ErrPermissionDenied = domainerr.ErrPermissionDenied
	ErrPrecondition     = domainerr.ErrPrecondition
)

// FieldViolation names one bad field of a request and says what is wrong.
type FieldViolation = domainerr.FieldViolation

// ValidationError lists every bad field of a request, not only the first.
type ValidationError = domainerr.ValidationError
