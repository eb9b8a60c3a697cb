package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	tickv1 "github.com/holdfast/holdfast/proto/holdfast/tick/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// A tenant's clock is the aggregate tick.<tenant>.clock.<tenant> on TICK:
// one ClockTicked per hour boundary, appended with the expected last
// sequence, so the live scheduler and AdvanceClock can never both tick it.
const (
	tickContext = "tick"
	typeClock   = "clock"
)

func clockRef(tenant string) eventlog.AggregateRef {
	return eventlog.AggregateRef{Context: tickContext, Tenant: tenant, Type: typeClock, ID: tenant}
}

// loadClock reads where the tenant's clock stands from its last tick only:
// a clock accumulates 8,760 ticks a year, and only the last one matters.
func (a *App) loadClock(ctx context.Context, tenant string) (domain.Clock, eventlog.Position, error) {
	rec, found, err := a.log.Last(ctx, clockRef(tenant))
	if err != nil || !found {
		return domain.Clock{}, eventlog.Position{}, err
	}
	msg, err := rec.Payload()
	if err != nil {
		return domain.Clock{}, eventlog.Position{}, err
	}
	tick, ok := msg.(*tickv1.ClockTicked)
	if !ok {
		return domain.Clock{}, eventlog.Position{}, fmt.Errorf("%w: %s holds a %s", eventlog.ErrDecode, rec.Subject, eventlog.TypeName(rec.Envelope))
	}
	return domain.Clock{LastTick: tick.GetAt().AsTime(), Mode: domain.ClockMode(tick.GetMode())}, eventlog.PositionOf(rec), nil
}

// appendTick writes one tick after pos. Its request id names the mode and
// the hour, so a retried tick deduplicates and a tick of the other mode
// for the same hour never passes for it.
func (a *App) appendTick(ctx context.Context, tenant, actorID string, mode domain.ClockMode, at time.Time, pos eventlog.Position) (eventlog.Appended, error) {
	prefix := "live-"
	if mode == domain.ClockExternal {
		prefix = "external-"
	}
	return a.log.Append(ctx, eventlog.AppendRequest{
		Ref:        clockRef(tenant),
		After:      pos,
		RequestID:  prefix + at.UTC().Format("2006010215"),
		ActorID:    actorID,
		OccurredAt: at,
		Payload:    &tickv1.ClockTicked{At: timestamppb.New(at), Mode: tickv1.ClockMode(mode)},
	})
}

// ClockAdvanced is where AdvanceClock left the tenant's clock.
type ClockAdvanced struct {
	LastTick time.Time
	Ticks    int
	// Sequence is the TICK sequence of the last tick (0: the clock never
	// ticked); ListAlerts' consistent_with waits for the engine to judge it.
	Sequence uint64
}

// AdvanceClock ticks the caller's tenant's clock up to to (admin or
// service): one tick per hour boundary after the last one, mode EXTERNAL.
// A live clock, or to before the last tick, is FailedPrecondition; a tick
// appended concurrently by someone else makes it decide again (bounded),
// else Aborted. Ticks are appended one by one: a failure half-way leaves
// a clock that is simply less advanced, and the same call finishes it.
func (a *App) AdvanceClock(ctx context.Context, actor Actor, from, to time.Time) (ClockAdvanced, error) {
	if !actor.has("admin", "service") {
		return ClockAdvanced{}, fmt.Errorf("advance clock: %w: requires admin or service", domain.ErrPermissionDenied)
	}
	// An external clock replays history; pushed past the wall clock it
	// would fire every future deadline (unpaid orders, neglected
	// customers) at once.
	if to.After(a.now().Add(time.Hour)) {
		return ClockAdvanced{}, domainerr.Violations{{Field: "to", Description: "must not be in the future: an external clock replays history"}}.Err()
	}
	var done ClockAdvanced
	for attempt := 1; ; attempt++ {
		clock, pos, err := a.loadClock(ctx, actor.Tenant)
		if err != nil {
			return done, fmt.Errorf("advance clock: %w", err)
		}
		ticks, err := domain.PlanAdvance(clock, from, to)
		if err != nil {
			return done, err
		}
		done.LastTick, done.Sequence = clock.LastTick, pos.Sequence
		conflict := false
		for _, at := range ticks {
			res, err := a.appendTick(ctx, actor.Tenant, actor.EmployeeID, domain.ClockExternal, at, pos)
			if errors.Is(err, eventlog.ErrConflict) {
				conflict = true
				break
			}
			if err != nil {
				return done, fmt.Errorf("advance clock: %w", err)
			}
			pos = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
			done.LastTick, done.Sequence = at, res.Sequence
			done.Ticks++
		}
		if !conflict {
			return done, nil
		}
		if attempt >= maxRuleConflictRetries {
			return done, fmt.Errorf("advance clock: %w", &eventlog.ConflictError{Subject: clockRef(actor.Tenant).Subject(), ExpectedSequence: pos.Sequence})
		}
	}
}

// noteTenant remembers a tenant seen in RISK_IN: the live scheduler ticks
// every tenant the risk service has seen.
func (a *App) noteTenant(tenant string) {
	if tenant == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tenants[tenant] = true
}

func (a *App) knownTenants() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.tenants))
	for t := range a.tenants {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// schedulerActor is the actor id of the live scheduler's ticks.
const schedulerActor = "risk-scheduler"

// TickLiveClocks gives every tenant the risk service has seen in RISK_IN
// the tick of the hour at wall time now, mode LIVE, unless its clock is
// external or already ticked that hour. It returns how many it appended.
// A tenant whose clock moved meanwhile (AdvanceClock, or another replica's
// scheduler) is left alone: the expected-sequence append refuses the tick.
func (a *App) TickLiveClocks(ctx context.Context, now time.Time) (int, error) {
	n := 0
	var errs []error
	for _, tenant := range a.knownTenants() {
		clock, pos, err := a.loadClock(ctx, tenant)
		if err != nil {
			errs = append(errs, fmt.Errorf("tick %s: %w", tenant, err))
			continue
		}
		at, ok := domain.LiveTick(clock, now)
		if !ok {
			continue
		}
		res, err := a.appendTick(ctx, tenant, schedulerActor, domain.ClockLive, at, pos)
		switch {
		case errors.Is(err, eventlog.ErrConflict):
			a.logger.InfoContext(ctx, "live tick lost to a concurrent clock move", "tenant", tenant, "at", at)
		case err != nil:
			errs = append(errs, fmt.Errorf("tick %s: %w", tenant, err))
		case !res.Duplicate:
			n++
		}
	}
	return n, errors.Join(errs...)
}

// RunClock is the live scheduler: once the engine has caught up with
// RISK_IN (so every tenant is known), it ticks live clocks now and at every
// wall-clock hour until ctx ends. A failed round is logged and the next
// hour tries again; the clock is a.now, replaced in tests.
func (a *App) RunClock(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-a.engineCaughtUp:
	}
	for {
		if _, err := a.TickLiveClocks(ctx, a.now()); err != nil && ctx.Err() == nil {
			a.logger.ErrorContext(ctx, "live clock round failed", "error", err)
		}
		now := a.now()
		timer := time.NewTimer(now.Truncate(time.Hour).Add(time.Hour).Sub(now))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
	}
}
