package sim

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// RiskClock advances the tenant's clock through RiskService.AdvanceClock,
// as a service principal.
type RiskClock struct {
	Risk   grpc.ClientConnInterface
	Minter Minter
	Tenant string
}

// Advance ticks every hour boundary up to to; from is where a clock that
// never ticked starts.
func (c RiskClock) Advance(ctx context.Context, from, to time.Time) (*riskv1.StreamPosition, error) {
	tok, err := c.Minter.Issue(auth.Principal{Tenant: c.Tenant, Subject: "sim-clock", Roles: []auth.Role{auth.RoleService}}, time.Hour)
	if err != nil {
		return nil, err
	}
	res, err := riskv1.NewRiskServiceClient(c.Risk).AdvanceClock(ctx, &riskv1.AdvanceClockRequest{To: timestamppb.New(to), From: timestamppb.New(from)},
		grpc.PerRPCCredentials(auth.BearerToken(tok)))
	if err != nil {
		return nil, err
	}
	return res.GetConsistentWith(), nil
}

// ReadAlerts pages through every alert of the tenant as HR, after the risk
// engine has judged every position the run wrote (consistent_with), so the
// report scores what the engine concluded from the whole run.
func ReadAlerts(ctx context.Context, risk grpc.ClientConnInterface, minter Minter, tenant string, positions []*riskv1.StreamPosition) ([]Alert, error) {
	tok, err := minter.Issue(auth.Principal{Tenant: tenant, Subject: "sim-hr", Roles: []auth.Role{auth.RoleHR}}, time.Hour)
	if err != nil {
		return nil, err
	}
	cl := riskv1.NewRiskServiceClient(risk)
	var out []Alert
	page := ""
	for {
		res, err := cl.ListAlerts(ctx, &riskv1.ListAlertsRequest{PageSize: 500, PageToken: page, ConsistentWith: positions},
			grpc.PerRPCCredentials(auth.BearerToken(tok)))
		if err != nil {
			return nil, fmt.Errorf("sim: list alerts: %w", err)
		}
		for _, a := range res.GetAlerts() {
			out = append(out, Alert{
				ID: a.GetAlertId(), Employee: a.GetEmployeeId(), Rule: a.GetRuleId(), Severity: int(a.GetSeverity()),
				RaisedAt: a.GetRaisedAt().AsTime(), Text: a.GetExplanationEn(), TextZh: a.GetExplanationZh(),
			})
		}
		// Only the first page waits; later pages read the same view.
		positions = nil
		if page = res.GetNextPageToken(); page == "" {
			return out, nil
		}
	}
}
