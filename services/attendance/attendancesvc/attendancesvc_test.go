package attendancesvc_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// orgTree is a company with one branch and one team under it.
type orgTree struct {
	company, branch, team string
	seq                   uint64
}

// createTree creates the tenant's org tree as an admin.
func createTree(t *testing.T, admin attendancev1.AttendanceServiceClient, prefix string) orgTree {
	t.Helper()
	create := func(req *attendancev1.CreateOrgUnitRequest) *attendancev1.CreateOrgUnitResponse {
		t.Helper()
		resp, err := admin.CreateOrgUnit(t.Context(), req)
		if err != nil {
			t.Fatalf("CreateOrgUnit %s: %v", req.GetName(), err)
		}
		return resp
	}
	c := create(&attendancev1.CreateOrgUnitRequest{RequestId: prefix + "-company", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY, Name: "Acme"})
	b := create(branchRequest(prefix+"-branch", c.GetOrgUnit().GetOrgUnitId()))
	tm := create(&attendancev1.CreateOrgUnitRequest{
		RequestId: prefix + "-team", ParentId: b.GetOrgUnit().GetOrgUnitId(), Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_TEAM, Name: "销售一组",
	})
	return orgTree{company: c.GetOrgUnit().GetOrgUnitId(), branch: b.GetOrgUnit().GetOrgUnitId(), team: tm.GetOrgUnit().GetOrgUnitId(), seq: tm.GetSequence()}
}

func branchRequest(requestID, parent string) *attendancev1.CreateOrgUnitRequest {
	return &attendancev1.CreateOrgUnitRequest{
		RequestId: requestID, ParentId: parent, Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH, Name: "上海分公司",
		TimeZone: "Asia/Shanghai", WorkingWeekdays: []int32{1, 2, 3, 4, 5}, Holidays: []string{"2026-10-01"},
	}
}

// checkInRequest is a visit check-in made now at (lat, lon).
func checkInRequest(requestID, employee, customer string, lat, lon float64) *attendancev1.CheckInRequest {
	return &attendancev1.CheckInRequest{
		RequestId: requestID, EmployeeId: employee, Kind: attendancev1.CheckInKind_CHECK_IN_KIND_VISIT,
		Latitude: lat, Longitude: lon, AccuracyM: 15, DeviceTime: timestamppb.Now(), CustomerId: customer, Purpose: "visit",
	}
}

func hireRequest(requestID, id, unit, manager, role string) *attendancev1.HireEmployeeRequest {
	return &attendancev1.HireEmployeeRequest{
		RequestId: requestID, EmployeeId: id, Name: "张三", OrgUnitId: unit, ManagerId: manager, Role: role, StartDate: "2026-01-05",
	}
}

func TestAttendanceServiceMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	testLifecycle(t, env, svc)
	t.Run("authorisation", func(t *testing.T) { testAuthorisationMatrix(t, env, svc) })
	t.Run("invalid arguments", func(t *testing.T) { testInvalidArguments(t, env, svc) })
	t.Run("retries", func(t *testing.T) { testRetries(t, env, svc) })
}

func TestAttendanceServicePostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "attendance", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	svc := env.start(t, pool)
	last := testLifecycle(t, env, svc)

	// A restart resumes from the PostgreSQL checkpoint and reads the same.
	svc.Stop()
	restarted := env.start(t, pool)
	hr := env.dial(t, restarted, principal("acme", "hr-1", auth.RoleHR))
	got, err := hr.GetEmployee(t.Context(), &attendancev1.GetEmployeeRequest{EmployeeId: "e1", MinSequence: last})
	if err != nil {
		t.Fatalf("GetEmployee after restart: %v", err)
	}
	if got.GetEmployee().GetStatus() != attendancev1.EmployeeStatus_EMPLOYEE_STATUS_DEPARTED {
		t.Errorf("status after restart = %v, want DEPARTED", got.GetEmployee().GetStatus())
	}
	cp, err := store.NewPostgres(pool).Checkpoint(t.Context())
	if err != nil || cp < last {
		t.Errorf("checkpoint = %d, %v; want at least %d", cp, err, last)
	}
}

// testLifecycle runs hire → notice → withdraw → notice → depart and the
// refused transitions, checking the read model and the log; it returns the
// last sequence written.
func testLifecycle(t *testing.T, env *testEnv, svc *runningService) uint64 {
	t.Helper()
	admin := env.dial(t, svc, principal("acme", "ad-1", auth.RoleAdmin))
	hr := env.dial(t, svc, principal("acme", "hr-1", auth.RoleHR))
	self := env.dial(t, svc, principal("acme", "e1", auth.RoleSales))
	tree := createTree(t, admin, "tree")

	units, err := self.ListOrgUnits(t.Context(), &attendancev1.ListOrgUnitsRequest{ParentId: tree.company, MinSequence: tree.seq})
	if err != nil {
		t.Fatalf("ListOrgUnits: %v", err)
	}
	if len(units.GetOrgUnits()) != 1 || units.GetOrgUnits()[0].GetTimeZone() != "Asia/Shanghai" {
		t.Errorf("company's children = %v, want the Shanghai branch", units.GetOrgUnits())
	}

	if _, err := hr.HireEmployee(t.Context(), hireRequest("hire-m1", "m1", tree.branch, "", "manager")); err != nil {
		t.Fatalf("HireEmployee m1: %v", err)
	}
	hired, err := hr.HireEmployee(t.Context(), hireRequest("hire-e1", "e1", tree.team, "m1", "sales"))
	if err != nil {
		t.Fatalf("HireEmployee e1: %v", err)
	}
	steps := []struct {
		name string
		call func() (*attendancev1.Employee, uint64, error)
		want attendancev1.EmployeeStatus
	}{
		{"notice (by the employee)", func() (*attendancev1.Employee, uint64, error) {
			r, err := self.NoticeResignation(t.Context(), &attendancev1.NoticeResignationRequest{RequestId: "notice-1", EmployeeId: "e1", NoticeDate: "2026-03-01", PlannedLastDay: "2026-03-31"})
			return r.GetEmployee(), r.GetSequence(), err
		}, attendancev1.EmployeeStatus_EMPLOYEE_STATUS_ON_NOTICE},
		{"withdraw", func() (*attendancev1.Employee, uint64, error) {
			r, err := hr.WithdrawResignation(t.Context(), &attendancev1.WithdrawResignationRequest{RequestId: "withdraw-1", EmployeeId: "e1"})
			return r.GetEmployee(), r.GetSequence(), err
		}, attendancev1.EmployeeStatus_EMPLOYEE_STATUS_ACTIVE},
		{"notice again (by hr)", func() (*attendancev1.Employee, uint64, error) {
			r, err := hr.NoticeResignation(t.Context(), &attendancev1.NoticeResignationRequest{RequestId: "notice-2", EmployeeId: "e1", NoticeDate: "2026-04-01", PlannedLastDay: "2026-04-30"})
			return r.GetEmployee(), r.GetSequence(), err
		}, attendancev1.EmployeeStatus_EMPLOYEE_STATUS_ON_NOTICE},
		{"leave (by the manager)", func() (*attendancev1.Employee, uint64, error) {
			r, err := env.dial(t, svc, principal("acme", "m1", auth.RoleManager)).RecordLeave(t.Context(), &attendancev1.RecordLeaveRequest{
				RequestId: "leave-1", EmployeeId: "e1", StartDate: "2026-04-10", EndDate: "2026-04-11", LeaveType: attendancev1.LeaveType_LEAVE_TYPE_ANNUAL,
			})
			return r.GetEmployee(), r.GetSequence(), err
		}, attendancev1.EmployeeStatus_EMPLOYEE_STATUS_ON_NOTICE},
		{"depart", func() (*attendancev1.Employee, uint64, error) {
			r, err := hr.RecordDeparture(t.Context(), &attendancev1.RecordDepartureRequest{RequestId: "depart-1", EmployeeId: "e1", LastDay: "2026-04-30"})
			return r.GetEmployee(), r.GetSequence(), err
		}, attendancev1.EmployeeStatus_EMPLOYEE_STATUS_DEPARTED},
	}
	last := hired.GetSequence()
	for _, st := range steps {
		e, seq, err := st.call()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if e.GetStatus() != st.want {
			t.Errorf("%s: status = %v, want %v", st.name, e.GetStatus(), st.want)
		}
		got, err := hr.GetEmployee(t.Context(), &attendancev1.GetEmployeeRequest{EmployeeId: "e1", MinSequence: seq})
		if err != nil {
			t.Fatalf("%s: GetEmployee: %v", st.name, err)
		}
		if diff := cmp.Diff(e, got.GetEmployee(), protocmp.Transform()); diff != "" {
			t.Errorf("%s: read model mismatch (-answered, +read):\n%s", st.name, diff)
		}
		last = seq
	}

	refused := []struct {
		name string
		call func() error
	}{
		{"depart twice", func() error {
			_, err := hr.RecordDeparture(t.Context(), &attendancev1.RecordDepartureRequest{RequestId: "depart-2", EmployeeId: "e1", LastDay: "2026-05-01"})
			return err
		}},
		{"leave for a departed employee", func() error {
			_, err := hr.RecordLeave(t.Context(), &attendancev1.RecordLeaveRequest{RequestId: "leave-2", EmployeeId: "e1", StartDate: "2026-05-01", EndDate: "2026-05-02", LeaveType: attendancev1.LeaveType_LEAVE_TYPE_SICK})
			return err
		}},
		{"withdraw without notice", func() error {
			_, err := hr.WithdrawResignation(t.Context(), &attendancev1.WithdrawResignationRequest{RequestId: "withdraw-2", EmployeeId: "e1"})
			return err
		}},
		{"hire an existing id", func() error {
			_, err := hr.HireEmployee(t.Context(), hireRequest("hire-e1-again", "e1", tree.team, "", "sales"))
			return err
		}},
		{"manager cycle (self)", func() error {
			_, err := hr.HireEmployee(t.Context(), hireRequest("hire-loop", "loop", tree.team, "loop", "sales"))
			return err
		}},
		{"departed manager", func() error {
			_, err := hr.HireEmployee(t.Context(), hireRequest("hire-e2", "e2", tree.team, "e1", "sales"))
			return err
		}},
		{"unknown org unit", func() error {
			_, err := hr.HireEmployee(t.Context(), hireRequest("hire-e3", "e3", "nowhere", "", "sales"))
			return err
		}},
		{"unknown parent", func() error {
			_, err := admin.CreateOrgUnit(t.Context(), branchRequest("branch-orphan", "nowhere"))
			return err
		}},
		{"team under the company", func() error {
			_, err := admin.CreateOrgUnit(t.Context(), &attendancev1.CreateOrgUnitRequest{RequestId: "team-bad", ParentId: tree.company, Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_TEAM, Name: "x"})
			return err
		}},
	}
	before := env.streamMessages(t, "attendance.acme.>")
	for _, r := range refused {
		wantCode(t, r.call(), codes.FailedPrecondition)
	}
	if n := env.streamMessages(t, "attendance.acme.>"); n != before {
		t.Errorf("refused calls wrote %d events", n-before)
	}

	// Every call's event is in ATTENDANCE, with its actor.
	agg, err := env.Log.Load(t.Context(), eventlog.AggregateRef{Context: "attendance", Tenant: "acme", Type: "employee", ID: "e1"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	type logged struct{ Type, Actor string }
	var got []logged
	for _, rec := range agg.Records {
		got = append(got, logged{eventlog.TypeName(rec.Envelope), rec.Envelope.GetActorId()})
	}
	want := []logged{
		{"holdfast.attendance.v1.EmployeeHired", "hr-1"},
		{"holdfast.attendance.v1.ResignationNoticed", "e1"},
		{"holdfast.attendance.v1.ResignationWithdrawn", "hr-1"},
		{"holdfast.attendance.v1.ResignationNoticed", "hr-1"},
		{"holdfast.attendance.v1.LeaveRecorded", "m1"},
		{"holdfast.attendance.v1.EmployeeDeparted", "hr-1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("e1's events mismatch (-want, +got):\n%s", diff)
	}
	unit, err := env.Log.Load(t.Context(), eventlog.AggregateRef{Context: "attendance", Tenant: "acme", Type: "orgunit", ID: tree.branch})
	if err != nil || len(unit.Records) != 1 || unit.Records[0].Envelope.GetActorId() != "ad-1" {
		t.Errorf("branch's events = %v, %v; want one OrgUnitCreated by ad-1", unit.Records, err)
	}

	list, err := hr.ListEmployees(t.Context(), &attendancev1.ListEmployeesRequest{Status: attendancev1.EmployeeStatus_EMPLOYEE_STATUS_DEPARTED, MinSequence: last})
	if err != nil {
		t.Fatalf("ListEmployees: %v", err)
	}
	if len(list.GetEmployees()) != 1 || list.GetEmployees()[0].GetEmployeeId() != "e1" {
		t.Errorf("departed employees = %v, want e1", list.GetEmployees())
	}
	return last
}

// testRetries sends every mutating call twice with one request id and
// checks the retry answers as the first did and writes nothing.
func testRetries(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "retry"
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	tree := createTree(t, admin, "retry")
	calls := []struct {
		name string
		call func() (any, error)
	}{
		{"CreateOrgUnit", func() (any, error) {
			return admin.CreateOrgUnit(t.Context(), branchRequest("retry-branch-2", tree.company))
		}},
		{"HireEmployee", func() (any, error) {
			return hr.HireEmployee(t.Context(), hireRequest("retry-hire", "r1", tree.team, "", "sales"))
		}},
		{"NoticeResignation", func() (any, error) {
			return hr.NoticeResignation(t.Context(), &attendancev1.NoticeResignationRequest{RequestId: "retry-notice", EmployeeId: "r1", NoticeDate: "2026-03-01", PlannedLastDay: "2026-03-31"})
		}},
		{"WithdrawResignation", func() (any, error) {
			return hr.WithdrawResignation(t.Context(), &attendancev1.WithdrawResignationRequest{RequestId: "retry-withdraw", EmployeeId: "r1"})
		}},
		{"RecordLeave", func() (any, error) {
			return hr.RecordLeave(t.Context(), &attendancev1.RecordLeaveRequest{RequestId: "retry-leave", EmployeeId: "r1", StartDate: "2026-03-02", EndDate: "2026-03-02", LeaveType: attendancev1.LeaveType_LEAVE_TYPE_PERSONAL})
		}},
		{"RecordDeparture", func() (any, error) {
			return hr.RecordDeparture(t.Context(), &attendancev1.RecordDepartureRequest{RequestId: "retry-depart", EmployeeId: "r1", LastDay: "2026-03-31"})
		}},
	}
	for _, c := range calls {
		first, err := c.call()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		before := env.streamMessages(t, "attendance."+tenant+".>")
		again, err := c.call()
		if err != nil {
			t.Fatalf("%s retry: %v", c.name, err)
		}
		if n := env.streamMessages(t, "attendance."+tenant+".>"); n != before {
			t.Errorf("%s retry wrote %d events", c.name, n-before)
		}
		type sequenced interface{ GetSequence() uint64 }
		if f, a := first.(sequenced).GetSequence(), again.(sequenced).GetSequence(); f != a {
			t.Errorf("%s retry answered sequence %d, first %d", c.name, a, f)
		}
		if c.name == "CreateOrgUnit" || c.name == "HireEmployee" {
			// The first event's answer is the same object.
			if diff := cmp.Diff(first, again, protocmp.Transform()); diff != "" {
				t.Errorf("%s retry mismatch (-first, +retry):\n%s", c.name, diff)
			}
		}
	}
	// The same request id for a different unit is refused, not a retry.
	other := branchRequest("retry-branch-2", tree.company)
	other.Name = "北京分公司"
	_, err := admin.CreateOrgUnit(t.Context(), other)
	wantCode(t, err, codes.FailedPrecondition)
}
