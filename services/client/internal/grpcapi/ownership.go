package grpcapi

import (
	"context"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// AssignCustomer implements clientv1.ClientServiceServer.
func (s *Server) AssignCustomer(ctx context.Context, req *clientv1.AssignCustomerRequest) (*clientv1.AssignCustomerResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.app.AssignCustomer(ctx, actor, req.GetRequestId(), req.GetCustomerId(), req.GetEmployeeId(), req.GetReason())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.AssignCustomerResponse{Customer: customerToProto(res.Customer), Sequence: res.Sequence}, nil
}

// ReassignCustomer implements clientv1.ClientServiceServer.
func (s *Server) ReassignCustomer(ctx context.Context, req *clientv1.ReassignCustomerRequest) (*clientv1.ReassignCustomerResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.app.ReassignCustomer(ctx, actor, req.GetRequestId(), req.GetCustomerId(), req.GetEmployeeId(), req.GetReason())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.ReassignCustomerResponse{Customer: customerToProto(res.Customer), Sequence: res.Sequence}, nil
}

// ReleaseCustomer implements clientv1.ClientServiceServer.
func (s *Server) ReleaseCustomer(ctx context.Context, req *clientv1.ReleaseCustomerRequest) (*clientv1.ReleaseCustomerResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.app.ReleaseCustomer(ctx, actor, req.GetRequestId(), req.GetCustomerId(), req.GetReason())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.ReleaseCustomerResponse{Customer: customerToProto(res.Customer), Sequence: res.Sequence}, nil
}

// ClaimCustomer implements clientv1.ClientServiceServer.
func (s *Server) ClaimCustomer(ctx context.Context, req *clientv1.ClaimCustomerRequest) (*clientv1.ClaimCustomerResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.app.ClaimCustomer(ctx, actor, req.GetRequestId(), req.GetCustomerId())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.ClaimCustomerResponse{
		Customer: customerToProto(res.Customer), Sequence: res.Sequence, ClaimsLeftToday: int32(res.ClaimsLeftToday),
	}, nil
}
