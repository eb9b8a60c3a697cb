package app

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// ErrCorruptHistory is returned when an aggregate's events do not fold.
var ErrCorruptHistory = errors.New("corrupt aggregate history")

func linesToProto(lines []domain.LineItem) []*orderv1.LineItem {
	out := make([]*orderv1.LineItem, 0, len(lines))
	for _, l := range lines {
		out = append(out, &orderv1.LineItem{Product: l.Product, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor})
	}
	return out
}

func linesFromProto(lines []*orderv1.LineItem) []domain.LineItem {
	out := make([]domain.LineItem, 0, len(lines))
	for _, l := range lines {
		out = append(out, domain.LineItem{Product: l.GetProduct(), Quantity: l.GetQuantity(), UnitPriceMinor: l.GetUnitPriceMinor()})
	}
	return out
}

func orderCreatedEvent(o domain.Order) *orderv1.OrderCreated {
	return &orderv1.OrderCreated{
		OrderId: o.ID, CustomerId: o.CustomerID, SellerId: o.SellerID, Lines: linesToProto(o.Lines),
		Currency: o.Currency, AmountMinor: o.AmountMinor, ClaimedSource: clientv1.SourceChannel(o.ClaimedSource),
		ExpectedDeliveryAddress: o.ExpectedDeliveryAddress, CustomerSource: clientv1.SourceChannel(o.CustomerSource),
		SourceContradiction:            o.SourceContradiction,
		DeliveryAddressMatchesCustomer: domain.AddressesMatch(o.ExpectedDeliveryAddress, o.CustomerAddress),
		CustomerAddress:                o.CustomerAddress,
	}
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func fromTS(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

// evolveOrder is o after the event rec carries; the projector and the
// command-side fold share it so both read the history the same way.
func evolveOrder(o domain.Order, rec eventlog.Record) (domain.Order, error) {
	msg, err := rec.Payload()
	if err != nil {
		return o, err
	}
	first := rec.Envelope.GetAggregateVersion() == 1
	if _, created := msg.(*orderv1.OrderCreated); created != first {
		return o, fmt.Errorf("%w: %s at version %d of order %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), rec.Envelope.GetAggregateVersion(), o.ID)
	}
	at := fromTS(rec.Envelope.GetOccurredAt())
	switch ev := msg.(type) {
	case *orderv1.OrderCreated:
		o = domain.Order{
			Tenant: rec.Envelope.GetTenantId(), ID: ev.GetOrderId(), CustomerID: ev.GetCustomerId(), SellerID: ev.GetSellerId(),
			Status: domain.StatusDraft, Lines: linesFromProto(ev.GetLines()), Currency: ev.GetCurrency(), AmountMinor: ev.GetAmountMinor(),
			ClaimedSource: domain.SourceChannel(ev.GetClaimedSource()), CustomerSource: domain.SourceChannel(ev.GetCustomerSource()),
			SourceContradiction: ev.GetSourceContradiction(), ExpectedDeliveryAddress: ev.GetExpectedDeliveryAddress(),
			CustomerAddress: ev.GetCustomerAddress(), CreatedAt: at, CreatedBy: rec.Envelope.GetActorId(),
		}
	case *orderv1.OrderSubmitted:
		o.SubmittedBy = rec.Envelope.GetActorId()
		o.ApprovalChain = slices.Clone(ev.GetApprovalChain())
		o.Status = domain.StatusPendingApproval
		if ev.GetAutoApproved() {
			o.Status = domain.StatusApproved
		}
	case *orderv1.OrderApproved:
		o.Approvals = append(o.Approvals, domain.Approval{Role: ev.GetRole(), ApproverID: ev.GetApproverId(), Comment: ev.GetComment(), ApprovedAt: at})
		if ev.GetFinal() {
			o.Status = domain.StatusApproved
		}
	case *orderv1.OrderRejected:
		o.Status, o.Reason = domain.StatusRejected, ev.GetReason()
	case *orderv1.OrderWon:
		o.Status, o.WonAt = domain.StatusWon, fromTS(ev.GetWonAt())
	case *orderv1.OrderLost:
		o.Status, o.Reason, o.LostAt = domain.StatusLost, ev.GetReason(), at
	case *orderv1.OrderCancelled:
		o.Status, o.Reason, o.CancelledAt = domain.StatusCancelled, ev.GetReason(), at
	case *orderv1.OrderRefunded:
		o.Reason, o.RefundedTotalMinor = ev.GetReason(), ev.GetRefundedTotalMinor()
		if o.RefundedTotalMinor >= o.PaidToCompanyTotalMinor {
			o.Status = domain.StatusRefunded // fully refunded; a partial refund keeps the status
		}
	case *orderv1.PaymentRecorded:
		o.Payments = append(o.Payments, domain.Payment{
			ID: ev.GetPaymentId(), AmountMinor: ev.GetAmountMinor(), Currency: ev.GetCurrency(),
			PayerAccount: ev.GetPayerAccount(), PayeeAccount: ev.GetPayeeAccount(), Reference: ev.GetReference(),
			PaidAt: fromTS(ev.GetPaidAt()), PayeeIsCompanyAccount: ev.GetPayeeIsCompanyAccount(),
			PayerRelation: domain.PayerRelation(ev.GetPayerRelation()), CurrencyMatchesOrder: ev.GetCurrencyMatchesOrder(),
		})
		o.PaidTotalMinor, o.PaidToCompanyTotalMinor = ev.GetPaidTotalMinor(), ev.GetPaidToCompanyTotalMinor()
	case *orderv1.ShipmentRecorded:
		o.Shipments = append(o.Shipments, domain.Shipment{
			ID: ev.GetShipmentId(), Carrier: ev.GetCarrier(), TrackingNumber: ev.GetTrackingNumber(),
			DeliveryAddress: ev.GetDeliveryAddress(), ShippedAt: fromTS(ev.GetShippedAt()),
			AddressMatchesCustomer: ev.GetAddressMatchesCustomer(),
		})
	case *orderv1.DeliveryRecorded:
		i := slices.IndexFunc(o.Shipments, func(s domain.Shipment) bool { return s.ID == ev.GetShipmentId() })
		if i < 0 {
			return o, fmt.Errorf("%w: delivery of unknown shipment %s on order %s", ErrCorruptHistory, ev.GetShipmentId(), o.ID)
		}
		o.Shipments[i].DeliveredAt = fromTS(ev.GetDeliveredAt())
	default:
		return o, fmt.Errorf("%w: unexpected %s in order %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), o.ID)
	}
	o.Version = rec.Envelope.GetAggregateVersion()
	return o, nil
}

// foldOrder rebuilds an order from its own events.
func foldOrder(agg eventlog.Aggregate) (domain.Order, error) {
	var o domain.Order
	for _, rec := range agg.Records {
		var err error
		if o, err = evolveOrder(o, rec); err != nil {
			return o, err
		}
	}
	return o, nil
}

// customerFromRegistered is the projection's view of a new customer.
func customerFromRegistered(tenant string, version uint64, ev *clientv1.CustomerRegistered) domain.Customer {
	c := domain.Customer{
		Tenant: tenant, ID: ev.GetCustomerId(), OwnerID: ev.GetOwnerEmployeeId(),
		Source: domain.SourceChannel(ev.GetSourceChannel()), Address: ev.GetAddress().GetText(), Version: version,
	}
	if loc := ev.GetAddress().GetLocation(); loc != nil {
		c.Latitude, c.Longitude, c.HasLocation = loc.GetLatitude(), loc.GetLongitude(), true
	}
	return c
}

func policyToProto(p domain.Policy) *orderv1.OrderPolicy {
	out := &orderv1.OrderPolicy{}
	for _, t := range p.Thresholds {
		out.Thresholds = append(out.Thresholds, &orderv1.ApprovalThreshold{
			Currency: t.Currency, AutoApproveUpToMinor: t.AutoApproveUpToMinor, AdminAboveMinor: t.AdminAboveMinor,
		})
	}
	return out
}

// PolicyFromProto is the domain's view of a wire policy.
func PolicyFromProto(p *orderv1.OrderPolicy) domain.Policy {
	var out domain.Policy
	for _, t := range p.GetThresholds() {
		out.Thresholds = append(out.Thresholds, domain.Threshold{
			Currency: t.GetCurrency(), AutoApproveUpToMinor: t.GetAutoApproveUpToMinor(), AdminAboveMinor: t.GetAdminAboveMinor(),
		})
	}
	return out
}
