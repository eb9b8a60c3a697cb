// Package grpcapi maps holdfast.attendance.v1.AttendanceService onto the
// attendance service's use cases: proto in, domain values to the app,
// status codes out.
package grpcapi

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/app"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

// Server implements attendancev1.AttendanceServiceServer.
type Server struct {
	attendancev1.UnimplementedAttendanceServiceServer
	app    *app.App
	logger *slog.Logger
}

var _ attendancev1.AttendanceServiceServer = (*Server)(nil)

// New returns the gRPC adapter over the use cases.
func New(a *app.App, logger *slog.Logger) *Server { return &Server{app: a, logger: logger} }

func actorFrom(ctx context.Context) (domain.Actor, error) {
	p, err := platform.Caller(ctx)
	if err != nil {
		return domain.Actor{}, err
	}
	return domain.Actor{Tenant: p.Tenant, EmployeeID: p.Subject, Roles: p.RoleNames()}, nil
}

// pageToken prefixes tell one list's tokens from another's.
const (
	orgUnitTokenPrefix  = "o1:"
	employeeTokenPrefix = "e1:"
)

func encodePageToken(prefix, lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + lastID))
}

func decodePageToken(prefix, tok string) (string, error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) <= len(prefix) || string(b[:len(prefix)]) != prefix || !eventlog.ValidToken(string(b[len(prefix):])) {
		return "", errors.New("bad page token")
	}
	return string(b[len(prefix):]), nil
}

// listArgs checks a list request's paging fields.
func listArgs(prefix string, pageSize int32, pageToken string) (size int, after string, bad []platform.FieldViolation) {
	size, bad = platform.PageSize(pageSize)
	after, err := decodePageToken(prefix, pageToken)
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	return size, after, bad
}

// toStatus maps use-case errors to gRPC statuses; internal details never
// reach the client.
func (s *Server) toStatus(ctx context.Context, err error) error {
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		return platform.InvalidArgument(toFieldViolations(ve))
	case errors.Is(err, domain.ErrNotFound):
		return status.Error(codes.NotFound, "not found")
	case errors.Is(err, domain.ErrPermissionDenied):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, domain.ErrPrecondition):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, domain.ErrAlreadyExists):
		return status.Error(codes.AlreadyExists, err.Error())
	case errors.Is(err, eventlog.ErrConflict):
		return status.Error(codes.Aborted, "changed concurrently; retry")
	case errors.Is(err, app.ErrNotCaughtUp):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return platform.UnexpectedStatus(ctx, s.logger, err)
}

// toFieldViolations is a domain validation error in the wire's terms.
func toFieldViolations(ve *domain.ValidationError) []platform.FieldViolation {
	v := make([]platform.FieldViolation, 0, len(ve.Violations))
	for _, f := range ve.Violations {
		v = append(v, platform.FieldViolation{Field: f.Field, Description: f.Description})
	}
	return v
}
