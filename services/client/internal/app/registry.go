package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// catchUp waits until the read model has applied everything CLIENT holds
// now, so a check against it (duplicates, quotas, caps) sees every event
// written before the command arrived.
func (a *App) catchUp(ctx context.Context) error {
	last, err := a.log.LastSequence(ctx, eventlog.StreamClient)
	if err != nil {
		return err
	}
	return a.waitFor(ctx, last)
}

// refuseDuplicate looks the registration up by phone, e-mail, WeChat id
// and normalised company name. A customer that already exists is not
// registered again: the attempt is recorded on the existing customer as
// evidence, and the caller learns no private data about it.
//
// Two registrations of one customer arriving within the same instant can
// both pass (the check reads the read model at the stream's end, not a
// lock); the risk engine's duplicate_customer rule catches that case.
func (a *App) refuseDuplicate(ctx context.Context, actor domain.Actor, requestID string, r domain.Registration) error {
	if err := a.catchUp(ctx); err != nil {
		return fmt.Errorf("register customer: %w", err)
	}
	candidate := registeredCustomer(actor, "", r, 0)
	keys := domain.KeysOf(candidate)
	found, err := a.store.FindByIdentity(ctx, actor.Tenant, keys)
	if err != nil {
		return fmt.Errorf("register customer: %w", err)
	}
	for _, existing := range found {
		on := keys.Matches(existing)
		if on == nil {
			continue
		}
		switch existing.OwnerID {
		case actor.EmployeeID:
			return fmt.Errorf("register customer: %w: you already hold this customer (%s)", domain.ErrAlreadyExists, existing.ID)
		case "":
			if err := a.recordDuplicate(ctx, actor, requestID, existing, on, keys); err != nil {
				return err
			}
			return fmt.Errorf("register customer: %w: this customer is in the shared pool as %s; claim it instead", domain.ErrPrecondition, existing.ID)
		default:
			if err := a.recordDuplicate(ctx, actor, requestID, existing, on, keys); err != nil {
				return err
			}
			return fmt.Errorf("register customer: %w: this customer is already registered and held by another employee; the attempt was recorded", domain.ErrPrecondition)
		}
	}
	return nil
}

// recordDuplicate appends DuplicateRegistrationAttempted to the existing
// customer, retrying on a concurrent change; a retried request finds its
// own event and writes nothing new.
func (a *App) recordDuplicate(ctx context.Context, actor domain.Actor, requestID string, existing domain.Customer, on []string, keys domain.IdentityKeys) error {
	asWritten := append([]string{}, keys.Phones...)
	for _, v := range []string{keys.Email, keys.WeChatID} {
		if v != "" {
			asWritten = append(asWritten, v)
		}
	}
	ev := &clientv1.DuplicateRegistrationAttempted{
		CustomerId:  existing.ID,
		AttemptedBy: actor.EmployeeID,
		HolderId:    existing.OwnerID,
		MatchedOn:   on,
		AsWritten:   asWritten,
	}
	return a.appendToCustomer(ctx, actor, existing.ID, "duplicate/"+requestID, func(domain.Customer) (eventlog.AppendRequest, error) {
		return eventlog.AppendRequest{Payload: ev, OccurredAt: a.now(ctx)}, nil
	})
}

// maxConflictRetries bounds reload-and-decide-again on concurrent changes.
const maxConflictRetries = 5

// appendToCustomer runs load → decide → append on one customer aggregate,
// deciding again on a concurrent change (bounded). The event's request id
// is scoped to the caller; a retry finds its first event and writes nothing.
func (a *App) appendToCustomer(ctx context.Context, actor domain.Actor, customerID, requestID string,
	decide func(domain.Customer) (eventlog.AppendRequest, error),
) error {
	_, _, err := a.decideOnCustomer(ctx, actor, customerID, requestID, decide)
	return err
}

// decideOnCustomer is appendToCustomer returning the customer after the
// event and the stream sequence written (or found, for a retry).
func (a *App) decideOnCustomer(ctx context.Context, actor domain.Actor, customerID, requestID string,
	decide func(domain.Customer) (eventlog.AppendRequest, error),
) (domain.Customer, uint64, error) {
	scoped := callerScopedID(actor, "request", requestID)
	r := ref(actor.Tenant, typeCustomer, customerID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return domain.Customer{}, 0, err
		}
		if len(agg.Records) == 0 {
			return domain.Customer{}, 0, fmt.Errorf("customer %s: %w", customerID, domain.ErrNotFound)
		}
		c, err := foldCustomer(agg)
		if err != nil {
			return domain.Customer{}, 0, err
		}
		for _, rec := range agg.Records {
			if rec.Envelope.GetRequestId() == scoped {
				return c, rec.Sequence, nil // a retry: the first result stands
			}
		}
		req, err := decide(c)
		if err != nil {
			return domain.Customer{}, 0, err
		}
		req.Ref, req.After, req.RequestID, req.ActorID = r, agg.Position, scoped, actor.EmployeeID
		res, err := a.log.Append(ctx, req)
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return domain.Customer{}, 0, err
		}
		if res.Envelope == nil {
			// A duplicate: what was stored may differ from what we built.
			if agg, err = a.log.Load(ctx, r); err != nil {
				return domain.Customer{}, 0, err
			}
		} else {
			agg.Records = append(agg.Records, eventlog.Record{Stream: res.Stream, Sequence: res.Sequence, Envelope: res.Envelope})
		}
		c, err = foldCustomer(agg)
		return c, res.Sequence, err
	}
}
