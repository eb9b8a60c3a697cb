package app

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

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
	err := a.project(ctx, rec)
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
	a.progress.Advance(rec.Sequence)
	return nil
}

// project writes what rec changes to the read model, with the checkpoint.
func (a *App) project(ctx context.Context, rec eventlog.Record) error {
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.logger.WarnContext(ctx, "skipping unknown event type", "type", eventlog.TypeName(rec.Envelope), "sequence", rec.Sequence)
		return a.store.Apply(ctx, rec.Sequence)
	}
	if err != nil {
		return err
	}
	switch ev := msg.(type) {
	case *clientv1.InteractionLogged:
		return a.projectInteractionLogged(ctx, rec, ev)
	case *clientv1.InteractionDeleted:
		return a.projectInteractionDeleted(ctx, rec, ev)
	case *clientv1.ContactRevealed:
		return a.projectMention(ctx, rec, ev.GetCustomerId())
	case *clientv1.RevealDenied:
		return a.projectMention(ctx, rec, ev.GetCustomerId())
	}
	changed, claim, err := a.customerChange(ctx, rec, msg)
	if err != nil {
		return err
	}
	switch {
	case claim != nil:
		return a.store.ApplyClaim(ctx, rec.Sequence, *claim, *changed)
	case changed != nil:
		return a.store.Apply(ctx, rec.Sequence, *changed)
	default:
		return a.store.Apply(ctx, rec.Sequence)
	}
}

// projectMention adds an event stored on another aggregate (a reveal, on
// the employee's day of reveals) to the trail of the customer it is about.
func (a *App) projectMention(ctx context.Context, rec eventlog.Record, customerID string) error {
	if customerID == "" {
		return a.store.Apply(ctx, rec.Sequence)
	}
	return a.store.ApplyMention(ctx, rec.Sequence, rec.Envelope.GetTenantId(), customerID)
}

// projectInteractionLogged stores the interaction and counts it on its
// customer, if it has one, in one step.
func (a *App) projectInteractionLogged(ctx context.Context, rec eventlog.Record, ev *clientv1.InteractionLogged) error {
	li := loggedInteraction(rec, ev)
	var followed *domain.Customer
	if li.CustomerID != "" {
		c, err := a.store.GetCustomer(ctx, li.Tenant, li.CustomerID)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			a.logger.WarnContext(ctx, "event for a customer the read model lacks", "sequence", rec.Sequence)
		case err != nil:
			return err
		default:
			c.Interactions++
			if li.OccurredAt.After(c.LastInteractionAt) {
				c.LastInteractionAt = li.OccurredAt
			}
			followed = &c
		}
	}
	return a.store.ApplyInteraction(ctx, rec.Sequence, li, followed)
}

// projectInteractionDeleted hides the interaction from reads. The
// customer's interaction count and last follow-up stay as they are: the
// follow-up happened when it was logged, and the deletion is on record
// beside it.
func (a *App) projectInteractionDeleted(ctx context.Context, rec eventlog.Record, ev *clientv1.InteractionDeleted) error {
	li, err := a.store.GetInteraction(ctx, rec.Envelope.GetTenantId(), ev.GetInteractionId())
	if errors.Is(err, domain.ErrNotFound) {
		a.logger.WarnContext(ctx, "deletion of an interaction the read model lacks", "sequence", rec.Sequence)
		return a.store.Apply(ctx, rec.Sequence)
	}
	if err != nil {
		return err
	}
	li.Deleted = true
	return a.store.ApplyInteraction(ctx, rec.Sequence, li, nil)
}

// customerChange is the customer as it stands after msg, the payload of
// rec, or nil when it changes no customer view.
func (a *App) customerChange(ctx context.Context, rec eventlog.Record, msg proto.Message) (*domain.Customer, *store.Claim, error) {
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
