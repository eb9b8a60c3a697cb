package grpcapi

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
)

// maxBacktestAlerts bounds the would-be alerts a backtest answer lists;
// the counts cover them all.
const maxBacktestAlerts = 500

// BacktestRule implements riskv1.RiskServiceServer.
func (s *Server) BacktestRule(ctx context.Context, req *riskv1.BacktestRuleRequest) (*riskv1.BacktestRuleResponse, error) {
	actor, err := s.actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	from, fromBad := requiredTime("from", req.GetFrom())
	to, toBad := requiredTime("to", req.GetTo())
	if bad := append(fromBad, toBad...); len(bad) > 0 {
		return nil, platform.InvalidArgument(bad)
	}
	in := app.BacktestInput{
		RuleID: req.GetRuleId(),
		Params: app.RuleDefinitionFromProto(&riskv1.RuleDefinition{Parameters: req.GetParameters()}).Params,
		From:   from,
		To:     to,
	}
	if req.GetDefinition() != nil {
		d := app.RuleDefinitionFromProto(req.GetDefinition())
		in.Definition = &d
	}
	res, err := s.app.BacktestRule(ctx, actor, in)
	if err != nil {
		return nil, s.toStatus(ctx, err)
	}
	q := res.Quality
	resp := &riskv1.BacktestRuleResponse{
		Rule:  app.RuleDefinitionToProto(res.Rule.Definition),
		Total: int32(len(res.Alerts)),
		Quality: &riskv1.BacktestQuality{
			Positives: int32(q.Positives), Negatives: int32(q.Negatives),
			TruePositives: int32(q.TruePositives), FalsePositives: int32(q.FalsePositives),
			Unlabelled: int32(q.Unlabelled), PositivesCaught: int32(q.PositivesCaught),
			PrecisionPermille: int32(q.PrecisionPermille), RecallPermille: int32(q.RecallPermille),
		},
		EventsReplayed: res.EventsReplayed,
	}
	for _, c := range res.Counts {
		resp.Counts = append(resp.Counts, &riskv1.BacktestCount{EmployeeId: c.EmployeeID, Day: c.Day, Alerts: int32(c.Alerts)})
	}
	for i, a := range res.Alerts {
		if i == maxBacktestAlerts {
			resp.Truncated = true
			break
		}
		resp.Alerts = append(resp.Alerts, alertToProto(a))
	}
	return resp, nil
}

// requiredTime reads a timestamp that must be set and valid.
func requiredTime(field string, ts *timestamppb.Timestamp) (time.Time, []platform.FieldViolation) {
	if ts == nil {
		return time.Time{}, []platform.FieldViolation{{Field: field, Description: "required"}}
	}
	if err := ts.CheckValid(); err != nil {
		return time.Time{}, []platform.FieldViolation{{Field: field, Description: "not a valid timestamp"}}
	}
	return ts.AsTime(), nil
}
