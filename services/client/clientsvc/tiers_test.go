package clientsvc_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

func TestTiersMemory(t *testing.T) {
	t.Parallel()
	testTiers(t, nil)
}

func TestTiersPostgres(t *testing.T) {
	t.Parallel()
	testTiers(t, testkit.NewDatabase(t, "client", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	}))
}

// testTiers checks what each place in the organisation tree lists and
// reads, and that the attendance service's transfers, role changes and
// departures count from the next call. The tree is matrixTree's.
func testTiers(t *testing.T, pool *pgxpool.Pool) {
	env := newEnv(t)
	svc := env.start(t, pool)
	outer := t
	const tenant = "tiers"
	matrixTree(t, env, tenant)
	as := func(id string, role auth.Role) clientv1.ClientServiceClient {
		return env.dial(t, svc, principal(tenant, id, role))
	}
	// One customer per holder, named after the holder; s-owner also has one
	// in the pool.
	customers := map[string]string{} // holder → customer id
	var last uint64
	for i, holder := range []string{"s-owner", "s-mate", "ss-team", "s-far", "s-south", "m-x"} {
		role := auth.RoleSales
		switch holder {
		case "ss-team":
			role = auth.RoleSeniorSales
		case "m-x":
			role = auth.RoleManager
		}
		resp, err := as(holder, role).RegisterCustomer(t.Context(), registerRequest("reg-"+holder, "客户 "+holder, fmt.Sprintf("1380000%04d", i)))
		if err != nil {
			t.Fatalf("RegisterCustomer as %s: %v", holder, err)
		}
		customers[holder], last = resp.GetCustomer().GetCustomerId(), resp.GetSequence()
	}
	pooledID := func() string {
		owner := as("s-owner", auth.RoleSales)
		resp, err := owner.RegisterCustomer(t.Context(), registerRequest("reg-pooled", "公海客户", "13900009999"))
		if err != nil {
			t.Fatal(err)
		}
		rel, err := owner.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{RequestId: "rel-pooled", CustomerId: resp.GetCustomer().GetCustomerId(), Reason: "暂无需求"})
		if err != nil {
			t.Fatal(err)
		}
		last = rel.GetSequence()
		return resp.GetCustomer().GetCustomerId()
	}()
	// listed names the holders of the customers c lists with req ("pool"
	// for a pooled one), sorted.
	listed := func(t *testing.T, c clientv1.ClientServiceClient, req *clientv1.ListCustomersRequest) ([]string, error) {
		t.Helper()
		req.PageSize, req.MinSequence = 500, last
		resp, err := c.ListCustomers(t.Context(), req)
		if err != nil {
			return nil, err
		}
		var holders []string
		for _, cu := range resp.GetCustomers() {
			switch cu.GetCustomerId() {
			case pooledID:
				holders = append(holders, "pool")
			default:
				holders = append(holders, cu.GetOwnerEmployeeId())
			}
		}
		slices.Sort(holders)
		return holders, nil
	}

	t.Run("what each place lists", func(t *testing.T) {
		everyone := []string{"m-x", "pool", "s-far", "s-mate", "s-owner", "s-south", "ss-team"}
		for _, tt := range []struct {
			name  string
			c     clientv1.ClientServiceClient
			req   *clientv1.ListCustomersRequest
			want  []string
			code  codes.Code
			valid bool
		}{
			{name: "sales: their own", c: as("s-owner", auth.RoleSales), want: []string{"s-owner"}},
			{name: "sales: the pool", c: as("s-mate", auth.RoleSales), req: &clientv1.ListCustomersRequest{InPool: true}, want: []string{"pool"}},
			{name: "senior_sales: the team and the pool", c: as("ss-team", auth.RoleSeniorSales), want: []string{"pool", "s-mate", "s-owner", "ss-team"}},
			{name: "senior_sales of team-b", c: as("ss-other", auth.RoleSeniorSales), want: []string{"pool", "s-far"}},
			{name: "senior_sales not on the roster: their own and the pool", c: as("ss-x", auth.RoleSeniorSales), want: []string{"pool"}},
			{name: "manager: the subtree and the pool", c: as("m-north", auth.RoleManager), want: []string{"pool", "s-far", "s-mate", "s-owner", "ss-team"}},
			{name: "manager of the south", c: as("m-south", auth.RoleManager), want: []string{"pool", "s-south"}},
			{name: "manager not on the roster", c: as("m-x", auth.RoleManager), want: []string{"m-x", "pool"}},
			{name: "hr: everyone", c: as("hr-1", auth.RoleHR), want: everyone},
			{name: "auditor: everyone", c: as("au-1", auth.RoleAuditor), want: everyone},
			{name: "manager by org unit team-b", c: as("m-north", auth.RoleManager), req: &clientv1.ListCustomersRequest{OrgUnitId: "team-b"}, want: []string{"s-far"}},
			{name: "manager by an org unit above theirs", c: as("m-north", auth.RoleManager), req: &clientv1.ListCustomersRequest{OrgUnitId: "company"}, want: []string{"s-far", "s-mate", "s-owner", "ss-team"}},
			{name: "manager by an org unit outside", c: as("m-north", auth.RoleManager), req: &clientv1.ListCustomersRequest{OrgUnitId: "team-c"}, code: codes.PermissionDenied},
			{name: "hr by org unit north", c: as("hr-1", auth.RoleHR), req: &clientv1.ListCustomersRequest{OrgUnitId: "north"}, want: []string{"s-far", "s-mate", "s-owner", "ss-team"}},
			{name: "hr by an unknown org unit", c: as("hr-1", auth.RoleHR), req: &clientv1.ListCustomersRequest{OrgUnitId: "atlantis"}, code: codes.InvalidArgument},
			{name: "sales by their own team", c: as("s-owner", auth.RoleSales), req: &clientv1.ListCustomersRequest{OrgUnitId: "team-a"}, want: []string{"s-owner"}},
			{name: "senior_sales by the team's holder", c: as("ss-team", auth.RoleSeniorSales), req: &clientv1.ListCustomersRequest{OwnerEmployeeId: "s-mate"}, want: []string{"s-mate"}},
			{name: "senior_sales by another team's holder", c: as("ss-team", auth.RoleSeniorSales), req: &clientv1.ListCustomersRequest{OwnerEmployeeId: "s-far"}, code: codes.PermissionDenied},
			{name: "manager by a holder outside", c: as("m-north", auth.RoleManager), req: &clientv1.ListCustomersRequest{OwnerEmployeeId: "s-south"}, code: codes.PermissionDenied},
		} {
			t.Run(tt.name, func(t *testing.T) {
				req := tt.req
				if req == nil {
					req = &clientv1.ListCustomersRequest{}
				}
				got, err := listed(t, tt.c, req)
				if tt.code != codes.OK {
					wantCode(t, err, tt.code)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("holders listed mismatch (-want, +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("senior_sales read the team's customers but change nothing of theirs", func(t *testing.T) {
		ss := as("ss-team", auth.RoleSeniorSales)
		if _, err := ss.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: customers["s-mate"], MinSequence: last}); err != nil {
			t.Errorf("GetCustomer of a team mate's customer: %v", err)
		}
		_, err := ss.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: customers["s-far"], MinSequence: last})
		wantCode(t, err, codes.PermissionDenied)
		_, err = ss.RevealContact(t.Context(), revealRequest("ss-reveal", customers["s-mate"], clientv1.ContactField_CONTACT_FIELD_PHONE, 0))
		wantCode(t, err, codes.PermissionDenied)
		_, err = ss.LogInteraction(t.Context(), noteRequest("ss-note", customers["s-mate"]))
		wantCode(t, err, codes.PermissionDenied)
		_, err = ss.ReleaseCustomer(t.Context(), &clientv1.ReleaseCustomerRequest{RequestId: "ss-release", CustomerId: customers["s-mate"], Reason: "试试"})
		wantCode(t, err, codes.PermissionDenied)
		if _, err := ss.ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{EmployeeId: "s-mate"}); err != nil {
			t.Errorf("ListInteractions of a team mate: %v", err)
		}
		_, err = ss.ListInteractions(t.Context(), &clientv1.ListInteractionsRequest{EmployeeId: "s-far"})
		wantCode(t, err, codes.PermissionDenied)
	})

	t.Run("a manager's export holds the subtree only", func(t *testing.T) {
		m := as("m-north", auth.RoleManager)
		id := requestExport(t, m, exportRequest("north-export", nil, false))
		approve(t, as("hr-approver", auth.RoleHR), "approve-north", id)
		resp, err := m.DownloadExport(t.Context(), &clientv1.DownloadExportRequest{RequestId: "dl-north", ExportId: id})
		if err != nil {
			t.Fatal(err)
		}
		// The subtree's four customers and the pool's one.
		if got := resp.GetRows(); got != 5 {
			t.Errorf("rows = %d, want 5 (north's four customers and the pooled one)", got)
		}
	})

	t.Run("a restart rebuilds or resumes the roster", func(t *testing.T) {
		svc.Stop()
		// Started for the whole test, not this subtest: the next one calls it.
		svc = env.start(outer, pool)
		got, err := listed(t, as("m-north", auth.RoleManager), &clientv1.ListCustomersRequest{OrgUnitId: "team-a"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"s-mate", "s-owner", "ss-team"}, got); diff != "" {
			t.Errorf("team-a after restart (-want, +got):\n%s", diff)
		}
	})

	t.Run("transfers and role changes count from the next call", func(t *testing.T) {
		ss := as("ss-other", auth.RoleSeniorSales)
		mine := func() []string {
			t.Helper()
			got, err := listed(t, ss, &clientv1.ListCustomersRequest{})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if diff := cmp.Diff([]string{"pool", "s-far"}, mine()); diff != "" {
			t.Fatalf("before the move (-want, +got):\n%s", diff)
		}
		env.appendAttendanceTo(t, tenant, "employee", "ss-other", "move-ss-other", &attendancev1.EmployeeTransferred{
			EmployeeId: "ss-other", FromOrgUnitId: "team-b", ToOrgUnitId: "team-c", FromManagerId: "m-north", ToManagerId: "m-south", EffectiveDate: "2026-11-23",
		})
		if diff := cmp.Diff([]string{"pool", "s-south"}, mine()); diff != "" {
			t.Errorf("after the move to team-c (-want, +got):\n%s", diff)
		}
		env.appendAttendanceTo(t, tenant, "employee", "ss-other", "demote-ss-other", &attendancev1.EmployeeRoleChanged{
			EmployeeId: "ss-other", FromRole: "senior_sales", ToRole: "sales", EffectiveDate: "2026-11-23",
		})
		if diff := cmp.Diff([]string{"pool"}, mine()); diff != "" {
			t.Errorf("after the demotion, with the old senior_sales token (-want, +got):\n%s", diff)
		}
		// A manager who leaves the roster sees only their own.
		m := as("m-south", auth.RoleManager)
		_, err := m.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: customers["s-south"], MinSequence: last})
		if err != nil {
			t.Fatalf("GetCustomer before the role change: %v", err)
		}
		env.appendAttendanceTo(t, tenant, "employee", "m-south", "demote-m-south", &attendancev1.EmployeeRoleChanged{
			EmployeeId: "m-south", FromRole: "manager", ToRole: "sales", EffectiveDate: "2026-11-23",
		})
		_, err = m.GetCustomer(t.Context(), &clientv1.GetCustomerRequest{CustomerId: customers["s-south"], MinSequence: last})
		wantCode(t, err, codes.PermissionDenied)
	})
}
