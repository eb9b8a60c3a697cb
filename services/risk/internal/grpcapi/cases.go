package grpcapi

import (
	"context"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/store"
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

// ListCases implements riskv1.RiskServiceServer.
func (s *Server) ListCases(ctx context.Context, req *riskv1.ListCasesRequest) (*riskv1.ListCasesResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	size, bad := platform.PageSize(req.GetPageSize())
	before, err := decodeToken(casePages, req.GetPageToken())
	if err != nil {
		bad = append(bad, platform.FieldViolation{Field: "page_token", Description: "not a token this service issued"})
	}
	switch req.GetStatus() {
	case riskv1.AlertStatus_ALERT_STATUS_UNSPECIFIED, riskv1.AlertStatus_ALERT_STATUS_CONFIRMED, riskv1.AlertStatus_ALERT_STATUS_RESOLVED:
	default:
		bad = append(bad, platform.FieldViolation{Field: "status", Description: "a case is CONFIRMED (open) or RESOLVED"})
	}
	if _, ok := riskv1.CaseOutcome_name[int32(req.GetOutcome())]; !ok {
		bad = append(bad, platform.FieldViolation{Field: "outcome", Description: "unknown outcome"})
	}
	if e := req.GetEmployeeId(); e != "" && !eventlog.ValidToken(e) {
		bad = append(bad, platform.FieldViolation{Field: "employee_id", Description: "not a valid id"})
	}
	from, to, periodBad := period("opened_after", req.GetOpenedAfter(), "opened_before", req.GetOpenedBefore())
	bad = append(bad, periodBad...)
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	cases, err := s.app.ListCases(ctx, actor, store.CaseFilter{
		EmployeeID: req.GetEmployeeId(),
		Status:     domain.Status(req.GetStatus()),
		Outcome:    domain.Outcome(req.GetOutcome()),
		OpenedFrom: from,
		OpenedTo:   to,
		Before:     before,
		Limit:      size + 1,
	})
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	resp := &riskv1.ListCasesResponse{}
	cases, last := platform.TrimPage(cases, size)
	if last != nil {
		resp.NextPageToken = encodeToken(casePages, last.CaseSequence)
	}
	for _, a := range cases {
		c := &riskv1.CaseSummary{
			AlertId: a.ID, RuleId: a.RuleID, EmployeeId: a.EmployeeID, Severity: riskv1.Severity(a.Severity),
			Status: riskv1.AlertStatus(a.Status), Outcome: riskv1.CaseOutcome(a.Outcome), OpenedAt: timestamppb.New(a.CaseOpenedAt),
		}
		if !a.CaseResolvedAt.IsZero() {
			c.ResolvedAt = timestamppb.New(a.CaseResolvedAt)
		}
		resp.Cases = append(resp.Cases, c)
	}
	return resp, nil
}
