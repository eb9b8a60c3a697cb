package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// EventTimeHeader is the gRPC metadata key with which a caller holding the
// backfill grant dates its command: the services use it as "now" for that
// command (occurred_at, device-time checks, per-day quotas), while the
// envelope's recorded_at keeps the real time of recording. Importers of
// history and the simulator use it; it is refused for everyone else, since a
// salesperson who could date their own acts could rewrite the trail.
const EventTimeHeader = "holdfast-event-time"

// maxEventTimeLen bounds the header: an RFC 3339 time with nanoseconds and a
// zone offset is 35 bytes.
const maxEventTimeLen = 64

// ErrBadEventTime is wrapped by every error ParseEventTime returns.
var ErrBadEventTime = errors.New("bad event time")

// ParseEventTime reads an RFC 3339 time (fractional seconds allowed, a zone
// offset or Z required) and returns it in UTC. Its messages never quote the
// input, since they reach clients.
func ParseEventTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: empty", ErrBadEventTime)
	}
	if len(s) > maxEventTimeLen {
		return time.Time{}, fmt.Errorf("%w: longer than %d bytes", ErrBadEventTime, maxEventTimeLen)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: not an RFC 3339 time such as 2026-03-01T09:30:00+08:00", ErrBadEventTime)
	}
	// time.Parse accepts years 0000–9999; a business event before the
	// Unix epoch is a bug in the caller, not history.
	if t.Before(time.Unix(0, 0)) {
		return time.Time{}, fmt.Errorf("%w: before 1970", ErrBadEventTime)
	}
	return t.UTC(), nil
}

// eventTimeKey is unexported so the only ways to put an event time in a
// context are the interceptor (which checks the grant) and
// NewEventTimeContext (for in-process callers, which are trusted).
type eventTimeKey struct{}

// NewEventTimeContext returns a copy of ctx whose commands happen at t. The
// interceptor calls it after checking the backfill grant; in-process callers
// and tests call it directly.
func NewEventTimeContext(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, eventTimeKey{}, t)
}

// EventTime returns the event time carried by ctx, if any.
func EventTime(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(eventTimeKey{}).(time.Time)
	return t, ok
}

// EventClock turns a service's wall clock into the context-aware clock all
// services share: a command's "now" is the event time it carries, else
// now(). Background work (sweeps, schedulers) has no event time and keeps
// the wall clock.
func EventClock(now func() time.Time) func(context.Context) time.Time {
	return func(ctx context.Context) time.Time {
		if t, ok := EventTime(ctx); ok {
			return t
		}
		return now()
	}
}

// OutgoingEventTime returns ctx with t set as the event time of the calls
// made with it; the server honours it only for a token with the backfill
// grant.
func OutgoingEventTime(ctx context.Context, t time.Time) context.Context {
	return metadata.AppendToOutgoingContext(ctx, EventTimeHeader, t.UTC().Format(time.RFC3339Nano))
}

// acceptEventTime reads the event-time header of an authenticated call and,
// if present and allowed, puts it in ctx. In a deployment that does not
// allow backfill, or for a caller without the backfill grant, it is
// PermissionDenied; an unreadable time, or one later than now
// (beyond the clock leeway tokens also get), gets InvalidArgument with a
// field violation naming the header.
func acceptEventTime(ctx context.Context, md metadata.MD, p Principal, deploymentAllows bool, now time.Time) (context.Context, error) {
	values := md.Get(EventTimeHeader)
	if len(values) == 0 {
		return ctx, nil
	}
	if !deploymentAllows {
		return nil, status.Error(codes.PermissionDenied, EventTimeHeader+": this deployment does not accept backdated events (HOLDFAST_ALLOW_BACKFILL is off)")
	}
	if !p.Backfill {
		return nil, status.Error(codes.PermissionDenied, EventTimeHeader+" requires a token with the backfill grant")
	}
	if len(values) > 1 {
		return nil, eventTimeViolation("more than one value")
	}
	t, err := ParseEventTime(values[0])
	if err != nil {
		return nil, eventTimeViolation(err.Error())
	}
	if t.After(now.Add(clockLeeway)) {
		return nil, eventTimeViolation("is in the future")
	}
	return NewEventTimeContext(ctx, t), nil
}

// eventTimeViolation builds the same InvalidArgument + BadRequest shape as
// platform.InvalidArgument, which this package cannot import.
func eventTimeViolation(description string) error {
	st := status.New(codes.InvalidArgument, "invalid request: "+EventTimeHeader+": "+description)
	br := &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{
		Field: EventTimeHeader, Description: description,
	}}}
	if withDetails, err := st.WithDetails(br); err == nil {
		st = withDetails
	}
	return st.Err()
}
