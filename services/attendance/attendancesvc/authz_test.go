package attendancesvc_test

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// matrixRow is one row of the authorisation matrix: a call of one RPC,
// made by every role, and the status each role gets.
type matrixRow struct {
	rpc     string
	variant string
	call    func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error
	want    map[string]codes.Code
}

func (r matrixRow) name() string {
	if r.variant == "" {
		return r.rpc
	}
	return r.rpc + " " + r.variant
}

// testAuthorisationMatrix asserts the status of every RPC for every role.
// Each cell that changes state acts on an employee of its own, hired for
// it, so an allowed caller gets OK. "manager" (m-1) manages every fixture
// employee; "employee" (the fixture's own id) is a salesperson acting on
// themselves.
func testAuthorisationMatrix(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "matrix"
	roles := []struct {
		name string
		who  auth.Principal
	}{
		{"employee", principal(tenant, "self", auth.RoleSales)},
		{"sales-other", principal(tenant, "s-other", auth.RoleSales)},
		{"senior_sales", principal(tenant, "ss-1", auth.RoleSeniorSales)},
		{"manager", principal(tenant, "m-1", auth.RoleManager)},
		{"manager-other", principal(tenant, "m-2", auth.RoleManager)},
		{"hr", principal(tenant, "hr-1", auth.RoleHR)},
		{"auditor", principal(tenant, "au-1", auth.RoleAuditor)},
		{"admin", principal(tenant, "ad-1", auth.RoleAdmin)},
		{"service", principal(tenant, "svc-1", auth.RoleService)},
	}
	var roleNames []string
	clients := map[string]attendancev1.AttendanceServiceClient{}
	for _, r := range roles {
		roleNames = append(roleNames, r.name)
		clients[r.name] = env.dial(t, svc, r.who)
	}
	allowed := func(roles ...string) map[string]codes.Code {
		want := map[string]codes.Code{}
		for _, r := range roleNames {
			want[r] = codes.PermissionDenied
		}
		for _, r := range roles {
			want[r] = codes.OK
		}
		return want
	}

	admin, hr := clients["admin"], clients["hr"]
	tree := createTree(t, admin, "matrix")
	if _, err := hr.HireEmployee(t.Context(), hireRequest("hire-m-1", "m-1", tree.branch, "", "manager")); err != nil {
		t.Fatalf("hire manager: %v", err)
	}
	if _, err := hr.HireEmployee(t.Context(), hireRequest("hire-self", "self", tree.team, "m-1", "sales")); err != nil {
		t.Fatalf("hire self: %v", err)
	}
	// m-2 manages another branch: "self" is outside their subtree.
	other, err := admin.CreateOrgUnit(t.Context(), branchRequest("matrix-other-branch", tree.company))
	if err != nil {
		t.Fatalf("create the other branch: %v", err)
	}
	hired, err := hr.HireEmployee(t.Context(), hireRequest("hire-m-2", "m-2", other.GetOrgUnit().GetOrgUnitId(), "", "manager"))
	if err != nil {
		t.Fatalf("hire manager-other: %v", err)
	}
	tree.seq = hired.GetSequence()
	readers := []string{"employee", "manager", "hr", "auditor", "admin"}
	// fixture hires an employee for one cell, managed by m-1, optionally on
	// notice. The "employee" role's cell uses "self"; a fresh one would not
	// be the caller.
	n := 0
	fixture := func(t *testing.T, role string, onNotice bool) string {
		t.Helper()
		n++
		id := "fx-" + role + "-" + string(rune('a'+n%26)) + string(rune('a'+n/26))
		if role == "employee" {
			return "self"
		}
		if _, err := hr.HireEmployee(t.Context(), hireRequest("hire-"+id, id, tree.team, "m-1", "sales")); err != nil {
			t.Fatalf("hire %s: %v", id, err)
		}
		if onNotice {
			if _, err := hr.NoticeResignation(t.Context(), &attendancev1.NoticeResignationRequest{RequestId: "notice-" + id, EmployeeId: id, NoticeDate: "2026-02-01", PlannedLastDay: "2026-02-28"}); err != nil {
				t.Fatalf("notice %s: %v", id, err)
			}
		}
		return id
	}

	rows := []matrixRow{
		{
			rpc: "CreateOrgUnit",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				_, err := c.CreateOrgUnit(t.Context(), branchRequest("matrix-branch-"+role, tree.company))
				return err
			},
			want: allowed("admin"),
		},
		{
			rpc: "GetOrgUnit",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, _ string) error {
				_, err := c.GetOrgUnit(t.Context(), &attendancev1.GetOrgUnitRequest{OrgUnitId: tree.team, MinSequence: tree.seq})
				return err
			},
			want: allowed(roleNames...),
		},
		{
			rpc: "ListOrgUnits",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, _ string) error {
				_, err := c.ListOrgUnits(t.Context(), &attendancev1.ListOrgUnitsRequest{MinSequence: tree.seq})
				return err
			},
			want: allowed(roleNames...),
		},
		{
			rpc: "HireEmployee",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				_, err := c.HireEmployee(t.Context(), hireRequest("matrix-hire-"+role, "new-"+role, tree.team, "", "sales"))
				return err
			},
			want: allowed("admin", "hr"),
		},
		{
			rpc: "NoticeResignation",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				id := fixture(t, role, false)
				_, err := c.NoticeResignation(t.Context(), &attendancev1.NoticeResignationRequest{RequestId: "matrix-notice", EmployeeId: id, NoticeDate: "2026-03-01", PlannedLastDay: "2026-03-31"})
				return err
			},
			want: allowed("employee", "hr"),
		},
		{
			rpc: "WithdrawResignation",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				id := fixture(t, role, true)
				_, err := c.WithdrawResignation(t.Context(), &attendancev1.WithdrawResignationRequest{RequestId: "matrix-withdraw", EmployeeId: id})
				return err
			},
			want: allowed("hr"),
		},
		{
			rpc: "RecordLeave",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				id := fixture(t, role, false)
				_, err := c.RecordLeave(t.Context(), &attendancev1.RecordLeaveRequest{RequestId: "matrix-leave-" + role, EmployeeId: id, StartDate: "2026-03-02", EndDate: "2026-03-03", LeaveType: attendancev1.LeaveType_LEAVE_TYPE_ANNUAL})
				return err
			},
			want: allowed("manager", "hr"),
		},
		{
			rpc: "RecordDeparture",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				id := fixture(t, role, false)
				_, err := c.RecordDeparture(t.Context(), &attendancev1.RecordDepartureRequest{RequestId: "matrix-depart", EmployeeId: id, LastDay: "2026-12-31"})
				return err
			},
			want: allowed("hr"),
		},
		{
			rpc: "GetEmployee",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, _ string) error {
				_, err := c.GetEmployee(t.Context(), &attendancev1.GetEmployeeRequest{EmployeeId: "self", MinSequence: tree.seq})
				return err
			},
			want: allowed(readers...),
		},
		{
			rpc: "TransferEmployee",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				id := fixture(t, role, false)
				_, err := c.TransferEmployee(t.Context(), &attendancev1.TransferEmployeeRequest{RequestId: "matrix-transfer", EmployeeId: id, OrgUnitId: tree.branch, ManagerId: "m-1", EffectiveDate: "2026-04-01"})
				return err
			},
			want: allowed("admin", "hr"),
		},
		{
			rpc: "ChangeRole",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				id := fixture(t, role, false)
				_, err := c.ChangeRole(t.Context(), &attendancev1.ChangeRoleRequest{RequestId: "matrix-role", EmployeeId: id, Role: "senior_sales", EffectiveDate: "2026-04-01"})
				return err
			},
			want: allowed("admin", "hr"),
		},
		{
			rpc: "GetEmployeeTimeline",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, _ string) error {
				_, err := c.GetEmployeeTimeline(t.Context(), &attendancev1.GetEmployeeTimelineRequest{EmployeeId: "self"})
				return err
			},
			want: allowed(readers...),
		},
		{
			rpc: "IsWorkingDay",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, _ string) error {
				_, err := c.IsWorkingDay(t.Context(), &attendancev1.IsWorkingDayRequest{EmployeeId: "self", Date: "2026-03-02", MinSequence: tree.seq})
				return err
			},
			want: allowed(readers...),
		},
		{
			rpc: "CheckIn",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				_, err := c.CheckIn(t.Context(), checkInRequest("matrix-checkin-"+role, "self", "", 31.23, 121.47))
				return err
			},
			want: allowed("employee", "service"),
		},
		{
			rpc: "ListCheckIns",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, _ string) error {
				_, err := c.ListCheckIns(t.Context(), &attendancev1.ListCheckInsRequest{EmployeeId: "self", MinSequence: tree.seq})
				return err
			},
			want: allowed(readers...),
		},
		{
			// Naming oneself is no reveal: the employee is refused like any
			// salesperson; m-2 manages another branch.
			rpc: "RevealEmployeeIdentity",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, role string) error {
				_, err := c.RevealEmployeeIdentity(t.Context(), &attendancev1.RevealEmployeeIdentityRequest{RequestId: "matrix-reveal-" + role, EmployeeId: "self", Reason: "matrix"})
				return err
			},
			want: allowed("manager", "hr", "auditor", "admin"),
		},
		{
			rpc: "ListEmployees",
			call: func(t *testing.T, c attendancev1.AttendanceServiceClient, _ string) error {
				_, err := c.ListEmployees(t.Context(), &attendancev1.ListEmployeesRequest{OrgUnitId: tree.team})
				return err
			},
			want: allowed("manager", "manager-other", "hr", "auditor", "admin"),
		},
	}
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.rpc] = true
		for _, role := range roleNames {
			if got := status.Code(row.call(t, clients[role], role)); got != row.want[role] {
				t.Errorf("%s as %s: %v, want %v", row.name(), role, got, row.want[role])
			}
		}
	}
	for _, m := range attendancev1.AttendanceService_ServiceDesc.Methods {
		if !covered[m.MethodName] {
			t.Errorf("the matrix has no row for %s", m.MethodName)
		}
	}
}
