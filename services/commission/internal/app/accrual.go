package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

// ProjectOrders is the accrual worker: it follows ORDER from its own
// checkpoint, keeps each order's qualifying facts in the read model, and
// appends CommissionAccrued the moment an order qualifies and
// CommissionClawedBack when an accrued order is cancelled or refunded.
//
// It appends before it saves the checkpoint, and every append has a request
// id derived from the order (accrual) or the triggering ORDER event
// (clawback) and is checked against the aggregate first, so a crash,
// replay or restart never accrues or claws back twice.
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

func (a *App) applyOrder(ctx context.Context, rec eventlog.Record) error {
	err := a.judgeOrder(ctx, rec)
	if errors.Is(err, eventlog.ErrDecode) || errors.Is(err, ErrCorruptHistory) || errors.Is(err, domain.ErrOverflow) {
		// It will never apply: park it rather than block the stream.
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

// judgeOrder folds rec into its order's facts and appends what they call for.
func (a *App) judgeOrder(ctx context.Context, rec eventlog.Record) error {
	r, err := eventlog.ParseSubject(rec.Subject)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorruptHistory, err)
	}
	if r.Type != "order" {
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
	tenant := rec.Envelope.GetTenantId()
	var o domain.OrderTrack
	if ev, ok := msg.(*orderv1.OrderCreated); ok {
		o = trackFromCreated(tenant, ev)
	} else {
		o, err = a.store.GetOrder(ctx, tenant, r.ID)
		if errors.Is(err, domain.ErrNotFound) {
			a.logger.WarnContext(ctx, "event for an order the worker never saw created", "sequence", rec.Sequence)
			return a.store.ApplyOrder(ctx, rec.Sequence, nil)
		}
		if err != nil {
			return err
		}
	}
	wasClosed := o.Closed
	var trigger *domain.ClawbackTrigger
	switch ev := msg.(type) {
	case *orderv1.OrderSubmitted:
		o.Approved = o.Approved || ev.GetAutoApproved()
	case *orderv1.OrderApproved:
		o.Approved = o.Approved || ev.GetFinal()
	case *orderv1.OrderRejected, *orderv1.OrderLost:
		o.Closed = true
	case *orderv1.PaymentRecorded:
		o.PaidToCompanyTotalMinor, o.PaidTotalMinor = ev.GetPaidToCompanyTotalMinor(), ev.GetPaidTotalMinor()
	case *orderv1.ShipmentRecorded:
		o.Shipped = true
	case *orderv1.OrderCancelled:
		o.Closed = true
		trigger = &domain.ClawbackTrigger{Cause: domain.CauseCancelled}
	case *orderv1.OrderRefunded:
		// A partial refund keeps the order open (the order service keeps
		// its status); refunding everything received closes it.
		o.RefundedTotalMinor = ev.GetRefundedTotalMinor()
		o.Closed = o.Closed || o.RefundedTotalMinor >= o.PaidToCompanyTotalMinor
		trigger = &domain.ClawbackTrigger{
			Cause: domain.CauseRefunded, AmountMinor: o.AmountMinor,
			PaidToCompanyTotalMinor: o.PaidToCompanyTotalMinor, RefundedTotalMinor: o.RefundedTotalMinor,
		}
	}
	if !wasClosed && o.Qualifies() {
		if err := a.ensureAccrual(ctx, o, rec); err != nil {
			return err
		}
	}
	if trigger != nil {
		if err := a.clawBack(ctx, o, *trigger, rec); err != nil {
			return err
		}
	}
	return a.store.ApplyOrder(ctx, rec.Sequence, &o)
}

func trackFromCreated(tenant string, ev *orderv1.OrderCreated) domain.OrderTrack {
	return domain.OrderTrack{
		Tenant: tenant, OrderID: ev.GetOrderId(), SellerID: ev.GetSellerId(), CustomerID: ev.GetCustomerId(),
		Currency: ev.GetCurrency(), AmountMinor: ev.GetAmountMinor(),
		ClaimedSource: domain.SourceChannel(ev.GetClaimedSource()), CustomerSource: domain.SourceChannel(ev.GetCustomerSource()),
		SourceContradiction: ev.GetSourceContradiction(),
	}
}

// accrualState is what an accrual aggregate holds so far.
type accrualState struct {
	accrued    *commissionv1.CommissionAccrued
	clawedBack int64
	requestIDs map[string]bool
}

func foldAccrual(agg eventlog.Aggregate) (accrualState, error) {
	st := accrualState{requestIDs: map[string]bool{}}
	for _, rec := range agg.Records {
		st.requestIDs[rec.Envelope.GetRequestId()] = true
		msg, err := rec.Payload()
		if err != nil {
			return st, err
		}
		switch ev := msg.(type) {
		case *commissionv1.CommissionAccrued:
			st.accrued = ev
		case *commissionv1.CommissionClawedBack:
			st.clawedBack = ev.GetClawedBackTotalMinor()
		default:
			return st, fmt.Errorf("%w: %T in an accrual", ErrCorruptHistory, msg)
		}
	}
	return st, nil
}

// appendToAccrual loads the order's accrual aggregate, lets decide choose
// an event (nil for none) and appends it under requestID, deciding again
// on a concurrent change; an aggregate already holding requestID is done.
func (a *App) appendToAccrual(ctx context.Context, tenant, orderID, requestID string, at time.Time,
	decide func(accrualState) (proto.Message, error),
) error {
	r := ref(tenant, typeAccrual, orderID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return err
		}
		st, err := foldAccrual(agg)
		if err != nil {
			return err
		}
		if st.requestIDs[requestID] {
			return nil
		}
		payload, err := decide(st)
		if err != nil || payload == nil {
			return err
		}
		_, err = a.log.Append(ctx, eventlog.AppendRequest{
			Ref: r, After: agg.Position, RequestID: requestID, ActorID: workerActor, OccurredAt: at, Payload: payload,
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		return err
	}
}

// eventTime is an ORDER event's business time at PostgreSQL's precision.
func eventTime(rec eventlog.Record) time.Time {
	return rec.Envelope.GetOccurredAt().AsTime().UTC().Truncate(time.Microsecond)
}

// ensureAccrual appends the order's accrual unless it has one, at the rate
// of the plan in force when the order qualified.
func (a *App) ensureAccrual(ctx context.Context, o domain.OrderTrack, rec eventlog.Record) error {
	at := eventTime(rec)
	requestID := eventlog.DeriveID(boundedContext, o.Tenant, typeAccrual, o.OrderID)
	return a.appendToAccrual(ctx, o.Tenant, o.OrderID, requestID, at, func(st accrualState) (proto.Message, error) {
		if st.accrued != nil {
			return nil, nil
		}
		history, _, err := a.planHistory(ctx, o.Tenant)
		if err != nil {
			return nil, err
		}
		acc, err := domain.DecideAccrual(o, domain.PlanInForce(history, at))
		if err != nil {
			return nil, fmt.Errorf("accrue order %s: %w", o.OrderID, err)
		}
		return accrualEvent(acc, rec.Sequence, at), nil
	})
}

func accrualEvent(acc domain.Accrual, orderSeq uint64, at time.Time) *commissionv1.CommissionAccrued {
	ev := &commissionv1.CommissionAccrued{
		OrderId: acc.OrderID, EmployeeId: acc.EmployeeID, CustomerId: acc.CustomerID, Currency: acc.Currency,
		BaseAmountMinor: acc.BaseAmountMinor, RateBp: acc.RateBP, CommissionMinor: acc.CommissionMinor,
		CustomerSource: clientv1.SourceChannel(acc.CustomerSource), ClaimedSource: clientv1.SourceChannel(acc.ClaimedSource),
		PlanVersion: acc.PlanVersion, OrderSequence: orderSeq, QualifiedAt: timestamppb.New(at),
		PaidToCompanyTotalMinor: acc.PaidToCompanyTotalMinor,
	}
	if !acc.PlanEffectiveFrom.IsZero() {
		ev.PlanEffectiveFrom = acc.PlanEffectiveFrom.Format(domain.DateLayout)
	}
	if acc.Contradiction {
		ev.SourceContradiction = &commissionv1.SourceContradiction{ClaimedSource: ev.GetClaimedSource(), CustomerSource: ev.GetCustomerSource()}
	}
	return ev
}

// clawBack takes back what the trigger calls for from an accrued order;
// an order that never accrued has nothing to take.
func (a *App) clawBack(ctx context.Context, o domain.OrderTrack, t domain.ClawbackTrigger, rec eventlog.Record) error {
	requestID := eventlog.DeriveID(boundedContext, o.Tenant, "clawback", rec.Envelope.GetEventId())
	return a.appendToAccrual(ctx, o.Tenant, o.OrderID, requestID, eventTime(rec), func(st accrualState) (proto.Message, error) {
		if st.accrued == nil {
			return nil, nil
		}
		amount, err := domain.DecideClawback(st.accrued.GetCommissionMinor(), st.clawedBack, t)
		if err != nil || amount == 0 {
			return nil, err
		}
		return &commissionv1.CommissionClawedBack{
			OrderId: o.OrderID, EmployeeId: st.accrued.GetEmployeeId(), CustomerId: st.accrued.GetCustomerId(),
			Currency: st.accrued.GetCurrency(), AmountMinor: amount, Cause: commissionv1.ClawbackCause(t.Cause),
			AccruedMinor: st.accrued.GetCommissionMinor(), ClawedBackTotalMinor: st.clawedBack + amount,
			PaidTotalMinor: o.PaidTotalMinor, RefundedTotalMinor: t.RefundedTotalMinor,
			TriggerEventId: rec.Envelope.GetEventId(), OrderSequence: rec.Sequence, PaidToCompanyTotalMinor: o.PaidToCompanyTotalMinor,
		}, nil
	})
}
