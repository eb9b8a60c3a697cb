// Package app is the commission service's use cases: plan commands append
// to COMMISSION with the expected sequence; the accrual worker follows
// ORDER and appends accruals and clawbacks exactly once per order and per
// trigger; the hold worker follows RISK and appends holds and releases
// exactly once per alert event; the statement projector follows
// COMMISSION into the read model that GetStatement and ExportPayouts read;
// ExportPayouts records each payroll period once.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/roster"
	"github.com/holdfast/holdfast/services/commission/internal/domain"
	"github.com/holdfast/holdfast/services/commission/internal/store"
)

// boundedContext is this service's subject prefix and bounded-context name.
const boundedContext = "commission"

// Aggregate types of the commission context, and the plan's fixed id.
const (
	typePlan    = "plan"
	typeAccrual = "accrual"
	planID      = "commission"
	// workerActor is the actor of the events the accrual worker appends.
	workerActor = "commission-worker"
)

// App wires the commission service's use cases to the event log and read model.
type App struct {
	log    *eventlog.Log
	store  store.Store
	now    func() time.Time
	logger *slog.Logger
	// orders is the ORDER sequence the accrual worker has judged; risks
	// the RISK sequence the hold worker has; entries the COMMISSION
	// sequence the statement has applied.
	orders, risks, entries       *eventlog.Progress
	ordersUp, risksUp, entriesUp chan struct{}
	// roster says whom a manager oversees (attendance's org tree).
	roster *roster.Tracker
}

// New returns the use cases over an event log and a read model.
func New(log *eventlog.Log, st store.Store, logger *slog.Logger, now func() time.Time) *App {
	if now == nil {
		now = time.Now
	}
	return &App{
		log: log, store: st, now: now, logger: logger,
		orders: eventlog.NewProgress(0), risks: eventlog.NewProgress(0), entries: eventlog.NewProgress(0),
		ordersUp: make(chan struct{}), risksUp: make(chan struct{}), entriesUp: make(chan struct{}),
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

// ErrCorruptHistory is returned when an aggregate's events do not fold.
var ErrCorruptHistory = errors.New("corrupt aggregate history")

// ErrNotCaughtUp is returned when the read model did not reach a requested
// sequence in time.
var ErrNotCaughtUp = errors.New("read model has not reached the requested sequence")

func ref(tenant, typ, id string) eventlog.AggregateRef {
	return eventlog.AggregateRef{Context: boundedContext, Tenant: tenant, Type: typ, ID: id}
}

// callerScopedID derives a request id from the caller and its request id,
// so another caller's equal request id never collides with it.
func callerScopedID(actor domain.Actor, kind, requestID string) string {
	return eventlog.DeriveID(boundedContext, actor.Tenant, kind, actor.EmployeeID+"/"+requestID)
}

// maxConsistencyWait bounds a read-your-writes wait when the caller set no deadline.
const maxConsistencyWait = 10 * time.Second

// maxConflictRetries bounds reload-and-decide-again on concurrent changes.
const maxConflictRetries = 5

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

// Ready reports whether every follower has caught up since start.
func (a *App) Ready(context.Context) error {
	for name, ch := range map[string]chan struct{}{"ORDER": a.ordersUp, "RISK": a.risksUp, "COMMISSION": a.entriesUp} {
		select {
		case <-ch:
		default:
			return fmt.Errorf("replaying %s", name)
		}
	}
	return nil
}
