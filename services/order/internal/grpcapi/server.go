// Package grpcapi maps holdfast.order.v1.OrderService onto the order
// service's use cases: proto in, domain values to the app, status codes out.
package grpcapi

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/app"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// Server implements orderv1.OrderServiceServer.
type Server struct {
	orderv1.UnimplementedOrderServiceServer
	app    *app.App
	logger *slog.Logger
}

var _ orderv1.OrderServiceServer = (*Server)(nil)

// New returns the gRPC adapter over the use cases.
func New(a *app.App, logger *slog.Logger) *Server { return &Server{app: a, logger: logger} }

func (s *Server) actorFrom(ctx context.Context) (domain.Actor, error) {
	p, err := platform.Caller(ctx)
	if err != nil {
		return domain.Actor{}, err
	}
	actor, err := s.app.Actor(ctx, p.Tenant, p.Subject, p.RoleNames())
	if err != nil {
		return domain.Actor{}, s.toStatus(ctx, err)
	}
	return actor, nil
}

// orderTokenPrefix tells this list's tokens from other services'.
const orderTokenPrefix = "o1:"

// encodePageToken makes a cursor of the last order's creation time and id.
func encodePageToken(created time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(orderTokenPrefix + strconv.FormatInt(created.UnixNano(), 10) + ":" + id))
}

func decodePageToken(tok string) (time.Time, string, error) {
	if tok == "" {
		return time.Time{}, "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	bad := errors.New("bad page token")
	if err != nil {
		return time.Time{}, "", bad
	}
	rest, ok := strings.CutPrefix(string(b), orderTokenPrefix)
	nanos, id, ok2 := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || !ok2 || err != nil || !eventlog.ValidToken(id) {
		return time.Time{}, "", bad
	}
	return time.Unix(0, n).UTC(), id, nil
}

// optionalTime is t as a time, zero when unset; a set but invalid t is a
// violation of field.
func optionalTime(field string, t *timestamppb.Timestamp, bad *[]platform.FieldViolation) time.Time {
	if t == nil {
		return time.Time{}
	}
	if err := t.CheckValid(); err != nil {
		*bad = append(*bad, platform.FieldViolation{Field: field, Description: "not a valid timestamp"})
		return time.Time{}
	}
	return t.AsTime()
}

// optionalID is a violation of field when id is set and not a valid id.
func optionalID(field, id string, bad *[]platform.FieldViolation) {
	if id != "" && !eventlog.ValidToken(id) {
		*bad = append(*bad, platform.FieldViolation{Field: field, Description: "not a valid id"})
	}
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
