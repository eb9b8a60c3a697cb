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

// rosterFollower is the state of the roster projection: how far it has
// applied ATTENDANCE, and whether it has caught up since start.
type rosterFollower struct {
	progress *eventlog.Progress
	caughtUp chan struct{}
}

// ProjectRoster keeps the roster (who works in which org unit, with which
// role, and the org tree) in step with ATTENDANCE, resuming after the
// roster's own checkpoint, until ctx ends.
func (a *App) ProjectRoster(ctx context.Context) error {
	cp, err := a.store.RosterCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("project roster: %w", err)
	}
	a.roster.progress.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamAttendance, a.applyRoster, eventlog.FollowOptions{
		From:       cp + 1,
		OnCaughtUp: func() { close(a.roster.caughtUp) },
		OnPoison: func(ctx context.Context, rec eventlog.Record, reason error) error {
			if err := a.store.ParkRoster(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
				return err
			}
			a.roster.progress.Advance(rec.Sequence)
			return nil
		},
	})
}

// RosterReady reports whether the roster has caught up with ATTENDANCE
// since start.
func (a *App) RosterReady(context.Context) error {
	select {
	case <-a.roster.caughtUp:
		return nil
	default:
		return errors.New("replaying ATTENDANCE into the roster")
	}
}

// RosterProgress is the highest ATTENDANCE sequence the roster has applied.
func (a *App) RosterProgress() *eventlog.Progress { return a.roster.progress }

func (a *App) applyRoster(ctx context.Context, rec eventlog.Record) error {
	ch, err := a.rosterChange(ctx, rec)
	if errors.Is(err, eventlog.ErrDecode) {
		if err := a.store.ParkRoster(ctx, rec.Sequence, rec.Subject, err.Error(), rec.Data); err != nil {
			return err
		}
		a.roster.progress.Advance(rec.Sequence)
		return nil
	}
	if err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	if err := a.store.ApplyRoster(ctx, rec.Sequence, ch); err != nil {
		return fmt.Errorf("roster: %w", err)
	}
	a.roster.progress.Advance(rec.Sequence)
	return nil
}

// rosterChange is what rec changes in the roster. Events the roster does
// not keep (leave, check-ins, types this build does not know) change
// nothing but still advance the checkpoint.
func (a *App) rosterChange(ctx context.Context, rec eventlog.Record) (store.RosterChange, error) {
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) {
		return store.RosterChange{}, nil
	}
	if err != nil {
		return store.RosterChange{}, err
	}
	tenant := rec.Envelope.GetTenantId()
	// update applies f to the employee as the roster has them; an event
	// about an employee the roster never saw hired changes nothing.
	update := func(id string, f func(*domain.RosterEmployee)) (store.RosterChange, error) {
		e, err := a.store.RosterEmployee(ctx, tenant, id)
		if errors.Is(err, domain.ErrNotFound) {
			a.logger.WarnContext(ctx, "roster: event for an employee never hired", "sequence", rec.Sequence)
			return store.RosterChange{}, nil
		}
		if err != nil {
			return store.RosterChange{}, err
		}
		f(&e)
		return store.RosterChange{Employee: &e}, nil
	}
	switch ev := msg.(type) {
	case *attendancev1.OrgUnitCreated:
		return store.RosterChange{OrgUnit: &domain.OrgUnit{Tenant: tenant, ID: ev.GetOrgUnitId(), ParentID: ev.GetParentId()}}, nil
	case *attendancev1.EmployeeHired:
		return store.RosterChange{Employee: &domain.RosterEmployee{
			Tenant: tenant, ID: ev.GetEmployeeId(), OrgUnitID: ev.GetOrgUnitId(), ManagerID: ev.GetManagerId(),
			Role: ev.GetRole(), Status: domain.StatusActive,
		}}, nil
	case *attendancev1.EmployeeTransferred:
		return update(ev.GetEmployeeId(), func(e *domain.RosterEmployee) {
			// The event carries both sides; a move that names no unit
			// (never written by attendance) leaves the employee where they were.
			if to := ev.GetToOrgUnitId(); to != "" {
				e.OrgUnitID = to
			}
			e.ManagerID = ev.GetToManagerId()
		})
	case *attendancev1.EmployeeRoleChanged:
		return update(ev.GetEmployeeId(), func(e *domain.RosterEmployee) { e.Role = ev.GetToRole() })
	case *attendancev1.ResignationNoticed:
		return update(ev.GetEmployeeId(), func(e *domain.RosterEmployee) { e.Status = domain.StatusOnNotice })
	case *attendancev1.ResignationWithdrawn:
		return update(ev.GetEmployeeId(), func(e *domain.RosterEmployee) { e.Status = domain.StatusActive })
	case *attendancev1.EmployeeDeparted:
		return update(ev.GetEmployeeId(), func(e *domain.RosterEmployee) { e.Status = domain.StatusDeparted })
	}
	return store.RosterChange{}, nil
}

// catchUpRoster waits until the roster has applied everything ATTENDANCE
// holds now, so a transfer or role change recorded before the call counts.
func (a *App) catchUpRoster(ctx context.Context) error {
	last, err := a.log.LastSequence(ctx, eventlog.StreamAttendance)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, maxConsistencyWait)
	defer cancel()
	if err := a.roster.progress.Wait(ctx, last); err != nil {
		return fmt.Errorf("%w: roster at ATTENDANCE %d, want %d", ErrNotCaughtUp, a.roster.progress.Applied(), last)
	}
	return nil
}

// withVisibility decides what actor sees (domain.TierOf) from the roster
// as it stands at ATTENDANCE's current end. Only senior_sales and managers
// see by tree, so only they cost a roster lookup.
func (a *App) withVisibility(ctx context.Context, actor domain.Actor) (domain.Actor, error) {
	if !actor.NeedsRoster() {
		return actor, nil
	}
	if err := a.catchUpRoster(ctx); err != nil {
		return actor, fmt.Errorf("visibility: %w", err)
	}
	me, err := a.store.RosterEmployee(ctx, actor.Tenant, actor.EmployeeID)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return actor, fmt.Errorf("visibility: %w", err)
	}
	tier := domain.TierOf(actor, me)
	var units []string
	switch tier {
	case domain.TierTeam:
		units = []string{me.OrgUnitID}
	case domain.TierSubtree:
		units, err = a.store.Subtree(ctx, actor.Tenant, me.OrgUnitID, domain.MaxOrgDepth)
		if errors.Is(err, domain.ErrNotFound) {
			// The roster places the manager in a unit it never saw created:
			// their own unit is all that can be said to be theirs.
			units, err = []string{me.OrgUnitID}, nil
		}
		if err != nil {
			return actor, fmt.Errorf("visibility: %w", err)
		}
	default:
		return actor.WithVisibility(domain.NewVisibility(tier, nil, nil)), nil
	}
	members, err := a.store.EmployeesIn(ctx, actor.Tenant, units)
	if err != nil {
		return actor, fmt.Errorf("visibility: %w", err)
	}
	return actor.WithVisibility(domain.NewVisibility(tier, units, members)), nil
}
