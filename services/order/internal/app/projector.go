package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// ProjectOrders keeps the orders read model in step with ORDER, resuming
// after its checkpoint, until ctx ends.
func (a *App) ProjectOrders(ctx context.Context) error {
	cp, err := a.store.OrderCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("project orders: %w", err)
	}
	a.orders.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamOrder, a.applyOrder, eventlog.FollowOptions{
		From:       cp + 1,
		OnCaughtUp: func() { close(a.ordersUp) },
		OnPoison: func(ctx context.Context, rec eventlog.Record, reason error) error {
			if err := a.store.ParkOrder(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
				return err
			}
			a.orders.Advance(rec.Sequence)
			return nil
		},
	})
}

// ProjectCustomers keeps the customer projection in step with CLIENT, the
// client service's stream, resuming after its checkpoint, until ctx ends.
func (a *App) ProjectCustomers(ctx context.Context) error {
	cp, err := a.store.CustomerCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("project customers: %w", err)
	}
	a.customers.Advance(cp)
	return a.log.Follow(ctx, eventlog.StreamClient, a.applyCustomer, eventlog.FollowOptions{
		From:       cp + 1,
		OnCaughtUp: func() { close(a.customersUp) },
		OnPoison: func(ctx context.Context, rec eventlog.Record, reason error) error {
			if err := a.store.ParkCustomer(ctx, rec.Sequence, rec.Subject, reason.Error(), rec.Data); err != nil {
				return err
			}
			a.customers.Advance(rec.Sequence)
			return nil
		},
	})
}

// Ready reports whether both projectors have caught up since start.
func (a *App) Ready(context.Context) error {
	for name, ch := range map[string]chan struct{}{"ORDER": a.ordersUp, "CLIENT": a.customersUp} {
		select {
		case <-ch:
		default:
			return fmt.Errorf("replaying %s", name)
		}
	}
	return nil
}

func (a *App) applyOrder(ctx context.Context, rec eventlog.Record) error {
	err := a.projectOrder(ctx, rec)
	if errors.Is(err, eventlog.ErrDecode) || errors.Is(err, ErrCorruptHistory) {
		// An event that does not decode or fold never will: park it.
		if err := a.store.ParkOrder(ctx, rec.Sequence, rec.Subject, err.Error(), rec.Data); err != nil {
			return err
		}
		a.orders.Advance(rec.Sequence)
		return nil
	}
	if err != nil {
		return err
	}
	a.orders.Advance(rec.Sequence)
	return nil
}

// projectOrder writes the order rec changes, with the checkpoint. Events of
// other aggregates (attempts, policy, accounts) only advance it.
func (a *App) projectOrder(ctx context.Context, rec eventlog.Record) error {
	r, err := eventlog.ParseSubject(rec.Subject)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorruptHistory, err)
	}
	if r.Type != typeOrder {
		return a.store.ApplyOrder(ctx, rec.Sequence, nil)
	}
	msg, err := rec.Payload()
	if errors.Is(err, eventlog.ErrUnknownType) {
		a.logger.WarnContext(ctx, "skipping unknown event type", "type", eventlog.TypeName(rec.Envelope), "sequence", rec.Sequence)
		return a.store.ApplyOrder(ctx, rec.Sequence, nil)
	}
	if err != nil {
		return err
	}
	var current domain.Order
	if _, created := msg.(*orderv1.OrderCreated); !created {
		current, err = a.store.GetOrder(ctx, rec.Envelope.GetTenantId(), r.ID)
		if errors.Is(err, domain.ErrNotFound) {
			a.logger.WarnContext(ctx, "event for an order the read model lacks", "sequence", rec.Sequence)
			return a.store.ApplyOrder(ctx, rec.Sequence, nil)
		}
		if err != nil {
			return err
		}
	}
	o, err := evolveOrder(current, rec)
	if err != nil {
		return err
	}
	return a.store.ApplyOrder(ctx, rec.Sequence, &o)
}

func (a *App) applyCustomer(ctx context.Context, rec eventlog.Record) error {
	if err := a.projectCustomer(ctx, rec); err != nil {
		return err
	}
	a.customers.Advance(rec.Sequence)
	return nil
}

// projectCustomer keeps what the order service needs of CLIENT: customers'
// registration (source, address, first holder) and every change of holder.
// Every other event, or one it cannot read, only advances the checkpoint:
// CLIENT is the client service's, and its own projector parks bad events.
func (a *App) projectCustomer(ctx context.Context, rec eventlog.Record) error {
	msg, err := rec.Payload()
	if err != nil {
		return a.store.ApplyCustomer(ctx, rec.Sequence, nil)
	}
	tenant := rec.Envelope.GetTenantId()
	switch ev := msg.(type) {
	case *clientv1.CustomerRegistered:
		c := customerFromRegistered(tenant, rec.Envelope.GetAggregateVersion(), ev)
		return a.store.ApplyCustomer(ctx, rec.Sequence, &c)
	case *clientv1.CustomerOwnerChanged:
		c, err := a.store.GetCustomer(ctx, tenant, ev.GetCustomerId())
		if errors.Is(err, domain.ErrNotFound) {
			a.logger.WarnContext(ctx, "owner change of a customer the projection lacks", "sequence", rec.Sequence)
			return a.store.ApplyCustomer(ctx, rec.Sequence, nil)
		}
		if err != nil {
			return err
		}
		c.OwnerID, c.Version = ev.GetNewOwnerId(), rec.Envelope.GetAggregateVersion()
		return a.store.ApplyCustomer(ctx, rec.Sequence, &c)
	}
	return a.store.ApplyCustomer(ctx, rec.Sequence, nil)
}
