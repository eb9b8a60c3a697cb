// Package app is the order service's use cases: commands load an
// aggregate's events, let the domain decide, and append the result with the
// expected sequence; queries read the projected read model; two projectors
// keep that read model in step with ORDER (orders) and CLIENT (customers).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/roster"
	"github.com/holdfast/holdfast/services/order/internal/domain"
	"github.com/holdfast/holdfast/services/order/internal/store"
)

// boundedContext is this service's subject prefix and bounded-context name.
const boundedContext = "order"

// Aggregate types of the order context, and the fixed ids of the tenant's
// singleton aggregates.
const (
	typeOrder    = "order"
	typeSeller   = "seller"
	typePolicy   = "policy"
	typeAccounts = "accounts"
	typePayers   = "payers"

	policyID          = "order"
	companyAccountsID = "company"
)

// App wires the order service's use cases to the event log and read model.
type App struct {
	log    *eventlog.Log
	store  store.Store
	now    func(context.Context) time.Time
	logger *slog.Logger
	// orders is the ORDER sequence the read model has applied; customers the
	// CLIENT sequence its customer projection has.
	orders, customers     *eventlog.Progress
	ordersUp, customersUp chan struct{}
	// roster says which sellers a manager oversees (attendance's org tree).
	roster *roster.Tracker
}

// New returns the use cases over an event log and a read model.
func New(log *eventlog.Log, st store.Store, logger *slog.Logger, now func() time.Time) *App {
	if now == nil {
		now = time.Now
	}
	return &App{
		log: log, store: st, now: auth.EventClock(now), logger: logger,
		orders: eventlog.NewProgress(0), customers: eventlog.NewProgress(0),
		ordersUp: make(chan struct{}), customersUp: make(chan struct{}),
		roster: roster.NewTracker(log),
	}
}

// FollowRoster keeps the org tree in step with ATTENDANCE until ctx ends.
func (a *App) FollowRoster(ctx context.Context) error { return a.roster.Run(ctx) }

// RosterReady reports whether the org tree has been read once.
func (a *App) RosterReady(ctx context.Context) error { return a.roster.Ready(ctx) }

// Actor is the caller as the use cases see it. A manager's reach is their
// part of the organisation tree, read after catching up with ATTENDANCE so
// that a transfer or a demotion counts from this call on.
func (a *App) Actor(ctx context.Context, tenant, employeeID string, roles []string) (domain.Actor, error) {
	oversees, err := a.roster.Overseer(ctx, tenant, employeeID, roles)
	return domain.Actor{Tenant: tenant, EmployeeID: employeeID, Roles: roles, Oversees: oversees}, err
}

// clock is the command's time (its event time, else the service's) at
// microsecond precision, UTC: what PostgreSQL keeps, so a page cursor made
// from a stored time matches it.
func (a *App) clock(ctx context.Context) time.Time {
	return a.now(ctx).UTC().Truncate(time.Microsecond)
}

// ErrInvalidRequestID is returned for a request id that is not a valid token.
var ErrInvalidRequestID = errors.New("request_id: required, 1-128 characters of [A-Za-z0-9_-]")

func ref(tenant, typ, id string) eventlog.AggregateRef {
	return eventlog.AggregateRef{Context: boundedContext, Tenant: tenant, Type: typ, ID: id}
}

func checkID(field, id string) error {
	if !eventlog.ValidToken(id) {
		return &domain.ValidationError{Violations: []domain.FieldViolation{{Field: field, Description: "not a valid id"}}}
	}
	return nil
}

func checkRequestID(id string) error {
	if !eventlog.ValidToken(id) {
		return &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "request_id", Description: ErrInvalidRequestID.Error()}}}
	}
	return nil
}

// callerScopedID derives an id from the caller and its request id: a retry
// addresses the same aggregate (or finds its own event), while another
// caller's equal request id never touches it.
func callerScopedID(actor domain.Actor, kind, requestID string) string {
	return eventlog.DeriveID(boundedContext, actor.Tenant, kind, actor.EmployeeID+"/"+requestID)
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

func wait(ctx context.Context, p *eventlog.Progress, seq uint64) error {
	if seq == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, maxConsistencyWait)
	defer cancel()
	if err := p.Wait(ctx, seq); err != nil {
		return fmt.Errorf("%w: at %d, want %d", ErrNotCaughtUp, p.Applied(), seq)
	}
	return nil
}

// waitFor waits until the orders read model has applied ORDER's seq.
func (a *App) waitFor(ctx context.Context, seq uint64) error { return wait(ctx, a.orders, seq) }

// catchUpCustomers waits until the customer projection has applied
// everything CLIENT holds now, so a decision on a customer (exists, held by
// the seller) sees every change made before the command arrived.
func (a *App) catchUpCustomers(ctx context.Context) error {
	last, err := a.log.LastSequence(ctx, eventlog.StreamClient)
	if err != nil {
		return err
	}
	return wait(ctx, a.customers, last)
}

// customer reads a customer from the projection once it has caught up.
func (a *App) customer(ctx context.Context, tenant, id string) (domain.Customer, bool, error) {
	if err := a.catchUpCustomers(ctx); err != nil {
		return domain.Customer{}, false, err
	}
	c, err := a.store.GetCustomer(ctx, tenant, id)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Customer{}, false, nil
	}
	return c, err == nil, err
}
