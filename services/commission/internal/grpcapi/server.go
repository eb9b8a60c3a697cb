// Package grpcapi maps holdfast.commission.v1.CommissionService onto the
// commission service's use cases: proto in, domain values to the app,
// status codes out.
package grpcapi

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	"github.com/holdfast/holdfast/services/commission/internal/app"
	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

// Server implements commissionv1.CommissionServiceServer.
type Server struct {
	commissionv1.UnimplementedCommissionServiceServer
	app    *app.App
	logger *slog.Logger
}

var _ commissionv1.CommissionServiceServer = (*Server)(nil)

// New returns the gRPC adapter over the use cases.
func New(a *app.App, logger *slog.Logger) *Server { return &Server{app: a, logger: logger} }

func (s *Server) actorFrom(ctx context.Context) (domain.Actor, error) {
	p, err := platform.Caller(ctx)
	if err != nil {
		return domain.Actor{}, err
	}
	actor, err := s.app.Actor(ctx, p.Tenant, p.Subject, p.RoleNames())
	if err != nil {
		return domain.Actor{}, s.toStatus(ctx, err)
	}
	return actor, nil
}

// SetCommissionPlan implements CommissionService.
func (s *Server) SetCommissionPlan(ctx context.Context, req *commissionv1.SetCommissionPlanRequest) (*commissionv1.SetCommissionPlanResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, seq, err := s.app.SetCommissionPlan(ctx, actor, req.GetRequestId(), req.GetPlan())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	return &commissionv1.SetCommissionPlanResponse{Plan: app.PlanToProto(p), Sequence: seq}, nil
}

// GetCommissionPlan implements CommissionService.
func (s *Server) GetCommissionPlan(ctx context.Context, req *commissionv1.GetCommissionPlanRequest) (*commissionv1.GetCommissionPlanResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var date time.Time
	if req.GetDate() != "" {
		if date, err = domain.ParseDate(req.GetDate()); err != nil {
			return nil, platform.InvalidArgument([]platform.FieldViolation{{Field: "date", Description: "a date as YYYY-MM-DD"}})
		}
	}
	p, history, err := s.app.GetCommissionPlan(ctx, actor, date)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	out := &commissionv1.GetCommissionPlanResponse{Plan: app.PlanToProto(p)}
	for _, h := range history {
		out.History = append(out.History, app.PlanToProto(h))
	}
	return out, nil
}

// GetStatement implements CommissionService.
func (s *Server) GetStatement(ctx context.Context, req *commissionv1.GetStatementRequest) (*commissionv1.GetStatementResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	var bad []platform.FieldViolation
	from := optionalTime("from", req.GetFrom(), &bad)
	to := optionalTime("to", req.GetTo(), &bad)
	if !eventlog.ValidToken(req.GetEmployeeId()) {
		bad = append(bad, platform.FieldViolation{Field: "employee_id", Description: "required, a valid id"})
	}
	if len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	st, err := s.app.GetStatement(ctx, actor, app.StatementQuery{
		EmployeeID: req.GetEmployeeId(), From: from, To: to,
		MinSequence: req.GetMinSequence(), MinOrderSequence: req.GetMinOrderSequence(), MinRiskSequence: req.GetMinRiskSequence(),
	})
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	out := &commissionv1.GetStatementResponse{}
	for _, e := range st.Entries {
		out.Entries = append(out.Entries, entryToProto(e))
	}
	for _, t := range st.Totals {
		out.Totals = append(out.Totals, &commissionv1.CurrencyTotal{
			Currency: t.Currency, AccruedMinor: t.AccruedMinor, ClawedBackMinor: t.ClawedBackMinor, NetMinor: t.NetMinor,
			HeldMinor: t.HeldMinor, ForfeitedMinor: t.ForfeitedMinor,
		})
	}
	return out, nil
}

// ExportPayouts implements CommissionService.
func (s *Server) ExportPayouts(ctx context.Context, req *commissionv1.ExportPayoutsRequest) (*commissionv1.ExportPayoutsResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	res, err := s.app.ExportPayouts(ctx, actor, req.GetFrom(), req.GetTo())
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	p := app.PayoutToProto(res.Payout)
	return &commissionv1.ExportPayoutsResponse{
		From: p.GetFrom(), To: p.GetTo(), Lines: p.GetLines(), Sequence: res.Sequence,
		AsOfSequence: p.GetAsOfSequence(), AlreadyExported: res.AlreadyExported,
	}, nil
}

func entryToProto(e domain.Entry) *commissionv1.StatementEntry {
	out := &commissionv1.StatementEntry{
		Kind: commissionv1.EntryKind(e.Kind), OrderId: e.OrderID, CustomerId: e.CustomerID, Currency: e.Currency,
		AmountMinor: e.AmountMinor, BaseAmountMinor: e.BaseAmountMinor, RateBp: e.RateBP,
		CustomerSource: clientv1.SourceChannel(e.CustomerSource), PlanVersion: e.PlanVersion,
		ClawbackCause: commissionv1.ClawbackCause(e.Cause), OccurredAt: timestamppb.New(e.OccurredAt),
		Sequence: e.Sequence, OrderSequence: e.OrderSequence,
		AlertId: e.AlertID, RuleId: e.RuleID, SellerWide: e.SellerWide, HeldOrderIds: e.HeldOrderIDs,
		ReleaseCause: commissionv1.ReleaseCause(e.ReleaseCause), RiskSequence: e.RiskSequence,
		HeldBy: e.HeldBy, ForfeitedBy: e.ForfeitedBy, PaidIn: e.PaidIn, EmployeeId: e.EmployeeID,
	}
	if e.Contradiction {
		out.SourceContradiction = &commissionv1.SourceContradiction{
			ClaimedSource: clientv1.SourceChannel(e.ClaimedSource), CustomerSource: clientv1.SourceChannel(e.CustomerSource),
		}
	}
	return out
}

// optionalTime is t as a time, zero when unset; a set but invalid t is a
// violation of field.
func optionalTime(field string, t *timestamppb.Timestamp, bad *[]platform.FieldViolation) time.Time {
	if t == nil {
		return time.Time{}
	}
	if err := t.CheckValid(); err != nil {
		*bad = append(*bad, platform.FieldViolation{Field: field, Description: "not a valid timestamp"})
		return time.Time{}
	}
	return t.AsTime()
}

// toStatus maps use-case errors to gRPC statuses; internal details never
// reach the client.
func (s *Server) toStatus(ctx context.Context, err error) error {
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		v := make([]platform.FieldViolation, 0, len(ve.Violations))
		for _, f := range ve.Violations {
			v = append(v, platform.FieldViolation{Field: f.Field, Description: f.Description})
		}
		return platform.InvalidArgument(v)
	case errors.Is(err, domain.ErrNotFound):
		return status.Error(codes.NotFound, "not found")
	case errors.Is(err, domain.ErrPermissionDenied):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, domain.ErrPrecondition):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, eventlog.ErrConflict):
		return status.Error(codes.Aborted, "changed concurrently; retry")
	case errors.Is(err, app.ErrNotCaughtUp):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return platform.UnexpectedStatus(ctx, s.logger, err)
}
