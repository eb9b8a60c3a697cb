// Package app is the client service's use cases: commands load an
// aggregate's events, let the domain decide, and append the result with the
// expected sequence; queries read the projected read model; the projector
// keeps that read model in step with the CLIENT stream.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// context is this service's subject prefix and bounded-context name.
const boundedContext = "client"

// Aggregate types of the client context.
const (
	typeCustomer    = "customer"
	typeInteraction = "interaction"
)

// App wires the client service's use cases to the event log and read model.
type App struct {
	log      *eventlog.Log
	store    store.Store
	progress *eventlog.Progress
	now      func(context.Context) time.Time
	logger   *slog.Logger
	caughtUp chan struct{}
	// roster is the ATTENDANCE projection's progress (see roster.go).
	roster *rosterFollower
}

// New returns the use cases over an event log and a read model.
func New(log *eventlog.Log, st store.Store, logger *slog.Logger, now func() time.Time) *App {
	if now == nil {
		now = time.Now
	}
	return &App{
		log: log, store: st, now: auth.EventClock(now), logger: logger, progress: eventlog.NewProgress(0), caughtUp: make(chan struct{}),
		roster: &rosterFollower{progress: eventlog.NewProgress(0), caughtUp: make(chan struct{})},
	}
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

// callerScopedID derives the id of an aggregate a command creates from the
// caller and its request id: a retry addresses the same aggregate and finds
// its own first result, while another caller's equal request id never
// touches it.
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
// every bad field at once, not only of the first check that failed. An
// error that is not a *domain.ValidationError is returned as it is.
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

// RegisterCustomer registers a customer held by the actor. The customer id
// is derived from the request id, so a retry finds and returns the first
// registration instead of creating a twin.
func (a *App) RegisterCustomer(ctx context.Context, actor domain.Actor, requestID string, r domain.Registration) (domain.Customer, uint64, error) {
	if !actor.CanRegister() {
		return domain.Customer{}, 0, fmt.Errorf("register customer: %w: requires sales, senior_sales, manager or admin", domain.ErrPermissionDenied)
	}
	r, err := domain.NormalizeRegistration(r, a.now(ctx))
	if err := joinViolations(checkRequestID(requestID), err); err != nil {
		return domain.Customer{}, 0, err
	}
	id := callerScopedID(actor, typeCustomer, requestID)
	agg, err := a.log.Load(ctx, ref(actor.Tenant, typeCustomer, id))
	if err != nil {
		return domain.Customer{}, 0, fmt.Errorf("register customer: %w", err)
	}
	if len(agg.Records) > 0 {
		c, err := foldCustomer(agg)
		if err != nil {
			return domain.Customer{}, 0, fmt.Errorf("register customer: %w", err)
		}
		if !sameRegistration(c, r) {
			return domain.Customer{}, 0, fmt.Errorf("register customer: %w: request_id was already used for a different registration", domain.ErrPrecondition)
		}
		// A retry of the caller's own request; the customer may have moved
		// to another holder since, so reading it is checked again.
		if actor, err = a.withVisibility(ctx, actor); err != nil {
			return domain.Customer{}, 0, fmt.Errorf("register customer: %w", err)
		}
		if !actor.CanRead(c) {
			return domain.Customer{}, 0, fmt.Errorf("register customer: %w: the customer is no longer yours", domain.ErrPermissionDenied)
		}
		return c, agg.Records[0].Sequence, nil
	}
	if err := a.refuseDuplicate(ctx, actor, requestID, r); err != nil {
		return domain.Customer{}, 0, err
	}
	res, err := a.log.Append(ctx, eventlog.AppendRequest{
		Ref:        ref(actor.Tenant, typeCustomer, id),
		RequestID:  requestID,
		ActorID:    actor.EmployeeID,
		OccurredAt: r.OccurredAt,
		Payload:    customerRegisteredEvent(id, actor.EmployeeID, r),
	})
	if err != nil {
		return domain.Customer{}, 0, fmt.Errorf("register customer: %w", err)
	}
	return registeredCustomer(actor, id, r, res.Version), res.Sequence, nil
}

func registeredCustomer(actor domain.Actor, id string, r domain.Registration, version uint64) domain.Customer {
	return domain.Customer{
		Tenant: actor.Tenant, ID: id, PersonName: r.PersonName, CompanyName: r.CompanyName,
		Phones: r.Phones, WeChatID: r.WeChatID, Email: r.Email, Source: r.Source,
		OwnerID: actor.EmployeeID, RegisteredBy: actor.EmployeeID, RegisteredAt: r.OccurredAt, Version: version,
		Address: r.Address, TaxID: r.TaxID, HeldSince: r.OccurredAt,
	}
}

// LogInteraction records an interaction the actor had, with a customer the
// log knows or with a contact who is not a registered customer (see
// logInteraction).
func (a *App) LogInteraction(ctx context.Context, actor domain.Actor, requestID string, in domain.Interaction) (string, uint64, error) {
	return a.logInteraction(ctx, actor, actor.EmployeeID, requestID, in)
}

// GetCustomer returns a customer the actor may read, once the read model
// has applied minSeq.
func (a *App) GetCustomer(ctx context.Context, actor domain.Actor, id string, minSeq uint64) (domain.Customer, error) {
	if !eventlog.ValidToken(id) {
		return domain.Customer{}, invalidID("customer_id")
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return domain.Customer{}, err
	}
	c, err := a.store.GetCustomer(ctx, actor.Tenant, id)
	if err != nil {
		return domain.Customer{}, fmt.Errorf("get customer %s: %w", id, err)
	}
	if actor, err = a.withVisibility(ctx, actor); err != nil {
		return domain.Customer{}, err
	}
	if !actor.CanRead(c) {
		return domain.Customer{}, fmt.Errorf("get customer: %w: not your customer", domain.ErrPermissionDenied)
	}
	return c, nil
}

// ListCustomers pages through the customers the actor may see: their own;
// their team's (senior_sales) or their subtree's (managers), with the
// shared pool; every customer (hr, auditors, admins). Anyone may list the
// pool (f.InPool). A holder the actor does not see is PermissionDenied.
// orgUnit, if set, keeps the customers held in that unit and below it,
// within what the actor sees. idleDays > 0 keeps only held customers
// without a follow-up for at least that many days by the service's clock
// (see domain.IdleCutoff); it replaces f.IdleBefore.
func (a *App) ListCustomers(ctx context.Context, actor domain.Actor, f store.ListFilter, orgUnit string, idleDays int, minSeq uint64) ([]domain.Customer, error) {
	cutoff, err := domain.IdleCutoff(idleDays, a.now(ctx))
	if err != nil {
		return nil, err
	}
	f.IdleBefore = cutoff
	if orgUnit != "" && !eventlog.ValidToken(orgUnit) {
		return nil, invalidID("org_unit_id")
	}
	actor, err = a.withVisibility(ctx, actor)
	if err != nil {
		return nil, err
	}
	if f.OwnerID != "" && !actor.SeesHolder(f.OwnerID) {
		return nil, fmt.Errorf("list customers: %w: that holder's customers are outside what you may see (your %s and the shared pool)",
			domain.ErrPermissionDenied, actor.Visibility().Tier)
	}
	switch {
	case orgUnit != "":
		if f.Holders, err = a.holdersIn(ctx, actor, orgUnit); err != nil {
			return nil, err
		}
	case f.InPool || actor.Visibility().Tier == domain.TierAll:
	default:
		f.Holders = store.NewHolders(append(actor.Visibility().Members(), actor.EmployeeID), actor.SeesPool())
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return nil, err
	}
	return a.store.ListCustomers(ctx, actor.Tenant, f)
}

// holdersIn is the employees in orgUnit and below it whose customers the
// actor sees; PermissionDenied if there is none, InvalidArgument if the
// roster has no such unit.
func (a *App) holdersIn(ctx context.Context, actor domain.Actor, orgUnit string) (*store.Holders, error) {
	if err := a.catchUpRoster(ctx); err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	units, err := a.store.Subtree(ctx, actor.Tenant, orgUnit, domain.MaxOrgDepth)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "org_unit_id", Description: "no such org unit"}}}
	}
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	employees, err := a.store.EmployeesIn(ctx, actor.Tenant, units)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	visible := slices.DeleteFunc(employees, func(e string) bool { return !actor.SeesHolder(e) })
	if len(visible) == 0 && actor.Visibility().Tier != domain.TierAll {
		return nil, fmt.Errorf("list customers: %w: org unit %s is outside what you may see", domain.ErrPermissionDenied, orgUnit)
	}
	return store.NewHolders(visible, false), nil
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
