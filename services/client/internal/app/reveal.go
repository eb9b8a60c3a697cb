package app

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// typeReveals is the aggregate that counts one employee's reveals on one
// tenant-local day (id "<employee>-<YYYYMMDD>"). Appending to it with the
// expected sequence serialises that employee's reveals, so the daily quota
// holds even under concurrent calls.
const typeReveals = "reveals"

// Revealed is the answer to a RevealContact: the unmasked value, what is
// left of the day's quota and the CLIENT sequence of the ContactRevealed.
// WARNING: Value is a customer's contact detail in the clear; never log it.
type Revealed struct {
	Value     string
	LeftToday int
	Sequence  uint64
}

// RevealContact shows one contact detail unmasked and records who saw it
// and why. It is counted against the actor's daily reveal quota; once that
// is spent the refusal is recorded too (RevealDenied) and
// domain.ErrQuotaExhausted returned. A retry with the same request id
// returns the first answer and counts nothing.
func (a *App) RevealContact(ctx context.Context, actor domain.Actor, requestID string, r domain.RevealRequest) (Revealed, error) {
	var badID error
	if r.CustomerID != "" && !eventlog.ValidToken(r.CustomerID) {
		badID = invalidID("customer_id")
	}
	r, err := domain.NormalizeReveal(r)
	if err := joinViolations(checkRequestID(requestID), err, badID); err != nil {
		return Revealed{}, err
	}
	agg, err := a.log.Load(ctx, ref(actor.Tenant, typeCustomer, r.CustomerID))
	if err != nil {
		return Revealed{}, fmt.Errorf("reveal contact: %w", err)
	}
	if len(agg.Records) == 0 {
		return Revealed{}, fmt.Errorf("customer %s: %w", r.CustomerID, domain.ErrNotFound)
	}
	c, err := foldCustomer(agg)
	if err != nil {
		return Revealed{}, fmt.Errorf("reveal contact: %w", err)
	}
	if actor, err = a.withVisibility(ctx, actor); err != nil {
		return Revealed{}, fmt.Errorf("reveal contact: %w", err)
	}
	// Permission before the value: how many phones a customer has is not
	// for those who may not see them.
	if !actor.CanReveal(c) {
		return Revealed{}, fmt.Errorf("reveal contact: %w: only the customer's holder, their manager, hr, an auditor or an admin", domain.ErrPermissionDenied)
	}
	value, err := domain.ContactValue(c, r)
	if err != nil {
		return Revealed{}, fmt.Errorf("reveal contact: %w", err)
	}
	policy, _, err := a.Policy(ctx, actor.Tenant)
	if err != nil {
		return Revealed{}, fmt.Errorf("reveal contact: %w", err)
	}
	quota := policy.RevealQuota(actor.Roles)
	day := revealDay(actor, policy, a.now(ctx))
	for attempt := 1; ; attempt++ {
		seq, left, err := a.revealOnce(ctx, actor, requestID, c, r, day, quota)
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return Revealed{}, fmt.Errorf("reveal contact: %w", err)
		}
		return Revealed{Value: value, LeftToday: left, Sequence: seq}, nil
	}
}

// revealOnce loads the day's reveals, decides on them and appends the
// decision with their position as the expected sequence. It returns the
// ContactRevealed's sequence and the reveals left, an error wrapping
// domain.ErrQuotaExhausted once RevealDenied is recorded, or
// eventlog.ErrConflict when another reveal of the same employee came first.
func (a *App) revealOnce(ctx context.Context, actor domain.Actor, requestID string, c domain.Customer, r domain.RevealRequest, day eventlog.AggregateRef, quota int) (uint64, int, error) {
	agg, err := a.log.Load(ctx, day)
	if err != nil {
		return 0, 0, err
	}
	allowance := domain.RevealAllowance{Quota: quota}
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return 0, 0, err
		}
		_, revealed := msg.(*clientv1.ContactRevealed)
		if revealed {
			allowance.Revealed++
		}
		if rec.Envelope.GetRequestId() != requestID {
			continue
		}
		// A retry of this request: answer as the first time, write nothing.
		if !sameReveal(day, rec, msg, requestID, r) {
			return 0, 0, fmt.Errorf("%w: request_id was already used for a different reveal", domain.ErrPrecondition)
		}
		if denied, ok := msg.(*clientv1.RevealDenied); ok {
			return 0, 0, fmt.Errorf("%w: this request was refused at a quota of %d reveals a day", domain.ErrQuotaExhausted, denied.GetQuota())
		}
		return rec.Sequence, allowance.Left(), nil
	}
	base := eventlog.AppendRequest{
		Ref:       day,
		After:     agg.Position,
		RequestID: requestID,
		// The phone's index goes into the event id, so a retry asking for
		// another phone of the same customer is told apart from a true
		// retry.
		Index:      r.Index,
		ActorID:    actor.EmployeeID,
		OccurredAt: a.now(ctx),
	}
	if err := allowance.Check(); err != nil {
		base.Payload = &clientv1.RevealDenied{
			CustomerId: c.ID,
			EmployeeId: actor.EmployeeID,
			Field:      clientv1.ContactField(r.Field),
			Reason:     r.Reason,
			Quota:      int32(quota),
			Index:      int32(r.Index),
		}
		if _, appendErr := a.appendFresh(ctx, base); appendErr != nil {
			return 0, 0, appendErr
		}
		return 0, 0, err
	}
	base.Payload = &clientv1.ContactRevealed{
		CustomerId: c.ID,
		EmployeeId: actor.EmployeeID,
		Field:      clientv1.ContactField(r.Field),
		Reason:     r.Reason,
		Assigned:   c.OwnerID == actor.EmployeeID,
		Index:      int32(r.Index),
	}
	res, err := a.appendFresh(ctx, base)
	if err != nil {
		return 0, 0, err
	}
	allowance.Revealed++
	return res.Sequence, allowance.Left(), nil
}

// appendFresh appends req and treats finding a concurrent copy of the same
// request as a conflict: the copy may have decided otherwise (on a later
// position), so the caller reloads and answers from what was stored.
func (a *App) appendFresh(ctx context.Context, req eventlog.AppendRequest) (eventlog.Appended, error) {
	res, err := a.log.Append(ctx, req)
	if err == nil && res.Duplicate {
		return eventlog.Appended{}, fmt.Errorf("%w: a copy of request %s was stored first", eventlog.ErrConflict, req.RequestID)
	}
	return res, err
}

// sameReveal reports whether rec, stored for requestID, answers r: the
// same customer, field and reason, and (through the event id) the same
// phone.
func sameReveal(day eventlog.AggregateRef, rec eventlog.Record, msg proto.Message, requestID string, r domain.RevealRequest) bool {
	if rec.Envelope.GetEventId() != eventlog.EventID(day, requestID, r.Index) {
		return false
	}
	type revealFacts interface {
		GetCustomerId() string
		GetField() clientv1.ContactField
		GetReason() string
	}
	ev, ok := msg.(revealFacts)
	return ok && ev.GetCustomerId() == r.CustomerID && domain.ContactField(ev.GetField()) == r.Field && ev.GetReason() == r.Reason
}
