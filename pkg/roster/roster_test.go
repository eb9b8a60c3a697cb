package roster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/roster"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

func TestManagesFollowsTheTreeTransfersRolesAndDepartures(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := 0
	write := func(typ, id string, ev proto.Message) {
		t.Helper()
		n++
		ref := eventlog.AggregateRef{Context: "attendance", Tenant: "acme", Type: typ, ID: id}
		agg, err := log.Load(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: ref, After: agg.Position, RequestID: "r" + string(rune('a'+n)), Payload: ev}); err != nil {
			t.Fatal(err)
		}
	}
	write("orgunit", "co", &attendancev1.OrgUnitCreated{OrgUnitId: "co"})
	write("orgunit", "sh", &attendancev1.OrgUnitCreated{OrgUnitId: "sh", ParentId: "co"})
	write("orgunit", "team", &attendancev1.OrgUnitCreated{OrgUnitId: "team", ParentId: "sh"})
	write("orgunit", "bj", &attendancev1.OrgUnitCreated{OrgUnitId: "bj", ParentId: "co"})
	write("employee", "m1", &attendancev1.EmployeeHired{EmployeeId: "m1", OrgUnitId: "sh", Role: "manager"})
	write("employee", "m2", &attendancev1.EmployeeHired{EmployeeId: "m2", OrgUnitId: "bj", Role: "manager"})
	write("employee", "e1", &attendancev1.EmployeeHired{EmployeeId: "e1", OrgUnitId: "team", Role: "sales", ManagerId: "m1"})
	write("employee", "m3", &attendancev1.EmployeeHired{EmployeeId: "m3", OrgUnitId: "sh", Role: "manager"})
	write("employee", "m4", &attendancev1.EmployeeHired{EmployeeId: "m4", OrgUnitId: "team", Role: "manager", ManagerId: "m1"})
	write("checkins", "e1", &attendancev1.CheckedIn{CheckInId: "k1", EmployeeId: "e1"})

	tr := roster.NewTracker(log)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- tr.Run(runCtx) }()
	defer func() { stop(); <-done }()
	if err := tr.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(when, manager, employee string, want bool) {
		t.Helper()
		if got := tr.Manages("acme", manager, employee); got != want {
			t.Errorf("%s: Manages(%s, %s) = %v, want %v", when, manager, employee, got, want)
		}
	}
	check("hired", "m1", "e1", true)
	under := func(when, unit string, want ...string) {
		t.Helper()
		if got := tr.EmployeesUnder("acme", unit); !slices.Equal(got, append([]string{}, want...)) {
			t.Errorf("%s: EmployeesUnder(%s) = %v, want %v", when, unit, got, want)
		}
	}
	under("hired", "co", "e1", "m1", "m2", "m3", "m4")
	under("hired", "sh", "e1", "m1", "m3", "m4")
	under("hired", "team", "e1", "m4")
	under("hired", "nowhere")
	if !tr.HasUnit("acme", "team") || tr.HasUnit("acme", "nowhere") || tr.HasUnit("other", "team") {
		t.Error("HasUnit does not follow the org units created")
	}
	if got := tr.UnitOf("acme", "e1"); got != "team" {
		t.Errorf("UnitOf(e1) = %q, want team", got)
	}
	check("hired", "m2", "e1", false)
	check("hired", "m1", "m1", true) // a manager's own unit includes themselves
	// Judging people is narrower: not oneself, not a peer manager of one's
	// own unit; a manager of a unit below is supervised.
	for _, c := range []struct {
		manager, employee string
		want              bool
	}{{"m1", "e1", true}, {"m1", "m1", false}, {"m1", "m3", false}, {"m1", "m4", true}, {"m4", "m1", false}, {"m2", "e1", false}} {
		if got := tr.Supervises("acme", c.manager, c.employee); got != c.want {
			t.Errorf("Supervises(%s, %s) = %v, want %v", c.manager, c.employee, got, c.want)
		}
	}
	check("another tenant", "m1", "nobody", false)
	if tr.Manages("other", "m1", "e1") {
		t.Error("another tenant's m1 manages acme's e1")
	}

	write("employee", "e1", &attendancev1.EmployeeTransferred{EmployeeId: "e1", ToOrgUnitId: "bj", ToManagerId: "m2"})
	if err := tr.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	check("transferred", "m1", "e1", false)
	check("transferred", "m2", "e1", true)
	under("transferred", "sh", "m1", "m3", "m4")
	under("transferred", "bj", "e1", "m2")

	write("employee", "m2", &attendancev1.EmployeeRoleChanged{EmployeeId: "m2", ToRole: "sales"})
	write("employee", "m1", &attendancev1.EmployeeDeparted{EmployeeId: "m1"})
	if err := tr.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	check("demoted", "m2", "e1", false)
	check("departed", "m1", "m1", false)
	if err := tr.Ready(ctx); err != nil {
		t.Errorf("Ready after catching up: %v", err)
	}
}
