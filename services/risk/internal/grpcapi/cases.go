package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// handle runs one step of HR's handling of an alert.
func (s *Server) handle(ctx context.Context, cmd app.CaseCommand) (*riskv1.Case, uint64, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, 0, err
	}
	c, seq, err := s.app.HandleAlert(ctx, actor, cmd)
	if err != nil {
		return nil, 0, s.toStatus(ctx, err)
	}
	return caseToProto(c), seq, nil
}

// AcknowledgeAlert implements riskv1.RiskServiceServer.
func (s *Server) AcknowledgeAlert(ctx context.Context, req *riskv1.AcknowledgeAlertRequest) (*riskv1.AcknowledgeAlertResponse, error) {
	c, seq, err := s.handle(ctx, app.CaseCommand{RequestID: req.GetRequestId(), AlertID: req.GetAlertId(), Step: domain.StepAcknowledge, Text: req.GetNote()})
	if err != nil {
		return nil, err
	}
	return &riskv1.AcknowledgeAlertResponse{Case: c, Sequence: seq}, nil
}

// DismissAlert implements riskv1.RiskServiceServer.
func (s *Server) DismissAlert(ctx context.Context, req *riskv1.DismissAlertRequest) (*riskv1.DismissAlertResponse, error) {
	c, seq, err := s.handle(ctx, app.CaseCommand{RequestID: req.GetRequestId(), AlertID: req.GetAlertId(), Step: domain.StepDismiss, Text: req.GetReason()})
	if err != nil {
		return nil, err
	}
	return &riskv1.DismissAlertResponse{Case: c, Sequence: seq}, nil
}

// ConfirmAlert implements riskv1.RiskServiceServer.
func (s *Server) ConfirmAlert(ctx context.Context, req *riskv1.ConfirmAlertRequest) (*riskv1.ConfirmAlertResponse, error) {
	c, seq, err := s.handle(ctx, app.CaseCommand{RequestID: req.GetRequestId(), AlertID: req.GetAlertId(), Step: domain.StepConfirm, Text: req.GetNote()})
	if err != nil {
		return nil, err
	}
	return &riskv1.ConfirmAlertResponse{Case: c, Sequence: seq}, nil
}

// ResolveCase implements riskv1.RiskServiceServer.
func (s *Server) ResolveCase(ctx context.Context, req *riskv1.ResolveCaseRequest) (*riskv1.ResolveCaseResponse, error) {
	c, seq, err := s.handle(ctx, app.CaseCommand{
		RequestID: req.GetRequestId(), AlertID: req.GetAlertId(), Step: domain.StepResolve, Text: req.GetNote(),
		Outcome: domain.Outcome(req.GetOutcome()),
	})
	if err != nil {
		return nil, err
	}
	return &riskv1.ResolveCaseResponse{Case: c, Sequence: seq}, nil
}

// AddCaseNote implements riskv1.RiskServiceServer.
func (s *Server) AddCaseNote(ctx context.Context, req *riskv1.AddCaseNoteRequest) (*riskv1.AddCaseNoteResponse, error) {
	c, seq, err := s.handle(ctx, app.CaseCommand{RequestID: req.GetRequestId(), AlertID: req.GetAlertId(), Step: domain.StepNote, Text: req.GetNote()})
	if err != nil {
		return nil, err
	}
	return &riskv1.AddCaseNoteResponse{Case: c, Sequence: seq}, nil
}

// GetCase implements riskv1.RiskServiceServer.
func (s *Server) GetCase(ctx context.Context, req *riskv1.GetCaseRequest) (*riskv1.GetCaseResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.app.GetCase(ctx, actor, req.GetAlertId())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &riskv1.GetCaseResponse{Case: caseToProto(c)}, nil
}

func caseToProto(c domain.Case) *riskv1.Case {
	p := &riskv1.Case{AlertId: c.AlertID, Status: riskv1.AlertStatus(c.Status), Outcome: riskv1.CaseOutcome(c.Outcome)}
	for _, n := range c.Notes {
		p.Notes = append(p.Notes, &riskv1.CaseNote{Kind: string(n.Kind), Author: n.Author, Text: n.Text, At: timestamppb.New(n.At)})
	}
	return p
}
