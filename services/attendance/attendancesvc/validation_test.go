package attendancesvc_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// svcCall is a device gateway's client (role service), which may check in
// anyone, so a check-in's fields are judged rather than the caller.
func svcCall(env *testEnv, t *testing.T, svc *runningService, tenant string) attendancev1.AttendanceServiceClient {
	t.Helper()
	return env.dial(t, svc, principal(tenant, "gw-1", auth.RoleService))
}

// testInvalidArguments sends bad requests of every RPC and checks each
// answer names every bad field, and that nothing was written.
func testInvalidArguments(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "invalid"
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	ctx := t.Context()
	before := env.streamMessages(t, "attendance."+tenant+".>")
	tests := []struct {
		name       string
		call       func() error
		wantFields []string
	}{
		{"create: nothing", func() error {
			_, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{})
			return err
		}, []string{"kind", "name", "request_id"}},
		{"create: branch with a bad calendar", func() error {
			_, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{
				RequestId: "b", ParentId: "c", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH, Name: "x",
				TimeZone: "Mars/Olympus", WorkingWeekdays: []int32{0, 9}, Holidays: []string{"2026-02-30"},
			})
			return err
		}, []string{"holidays", "time_zone", "working_weekdays"}},
		{"create: bad parent id", func() error {
			_, err := admin.CreateOrgUnit(ctx, &attendancev1.CreateOrgUnitRequest{RequestId: "t", ParentId: "a b", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_TEAM, Name: "x"})
			return err
		}, []string{"parent_id"}},
		{"get org unit: bad id", func() error {
			_, err := admin.GetOrgUnit(ctx, &attendancev1.GetOrgUnitRequest{OrgUnitId: "a.b"})
			return err
		}, []string{"org_unit_id"}},
		{"list org units: bad paging", func() error {
			_, err := admin.ListOrgUnits(ctx, &attendancev1.ListOrgUnitsRequest{PageSize: -1, PageToken: "junk", ParentId: "a b"})
			return err
		}, []string{"page_size", "page_token", "parent_id"}},
		{"hire: nothing", func() error {
			_, err := hr.HireEmployee(ctx, &attendancev1.HireEmployeeRequest{})
			return err
		}, []string{"employee_id", "name", "org_unit_id", "request_id", "role", "start_date"}},
		{"hire: bad manager id", func() error {
			req := hireRequest("h", "e1", "u1", "a b", "sales")
			_, err := hr.HireEmployee(ctx, req)
			return err
		}, []string{"manager_id"}},
		{"notice: bad dates", func() error {
			_, err := hr.NoticeResignation(ctx, &attendancev1.NoticeResignationRequest{RequestId: "n", EmployeeId: "e1", NoticeDate: "2026-03-01", PlannedLastDay: "2026-02-01"})
			return err
		}, []string{"planned_last_day"}},
		{"withdraw: no ids", func() error {
			_, err := hr.WithdrawResignation(ctx, &attendancev1.WithdrawResignationRequest{})
			return err
		}, []string{"employee_id", "request_id"}},
		{"leave: bad period and type", func() error {
			_, err := hr.RecordLeave(ctx, &attendancev1.RecordLeaveRequest{RequestId: "l", EmployeeId: "e1", StartDate: "2026-03-05", EndDate: "2026-03-04", LeaveType: 9})
			return err
		}, []string{"end_date", "leave_type"}},
		{"depart: bad day", func() error {
			_, err := hr.RecordDeparture(ctx, &attendancev1.RecordDepartureRequest{RequestId: "d", EmployeeId: "e1", LastDay: "tomorrow"})
			return err
		}, []string{"last_day"}},
		{"get employee: bad id", func() error {
			_, err := hr.GetEmployee(ctx, &attendancev1.GetEmployeeRequest{EmployeeId: ""})
			return err
		}, []string{"employee_id"}},
		{"list employees: bad filters", func() error {
			_, err := hr.ListEmployees(ctx, &attendancev1.ListEmployeesRequest{Role: "boss", Status: 7, OrgUnitId: "a b", PageSize: 5000})
			return err
		}, []string{"org_unit_id", "page_size", "role", "status"}},
		{"list employees: subunits without a unit", func() error {
			_, err := hr.ListEmployees(ctx, &attendancev1.ListEmployeesRequest{IncludeSubunits: true})
			return err
		}, []string{"include_subunits"}},
		{"transfer: nothing", func() error {
			_, err := hr.TransferEmployee(ctx, &attendancev1.TransferEmployeeRequest{})
			return err
		}, []string{"effective_date", "employee_id", "org_unit_id", "request_id"}},
		{"transfer: bad manager and date", func() error {
			_, err := hr.TransferEmployee(ctx, &attendancev1.TransferEmployeeRequest{RequestId: "t", EmployeeId: "e1", OrgUnitId: "u1", ManagerId: "a.b", EffectiveDate: "2026-13-01"})
			return err
		}, []string{"effective_date", "manager_id"}},
		{"change role: unknown role, no date", func() error {
			_, err := hr.ChangeRole(ctx, &attendancev1.ChangeRoleRequest{RequestId: "r", EmployeeId: "e1", Role: "king"})
			return err
		}, []string{"effective_date", "role"}},
		{"timeline: bad id", func() error {
			_, err := hr.GetEmployeeTimeline(ctx, &attendancev1.GetEmployeeTimelineRequest{EmployeeId: "e 1"})
			return err
		}, []string{"employee_id"}},
		{"working day: bad date and id", func() error {
			_, err := hr.IsWorkingDay(ctx, &attendancev1.IsWorkingDayRequest{EmployeeId: "", Date: "2026-02-29"})
			return err
		}, []string{"date", "employee_id"}},
		{"check in: out of range, no accuracy, stale device time", func() error {
			req := checkInRequest("k", "e1", "", 91, -181)
			req.AccuracyM, req.DeviceTime = 0, timestamppb.New(time.Now().Add(-time.Hour))
			_, err := svcCall(env, t, svc, tenant).CheckIn(ctx, req)
			return err
		}, []string{"accuracy_m", "device_time", "latitude", "longitude"}},
		{"check in: nothing", func() error {
			_, err := svcCall(env, t, svc, tenant).CheckIn(ctx, &attendancev1.CheckInRequest{})
			return err
		}, []string{"accuracy_m", "device_time", "kind", "request_id"}},
		{"check in: bad photo, bad customer id", func() error {
			req := checkInRequest("k", "e1", "c.1", 31, 121)
			req.PhotoSha256, req.PhotoSizeBytes = "not-hex", 10
			_, err := svcCall(env, t, svc, tenant).CheckIn(ctx, req)
			return err
		}, []string{"customer_id", "photo_sha256"}},
		{"check in: invalid timestamp", func() error {
			req := checkInRequest("k", "e1", "", 31, 121)
			req.DeviceTime = &timestamppb.Timestamp{Seconds: 1, Nanos: -5}
			_, err := svcCall(env, t, svc, tenant).CheckIn(ctx, req)
			return err
		}, []string{"device_time"}},
		{"list check-ins: neither employee nor customer", func() error {
			_, err := hr.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{})
			return err
		}, []string{"employee_id"}},
		{"list check-ins: backwards range, bad token", func() error {
			_, err := hr.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{
				EmployeeId: "e1", From: timestamppb.New(time.Now()), To: timestamppb.New(time.Now().Add(-time.Hour)), PageToken: "junk",
			})
			return err
		}, []string{"page_token"}},
		{"list check-ins: backwards range", func() error {
			_, err := hr.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{
				CustomerId: "c1", From: timestamppb.New(time.Now()), To: timestamppb.New(time.Now().Add(-time.Hour)),
			})
			return err
		}, []string{"to"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.wantFields, violatedFields(t, tt.call())); diff != "" {
			t.Errorf("%s: fields mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
	if n := env.streamMessages(t, "attendance."+tenant+".>"); n != before {
		t.Errorf("invalid requests wrote %d events", n-before)
	}
}
