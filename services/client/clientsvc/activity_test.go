package clientsvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

func TestTeamActivityMemory(t *testing.T) {
	t.Parallel()
	testTeamActivity(t, nil)
}

func TestTeamActivityPostgres(t *testing.T) {
	t.Parallel()
	testTeamActivity(t, testkit.NewDatabase(t, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	}))
}

// testTeamActivity builds a fortnight by hand, on the service's clock, in
// the matrix tree (north: team-a s-owner, s-mate, ss-team; team-b s-far,
// ss-other; south: team-c s-south), and checks the report's figures, who
// may ask for which unit, paging and bad requests.
//
//	day 0  s-owner registers c1; s-mate talks to 13800138009 off the books
//	day 1  s-owner follows c1 up
//	day 3  s-mate registers c2 with that phone: 3 days late
//	day 8  s-owner follows c1 up again; nobody follows c2 up
//	day 14 the report is asked for [day 0, day 14)
func testTeamActivity(t *testing.T, pool *pgxpool.Pool) {
	env := newEnv(t)
	start := time.Date(2031, 5, 5, 9, 0, 0, 0, time.UTC)
	clock := &testClock{t: start}
	svc := env.startWithClock(t, pool, clock.now)
	const tenant = "report"
	matrixTree(t, env, tenant)
	owner := env.dial(t, svc, principal(tenant, "s-owner", auth.RoleSales))
	mate := env.dial(t, svc, principal(tenant, "s-mate", auth.RoleSales))
	day := 24 * time.Hour
	var lastSeq uint64
	seen := func(seq uint64, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		lastSeq = max(lastSeq, seq)
	}

	r1, err := owner.RegisterCustomer(t.Context(), registerRequest("c1", "客户一", "13800138001"))
	seen(r1.GetSequence(), err)
	talk, err := mate.LogInteraction(t.Context(), &clientv1.LogInteractionRequest{
		RequestId: "off-book", CounterpartyContact: "13800138009", Kind: clientv1.InteractionKind_INTERACTION_KIND_CALL,
		Direction: clientv1.Direction_DIRECTION_OUTBOUND,
	})
	seen(talk.GetSequence(), err)
	clock.advance(day)
	f1, err := owner.LogInteraction(t.Context(), noteRequest("f1", r1.GetCustomer().GetCustomerId()))
	seen(f1.GetSequence(), err)
	clock.advance(2 * day)
	r2, err := mate.RegisterCustomer(t.Context(), registerRequest("c2", "客户二", "13800138009"))
	seen(r2.GetSequence(), err)
	clock.advance(5 * day)
	f2, err := owner.LogInteraction(t.Context(), noteRequest("f2", r1.GetCustomer().GetCustomerId()))
	seen(f2.GetSequence(), err)
	clock.advance(6 * day)

	from, to := timestamppb.New(start), timestamppb.New(start.Add(14*day))
	report := func(who, role, unit string) (*clientv1.GetTeamActivityResponse, error) {
		c := env.dial(t, svc, principal(tenant, who, auth.Role(role)))
		return c.GetTeamActivity(t.Context(), &clientv1.GetTeamActivityRequest{From: from, To: to, OrgUnitId: unit, MinSequence: lastSeq})
	}

	t.Run("figures", func(t *testing.T) {
		got, err := report("hr-1", "hr", "north")
		if err != nil {
			t.Fatal(err)
		}
		zero := &clientv1.ActivityFigures{Weeks: 2}
		ownerFigures := &clientv1.ActivityFigures{
			HeldNow: 1, HeldAverage: 1, FollowUps: 2, FollowUpsPerCustomerWeek: proto.Float64(1), Weeks: 2,
			DueCustomerWeeks: 2, FollowedCustomerWeeks: 2, Utilisation: proto.Float64(1), Registered: 1,
		}
		mateFigures := &clientv1.ActivityFigures{
			HeldNow: 1, HeldAverage: 11.0 / 14, FollowUpsPerCustomerWeek: proto.Float64(0), Weeks: 2,
			DueCustomerWeeks: 1, Utilisation: proto.Float64(0), Registered: 1, RegisteredAfterContact: 1,
			LatenessMedianDays: proto.Float64(3),
		}
		teamA := &clientv1.ActivityFigures{
			HeldNow: 2, HeldAverage: 25.0 / 14, FollowUps: 2, FollowUpsPerCustomerWeek: proto.Float64(2.0 / 3), Weeks: 2,
			DueCustomerWeeks: 3, FollowedCustomerWeeks: 2, Utilisation: proto.Float64((1 + 0.5) / 2), Registered: 2,
			RegisteredAfterContact: 1, LatenessMedianDays: proto.Float64(3),
		}
		want := &clientv1.GetTeamActivityResponse{
			Employees: []*clientv1.EmployeeActivity{
				{EmployeeId: "m-north", OrgUnitId: "north", Figures: zero},
				{EmployeeId: "s-far", OrgUnitId: "team-b", Figures: zero},
				{EmployeeId: "s-mate", OrgUnitId: "team-a", Figures: mateFigures},
				{EmployeeId: "s-owner", OrgUnitId: "team-a", Figures: ownerFigures},
				{EmployeeId: "ss-other", OrgUnitId: "team-b", Figures: zero},
				{EmployeeId: "ss-team", OrgUnitId: "team-a", Figures: zero},
			},
			Teams: []*clientv1.TeamActivity{
				{OrgUnitId: "north", Employees: 1, Figures: zero},
				{OrgUnitId: "team-a", Employees: 3, Figures: teamA},
				{OrgUnitId: "team-b", Employees: 2, Figures: zero},
			},
			Total: &clientv1.TeamActivity{OrgUnitId: "north", Employees: 6, Figures: teamA},
			From:  from, To: to, MeasuredTo: to,
		}
		if diff := cmp.Diff(want, got, protocmp.Transform(), protocmp.SortRepeatedFields(&clientv1.GetTeamActivityResponse{}, "teams"),
			cmp.Comparer(func(a, b float64) bool { return a == b || (a-b < 1e-9 && b-a < 1e-9) })); diff != "" {
			t.Errorf("report mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("who may ask for which unit", func(t *testing.T) {
		for _, tt := range []struct {
			who, role, unit string
			want            codes.Code
			employees       int
		}{
			{"hr-1", "hr", "company", codes.OK, 8},
			{"au-1", "auditor", "south", codes.OK, 2},
			{"ad-1", "admin", "team-a", codes.OK, 3},
			{"m-north", "manager", "", codes.OK, 6},
			{"m-north", "manager", "team-b", codes.OK, 2},
			{"m-north", "manager", "south", codes.PermissionDenied, 0},
			{"m-north", "manager", "company", codes.PermissionDenied, 0},
			{"m-south", "manager", "team-a", codes.PermissionDenied, 0},
			// A manager the roster does not place sees no unit.
			{"m-x", "manager", "", codes.PermissionDenied, 0},
			{"m-x", "manager", "team-a", codes.PermissionDenied, 0},
			{"s-owner", "sales", "team-a", codes.PermissionDenied, 0},
			{"ss-team", "senior_sales", "team-a", codes.PermissionDenied, 0},
			// A manager's token for someone the roster has as senior_sales
			// sees their team, not a report over a subtree.
			{"ss-team", "manager", "team-a", codes.PermissionDenied, 0},
			{"ss-team", "manager", "", codes.PermissionDenied, 0},
			// An outside unit is refused, not reported as unknown.
			{"m-north", "manager", "no-such-unit", codes.PermissionDenied, 0},
			{"hr-1", "hr", "nowhere", codes.InvalidArgument, 0},
			{"hr-1", "hr", "", codes.InvalidArgument, 0},
		} {
			got, err := report(tt.who, tt.role, tt.unit)
			if tt.want != codes.OK {
				wantCode(t, err, tt.want)
				continue
			}
			if err != nil {
				t.Errorf("%s (%s) on %q: %v", tt.who, tt.role, tt.unit, err)
				continue
			}
			if n := len(got.GetEmployees()); n != tt.employees || got.GetTotal().GetEmployees() != int32(tt.employees) { //nolint:gosec // a handful
				t.Errorf("%s (%s) on %q: %d employees, total %d; want %d", tt.who, tt.role, tt.unit, n, got.GetTotal().GetEmployees(), tt.employees)
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		c := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
		var ids []string
		req := &clientv1.GetTeamActivityRequest{From: from, To: to, OrgUnitId: "team-a", PageSize: 2}
		for page := 0; ; page++ {
			resp, err := c.GetTeamActivity(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if (page == 0) != (resp.GetTotal() != nil) {
				t.Errorf("page %d: total %v; want it on the first page only", page, resp.GetTotal())
			}
			for _, e := range resp.GetEmployees() {
				ids = append(ids, e.GetEmployeeId())
			}
			if resp.GetNextPageToken() == "" {
				break
			}
			req.PageToken = resp.GetNextPageToken()
		}
		if diff := cmp.Diff([]string{"s-mate", "s-owner", "ss-team"}, ids); diff != "" {
			t.Errorf("paged employees mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("a running period is measured to now", func(t *testing.T) {
		c := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
		resp, err := c.GetTeamActivity(t.Context(), &clientv1.GetTeamActivityRequest{
			From: from, To: timestamppb.New(start.Add(28 * day)), OrgUnitId: "team-a",
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.GetMeasuredTo().AsTime(); !got.Equal(clock.now()) {
			t.Errorf("measured to %v, want now %v", got, clock.now())
		}
		if w := resp.GetTotal().GetFigures().GetWeeks(); w != 2 {
			t.Errorf("weeks = %d, want 2 (day 14 is now)", w)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		c := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
		for _, tt := range []struct {
			name string
			req  *clientv1.GetTeamActivityRequest
			want []string
		}{
			{"no period", &clientv1.GetTeamActivityRequest{OrgUnitId: "north"}, []string{"from", "to"}},
			{"to before from", &clientv1.GetTeamActivityRequest{From: to, To: from, OrgUnitId: "north"}, []string{"to"}},
			{"empty period", &clientv1.GetTeamActivityRequest{From: from, To: from, OrgUnitId: "north"}, []string{"to"}},
			{"over 366 days", &clientv1.GetTeamActivityRequest{From: from, To: timestamppb.New(start.Add(367 * day)), OrgUnitId: "north"}, []string{"to"}},
			{"invalid timestamps", &clientv1.GetTeamActivityRequest{
				From: &timestamppb.Timestamp{Seconds: -1 << 62}, To: &timestamppb.Timestamp{Seconds: 1, Nanos: 2e9}, OrgUnitId: "north",
			}, []string{"from", "to"}},
			{"bad unit id", &clientv1.GetTeamActivityRequest{From: from, To: to, OrgUnitId: "north/../south"}, []string{"org_unit_id"}},
			{"unknown unit", &clientv1.GetTeamActivityRequest{From: from, To: to, OrgUnitId: "atlantis"}, []string{"org_unit_id"}},
			{"page size and token", &clientv1.GetTeamActivityRequest{From: from, To: to, OrgUnitId: "north", PageSize: 501, PageToken: "not-ours"}, []string{"page_size", "page_token"}},
			{"negative page size", &clientv1.GetTeamActivityRequest{From: from, To: to, OrgUnitId: "north", PageSize: -1}, []string{"page_size"}},
		} {
			_, err := c.GetTeamActivity(t.Context(), tt.req)
			if diff := cmp.Diff(tt.want, violatedFields(t, err)); diff != "" {
				t.Errorf("%s: violated fields mismatch (-want, +got):\n%s", tt.name, diff)
			}
		}
	})
}

// teamActivityRequest asks for a fortnight's report on unit, once the read
// model has applied seq.
func teamActivityRequest(unit string, seq uint64) *clientv1.GetTeamActivityRequest {
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	return &clientv1.GetTeamActivityRequest{
		From: timestamppb.New(from), To: timestamppb.New(from.AddDate(0, 0, 14)), OrgUnitId: unit, MinSequence: seq,
	}
}
