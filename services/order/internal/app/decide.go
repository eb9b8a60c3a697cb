package app

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// maxConflictRetries bounds reload-and-decide-again on concurrent changes.
const maxConflictRetries = 5

// appendOnce runs load → decide → append on one aggregate, deciding again
// on a concurrent change (bounded). The event's request id is scoped to the
// caller and the command (so one request id used for two commands is two
// requests); a retry finds its first event and writes nothing. It returns the
// aggregate's history including the event and the event's record.
func (a *App) appendOnce(ctx context.Context, actor domain.Actor, command string, r eventlog.AggregateRef, requestID string,
	decide func(agg eventlog.Aggregate) (proto.Message, error),
) (eventlog.Aggregate, eventlog.Record, error) {
	scoped := callerScopedID(actor, command, requestID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return agg, eventlog.Record{}, err
		}
		for _, rec := range agg.Records {
			if rec.Envelope.GetRequestId() == scoped {
				return agg, rec, nil // a retry: the first result stands
			}
		}
		payload, err := decide(agg)
		if err != nil {
			return agg, eventlog.Record{}, err
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: r, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, OccurredAt: a.clock(ctx), Payload: payload,
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return agg, eventlog.Record{}, err
		}
		if res.Envelope == nil {
			// A duplicate JetStream had already stored: read it back as stored.
			after, err := a.log.Load(ctx, r)
			if err != nil {
				return agg, eventlog.Record{}, err
			}
			for _, rec := range after.Records {
				if rec.Sequence == res.Sequence {
					return after, rec, nil
				}
			}
			return after, eventlog.Record{}, fmt.Errorf("%w: appended event %d not found", ErrCorruptHistory, res.Sequence)
		}
		rec := eventlog.Record{Stream: res.Stream, Sequence: res.Sequence, Subject: r.Subject(), Envelope: res.Envelope}
		agg.Records = append(agg.Records, rec)
		agg.Position = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
		return agg, rec, nil
	}
}

// decideOnOrder is appendOnce on an existing order: decide sees the order
// folded from its history; the result is the order after the event.
func (a *App) decideOnOrder(ctx context.Context, actor domain.Actor, command, orderID, requestID string,
	decide func(domain.Order) (proto.Message, error),
) (domain.Order, uint64, error) {
	agg, rec, err := a.appendOnce(ctx, actor, command, ref(actor.Tenant, typeOrder, orderID), requestID, func(agg eventlog.Aggregate) (proto.Message, error) {
		if len(agg.Records) == 0 {
			return nil, fmt.Errorf("order %s: %w", orderID, domain.ErrNotFound)
		}
		o, err := foldOrder(agg)
		if err != nil {
			return nil, err
		}
		return decide(o)
	})
	if err != nil {
		return domain.Order{}, 0, err
	}
	o, err := foldOrder(agg)
	return o, rec.Sequence, err
}
