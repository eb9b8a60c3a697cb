package commissionsvc_test

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
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
		// manager-other manages another branch: e1 is outside their subtree.
		{"manager-other", testkit.Principal(tenant, "m-other", auth.RoleManager)},
		{"hr", testkit.Principal(tenant, "hr-1", auth.RoleHR)},
		{"auditor", testkit.Principal(tenant, "au-1", auth.RoleAuditor)},
		{"admin", testkit.Principal(tenant, "ad-1", auth.RoleAdmin)},
		{"service", testkit.Principal(tenant, "svc-1", auth.RoleService)},
	}
	writeOrgTree(t, env.Log, tenant)
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
		}, map[string]codes.Code{"employee": denied, "sales-other": denied, "senior_sales": denied, "manager": denied, "manager-other": denied, "hr": denied, "auditor": denied, "admin": ok, "service": denied}},
		{"GetCommissionPlan", func(t *testing.T, c commissionv1.CommissionServiceClient, _ string) error {
			_, err := c.GetCommissionPlan(t.Context(), &commissionv1.GetCommissionPlanRequest{})
			return err
		}, map[string]codes.Code{"employee": denied, "sales-other": denied, "senior_sales": denied, "manager": ok, "manager-other": ok, "hr": ok, "auditor": ok, "admin": ok, "service": denied}},
		{"GetStatement of e1", func(t *testing.T, c commissionv1.CommissionServiceClient, _ string) error {
			_, err := c.GetStatement(t.Context(), &commissionv1.GetStatementRequest{EmployeeId: "e1"})
			return err
		}, map[string]codes.Code{"employee": ok, "sales-other": denied, "senior_sales": denied, "manager": ok, "manager-other": denied, "hr": ok, "auditor": ok, "admin": ok, "service": denied}},
		// One period for every role: the first allowed call records it,
		// the others answer the record.
		{"ExportPayouts", func(t *testing.T, c commissionv1.CommissionServiceClient, _ string) error {
			_, err := c.ExportPayouts(t.Context(), &commissionv1.ExportPayoutsRequest{From: "2026-01-01", To: "2026-02-01"})
			return err
		}, map[string]codes.Code{"employee": denied, "sales-other": denied, "senior_sales": denied, "manager": denied, "manager-other": denied, "hr": ok, "auditor": denied, "admin": ok, "service": ok}},
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

// writeOrgTree writes, as the attendance service would, a branch managed
// by m-1 with e1 in a team under it, and m-other managing another branch.
func writeOrgTree(t *testing.T, log *eventlog.Log, tenant string) {
	t.Helper()
	testkit.WriteAttendance(t, log, tenant,
		testkit.AttendanceEvent{Type: "orgunit", ID: "co", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "co"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "branch", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "branch", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "team", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "team", ParentId: "branch"}},
		testkit.AttendanceEvent{Type: "orgunit", ID: "elsewhere", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "elsewhere", ParentId: "co"}},
		testkit.AttendanceEvent{Type: "employee", ID: "m-1", Payload: &attendancev1.EmployeeHired{EmployeeId: "m-1", OrgUnitId: "branch", Role: "manager"}},
		testkit.AttendanceEvent{Type: "employee", ID: "m-other", Payload: &attendancev1.EmployeeHired{EmployeeId: "m-other", OrgUnitId: "elsewhere", Role: "manager"}},
		testkit.AttendanceEvent{Type: "employee", ID: "e1", Payload: &attendancev1.EmployeeHired{EmployeeId: "e1", OrgUnitId: "team", Role: "sales", ManagerId: "m-1"}},
	)
}
