package commissionsvc_test

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
)

// testAuthorisationMatrix asserts the status of every RPC for every role.
func testAuthorisationMatrix(t *testing.T, env *testEnv, svc *testkit.RunningService) {
	const tenant = "matrix"
	roles := []struct {
		name string
		who  auth.Principal
	}{
		{"employee", testkit.Principal(tenant, "e1", auth.RoleSales)},
		{"sales-other", testkit.Principal(tenant, "s-other", auth.RoleSales)},
		{"senior_sales", testkit.Principal(tenant, "ss-1", auth.RoleSeniorSales)},
		{"manager", testkit.Principal(tenant, "m-1", auth.RoleManager)},
		{"hr", testkit.Principal(tenant, "hr-1", auth.RoleHR)},
		{"auditor", testkit.Principal(tenant, "au-1", auth.RoleAuditor)},
		{"admin", testkit.Principal(tenant, "ad-1", auth.RoleAdmin)},
		{"service", testkit.Principal(tenant, "svc-1", auth.RoleService)},
	}
	ok, denied := codes.OK, codes.PermissionDenied
	rows := []struct {
		rpc  string
		call func(t *testing.T, c commissionv1.CommissionServiceClient, role string) error
		want map[string]codes.Code
	}{
		{"SetCommissionPlan", func(t *testing.T, c commissionv1.CommissionServiceClient, role string) error {
			_, err := c.SetCommissionPlan(t.Context(), &commissionv1.SetCommissionPlanRequest{RequestId: "m-" + role, Plan: &commissionv1.CommissionPlan{
				CompanyRateBp: 500, PersonalRateBp: 800, EffectiveFrom: "2026-01-01",
			}})
			return err
		}, map[string]codes.Code{"employee": denied, "sales-other": denied, "senior_sales": denied, "manager": denied, "hr": denied, "auditor": denied, "admin": ok, "service": denied}},
		{"GetCommissionPlan", func(t *testing.T, c commissionv1.CommissionServiceClient, _ string) error {
			_, err := c.GetCommissionPlan(t.Context(), &commissionv1.GetCommissionPlanRequest{})
			return err
		}, map[string]codes.Code{"employee": denied, "sales-other": denied, "senior_sales": denied, "manager": ok, "hr": ok, "auditor": ok, "admin": ok, "service": denied}},
		{"GetStatement of e1", func(t *testing.T, c commissionv1.CommissionServiceClient, _ string) error {
			_, err := c.GetStatement(t.Context(), &commissionv1.GetStatementRequest{EmployeeId: "e1"})
			return err
		}, map[string]codes.Code{"employee": ok, "sales-other": denied, "senior_sales": denied, "manager": ok, "hr": ok, "auditor": ok, "admin": ok, "service": denied}},
	}
	for _, row := range rows {
		for _, r := range roles {
			want, listed := row.want[r.name]
			if !listed {
				t.Fatalf("%s: no expectation for role %s", row.rpc, r.name)
			}
			c := commissionv1.NewCommissionServiceClient(testkit.Dial(t, svc.Addr, env.Bearer(t, r.who)))
			err := row.call(t, c, r.name)
			if got := status.Code(err); got != want {
				t.Errorf("%s as %s: %v (%v), want %v", row.rpc, r.name, got, err, want)
			}
		}
	}
}
