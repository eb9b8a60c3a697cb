package grpcapi

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func linesFromProto(lines []*orderv1.LineItem) []domain.LineItem {
	out := make([]domain.LineItem, 0, len(lines))
	for _, l := range lines {
		out = append(out, domain.LineItem{Product: l.GetProduct(), Quantity: l.GetQuantity(), UnitPriceMinor: l.GetUnitPriceMinor()})
	}
	return out
}

func paymentToProto(p domain.Payment) *orderv1.Payment {
	return &orderv1.Payment{
		PaymentId: p.ID, AmountMinor: p.AmountMinor, Currency: p.Currency, PayerAccount: p.PayerAccount,
		PayeeAccount: p.PayeeAccount, Reference: p.Reference, PaidAt: ts(p.PaidAt),
		PayeeIsCompanyAccount: p.PayeeIsCompanyAccount, PayerRelation: orderv1.PayerRelation(p.PayerRelation),
	}
}

func shipmentToProto(s domain.Shipment) *orderv1.Shipment {
	return &orderv1.Shipment{
		ShipmentId: s.ID, Carrier: s.Carrier, TrackingNumber: s.TrackingNumber, DeliveryAddress: s.DeliveryAddress,
		ShippedAt: ts(s.ShippedAt), AddressMatchesCustomer: s.AddressMatchesCustomer, DeliveredAt: ts(s.DeliveredAt),
	}
}

func orderToProto(o domain.Order) *orderv1.Order {
	out := &orderv1.Order{
		OrderId: o.ID, CustomerId: o.CustomerID, SellerId: o.SellerID, Status: orderv1.OrderStatus(o.Status),
		Currency: o.Currency, AmountMinor: o.AmountMinor, ClaimedSource: clientv1.SourceChannel(o.ClaimedSource),
		CustomerSource: clientv1.SourceChannel(o.CustomerSource), SourceContradiction: o.SourceContradiction,
		ExpectedDeliveryAddress: o.ExpectedDeliveryAddress, ApprovalChain: o.ApprovalChain,
		PaidTotalMinor: o.PaidTotalMinor, RefundedTotalMinor: o.RefundedTotalMinor, PaidToCompanyTotalMinor: o.PaidToCompanyTotalMinor,
		CreatedAt: ts(o.CreatedAt), WonAt: ts(o.WonAt), Reason: o.Reason, Version: o.Version,
	}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, &orderv1.LineItem{Product: l.Product, Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor})
	}
	for _, a := range o.Approvals {
		out.Approvals = append(out.Approvals, &orderv1.ApprovalStep{Role: a.Role, ApproverId: a.ApproverID, Comment: a.Comment, ApprovedAt: ts(a.ApprovedAt)})
	}
	for _, p := range o.Payments {
		out.Payments = append(out.Payments, paymentToProto(p))
	}
	for _, s := range o.Shipments {
		out.Shipments = append(out.Shipments, shipmentToProto(s))
	}
	return out
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
