package commissionsvc_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
)

// testInvalidArguments sends bad requests of every RPC and checks each
// answer names every bad field, and that nothing was written.
func testInvalidArguments(t *testing.T, env *testEnv, svc *testkit.RunningService) {
	const tenant = "invalid"
	admin := env.as(t, svc, tenant, "ad-1", auth.RoleAdmin)
	ctx := t.Context()
	before := env.StreamMessages(t, "COMMISSION", "commission."+tenant+".>")
	badTime := &timestamppb.Timestamp{Seconds: -1 << 62}
	tests := []struct {
		name       string
		call       func() error
		wantFields []string
	}{
		{"set plan: nothing", func() error {
			_, err := admin.SetCommissionPlan(ctx, &commissionv1.SetCommissionPlanRequest{})
			return err
		}, []string{"plan", "request_id"}},
		{"set plan: bad rates, channel, date", func() error {
			_, err := admin.SetCommissionPlan(ctx, &commissionv1.SetCommissionPlanRequest{RequestId: "a.b", Plan: &commissionv1.CommissionPlan{
				CompanyRateBp: -5, PersonalRateBp: 10001, EffectiveFrom: "2026-02-30",
				ChannelRates: []*commissionv1.ChannelRate{{Source: 0, RateBp: 100}, {Source: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, RateBp: 20000}},
			}})
			return err
		}, []string{"plan.channel_rates.rate_bp", "plan.channel_rates.source", "plan.company_rate_bp", "plan.effective_from", "plan.personal_rate_bp", "request_id"}},
		{"set plan: a channel twice", func() error {
			_, err := admin.SetCommissionPlan(ctx, &commissionv1.SetCommissionPlanRequest{RequestId: "dup", Plan: &commissionv1.CommissionPlan{
				CompanyRateBp: 500, PersonalRateBp: 800, EffectiveFrom: "2026-02-01",
				ChannelRates: []*commissionv1.ChannelRate{{Source: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, RateBp: 1}, {Source: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, RateBp: 2}},
			}})
			return err
		}, []string{"plan.channel_rates.source"}},
		{"get plan: bad date", func() error {
			_, err := admin.GetCommissionPlan(ctx, &commissionv1.GetCommissionPlanRequest{Date: "yesterday"})
			return err
		}, []string{"date"}},
		{"statement: nothing", func() error {
			_, err := admin.GetStatement(ctx, &commissionv1.GetStatementRequest{})
			return err
		}, []string{"employee_id"}},
		{"statement: bad id and times", func() error {
			_, err := admin.GetStatement(ctx, &commissionv1.GetStatementRequest{EmployeeId: "e 1", From: badTime, To: badTime})
			return err
		}, []string{"employee_id", "from", "to"}},
		{"statement: to before from", func() error {
			_, err := admin.GetStatement(ctx, &commissionv1.GetStatementRequest{EmployeeId: "e1", From: timestamppb.New(march), To: timestamppb.New(march)})
			return err
		}, []string{"to"}},
		{"export payouts: nothing", func() error {
			_, err := admin.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{})
			return err
		}, []string{"from", "to"}},
		{"export payouts: not dates", func() error {
			_, err := admin.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: "2026-02-30", To: "March"})
			return err
		}, []string{"from", "to"}},
		{"export payouts: to not after from", func() error {
			_, err := admin.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: "2026-03-01", To: "2026-03-01"})
			return err
		}, []string{"to"}},
		{"export payouts: a typo decades ahead", func() error {
			_, err := admin.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: "2026-03-01", To: "2062-04-01"})
			return err
		}, []string{"to"}},
		{"export payouts: longer than a year", func() error {
			_, err := admin.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: "2020-01-01", To: "2026-01-01"})
			return err
		}, []string{"to"}},
	}
	for _, tc := range tests {
		err := tc.call()
		got := testkit.ViolatedFields(t, err)
		if diff := cmp.Diff(tc.wantFields, got); diff != "" {
			t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tc.name, diff)
		}
	}
	if after := env.StreamMessages(t, "COMMISSION", "commission."+tenant+".>"); after != before {
		t.Errorf("bad requests wrote %d events", after-before)
	}
}
