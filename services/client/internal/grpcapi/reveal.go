package grpcapi

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// RevealContact implements clientv1.ClientServiceServer. The response is
// the one place a contact detail leaves the service in the clear; the RPC
// log records the call, never the response.
func (s *Server) RevealContact(ctx context.Context, req *clientv1.RevealContactRequest) (*clientv1.RevealContactResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.app.RevealContact(ctx, actor, req.GetRequestId(), domain.RevealRequest{
		CustomerID: req.GetCustomerId(),
		Field:      domain.ContactField(req.GetField()),
		Index:      int(req.GetIndex()),
		Reason:     req.GetReason(),
	})
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.RevealContactResponse{
		Value:            r.Value,
		RevealsLeftToday: int32(r.LeftToday),
		Sequence:         r.Sequence,
	}, nil
}

// GetClientPolicy implements clientv1.ClientServiceServer.
func (s *Server) GetClientPolicy(ctx context.Context, _ *clientv1.GetClientPolicyRequest) (*clientv1.GetClientPolicyResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.app.GetClientPolicy(ctx, actor)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.GetClientPolicyResponse{Policy: app.PolicyToProto(p)}, nil
}

// UpdateClientPolicy implements clientv1.ClientServiceServer.
func (s *Server) UpdateClientPolicy(ctx context.Context, req *clientv1.UpdateClientPolicyRequest) (*clientv1.UpdateClientPolicyResponse, error) {
	actor, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if bad := policyShape(req.GetPolicy()); len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	p, seq, err := s.app.UpdateClientPolicy(ctx, actor, req.GetRequestId(), app.PolicyFromProto(req.GetPolicy()), req.GetReason())
	if errors.Is(err, app.ErrPolicyChanged) {
		// toStatus words Aborted for customers; this one is about the policy.
		return nil, status.Error(codes.Aborted, err.Error())
	}
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &clientv1.UpdateClientPolicyResponse{Policy: app.PolicyToProto(p), Sequence: seq}, nil
}

// policyShape finds what the wire form can say but the domain's map of
// quotas cannot: a missing policy, or one role given two quotas (which
// would otherwise keep the last one silently).
func policyShape(p *clientv1.ClientPolicy) []platform.FieldViolation {
	if p == nil {
		return []platform.FieldViolation{{Field: "policy", Description: "required"}}
	}
	var bad []platform.FieldViolation
	seen := map[string]bool{}
	for _, q := range p.GetRevealQuotas() {
		if seen[q.GetRole()] {
			bad = append(bad, platform.FieldViolation{Field: "policy.reveal_quotas", Description: fmt.Sprintf("role %q is listed twice", q.GetRole())})
		}
		seen[q.GetRole()] = true
	}
	return bad
}
