package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// Project keeps the read model in step with CLIENT, resuming after the
// read model's checkpoint, until ctx ends.
func (a *App) Project(ctx context.Context) error {
	cp, err := a.store.Checkpoint(ctx)
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	a.progress.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamClient, a.apply, eventlog.FollowOptions{
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

// Ready reports whether the projector has caught up with CLIENT since start.
func (a *App) Ready(context.Context) error {
	select {
	case <-a.caughtUp:
		return nil
	default:
		return errors.New("replaying CLIENT")
	}
}

func (a *App) apply(ctx context.Context, rec eventlog.Record) error {
	changed, claim, err := a.customerChange(ctx, rec)
	if errors.Is(err, eventlog.ErrDecode) {
		// A payload that does not decode will never decode: park it.
		if err := a.store.Park(ctx, rec.Sequence, rec.Subject, err.Error(), rec.Data); err != nil {
			return err
		}
		a.progress.Advance(rec.Sequence)
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case claim != nil:
		err = a.store.ApplyClaim(ctx, rec.Sequence, *claim, *changed)
	case changed != nil:
		err = a.store.Apply(ctx, rec.Sequence, *changed)
	default:
		err = a.store.Apply(ctx, rec.Sequence)
	}
	if err != nil {
		return err
	}
	a.progress.Advance(rec.Sequence)
	return nil
}

// customerChange is the customer as it stands after rec, or nil when rec
// changes no customer view.
func (a *App) customerChange(ctx context.Context, rec eventlog.Record) (*domain.Customer, *store.Claim, error) {
	msg, err := eventlog.Payload(rec.Envelope)
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.logger.WarnContext(ctx, "skipping unknown event type", "type", eventlog.TypeName(rec.Envelope), "sequence", rec.Sequence)
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	tenant := rec.Envelope.GetTenantId()
	// current is the stored customer an event about it changes.
	current := func(id string) (*domain.Customer, error) {
		c, err := a.store.GetCustomer(ctx, tenant, id)
		if errors.Is(err, domain.ErrNotFound) {
			a.logger.WarnContext(ctx, "event for a customer the read model lacks", "sequence", rec.Sequence)
			return nil, nil
		}
		return &c, err
	}
	switch ev := msg.(type) {
	case *clientv1.CustomerRegistered:
		c := customerFromRegistered(rec, ev)
		return &c, nil, nil
	case *clientv1.InteractionLogged:
		c, err := current(ev.GetCustomerId())
		if c == nil || err != nil {
			return nil, nil, err
		}
		c.Interactions++
		if t := rec.Envelope.GetOccurredAt().AsTime(); t.After(c.LastInteractionAt) {
			c.LastInteractionAt = t
		}
		return c, nil, nil
	case *clientv1.CustomerOwnerChanged:
		c, err := current(ev.GetCustomerId())
		if c == nil || err != nil {
			return nil, nil, err
		}
		changed := applyOwnerChanged(*c, rec, ev)
		if ev.GetCause() == clientv1.OwnershipCause_OWNERSHIP_CAUSE_CLAIMED {
			claim := &store.Claim{Tenant: tenant, EmployeeID: ev.GetNewOwnerId(), CustomerID: c.ID, At: rec.Envelope.GetOccurredAt().AsTime()}
			return &changed, claim, nil
		}
		return &changed, nil, nil
	case *clientv1.DuplicateRegistrationAttempted:
		c, err := current(ev.GetCustomerId())
		if c == nil || err != nil {
			return nil, nil, err
		}
		c.Version = rec.Envelope.GetAggregateVersion()
		return c, nil, nil
	}
	return nil, nil, nil
}
