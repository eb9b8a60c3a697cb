package grpcapi

import (
	"context"

	"github.com/holdfast/holdfast/pkg/platform"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/app"
	"github.com/holdfast/holdfast/services/order/internal/domain"
	"github.com/holdfast/holdfast/services/order/internal/store"
)

// SetOrderPolicy implements orderv1.OrderServiceServer.
func (s *Server) SetOrderPolicy(ctx context.Context, req *orderv1.SetOrderPolicyRequest) (*orderv1.SetOrderPolicyResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, seq, err := s.app.SetOrderPolicy(ctx, actor, req.GetRequestId(), app.PolicyFromProto(req.GetPolicy()), req.GetReason())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &orderv1.SetOrderPolicyResponse{Policy: policyToProto(p), Sequence: seq}, nil
}

// GetOrderPolicy implements orderv1.OrderServiceServer.
func (s *Server) GetOrderPolicy(ctx context.Context, _ *orderv1.GetOrderPolicyRequest) (*orderv1.GetOrderPolicyResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, set, err := s.app.GetOrderPolicy(ctx, actor)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &orderv1.GetOrderPolicyResponse{Policy: policyToProto(p), IsDefault: !set}, nil
}

// AddCompanyAccount implements orderv1.OrderServiceServer.
func (s *Server) AddCompanyAccount(ctx context.Context, req *orderv1.AddCompanyAccountRequest) (*orderv1.AddCompanyAccountResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	acc, seq, err := s.app.AddCompanyAccount(ctx, actor, req.GetRequestId(), req.GetAccount(), req.GetLabel())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &orderv1.AddCompanyAccountResponse{Account: acc, Sequence: seq}, nil
}

// RegisterPayerAccount implements orderv1.OrderServiceServer.
func (s *Server) RegisterPayerAccount(ctx context.Context, req *orderv1.RegisterPayerAccountRequest) (*orderv1.RegisterPayerAccountResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	acc, seq, err := s.app.RegisterPayerAccount(ctx, actor, req.GetRequestId(), req.GetCustomerId(), req.GetAccount(),
		domain.PayerRelation(req.GetRelation()), req.GetLabel())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &orderv1.RegisterPayerAccountResponse{Account: acc, Sequence: seq}, nil
}

// GetOrder implements orderv1.OrderServiceServer.
func (s *Server) GetOrder(ctx context.Context, req *orderv1.GetOrderRequest) (*orderv1.GetOrderResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.app.GetOrder(ctx, actor, req.GetOrderId(), req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &orderv1.GetOrderResponse{Order: orderToProto(o)}, nil
}

// ListOrders implements orderv1.OrderServiceServer.
func (s *Server) ListOrders(ctx context.Context, req *orderv1.ListOrdersRequest) (*orderv1.ListOrdersResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	afterCreated, afterID, tokErr := decodePageToken(req.GetPageToken())
	if tokErr != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	optionalID("customer_id", req.GetCustomerId(), &bad)
	optionalID("seller_id", req.GetSellerId(), &bad)
	if _, ok := orderv1.OrderStatus_name[int32(req.GetStatus())]; !ok {
		bad = append(bad, platform.FieldViolation{Field: "status", Description: "unknown status"})
	}
	from := optionalTime("created_from", req.GetCreatedFrom(), &bad)
	to := optionalTime("created_to", req.GetCreatedTo(), &bad)
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		bad = append(bad, platform.FieldViolation{Field: "created_to", Description: "must be after created_from"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	page, err := s.app.ListOrders(ctx, actor, store.OrderFilter{
		CustomerID: req.GetCustomerId(), SellerID: req.GetSellerId(), Status: domain.Status(req.GetStatus()),
		CreatedFrom: from, CreatedTo: to, AfterCreated: afterCreated, AfterID: afterID, Limit: size + 1,
	}, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &orderv1.ListOrdersResponse{}
	page, last := platform.TrimPage(page, size)
	if last != nil {
		resp.NextPageToken = encodePageToken(last.CreatedAt, last.ID)
	}
	for _, o := range page {
		resp.Orders = append(resp.Orders, orderToProto(o))
	}
	return resp, nil
}

// GetSalesFunnel implements orderv1.OrderServiceServer.
func (s *Server) GetSalesFunnel(ctx context.Context, req *orderv1.GetSalesFunnelRequest) (*orderv1.GetSalesFunnelResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var bad []platform.FieldViolation
	from := optionalTime("from", req.GetFrom(), &bad)
	to := optionalTime("to", req.GetTo(), &bad)
	if req.GetFrom() == nil {
		bad = append(bad, platform.FieldViolation{Field: "from", Description: "required"})
	}
	if req.GetTo() == nil {
		bad = append(bad, platform.FieldViolation{Field: "to", Description: "required"})
	} else if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		bad = append(bad, platform.FieldViolation{Field: "to", Description: "must be after from"})
	}
	optionalID("seller_id", req.GetSellerId(), &bad)
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	rows, err := s.app.SalesFunnel(ctx, actor, store.FunnelFilter{SellerID: req.GetSellerId(), From: from, To: to}, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &orderv1.GetSalesFunnelResponse{}
	for _, r := range rows {
		resp.Rows = append(resp.Rows, &orderv1.FunnelRow{EmployeeId: r.EmployeeID, Created: r.Created, Won: r.Won, Lost: r.Lost, Cancelled: r.Cancelled})
	}
	return resp, nil
}
