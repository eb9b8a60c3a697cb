package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// Project keeps the read model in step with ATTENDANCE, resuming after the
// read model's checkpoint, until ctx ends.
func (a *App) Project(ctx context.Context) error {
	cp, err := a.store.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	a.progress.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamAttendance, a.apply, eventlog.FollowOptions{
		From:       cp + 1,
		OnCaughtUp: func() { close(a.caughtUp) },
		OnPoison: func(ctx context.Context, rec eventlog.Record, reason error) error {
			if err := a.store.Park(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
				return err
			}
			a.progress.Advance(rec.Sequence)
			return nil
		},
	})
}

// Ready reports whether the projector has caught up with ATTENDANCE since start.
func (a *App) Ready(context.Context) error {
	select {
	case <-a.caughtUp:
		return nil
	default:
		return errors.New("replaying ATTENDANCE")
	}
}

func (a *App) apply(ctx context.Context, rec eventlog.Record) error {
	err := a.project(ctx, rec)
	if errors.Is(err, eventlog.ErrDecode) || errors.Is(err, ErrCorruptHistory) {
		// An event that does not decode or fold never will: park it.
		if err := a.store.Park(ctx, rec.Sequence, rec.Subject, err.Error(), rec.Data); err != nil {
			return err
		}
		a.progress.Advance(rec.Sequence)
		return nil
	}
	if err != nil {
		return err
	}
	a.progress.Advance(rec.Sequence)
	return nil
}

// project writes what rec changes to the read model, with the checkpoint.
func (a *App) project(ctx context.Context, rec eventlog.Record) error {
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.logger.WarnContext(ctx, "skipping unknown event type", "type", eventlog.TypeName(rec.Envelope), "sequence", rec.Sequence)
		return a.store.Apply(ctx, rec.Sequence, store.Change{})
	}
	if err != nil {
		return err
	}
	tenant := rec.Envelope.GetTenantId()
	if _, ok := msg.(*attendancev1.CheckedIn); ok {
		c, err := checkInFromRecord(rec)
		if err != nil {
			return err
		}
		return a.store.Apply(ctx, rec.Sequence, store.Change{CheckIn: &c})
	}
	if _, ok := msg.(*attendancev1.EmployeeIdentityRevealed); ok {
		// A reveal is an audit record the read model does not keep: the
		// timeline reads it from the log.
		return a.store.Apply(ctx, rec.Sequence, store.Change{})
	}
	if ev, ok := msg.(*attendancev1.OrgUnitCreated); ok {
		u := orgUnitFromCreated(tenant, ev)
		u.Version = rec.Envelope.GetAggregateVersion()
		return a.store.Apply(ctx, rec.Sequence, store.Change{OrgUnit: &u})
	}
	var current domain.Employee
	if _, hired := msg.(*attendancev1.EmployeeHired); !hired {
		ref, err := eventlog.ParseSubject(rec.Subject)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorruptHistory, err)
		}
		current, err = a.store.GetEmployee(ctx, tenant, ref.ID)
		if errors.Is(err, domain.ErrNotFound) {
			a.logger.WarnContext(ctx, "event for an employee the read model lacks", "sequence", rec.Sequence)
			return a.store.Apply(ctx, rec.Sequence, store.Change{})
		}
		if err != nil {
			return err
		}
	}
	e, err := evolveEmployee(current, rec)
	if err != nil {
		return err
	}
	return a.store.Apply(ctx, rec.Sequence, store.Change{Employee: &e})
}
