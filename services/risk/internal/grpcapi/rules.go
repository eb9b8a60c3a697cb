package grpcapi

import (
	"context"
	"time"

	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// UpsertRule implements riskv1.RiskServiceServer.
func (s *Server) UpsertRule(ctx context.Context, req *riskv1.UpsertRuleRequest) (*riskv1.UpsertRuleResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if req.GetDefinition() == nil {
		bad := []platform.FieldViolation{{Field: "definition", Description: "required"}}
		if req.GetRequestId() == "" {
			bad = append(bad, platform.FieldViolation{Field: "request_id", Description: "required"})
		}
		return nil, platform.InvalidArgument(bad)
	}
	r, seq, err := s.app.UpsertRule(ctx, actor, req.GetRequestId(), app.RuleDefinitionFromProto(req.GetDefinition()), req.GetExpectedVersion(), req.GetReason())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &riskv1.UpsertRuleResponse{Rule: app.RuleToProto(r), Sequence: seq}, nil
}

// EnableRule implements riskv1.RiskServiceServer.
func (s *Server) EnableRule(ctx context.Context, req *riskv1.EnableRuleRequest) (*riskv1.EnableRuleResponse, error) {
	r, seq, err := s.setEnabled(ctx, req.GetRequestId(), req.GetRuleId(), true, req.GetReason())
	if err != nil {
		return nil, err
	}
	return &riskv1.EnableRuleResponse{Rule: app.RuleToProto(r), Sequence: seq}, nil
}

// DisableRule implements riskv1.RiskServiceServer.
func (s *Server) DisableRule(ctx context.Context, req *riskv1.DisableRuleRequest) (*riskv1.DisableRuleResponse, error) {
	r, seq, err := s.setEnabled(ctx, req.GetRequestId(), req.GetRuleId(), false, req.GetReason())
	if err != nil {
		return nil, err
	}
	return &riskv1.DisableRuleResponse{Rule: app.RuleToProto(r), Sequence: seq}, nil
}

func (s *Server) setEnabled(ctx context.Context, requestID, ruleID string, on bool, reason string) (domain.Rule, uint64, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return domain.Rule{}, 0, err
	}
	r, seq, err := s.app.SetRuleEnabled(ctx, actor, requestID, ruleID, on, reason)
	if err != nil {
		return domain.Rule{}, 0, s.toStatus(ctx, err)
	}
	return r, seq, nil
}

// ListRules implements riskv1.RiskServiceServer.
func (s *Server) ListRules(ctx context.Context, req *riskv1.ListRulesRequest) (*riskv1.ListRulesResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := s.app.ListRules(ctx, actor, req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &riskv1.ListRulesResponse{}
	for _, r := range rules {
		resp.Rules = append(resp.Rules, app.RuleToProto(r))
	}
	return resp, nil
}

// GetRule implements riskv1.RiskServiceServer.
func (s *Server) GetRule(ctx context.Context, req *riskv1.GetRuleRequest) (*riskv1.GetRuleResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.app.GetRule(ctx, actor, req.GetRuleId(), req.GetMinSequence())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &riskv1.GetRuleResponse{Rule: app.RuleToProto(r)}, nil
}

// SuppressRule implements riskv1.RiskServiceServer.
func (s *Server) SuppressRule(ctx context.Context, req *riskv1.SuppressRuleRequest) (*riskv1.SuppressRuleResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var until time.Time
	if req.GetUntil() != nil {
		until = req.GetUntil().AsTime()
	}
	seq, err := s.app.SuppressRule(ctx, actor, req.GetRequestId(), req.GetRuleId(), req.GetEmployeeId(), until, req.GetReason())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &riskv1.SuppressRuleResponse{Sequence: seq}, nil
}
