// Package app is the attendance service's use cases: commands load an
// aggregate's events, let the domain decide, and append the result with the
// expected sequence; queries read the projected read model; the projector
// keeps that read model in step with the ATTENDANCE stream.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// boundedContext is this service's subject prefix and bounded-context name.
const boundedContext = "attendance"

// Aggregate types of the attendance context.
const (
	typeOrgUnit  = "orgunit"
	typeEmployee = "employee"
)

// App wires the attendance service's use cases to the event log and read model.
type App struct {
	log      *eventlog.Log
	store    store.Store
	progress *eventlog.Progress
	now      func(context.Context) time.Time
	logger   *slog.Logger
	caughtUp chan struct{}
}

// New returns the use cases over an event log and a read model.
func New(log *eventlog.Log, st store.Store, logger *slog.Logger, now func() time.Time) *App {
	if now == nil {
		now = time.Now
	}
	return &App{log: log, store: st, now: auth.EventClock(now), logger: logger, progress: eventlog.NewProgress(0), caughtUp: make(chan struct{})}
}

// ErrInvalidRequestID is returned for a request id that is not a valid token.
var ErrInvalidRequestID = errors.New("request_id: required, 1-128 characters of [A-Za-z0-9_-]")

func ref(tenant, typ, id string) eventlog.AggregateRef {
	return eventlog.AggregateRef{Context: boundedContext, Tenant: tenant, Type: typ, ID: id}
}

// invalidID reports an id field that cannot name an aggregate.
func invalidID(field string) error {
	return &domain.ValidationError{Violations: []domain.FieldViolation{{Field: field, Description: "not a valid id"}}}
}

func checkID(field, id string) error {
	if !eventlog.ValidToken(id) {
		return invalidID(field)
	}
	return nil
}

// callerScopedID derives an id from the caller and its request id: a retry
// addresses the same aggregate (or finds its own event), while another
// caller's equal request id never touches it.
func callerScopedID(actor domain.Actor, aggregateType, requestID string) string {
	return eventlog.DeriveID(boundedContext, actor.Tenant, aggregateType, actor.EmployeeID+"/"+requestID)
}

func checkRequestID(id string) error {
	if !eventlog.ValidToken(id) {
		return &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "request_id", Description: ErrInvalidRequestID.Error()}}}
	}
	return nil
}

// joinViolations merges the checks of one request, so the caller hears of
// every bad field at once. An error that is not a *domain.ValidationError
// is returned as it is.
func joinViolations(errs ...error) error {
	var all []domain.FieldViolation
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ve *domain.ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		all = append(all, ve.Violations...)
	}
	if len(all) == 0 {
		return nil
	}
	return &domain.ValidationError{Violations: all}
}

// maxConsistencyWait bounds a read-your-writes wait when the caller set no deadline.
const maxConsistencyWait = 10 * time.Second

// ErrNotCaughtUp is returned when the read model did not reach a requested
// sequence in time.
var ErrNotCaughtUp = errors.New("read model has not reached the requested sequence")

func (a *App) waitFor(ctx context.Context, seq uint64) error {
	if seq == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, maxConsistencyWait)
	defer cancel()
	if err := a.progress.Wait(ctx, seq); err != nil {
		return fmt.Errorf("%w: at %d, want %d", ErrNotCaughtUp, a.progress.Applied(), seq)
	}
	return nil
}
