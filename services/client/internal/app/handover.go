package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// handoverPage bounds how many of a departed employee's customers are read
// from the read model at once.
const handoverPage = 200

// Handover follows ATTENDANCE and, when an employee departs, hands every
// customer they hold to their manager or back to the shared pool, as the
// tenant's policy says: each a CustomerOwnerChanged (cause HANDOVER) by the
// system actor whose causation is the EmployeeDeparted event.
//
// It keeps who manages whom in memory and replays ATTENDANCE from the start
// on every start. That is safe because each change's request id is derived
// from the departure's event id and the customer id: a replayed departure
// finds the customers already handed over (or appends nothing new for them).
//
// A handover to the manager is not checked against max_customers_held: a
// departure cannot be refused, and leaving the customers with someone who
// has left would be worse than a manager above the cap.
type Handover struct {
	app      *App
	progress *eventlog.Progress
	caughtUp chan struct{}
	// managers and departed are by tenant, then employee id; only Run's
	// goroutine touches them.
	managers map[string]map[string]string
	departed map[string]map[string]bool
}

// NewHandover returns the handover worker; progress, if not nil, records
// each ATTENDANCE sequence it has finished with.
func (a *App) NewHandover(progress *eventlog.Progress) *Handover {
	if progress == nil {
		progress = eventlog.NewProgress(0)
	}
	return &Handover{
		app: a, progress: progress, caughtUp: make(chan struct{}),
		managers: map[string]map[string]string{}, departed: map[string]map[string]bool{},
	}
}

// Progress is the highest ATTENDANCE sequence the worker has finished with.
func (h *Handover) Progress() *eventlog.Progress { return h.progress }

// Run follows ATTENDANCE from the start until ctx ends. A failing handover
// is retried with Follow's backoff.
func (h *Handover) Run(ctx context.Context) error {
	return h.app.log.Follow(ctx, eventlog.StreamAttendance, h.apply, eventlog.FollowOptions{
		OnCaughtUp: func() { close(h.caughtUp) },
		OnPoison: func(ctx context.Context, rec eventlog.Record, reason error) error {
			h.app.logger.ErrorContext(ctx, "handover: skipping undecodable attendance event", "sequence", rec.Sequence, "error", reason)
			h.progress.Advance(rec.Sequence)
			return nil
		},
	})
}

// Ready reports whether the worker has caught up with ATTENDANCE since start.
func (h *Handover) Ready(context.Context) error {
	select {
	case <-h.caughtUp:
		return nil
	default:
		return errors.New("replaying ATTENDANCE")
	}
}

func (h *Handover) apply(ctx context.Context, rec eventlog.Record) error {
	if err := h.handle(ctx, rec); err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	h.progress.Advance(rec.Sequence)
	return nil
}

func (h *Handover) handle(ctx context.Context, rec eventlog.Record) error {
	ref, err := eventlog.ParseSubject(rec.Subject)
	if err != nil {
		h.app.logger.WarnContext(ctx, "handover: skipping event with a foreign subject", "sequence", rec.Sequence, "subject", rec.Subject)
		return nil
	}
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) || errors.Is(err, eventlog.ErrDecode) {
		return nil // not an event the handover needs
	}
	if err != nil {
		return err
	}
	switch ev := msg.(type) {
	case *attendancev1.EmployeeHired:
		tenantMap(h.managers, ref.Tenant)[ev.GetEmployeeId()] = ev.GetManagerId()
		delete(tenantMap(h.departed, ref.Tenant), ev.GetEmployeeId())
	case *attendancev1.EmployeeTransferred:
		// A move names the new manager: a later departure hands over to them.
		tenantMap(h.managers, ref.Tenant)[ev.GetEmployeeId()] = ev.GetToManagerId()
	case *attendancev1.EmployeeDeparted:
		tenantMap(h.departed, ref.Tenant)[ev.GetEmployeeId()] = true
		return h.handOver(ctx, ref.Tenant, rec.Envelope.GetEventId(), rec.Envelope.GetCorrelationId(), ev)
	}
	return nil
}

func tenantMap[V any](m map[string]map[string]V, tenant string) map[string]V {
	if m[tenant] == nil {
		m[tenant] = map[string]V{}
	}
	return m[tenant]
}

// handOver moves every customer the departed employee holds, as the read
// model shows them once it has caught up with CLIENT.
func (h *Handover) handOver(ctx context.Context, tenant, departureID, correlationID string, ev *attendancev1.EmployeeDeparted) error {
	employee := ev.GetEmployeeId()
	if !eventlog.ValidToken(employee) {
		return nil
	}
	a := h.app
	policy, _, err := a.Policy(ctx, tenant)
	if err != nil {
		return err
	}
	manager := h.managers[tenant][employee]
	successor := policy.HandoverTarget(manager, manager != "" && manager != employee && !h.departed[tenant][manager])
	reason := fmt.Sprintf("handover: %s departed (last day %s)", employee, ev.GetLastDay())
	system := domain.Actor{Tenant: tenant, EmployeeID: SystemActor, Roles: []string{"service"}}
	if err := a.catchUp(ctx); err != nil {
		return err
	}
	moved := 0
	filter := store.ListFilter{OwnerID: employee, Limit: handoverPage}
	for {
		held, err := a.store.ListCustomers(ctx, tenant, filter)
		if err != nil {
			return err
		}
		for _, c := range held {
			requestID := "handover-" + departureID + "-" + c.ID
			_, _, err := a.decideOnCustomer(ctx, system, c.ID, requestID, func(cur domain.Customer) (eventlog.AppendRequest, error) {
				ch, err := domain.Handover(cur, employee, successor, reason)
				if err != nil {
					return eventlog.AppendRequest{}, err
				}
				return eventlog.AppendRequest{
					Payload: ownerChangedEvent(ch), OccurredAt: a.now(ctx),
					CausationID: departureID, CorrelationID: correlationID,
				}, nil
			})
			switch {
			case err == nil:
				moved++
			case errors.Is(err, domain.ErrNotHeldBy):
				// Moved since the read model saw it: nothing to hand over.
			default:
				return fmt.Errorf("customer %s: %w", c.ID, err)
			}
		}
		if len(held) < filter.Limit {
			break
		}
		filter.After = held[len(held)-1].ID
	}
	if moved > 0 {
		a.logger.InfoContext(ctx, "handed over a departed employee's customers",
			"tenant", tenant, "employee", employee, "to", holderName(successor), "count", moved)
	}
	return nil
}
