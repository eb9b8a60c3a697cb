package attendancesvc_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// fieldNow is the service's clock in the fieldwork tests: device times are
// judged against it, so the tests never depend on the wall clock.
var fieldNow = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func TestFieldworkMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	testFieldwork(t, env, env.startWithClock(t, nil, func() time.Time { return fieldNow }))
}

func TestFieldworkPostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "attendance", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	testFieldwork(t, env, env.startWithClock(t, pool, func() time.Time { return fieldNow }))
}

// registerCustomer writes the client service's registration event, as the
// client service would, with the customer's geo point.
func registerCustomer(t *testing.T, env *testEnv, tenant, id string, lat, lon float64) {
	t.Helper()
	_, err := env.Log.Append(t.Context(), eventlog.AppendRequest{
		Ref:       eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: id},
		RequestID: "register-" + id, ActorID: "e1",
		Payload: &clientv1.CustomerRegistered{
			CustomerId: id, CompanyName: "星海贸易", OwnerEmployeeId: "e1", SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW,
			Address: &clientv1.Address{Text: "上海市黄浦区", Location: &clientv1.GeoPoint{Latitude: lat, Longitude: lon}},
		},
	})
	if err != nil {
		t.Fatalf("register customer %s: %v", id, err)
	}
}

func visitAt(requestID, customer string, lat, lon float64, at time.Time) *attendancev1.CheckInRequest {
	req := checkInRequest(requestID, "", customer, lat, lon)
	req.DeviceTime = timestamppb.New(at)
	return req
}

func testFieldwork(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "field"
	ctx := t.Context()
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	e1 := env.dial(t, svc, principal(tenant, "e1", auth.RoleSales))
	tree := createTree(t, admin, tenant)
	for _, h := range []*attendancev1.HireEmployeeRequest{
		hireRequest("hire-m1", "m1", tree.branch, "", "manager"),
		hireRequest("hire-e1", "e1", tree.team, "m1", "sales"),
	} {
		if _, err := hr.HireEmployee(ctx, h); err != nil {
			t.Fatalf("hire %s: %v", h.GetEmployeeId(), err)
		}
	}
	registerCustomer(t, env, tenant, "c1", 31.2304, 121.4837)
	registerCustomer(t, env, tenant, "c-nowhere", 0, 0)

	// 1. A visit about 950 m from the customer's registered address.
	first, err := e1.CheckIn(ctx, visitAt("k1", "c1", 31.2304, 121.4737, fieldNow.Add(-5*time.Minute)))
	if err != nil {
		t.Fatalf("first check-in: %v", err)
	}
	k1 := first.GetCheckIn()
	if !k1.GetCustomerLocated() || math.Abs(k1.GetDistanceToCustomerM()-950) > 15 || k1.GetPreviousCheckInId() != "" {
		t.Errorf("first check-in facts: located %v, %.0f m, previous %q; want located, about 950 m, none",
			k1.GetCustomerLocated(), k1.GetDistanceToCustomerM(), k1.GetPreviousCheckInId())
	}

	// 2. The same fix to the last digit, no customer: a repeat, no travel.
	second, err := e1.CheckIn(ctx, visitAt("k2", "", 31.2304, 121.4737, fieldNow.Add(-4*time.Minute)))
	if err != nil {
		t.Fatalf("second check-in: %v", err)
	}
	k2 := second.GetCheckIn()
	if k2.GetRepeatsCheckInId() != k1.GetCheckInId() || k2.GetPreviousCheckInId() != k1.GetCheckInId() ||
		k2.GetSecondsSincePrevious() != 60 || k2.GetDistanceFromPreviousM() != 0 || k2.GetCustomerLocated() {
		t.Errorf("second check-in facts = %+v; want a repeat of %s a minute later, no customer", k2, k1.GetCheckInId())
	}

	// 3. Beijing three minutes later: impossible travel.
	third, err := e1.CheckIn(ctx, visitAt("k3", "c-nowhere", 39.9042, 116.4074, fieldNow.Add(-time.Minute)))
	if err != nil {
		t.Fatalf("third check-in: %v", err)
	}
	k3 := third.GetCheckIn()
	if k3.GetSpeedFromPreviousKmh() < 10_000 || k3.GetSecondsSincePrevious() != 180 || k3.GetRepeatsCheckInId() != "" {
		t.Errorf("third check-in: %.0f km/h after %ds, repeats %q; want over 10,000 km/h after 180s, no repeat",
			k3.GetSpeedFromPreviousKmh(), k3.GetSecondsSincePrevious(), k3.GetRepeatsCheckInId())
	}
	if k3.GetCustomerLocated() {
		t.Error("a customer without a geo point counts as located")
	}

	// A retry returns the first result and writes nothing.
	before := env.streamMessages(t, "attendance."+tenant+".checkins.>")
	again, err := e1.CheckIn(ctx, visitAt("k1", "c1", 31.2304, 121.4737, fieldNow.Add(-5*time.Minute)))
	if err != nil {
		t.Fatalf("retried check-in: %v", err)
	}
	if again.GetSequence() != first.GetSequence() || again.GetCheckIn().GetCheckInId() != k1.GetCheckInId() {
		t.Errorf("retry = %d %s, want %d %s", again.GetSequence(), again.GetCheckIn().GetCheckInId(), first.GetSequence(), k1.GetCheckInId())
	}
	if n := env.streamMessages(t, "attendance."+tenant+".checkins.>"); n != before {
		t.Errorf("the retry wrote %d events", n-before)
	}

	// Bad links and people who cannot check in.
	_, err = e1.CheckIn(ctx, visitAt("k4", "c-unknown", 31, 121, fieldNow))
	wantCode(t, err, codes.FailedPrecondition)
	gateway := env.dial(t, svc, principal(tenant, "gw", auth.RoleService))
	nobody := visitAt("k5", "", 31, 121, fieldNow)
	nobody.EmployeeId = "nobody"
	_, err = gateway.CheckIn(ctx, nobody)
	wantCode(t, err, codes.FailedPrecondition)
	forOther := visitAt("k6", "", 31, 121, fieldNow)
	forOther.EmployeeId = "e1"
	_, err = env.dial(t, svc, principal(tenant, "e2", auth.RoleSales)).CheckIn(ctx, forOther)
	wantCode(t, err, codes.PermissionDenied)

	// Listing: newest first, by employee or customer, paged.
	m1 := env.dial(t, svc, principal(tenant, "m1", auth.RoleManager))
	page1, err := m1.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{EmployeeId: "e1", PageSize: 2, MinSequence: third.GetSequence()})
	if err != nil {
		t.Fatalf("ListCheckIns: %v", err)
	}
	page2, err := m1.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{EmployeeId: "e1", PageSize: 2, PageToken: page1.GetNextPageToken()})
	if err != nil {
		t.Fatalf("ListCheckIns page 2: %v", err)
	}
	var ids []string
	for _, c := range append(page1.GetCheckIns(), page2.GetCheckIns()...) {
		ids = append(ids, c.GetCheckInId())
	}
	if diff := cmp.Diff([]string{k3.GetCheckInId(), k2.GetCheckInId(), k1.GetCheckInId()}, ids); diff != "" {
		t.Errorf("check-ins mismatch (-want, +got):\n%s", diff)
	}
	byCustomer, err := hr.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{CustomerId: "c1"})
	if err != nil || len(byCustomer.GetCheckIns()) != 1 || byCustomer.GetCheckIns()[0].GetDistanceToCustomerM() != k1.GetDistanceToCustomerM() {
		t.Errorf("c1's check-ins = %v, %v; want the first visit with its facts", byCustomer.GetCheckIns(), err)
	}

	// A gateway's request ids are its own: one id for two employees is two check-ins.
	hire, err := hr.HireEmployee(ctx, hireRequest("hire-e2", "e2", tree.team, "m1", "sales"))
	if err != nil {
		t.Fatalf("hire e2: %v", err)
	}
	var gatewayIDs []string
	for _, who := range []string{"e1", "e2"} {
		req := visitAt("device-counter-1", "", 31.1, 121.1, fieldNow)
		req.EmployeeId = who
		got, err := gateway.CheckIn(ctx, req)
		if err != nil {
			t.Fatalf("gateway check-in of %s: %v (hired at %d)", who, err, hire.GetSequence())
		}
		if got.GetCheckIn().GetEmployeeId() != who {
			t.Errorf("gateway check-in of %s came back as %s's", who, got.GetCheckIn().GetEmployeeId())
		}
		gatewayIDs = append(gatewayIDs, got.GetCheckIn().GetCheckInId())
	}
	if gatewayIDs[0] == gatewayIDs[1] {
		t.Errorf("two employees' check-ins share the id %s", gatewayIDs[0])
	}

	testWorkingDays(t, hr, tenant)
	testTransfers(t, env, svc, tenant, tree)
}

func testWorkingDays(t *testing.T, hr attendancev1.AttendanceServiceClient, tenant string) {
	ctx := t.Context()
	leave, err := hr.RecordLeave(ctx, &attendancev1.RecordLeaveRequest{RequestId: "leave-e1", EmployeeId: "e1", StartDate: "2026-03-02", EndDate: "2026-03-03", LeaveType: attendancev1.LeaveType_LEAVE_TYPE_ANNUAL})
	if err != nil {
		t.Fatalf("RecordLeave: %v", err)
	}
	for date, want := range map[string]attendancev1.DayKind{
		"2026-03-04": attendancev1.DayKind_DAY_KIND_WORKING,
		"2026-03-02": attendancev1.DayKind_DAY_KIND_ON_LEAVE,
		"2026-03-07": attendancev1.DayKind_DAY_KIND_REST_DAY,
		"2026-10-01": attendancev1.DayKind_DAY_KIND_HOLIDAY,
		"2025-12-31": attendancev1.DayKind_DAY_KIND_NOT_EMPLOYED,
	} {
		got, err := hr.IsWorkingDay(ctx, &attendancev1.IsWorkingDayRequest{EmployeeId: "e1", Date: date, MinSequence: leave.GetSequence()})
		if err != nil {
			t.Fatalf("IsWorkingDay %s: %v", date, err)
		}
		if got.GetKind() != want || got.GetWorking() != (want == attendancev1.DayKind_DAY_KIND_WORKING) || got.GetTimeZone() != "Asia/Shanghai" {
			t.Errorf("%s in %s: %v (working %v, %s), want %v", date, tenant, got.GetKind(), got.GetWorking(), got.GetTimeZone(), want)
		}
	}
}

// testTransfers moves e1 out of m1's branch: m1 stops seeing e1, the
// timeline tells the story, and a loop in the reporting line is refused.
func testTransfers(t *testing.T, env *testEnv, svc *runningService, tenant string, tree orgTree) {
	ctx := t.Context()
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	m1 := env.dial(t, svc, principal(tenant, "m1", auth.RoleManager))

	// m1 manages the branch: e1 in the team below is in sight, with subunits.
	list, err := m1.ListEmployees(ctx, &attendancev1.ListEmployeesRequest{OrgUnitId: tree.branch, IncludeSubunits: true})
	if err != nil || len(list.GetEmployees()) != 3 {
		t.Fatalf("m1's branch with subunits = %v, %v; want m1, e1 and e2", list.GetEmployees(), err)
	}

	// A loop: m1 reporting to e1, who reports to m1.
	_, err = hr.TransferEmployee(ctx, &attendancev1.TransferEmployeeRequest{RequestId: "loop", EmployeeId: "m1", OrgUnitId: tree.branch, ManagerId: "e1", EffectiveDate: "2026-04-01"})
	wantCode(t, err, codes.FailedPrecondition)

	other, err := admin.CreateOrgUnit(ctx, branchRequest("beijing", tree.company))
	if err != nil {
		t.Fatalf("create branch: %v", err)
	}
	moved, err := hr.TransferEmployee(ctx, &attendancev1.TransferEmployeeRequest{RequestId: "move-e1", EmployeeId: "e1", OrgUnitId: other.GetOrgUnit().GetOrgUnitId(), EffectiveDate: "2026-04-01"})
	if err != nil {
		t.Fatalf("TransferEmployee: %v", err)
	}
	if e := moved.GetEmployee(); e.GetOrgUnitId() != other.GetOrgUnit().GetOrgUnitId() || e.GetManagerId() != "" {
		t.Errorf("after the transfer: unit %s manager %q", e.GetOrgUnitId(), e.GetManagerId())
	}
	promoted, err := hr.ChangeRole(ctx, &attendancev1.ChangeRoleRequest{RequestId: "promote-e1", EmployeeId: "e1", Role: "senior_sales", EffectiveDate: "2026-05-01"})
	if err != nil || promoted.GetEmployee().GetRole() != "senior_sales" {
		t.Fatalf("ChangeRole = %v, %v", promoted.GetEmployee(), err)
	}
	_, err = hr.ChangeRole(ctx, &attendancev1.ChangeRoleRequest{RequestId: "promote-again", EmployeeId: "e1", Role: "senior_sales", EffectiveDate: "2026-05-02"})
	wantCode(t, err, codes.FailedPrecondition)
	// A request id already used for the transfer is not a retry of a role change.
	_, err = hr.ChangeRole(ctx, &attendancev1.ChangeRoleRequest{RequestId: "move-e1", EmployeeId: "e1", Role: "sales", EffectiveDate: "2026-05-02"})
	wantCode(t, err, codes.FailedPrecondition)

	_, err = m1.GetEmployee(ctx, &attendancev1.GetEmployeeRequest{EmployeeId: "e1", MinSequence: promoted.GetSequence()})
	wantCode(t, err, codes.PermissionDenied)
	_, err = m1.ListCheckIns(ctx, &attendancev1.ListCheckInsRequest{EmployeeId: "e1"})
	wantCode(t, err, codes.PermissionDenied)

	// m1 is demoted: their manager token no longer reaches what is left of their subtree.
	if _, err := m1.GetEmployee(ctx, &attendancev1.GetEmployeeRequest{EmployeeId: "e2"}); err != nil {
		t.Fatalf("m1 reads e2 before the demotion: %v", err)
	}
	demoted, err := hr.ChangeRole(ctx, &attendancev1.ChangeRoleRequest{RequestId: "demote-m1", EmployeeId: "m1", Role: "sales", EffectiveDate: "2026-05-01"})
	if err != nil {
		t.Fatalf("demote m1: %v", err)
	}
	_, err = m1.GetEmployee(ctx, &attendancev1.GetEmployeeRequest{EmployeeId: "e2", MinSequence: demoted.GetSequence()})
	wantCode(t, err, codes.PermissionDenied)

	timeline, err := env.dial(t, svc, principal(tenant, "e1", auth.RoleSales)).GetEmployeeTimeline(ctx, &attendancev1.GetEmployeeTimelineRequest{EmployeeId: "e1"})
	if err != nil {
		t.Fatalf("GetEmployeeTimeline: %v", err)
	}
	var types []string
	for _, e := range timeline.GetEntries() {
		types = append(types, e.GetEventType())
		if e.GetSummary() == "" || e.GetActorId() != "hr-1" || e.GetSequence() == 0 {
			t.Errorf("timeline entry %+v lacks a summary, actor or sequence", e)
		}
		// The Chinese account says the same: the same dates, in Chinese.
		if zh := e.GetSummaryZh(); !strings.ContainsFunc(zh, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) ||
			(e.GetEventType() == "holdfast.attendance.v1.EmployeeTransferred" && !strings.Contains(zh, "2026-")) {
			t.Errorf("timeline entry %s: summary_zh %q is not a Chinese account of %q", e.GetEventType(), zh, e.GetSummary())
		}
	}
	want := []string{
		"holdfast.attendance.v1.EmployeeHired", "holdfast.attendance.v1.LeaveRecorded",
		"holdfast.attendance.v1.EmployeeTransferred", "holdfast.attendance.v1.EmployeeRoleChanged",
	}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("timeline mismatch (-want, +got):\n%s", diff)
	}
}
