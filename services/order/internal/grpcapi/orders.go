package grpcapi

import (
	"context"

	"github.com/holdfast/holdfast/pkg/platform"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// orderCall is the shape of every order command: the order after it and
// the ORDER sequence written.
type orderCall func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error)

func (s *Server) runOrder(ctx context.Context, bad []platform.FieldViolation, call orderCall) (*orderv1.Order, uint64, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, 0, err
	}
	if len(bad) > 0 {
		return nil, 0, platform.InvalidArgument(bad)
	}
	o, seq, err := call(ctx, actor)
	if err != nil {
		return nil, 0, s.toStatus(ctx, err)
	}
	return orderToProto(o), seq, nil
}

// CreateOrder implements orderv1.OrderServiceServer.
func (s *Server) CreateOrder(ctx context.Context, req *orderv1.CreateOrderRequest) (*orderv1.CreateOrderResponse, error) {
	// Every field, the claimed source included, is checked by the domain,
	// so one answer names every bad field.
	o, seq, err := s.runOrder(ctx, nil, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.CreateOrder(ctx, actor, req.GetRequestId(), domain.Draft{
			CustomerID: req.GetCustomerId(), SellerID: req.GetSellerId(), Lines: linesFromProto(req.GetLines()),
			Currency: req.GetCurrency(), ClaimedSource: domain.SourceChannel(req.GetClaimedSource()),
			ExpectedDeliveryAddress: req.GetExpectedDeliveryAddress(),
		})
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.CreateOrderResponse{Order: o, Sequence: seq}, nil
}

// SubmitOrder implements orderv1.OrderServiceServer.
func (s *Server) SubmitOrder(ctx context.Context, req *orderv1.SubmitOrderRequest) (*orderv1.SubmitOrderResponse, error) {
	o, seq, err := s.runOrder(ctx, nil, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.SubmitOrder(ctx, actor, req.GetRequestId(), req.GetOrderId())
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.SubmitOrderResponse{Order: o, Sequence: seq}, nil
}

// ApproveOrder implements orderv1.OrderServiceServer.
func (s *Server) ApproveOrder(ctx context.Context, req *orderv1.ApproveOrderRequest) (*orderv1.ApproveOrderResponse, error) {
	o, seq, err := s.runOrder(ctx, nil, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.ApproveOrder(ctx, actor, req.GetRequestId(), req.GetOrderId(), req.GetComment())
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.ApproveOrderResponse{Order: o, Sequence: seq}, nil
}

// RejectOrder implements orderv1.OrderServiceServer.
func (s *Server) RejectOrder(ctx context.Context, req *orderv1.RejectOrderRequest) (*orderv1.RejectOrderResponse, error) {
	o, seq, err := s.runOrder(ctx, nil, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.RejectOrder(ctx, actor, req.GetRequestId(), req.GetOrderId(), req.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.RejectOrderResponse{Order: o, Sequence: seq}, nil
}

// MarkOrderWon implements orderv1.OrderServiceServer.
func (s *Server) MarkOrderWon(ctx context.Context, req *orderv1.MarkOrderWonRequest) (*orderv1.MarkOrderWonResponse, error) {
	var bad []platform.FieldViolation
	wonAt := optionalTime("won_at", req.GetWonAt(), &bad)
	o, seq, err := s.runOrder(ctx, bad, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.MarkOrderWon(ctx, actor, req.GetRequestId(), req.GetOrderId(), wonAt)
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.MarkOrderWonResponse{Order: o, Sequence: seq}, nil
}

// MarkOrderLost implements orderv1.OrderServiceServer.
func (s *Server) MarkOrderLost(ctx context.Context, req *orderv1.MarkOrderLostRequest) (*orderv1.MarkOrderLostResponse, error) {
	o, seq, err := s.runOrder(ctx, nil, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.MarkOrderLost(ctx, actor, req.GetRequestId(), req.GetOrderId(), req.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.MarkOrderLostResponse{Order: o, Sequence: seq}, nil
}

// CancelOrder implements orderv1.OrderServiceServer.
func (s *Server) CancelOrder(ctx context.Context, req *orderv1.CancelOrderRequest) (*orderv1.CancelOrderResponse, error) {
	o, seq, err := s.runOrder(ctx, nil, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.CancelOrder(ctx, actor, req.GetRequestId(), req.GetOrderId(), req.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.CancelOrderResponse{Order: o, Sequence: seq}, nil
}

// RefundOrder implements orderv1.OrderServiceServer.
func (s *Server) RefundOrder(ctx context.Context, req *orderv1.RefundOrderRequest) (*orderv1.RefundOrderResponse, error) {
	o, seq, err := s.runOrder(ctx, nil, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.RefundOrder(ctx, actor, req.GetRequestId(), req.GetOrderId(), req.GetAmountMinor(), req.GetCurrency(), req.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.RefundOrderResponse{Order: o, Sequence: seq}, nil
}

// RecordPayment implements orderv1.OrderServiceServer.
func (s *Server) RecordPayment(ctx context.Context, req *orderv1.RecordPaymentRequest) (*orderv1.RecordPaymentResponse, error) {
	var bad []platform.FieldViolation
	paidAt := optionalTime("paid_at", req.GetPaidAt(), &bad)
	var payment domain.Payment
	o, seq, err := s.runOrder(ctx, bad, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		o, p, seq, err := s.app.RecordPayment(ctx, actor, req.GetRequestId(), req.GetOrderId(), domain.PaymentInput{
			AmountMinor: req.GetAmountMinor(), Currency: req.GetCurrency(), PayerAccount: req.GetPayerAccount(),
			PayeeAccount: req.GetPayeeAccount(), Reference: req.GetReference(), PaidAt: paidAt,
		})
		payment = p
		return o, seq, err
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.RecordPaymentResponse{Order: o, Sequence: seq, Payment: paymentToProto(payment)}, nil
}

// RecordShipment implements orderv1.OrderServiceServer.
func (s *Server) RecordShipment(ctx context.Context, req *orderv1.RecordShipmentRequest) (*orderv1.RecordShipmentResponse, error) {
	var bad []platform.FieldViolation
	shippedAt := optionalTime("shipped_at", req.GetShippedAt(), &bad)
	var shipment domain.Shipment
	o, seq, err := s.runOrder(ctx, bad, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		o, sh, seq, err := s.app.RecordShipment(ctx, actor, req.GetRequestId(), req.GetOrderId(), domain.ShipmentInput{
			Carrier: req.GetCarrier(), TrackingNumber: req.GetTrackingNumber(), DeliveryAddress: req.GetDeliveryAddress(), ShippedAt: shippedAt,
		})
		shipment = sh
		return o, seq, err
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.RecordShipmentResponse{Order: o, Sequence: seq, Shipment: shipmentToProto(shipment)}, nil
}

// RecordDelivery implements orderv1.OrderServiceServer.
func (s *Server) RecordDelivery(ctx context.Context, req *orderv1.RecordDeliveryRequest) (*orderv1.RecordDeliveryResponse, error) {
	var bad []platform.FieldViolation
	deliveredAt := optionalTime("delivered_at", req.GetDeliveredAt(), &bad)
	o, seq, err := s.runOrder(ctx, bad, func(ctx context.Context, actor domain.Actor) (domain.Order, uint64, error) {
		return s.app.RecordDelivery(ctx, actor, req.GetRequestId(), req.GetOrderId(), req.GetShipmentId(), deliveredAt)
	})
	if err != nil {
		return nil, err
	}
	return &orderv1.RecordDeliveryResponse{Order: o, Sequence: seq}, nil
}
