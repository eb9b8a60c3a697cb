package app

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// ErrAttemptRefused is wrapped by CreateOrder's error when the customer
// does not exist or is not the seller's; the attempt has been recorded.
var ErrAttemptRefused = fmt.Errorf("%w: the customer does not exist or is not held by the seller; the attempt is recorded", domain.ErrPrecondition)

// CreateOrder opens a draft order (sales for themselves; manager or admin
// for any seller). The order id is derived from the caller and request id.
// A customer that does not exist or that the seller does not hold is
// refused, and the refused attempt is recorded on the seller's aggregate.
func (a *App) CreateOrder(ctx context.Context, actor domain.Actor, requestID string, d domain.Draft) (domain.Order, uint64, error) {
	if !actor.MayWorkOrders() {
		return domain.Order{}, 0, fmt.Errorf("create order: %w: requires sales, senior_sales, manager or admin", domain.ErrPermissionDenied)
	}
	if d.SellerID == "" {
		d.SellerID = actor.EmployeeID
	}
	amount, err := domain.CheckDraft(d)
	if err := joinViolations(checkRequestID(requestID), checkID("customer_id", d.CustomerID), checkID("seller_id", d.SellerID), err); err != nil {
		return domain.Order{}, 0, err
	}
	if !actor.CanCreateFor(d.SellerID) {
		return domain.Order{}, 0, fmt.Errorf("create order: %w: a salesperson sells only as themselves", domain.ErrPermissionDenied)
	}
	orderID := callerScopedID(actor, typeOrder, requestID)
	r := ref(actor.Tenant, typeOrder, orderID)
	agg, err := a.log.Load(ctx, r)
	if err != nil {
		return domain.Order{}, 0, fmt.Errorf("create order: %w", err)
	}
	if len(agg.Records) > 0 {
		o, err := foldOrder(agg)
		return o, agg.Records[0].Sequence, err // a retry: the first result stands
	}
	c, found, err := a.customer(ctx, actor.Tenant, d.CustomerID)
	if err != nil {
		return domain.Order{}, 0, fmt.Errorf("create order: %w", err)
	}
	if refusal := domain.CheckCustomer(d.SellerID, c, found); refusal != domain.RefusalNone {
		if err := a.recordRefusal(ctx, actor, requestID, d, amount, c, refusal); err != nil {
			return domain.Order{}, 0, fmt.Errorf("create order: %w", err)
		}
		return domain.Order{}, 0, fmt.Errorf("create order: %w", ErrAttemptRefused)
	}
	at := a.clock(ctx)
	o := domain.Create(actor.Tenant, orderID, d, amount, c, at)
	res, err := a.log.Append(ctx, eventlog.AppendRequest{
		Ref: r, After: agg.Position, RequestID: callerScopedID(actor, "create", requestID),
		ActorID: actor.EmployeeID, OccurredAt: at, Payload: orderCreatedEvent(o),
	})
	if err != nil {
		return domain.Order{}, 0, fmt.Errorf("create order: %w", err)
	}
	if res.Duplicate {
		after, err := a.log.Load(ctx, r)
		if err != nil {
			return domain.Order{}, 0, fmt.Errorf("create order: %w", err)
		}
		o, err := foldOrder(after)
		return o, res.Sequence, err
	}
	o.Version = res.Version
	return o, res.Sequence, nil
}

// recordRefusal appends OrderAttemptRefused to the seller's aggregate; a
// retried refused request finds its first record and writes nothing.
func (a *App) recordRefusal(ctx context.Context, actor domain.Actor, requestID string, d domain.Draft, amount int64, c domain.Customer, refusal domain.Refusal) error {
	_, _, err := a.appendOnce(ctx, actor, "refused", ref(actor.Tenant, typeSeller, d.SellerID), requestID, func(eventlog.Aggregate) (proto.Message, error) {
		return &orderv1.OrderAttemptRefused{
			SellerId: d.SellerID, CustomerId: d.CustomerID, Refusal: orderv1.AttemptRefusal(refusal), HolderId: c.OwnerID,
			AmountMinor: amount, Currency: d.Currency, ClaimedSource: clientv1.SourceChannel(d.ClaimedSource), RequestedBy: actor.EmployeeID,
		}, nil
	})
	return err
}

func workOrder(actor domain.Actor, o domain.Order, action string) error {
	if !actor.CanWorkOrder(o) {
		return fmt.Errorf("%s: %w: requires the order's seller, a manager or an admin", action, domain.ErrPermissionDenied)
	}
	return nil
}

func mayWork(actor domain.Actor, action string) error {
	if !actor.MayWorkOrders() {
		return fmt.Errorf("%s: %w: requires the order's seller, a manager or an admin", action, domain.ErrPermissionDenied)
	}
	return nil
}

// SubmitOrder sends a draft for approval with the chain the tenant policy
// in force asks for its amount.
func (a *App) SubmitOrder(ctx context.Context, actor domain.Actor, requestID, orderID string) (domain.Order, uint64, error) {
	if err := mayWork(actor, "submit order"); err != nil {
		return domain.Order{}, 0, err
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID)); err != nil {
		return domain.Order{}, 0, err
	}
	policy, _, err := a.policy(ctx, actor.Tenant)
	if err != nil {
		return domain.Order{}, 0, fmt.Errorf("submit order: %w", err)
	}
	return a.decideOnOrder(ctx, actor, "submit", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		if err := workOrder(actor, o, "submit order"); err != nil {
			return nil, err
		}
		chain, err := domain.Submit(o, policy)
		if err != nil {
			return nil, err
		}
		return &orderv1.OrderSubmitted{OrderId: o.ID, ApprovalChain: chain, AutoApproved: len(chain) == 0, AmountMinor: o.AmountMinor, Currency: o.Currency}, nil
	})
}

// ApproveOrder approves the next step of an order's chain.
func (a *App) ApproveOrder(ctx context.Context, actor domain.Actor, requestID, orderID, comment string) (domain.Order, uint64, error) {
	if !actor.MayApprove() {
		return domain.Order{}, 0, fmt.Errorf("approve order: %w: requires manager or admin", domain.ErrPermissionDenied)
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), domain.CheckReason("comment", comment, false)); err != nil {
		return domain.Order{}, 0, err
	}
	return a.decideOnOrder(ctx, actor, "approve", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		step, role, final, err := domain.Approve(o, actor)
		if err != nil {
			return nil, err
		}
		return &orderv1.OrderApproved{
			OrderId: o.ID, ApproverId: actor.EmployeeID, Role: role, Step: int32(step), Final: final, //nolint:gosec // a chain has at most two steps
			Comment: comment, SellerId: o.SellerID,
		}, nil
	})
}

// RejectOrder refuses an order at its current approval step.
func (a *App) RejectOrder(ctx context.Context, actor domain.Actor, requestID, orderID, reason string) (domain.Order, uint64, error) {
	if !actor.MayApprove() {
		return domain.Order{}, 0, fmt.Errorf("reject order: %w: requires manager or admin", domain.ErrPermissionDenied)
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), domain.CheckReason("reason", reason, true)); err != nil {
		return domain.Order{}, 0, err
	}
	return a.decideOnOrder(ctx, actor, "reject", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		step, role, err := domain.Reject(o, actor)
		if err != nil {
			return nil, err
		}
		return &orderv1.OrderRejected{OrderId: o.ID, ApproverId: actor.EmployeeID, Role: role, Step: int32(step), Reason: reason}, nil //nolint:gosec // a chain has at most two steps
	})
}

// MarkOrderWon records an approved order as sold, with what backs it now.
func (a *App) MarkOrderWon(ctx context.Context, actor domain.Actor, requestID, orderID string, wonAt time.Time) (domain.Order, uint64, error) {
	if err := mayWork(actor, "mark order won"); err != nil {
		return domain.Order{}, 0, err
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID)); err != nil {
		return domain.Order{}, 0, err
	}
	// The seller is the one being watched: they do not date their own win.
	// A system backfilling history (admin, service) may, never in the future.
	now := a.clock(ctx)
	switch {
	case wonAt.IsZero():
		wonAt = now
	case !actor.Backfills():
		return domain.Order{}, 0, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "won_at", Description: "set by the server; only admin or service backfill it"}}}
	case wonAt.After(now.Add(time.Minute)):
		return domain.Order{}, 0, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "won_at", Description: "is in the future"}}}
	}
	return a.decideOnOrder(ctx, actor, "won", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		if err := workOrder(actor, o, "mark order won"); err != nil {
			return nil, err
		}
		if err := domain.Win(o); err != nil {
			return nil, err
		}
		return &orderv1.OrderWon{
			OrderId: o.ID, SellerId: o.SellerID, CustomerId: o.CustomerID, AmountMinor: o.AmountMinor, Currency: o.Currency,
			PaidTotalMinor: o.PaidTotalMinor, Shipped: len(o.Shipments) > 0, WonAt: ts(wonAt.UTC().Truncate(time.Microsecond)),
		}, nil
	})
}

// MarkOrderLost records that the customer did not buy.
func (a *App) MarkOrderLost(ctx context.Context, actor domain.Actor, requestID, orderID, reason string) (domain.Order, uint64, error) {
	if err := mayWork(actor, "mark order lost"); err != nil {
		return domain.Order{}, 0, err
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), domain.CheckReason("reason", reason, true)); err != nil {
		return domain.Order{}, 0, err
	}
	return a.decideOnOrder(ctx, actor, "lost", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		if err := workOrder(actor, o, "mark order lost"); err != nil {
			return nil, err
		}
		if err := domain.Lose(o); err != nil {
			return nil, err
		}
		return &orderv1.OrderLost{OrderId: o.ID, SellerId: o.SellerID, Reason: reason, StatusBefore: orderv1.OrderStatus(o.Status)}, nil
	})
}

// CancelOrder calls an order off.
func (a *App) CancelOrder(ctx context.Context, actor domain.Actor, requestID, orderID, reason string) (domain.Order, uint64, error) {
	if err := mayWork(actor, "cancel order"); err != nil {
		return domain.Order{}, 0, err
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), domain.CheckReason("reason", reason, true)); err != nil {
		return domain.Order{}, 0, err
	}
	return a.decideOnOrder(ctx, actor, "cancel", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		if err := workOrder(actor, o, "cancel order"); err != nil {
			return nil, err
		}
		if err := domain.Cancel(o); err != nil {
			return nil, err
		}
		return &orderv1.OrderCancelled{
			OrderId: o.ID, SellerId: o.SellerID, Reason: reason, StatusBefore: orderv1.OrderStatus(o.Status), PaidTotalMinor: o.PaidTotalMinor,
		}, nil
	})
}

// RefundOrder gives paid money back (admin, service).
func (a *App) RefundOrder(ctx context.Context, actor domain.Actor, requestID, orderID string, amount int64, currency, reason string) (domain.Order, uint64, error) {
	if !actor.CanRecordMoneyAndGoods() {
		return domain.Order{}, 0, fmt.Errorf("refund order: %w: requires admin or service", domain.ErrPermissionDenied)
	}
	var v []domain.FieldViolation
	if amount <= 0 || amount > domain.MaxAmountMinor {
		v = append(v, domain.FieldViolation{Field: "amount_minor", Description: "must be positive"})
	}
	if !domain.KnownCurrency(currency) {
		v = append(v, domain.FieldViolation{Field: "currency", Description: "unknown ISO 4217 currency"})
	}
	var amountErr error
	if len(v) > 0 {
		amountErr = &domain.ValidationError{Violations: v}
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), amountErr, domain.CheckReason("reason", reason, true)); err != nil {
		return domain.Order{}, 0, err
	}
	return a.decideOnOrder(ctx, actor, "refund", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		if err := domain.Refund(o, amount, currency); err != nil {
			return nil, err
		}
		return &orderv1.OrderRefunded{
			OrderId: o.ID, SellerId: o.SellerID, AmountMinor: amount, Currency: currency, Reason: reason,
			PaidTotalMinor: o.PaidTotalMinor, RefundedTotalMinor: o.RefundedTotalMinor + amount, StatusBefore: orderv1.OrderStatus(o.Status),
		}, nil
	})
}
