package app

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

func mayRecord(actor domain.Actor, action string) error {
	if !actor.CanRecordMoneyAndGoods() {
		return fmt.Errorf("%s: %w: requires admin or service", action, domain.ErrPermissionDenied)
	}
	return nil
}

// RecordPayment records money received against an order (admin, service)
// with its facts: is the payee a company account, how the payer relates to
// the customer, the paid total against the order amount. Money that arrives
// is a fact whatever the order's status, so every status accepts it.
func (a *App) RecordPayment(ctx context.Context, actor domain.Actor, requestID, orderID string, in domain.PaymentInput) (domain.Order, domain.Payment, uint64, error) {
	if err := mayRecord(actor, "record payment"); err != nil {
		return domain.Order{}, domain.Payment{}, 0, err
	}
	in, err := domain.CheckPayment(in)
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), err); err != nil {
		return domain.Order{}, domain.Payment{}, 0, err
	}
	company, err := a.companyAccounts(ctx, actor.Tenant)
	if err != nil {
		return domain.Order{}, domain.Payment{}, 0, fmt.Errorf("record payment: %w", err)
	}
	paymentID := callerScopedID(actor, "payment", requestID)
	o, seq, err := a.decideOnOrder(ctx, actor, "payment", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		payers, err := a.payers(ctx, actor.Tenant, o.CustomerID)
		if err != nil {
			return nil, err
		}
		f := domain.RecordPayment(o, paymentID, in, company, payers)
		p := f.Payment
		return &orderv1.PaymentRecorded{
			OrderId: o.ID, PaymentId: p.ID, SellerId: o.SellerID, CustomerId: o.CustomerID,
			AmountMinor: p.AmountMinor, Currency: p.Currency, PayerAccount: p.PayerAccount, PayeeAccount: p.PayeeAccount,
			Reference: p.Reference, PaidAt: ts(p.PaidAt), PayeeIsCompanyAccount: p.PayeeIsCompanyAccount,
			PayerRelation: orderv1.PayerRelation(p.PayerRelation), CurrencyMatchesOrder: p.CurrencyMatchesOrder,
			OrderAmountMinor: o.AmountMinor, PaidTotalMinor: f.PaidTotalMinor, PaidInFull: f.PaidInFull, Overpaid: f.Overpaid,
			PaidToCompanyTotalMinor: f.PaidToCompanyTotalMinor,
			OrderStatus:             orderv1.OrderStatus(o.Status),
		}, nil
	})
	if err != nil {
		return domain.Order{}, domain.Payment{}, 0, err
	}
	// A retry by the same caller finds the first payment.
	for _, p := range o.Payments {
		if p.ID == paymentID {
			return o, p, seq, nil
		}
	}
	return domain.Order{}, domain.Payment{}, 0, fmt.Errorf("%w: payment %s missing from order %s", ErrCorruptHistory, paymentID, o.ID)
}

// RecordShipment records goods sent for an order (admin, service) with
// whether they go to the customer's registered address.
func (a *App) RecordShipment(ctx context.Context, actor domain.Actor, requestID, orderID string, in domain.ShipmentInput) (domain.Order, domain.Shipment, uint64, error) {
	if err := mayRecord(actor, "record shipment"); err != nil {
		return domain.Order{}, domain.Shipment{}, 0, err
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), domain.CheckShipment(in)); err != nil {
		return domain.Order{}, domain.Shipment{}, 0, err
	}
	shipmentID := callerScopedID(actor, "shipment", requestID)
	o, seq, err := a.decideOnOrder(ctx, actor, "shipment", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		c, _, err := a.customer(ctx, actor.Tenant, o.CustomerID)
		if err != nil {
			return nil, err
		}
		s, matchesOrder := domain.RecordShipment(o, shipmentID, in, c.Address)
		return &orderv1.ShipmentRecorded{
			OrderId: o.ID, ShipmentId: s.ID, SellerId: o.SellerID, CustomerId: o.CustomerID, Carrier: s.Carrier,
			TrackingNumber: s.TrackingNumber, DeliveryAddress: s.DeliveryAddress, ShippedAt: ts(s.ShippedAt),
			AddressMatchesCustomer: s.AddressMatchesCustomer, CustomerAddress: c.Address, AddressMatchesOrder: matchesOrder,
			OrderStatus: orderv1.OrderStatus(o.Status),
		}, nil
	})
	if err != nil {
		return domain.Order{}, domain.Shipment{}, 0, err
	}
	for _, s := range o.Shipments {
		if s.ID == shipmentID {
			return o, s, seq, nil
		}
	}
	return domain.Order{}, domain.Shipment{}, 0, fmt.Errorf("%w: shipment %s missing from order %s", ErrCorruptHistory, shipmentID, o.ID)
}

// RecordDelivery records a shipment's arrival (admin, service).
func (a *App) RecordDelivery(ctx context.Context, actor domain.Actor, requestID, orderID, shipmentID string, deliveredAt time.Time) (domain.Order, uint64, error) {
	if err := mayRecord(actor, "record delivery"); err != nil {
		return domain.Order{}, 0, err
	}
	if err := joinViolations(checkRequestID(requestID), checkID("order_id", orderID), checkID("shipment_id", shipmentID)); err != nil {
		return domain.Order{}, 0, err
	}
	if deliveredAt.IsZero() {
		deliveredAt = a.clock(ctx)
	}
	return a.decideOnOrder(ctx, actor, "delivery", orderID, requestID, func(o domain.Order) (proto.Message, error) {
		if err := domain.Deliver(o, shipmentID); err != nil {
			return nil, err
		}
		return &orderv1.DeliveryRecorded{OrderId: o.ID, ShipmentId: shipmentID, DeliveredAt: ts(deliveredAt)}, nil
	})
}
