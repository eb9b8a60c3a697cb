package clientsvc_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

// appendAttendanceTo writes an event to one ATTENDANCE aggregate as the
// attendance service would (hr-1 acting).
func (e *testEnv) appendAttendanceTo(t *testing.T, tenant, aggregateType, id, requestID string, ev proto.Message) eventlog.Appended {
	t.Helper()
	ref := eventlog.AggregateRef{Context: "attendance", Tenant: tenant, Type: aggregateType, ID: id}
	agg, err := e.Log.Load(t.Context(), ref)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Log.Append(t.Context(), eventlog.AppendRequest{
		Ref: ref, After: agg.Position, RequestID: requestID, ActorID: "hr-1", Payload: ev,
	})
	if err != nil {
		t.Fatalf("append attendance %T: %v", ev, err)
	}
	return res
}

// firstOf reports whether the ATTENDANCE aggregate has no events yet: the
// fixtures below create and hire once, so a test may call them again.
func (e *testEnv) firstOf(t *testing.T, tenant, aggregateType, id string) bool {
	t.Helper()
	agg, err := e.Log.Load(t.Context(), eventlog.AggregateRef{Context: "attendance", Tenant: tenant, Type: aggregateType, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return len(agg.Records) == 0
}

// createOrgUnit records an org unit under parent ("" = a root), once.
func (e *testEnv) createOrgUnit(t *testing.T, tenant, id, parent string) {
	t.Helper()
	if !e.firstOf(t, tenant, "orgunit", id) {
		return
	}
	kind := attendancev1.OrgUnitKind_ORG_UNIT_KIND_TEAM
	if parent == "" {
		kind = attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY
	}
	e.appendAttendanceTo(t, tenant, "orgunit", id, "create-"+id, &attendancev1.OrgUnitCreated{
		OrgUnitId: id, ParentId: parent, Kind: kind, Name: id, TimeZone: "Asia/Shanghai",
	})
}

// hireInto records the hiring of employee into unit with a role, once.
func (e *testEnv) hireInto(t *testing.T, tenant, employee, unit, manager string, role auth.Role) {
	t.Helper()
	if !e.firstOf(t, tenant, "employee", employee) {
		return
	}
	e.appendAttendanceTo(t, tenant, "employee", employee, "hire-"+employee, &attendancev1.EmployeeHired{
		EmployeeId: employee, Name: employee, OrgUnitId: unit, ManagerId: manager, Role: string(role), StartDate: "2026-01-05",
	})
}

// oneTeam puts employees (id → role) in one org unit of tenant, "hq": its
// managers see every customer held in it, and its senior_sales too.
func (e *testEnv) oneTeam(t *testing.T, tenant string, employees map[string]auth.Role) {
	t.Helper()
	e.createOrgUnit(t, tenant, "hq", "")
	for id, role := range employees {
		e.hireInto(t, tenant, id, "hq", "", role)
	}
}
