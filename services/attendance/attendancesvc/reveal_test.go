package attendancesvc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

const revealedType = "holdfast.attendance.v1.EmployeeIdentityRevealed"

func TestRevealEmployeeIdentityMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	testReveal(t, env, env.start(t, nil))
}

func TestRevealEmployeeIdentityPostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "attendance", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	testReveal(t, env, env.start(t, pool))
}

// testReveal covers RevealEmployeeIdentity: who may reveal (hr, auditor,
// admin, a manager above the employee), the checks of its input, that the
// reveal is written once per request id, and who sees it in the timeline.
func testReveal(t *testing.T, env *testEnv, svc *runningService) {
	const tenant = "reveal"
	admin := env.dial(t, svc, principal(tenant, "ad-1", auth.RoleAdmin))
	hr := env.dial(t, svc, principal(tenant, "hr-1", auth.RoleHR))
	tree := createTree(t, admin, "reveal")
	other, err := admin.CreateOrgUnit(t.Context(), &attendancev1.CreateOrgUnitRequest{
		RequestId: "reveal-team-2", ParentId: tree.branch, Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_TEAM, Name: "销售二组",
	})
	if err != nil {
		t.Fatal(err)
	}
	var hired uint64
	for _, h := range []*attendancev1.HireEmployeeRequest{
		hireRequest("hire-m1", "m1", tree.team, "", "manager"),
		hireRequest("hire-m2", "m2", other.GetOrgUnit().GetOrgUnitId(), "", "manager"),
		hireRequest("hire-s1", "s1", tree.team, "m1", "sales"),
		hireRequest("hire-s2", "s2", tree.team, "m1", "sales"),
	} {
		resp, err := hr.HireEmployee(t.Context(), h)
		if err != nil {
			t.Fatalf("hire %s: %v", h.GetEmployeeId(), err)
		}
		hired = resp.GetSequence()
	}
	// The managers' subtree checks read the read model: wait for the hires.
	if _, err := hr.GetEmployee(t.Context(), &attendancev1.GetEmployeeRequest{EmployeeId: "s2", MinSequence: hired}); err != nil {
		t.Fatalf("GetEmployee s2: %v", err)
	}
	reveal := func(c attendancev1.AttendanceServiceClient, requestID, employee, reason string) (*attendancev1.RevealEmployeeIdentityResponse, error) {
		return c.RevealEmployeeIdentity(t.Context(), &attendancev1.RevealEmployeeIdentityRequest{RequestId: requestID, EmployeeId: employee, Reason: reason})
	}

	t.Run("invalid arguments", func(t *testing.T) {
		for _, c := range []struct {
			name                        string
			requestID, employee, reason string
			want                        []string
		}{
			{"empty reason", "r1", "s1", "", []string{"reason"}},
			{"blank reason", "r1", "s1", " \t ", []string{"reason"}},
			{"long reason", "r1", "s1", strings.Repeat("因", 501), []string{"reason"}},
			{"bad ids", "", "s 1", "audit", []string{"employee_id", "request_id"}},
			{"everything", "r/1", "", "", []string{"employee_id", "reason", "request_id"}},
		} {
			_, err := reveal(hr, c.requestID, c.employee, c.reason)
			if diff := cmp.Diff(c.want, violatedFields(t, err)); diff != "" {
				t.Errorf("%s: violated fields (-want +got):\n%s", c.name, diff)
			}
		}
		if _, err := reveal(hr, "r-max", "s1", strings.Repeat("因", 500)); err != nil {
			t.Errorf("500-character reason: %v", err)
		}
	})

	t.Run("not found", func(t *testing.T) {
		_, err := reveal(hr, "r-nobody", "nobody", "audit")
		wantCode(t, err, codes.NotFound)
	})

	t.Run("roles and subtree", func(t *testing.T) {
		for _, c := range []struct {
			who      auth.Principal
			employee string
			want     codes.Code
		}{
			{principal(tenant, "hr-1", auth.RoleHR), "s1", codes.OK},
			{principal(tenant, "au-1", auth.RoleAuditor), "s1", codes.OK},
			{principal(tenant, "ad-1", auth.RoleAdmin), "s1", codes.OK},
			{principal(tenant, "m1", auth.RoleManager), "s1", codes.OK},
			// m2 manages another team: s1 is outside their subtree.
			{principal(tenant, "m2", auth.RoleManager), "s1", codes.PermissionDenied},
			// A salesperson reveals nobody, not even a teammate.
			{principal(tenant, "s2", auth.RoleSales), "s1", codes.PermissionDenied},
			{principal(tenant, "s1", auth.RoleSales), "s1", codes.PermissionDenied},
			{principal(tenant, "svc", auth.RoleService), "s1", codes.PermissionDenied},
			// Another tenant's hr does not find the employee.
			{principal("elsewhere", "hr-9", auth.RoleHR), "s1", codes.NotFound},
		} {
			resp, err := reveal(env.dial(t, svc, c.who), "roles-"+c.who.Subject, c.employee, "checking an alert")
			if c.want == codes.OK {
				if err != nil {
					t.Errorf("%s (%s) reveals %s: %v", c.who.Subject, c.who.Roles[0], c.employee, err)
					continue
				}
				if resp.GetName() != "张三" || resp.GetEmployeeId() != c.employee || resp.GetSequence() == 0 {
					t.Errorf("%s reveals %s = %v, want the name 张三 and a sequence", c.who.Subject, c.employee, resp)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s (%s) revealed %s; want %v", c.who.Subject, c.who.Roles[0], c.employee, c.want)
				continue
			}
			wantCode(t, err, c.want)
		}
	})

	t.Run("recorded once, visible to auditors only", func(t *testing.T) {
		first, err := reveal(hr, "audit-s2", "s2", "alert 7 needs the name")
		if err != nil {
			t.Fatal(err)
		}
		before := env.streamMessages(t, "attendance."+tenant+".>")
		again, err := reveal(hr, "audit-s2", "s2", "alert 7 needs the name")
		if err != nil {
			t.Fatal(err)
		}
		if n := env.streamMessages(t, "attendance."+tenant+".>"); n != before || again.GetSequence() != first.GetSequence() {
			t.Errorf("retry wrote %d events, sequence %d then %d", n-before, first.GetSequence(), again.GetSequence())
		}
		tl, err := hr.GetEmployeeTimeline(t.Context(), &attendancev1.GetEmployeeTimelineRequest{EmployeeId: "s2"})
		if err != nil {
			t.Fatal(err)
		}
		var found *attendancev1.TimelineEntry
		for i, e := range tl.GetEntries() {
			if i > 0 && e.GetSequence() <= tl.GetEntries()[i-1].GetSequence() {
				t.Errorf("timeline not in stream order at %d: %v", i, tl.GetEntries())
			}
			if e.GetEventType() == revealedType {
				found = e
			}
		}
		if found == nil || found.GetSequence() != first.GetSequence() || found.GetActorId() != "hr-1" ||
			!strings.Contains(found.GetSummary(), "alert 7 needs the name") {
			t.Errorf("hr's timeline of s2 = %v, want the reveal at %d by hr-1 with its reason", tl.GetEntries(), first.GetSequence())
		}
		// The employee and their manager read the lifecycle, not who looked
		// them up; nor does the employee when they hold an hr role themselves.
		for _, p := range []auth.Principal{principal(tenant, "s2", auth.RoleSales), principal(tenant, "m1", auth.RoleManager), principal(tenant, "s2", auth.RoleHR)} {
			tl, err := env.dial(t, svc, p).GetEmployeeTimeline(t.Context(), &attendancev1.GetEmployeeTimelineRequest{EmployeeId: "s2"})
			if err != nil {
				t.Fatalf("%s reads s2's timeline: %v", p.Subject, err)
			}
			if len(tl.GetEntries()) == 0 {
				t.Errorf("%s sees an empty timeline", p.Subject)
			}
			for _, e := range tl.GetEntries() {
				if e.GetEventType() == revealedType {
					t.Errorf("%s sees the reveal %v", p.Subject, e)
				}
			}
		}
		// The reveal changes nothing the read model serves.
		got, err := hr.GetEmployee(t.Context(), &attendancev1.GetEmployeeRequest{EmployeeId: "s2", MinSequence: first.GetSequence()})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetEmployee().GetVersion() != 1 {
			t.Errorf("s2's version after a reveal = %d, want 1 (the hire only)", got.GetEmployee().GetVersion())
		}
	})
}
