package platform

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
)

// Caller returns the authenticated principal of an RPC, or an
// Unauthenticated status when the auth interceptor put none in ctx.
func Caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return auth.Principal{}, status.Error(codes.Unauthenticated, "missing bearer token")
	}
	return p, nil
}

// Page sizes every list RPC accepts.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageSize checks a request's page_size: 0 means DefaultPageSize, above
// MaxPageSize or negative is a violation.
func PageSize(n int32) (int, []FieldViolation) {
	if n < 0 || n > MaxPageSize {
		return 0, []FieldViolation{{Field: "page_size", Description: "between 0 and 500"}}
	}
	if n == 0 {
		return DefaultPageSize, nil
	}
	return int(n), nil
}

// UnexpectedStatus is the last case of every service's error mapping:
// context errors keep their meaning, anything else is logged with its
// detail and answered as a bare Internal, so internals never reach a client.
func UnexpectedStatus(ctx context.Context, logger *slog.Logger, err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "deadline exceeded")
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "cancelled")
	}
	logger.ErrorContext(ctx, "internal error", "error", err)
	return status.Error(codes.Internal, "internal error")
}

// TrimPage takes a page fetched with one row more than size (the cheap way
// to know whether another page follows) and returns the page to send and,
// when another follows, the last row sent, from which the next token is made.
func TrimPage[T any](rows []T, size int) (page []T, last *T) {
	if len(rows) <= size {
		return rows, nil
	}
	rows = rows[:size]
	return rows, &rows[size-1]
}
