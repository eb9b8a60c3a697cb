// Package storetest is the contract every store.Store implementation
// passes: run it from each implementation's tests.
package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/holdfast/holdfast/pkg/geo"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// Run runs the contract against stores made by newStore, one per subtest.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	t.Run("apply and get", func(t *testing.T) { t.Parallel(); testApplyAndGet(t, newStore(t)) })
	t.Run("redelivery changes nothing", func(t *testing.T) { t.Parallel(); testRedelivery(t, newStore(t)) })
	t.Run("park advances checkpoint", func(t *testing.T) { t.Parallel(); testPark(t, newStore(t)) })
	t.Run("list org units", func(t *testing.T) { t.Parallel(); testListOrgUnits(t, newStore(t)) })
	t.Run("list employees", func(t *testing.T) { t.Parallel(); testListEmployees(t, newStore(t)) })
	t.Run("tenants are apart", func(t *testing.T) { t.Parallel(); testTenants(t, newStore(t)) })
	t.Run("check-ins", func(t *testing.T) { t.Parallel(); testCheckIns(t, newStore(t)) })
}

var equate = cmpopts.EquateEmpty()

func branch(tenant, id, parent string) domain.OrgUnit {
	return domain.OrgUnit{
		Tenant: tenant, ID: id, ParentID: parent, Kind: domain.KindBranch, Name: "上海分公司",
		Calendar: domain.Calendar{TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5}, Holidays: []string{"2026-10-01"}},
		Version:  1,
	}
}

func employee(tenant, id, unit, role string, status domain.EmployeeStatus) domain.Employee {
	return domain.Employee{
		Tenant: tenant, ID: id, Name: "张三", OrgUnitID: unit, Role: role, StartDate: "2026-01-05", Status: status,
		Leaves: []domain.Leave{{StartDate: "2026-02-01", EndDate: "2026-02-03", Type: domain.LeaveAnnual}}, Version: 2,
	}
}

func testApplyAndGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := branch("acme", "b1", "c1")
	e := employee("acme", "e1", "b1", "sales", domain.StatusOnNotice)
	if err := s.Apply(ctx, 1, store.Change{OrgUnit: &u}); err != nil {
		t.Fatalf("Apply unit: %v", err)
	}
	if err := s.Apply(ctx, 2, store.Change{Employee: &e}); err != nil {
		t.Fatalf("Apply employee: %v", err)
	}
	gotU, err := s.GetOrgUnit(ctx, "acme", "b1")
	if err != nil {
		t.Fatalf("GetOrgUnit: %v", err)
	}
	if diff := cmp.Diff(u, gotU, equate); diff != "" {
		t.Errorf("org unit mismatch (-want, +got):\n%s", diff)
	}
	gotE, err := s.GetEmployee(ctx, "acme", "e1")
	if err != nil {
		t.Fatalf("GetEmployee: %v", err)
	}
	if diff := cmp.Diff(e, gotE, equate); diff != "" {
		t.Errorf("employee mismatch (-want, +got):\n%s", diff)
	}
	if _, err := s.GetEmployee(ctx, "acme", "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetEmployee(nobody) = %v, want ErrNotFound", err)
	}
	if _, err := s.GetOrgUnit(ctx, "acme", "nowhere"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("GetOrgUnit(nowhere) = %v, want ErrNotFound", err)
	}
	// An update replaces the view.
	e.Status, e.LastDay, e.Version = domain.StatusDeparted, "2026-03-01", 3
	if err := s.Apply(ctx, 3, store.Change{Employee: &e}); err != nil {
		t.Fatalf("Apply update: %v", err)
	}
	gotE, err = s.GetEmployee(ctx, "acme", "e1")
	if err != nil {
		t.Fatalf("GetEmployee: %v", err)
	}
	if diff := cmp.Diff(e, gotE, equate); diff != "" {
		t.Errorf("updated employee mismatch (-want, +got):\n%s", diff)
	}
	if cp, err := s.Checkpoint(ctx); err != nil || cp != 3 {
		t.Errorf("Checkpoint = %d, %v; want 3", cp, err)
	}
}

func testRedelivery(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := employee("acme", "e1", "b1", "sales", domain.StatusActive)
	if err := s.Apply(ctx, 5, store.Change{Employee: &first}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	stale := first
	stale.Status = domain.StatusDeparted
	for _, seq := range []uint64{4, 5} {
		if err := s.Apply(ctx, seq, store.Change{Employee: &stale}); err != nil {
			t.Fatalf("Apply(%d): %v", seq, err)
		}
	}
	got, err := s.GetEmployee(ctx, "acme", "e1")
	if err != nil {
		t.Fatalf("GetEmployee: %v", err)
	}
	if got.Status != domain.StatusActive {
		t.Errorf("status = %v after redelivery, want active", got.Status)
	}
	if err := s.Apply(ctx, 6, store.Change{}); err != nil {
		t.Fatalf("Apply empty: %v", err)
	}
	if cp, err := s.Checkpoint(ctx); err != nil || cp != 6 {
		t.Errorf("Checkpoint = %d, %v; want 6", cp, err)
	}
}

func testPark(t *testing.T, s store.Store) {
	ctx := t.Context()
	if cp, err := s.Checkpoint(ctx); err != nil || cp != 0 {
		t.Fatalf("empty Checkpoint = %d, %v; want 0", cp, err)
	}
	if err := s.Park(ctx, 7, "attendance.acme.employee.e1", "bad payload", []byte{1, 2}); err != nil {
		t.Fatalf("Park: %v", err)
	}
	if cp, err := s.Checkpoint(ctx); err != nil || cp != 7 {
		t.Errorf("Checkpoint = %d, %v; want 7", cp, err)
	}
}

func testListOrgUnits(t *testing.T, s store.Store) {
	ctx := t.Context()
	company := domain.OrgUnit{Tenant: "acme", ID: "c1", Kind: domain.KindCompany, Name: "Acme", Version: 1}
	units := []domain.OrgUnit{company, branch("acme", "b1", "c1"), branch("acme", "b2", "c1"), branch("acme", "b3", "b1")}
	for i := range units {
		if err := s.Apply(ctx, uint64(i+1), store.Change{OrgUnit: &units[i]}); err != nil { //nolint:gosec // small test index
			t.Fatalf("Apply: %v", err)
		}
	}
	ids := func(f store.OrgUnitFilter) []string {
		t.Helper()
		got, err := s.ListOrgUnits(ctx, "acme", f)
		if err != nil {
			t.Fatalf("ListOrgUnits(%+v): %v", f, err)
		}
		var out []string
		for _, u := range got {
			out = append(out, u.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		filter store.OrgUnitFilter
		want   []string
	}{
		{"all", store.OrgUnitFilter{Limit: 10}, []string{"b1", "b2", "b3", "c1"}},
		{"children of c1", store.OrgUnitFilter{ParentID: "c1", Limit: 10}, []string{"b1", "b2"}},
		{"page", store.OrgUnitFilter{After: "b1", Limit: 2}, []string{"b2", "b3"}},
		{"none", store.OrgUnitFilter{ParentID: "b3", Limit: 10}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ids(tt.filter)); diff != "" {
			t.Errorf("%s: mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
	if _, err := s.ListOrgUnits(ctx, "acme", store.OrgUnitFilter{}); !errors.Is(err, store.ErrBadFilter) {
		t.Errorf("zero limit = %v, want ErrBadFilter", err)
	}
}

func testListEmployees(t *testing.T, s store.Store) {
	ctx := t.Context()
	emps := []domain.Employee{
		employee("acme", "e1", "b1", "sales", domain.StatusActive),
		employee("acme", "e2", "b1", "manager", domain.StatusOnNotice),
		employee("acme", "e3", "b2", "sales", domain.StatusDeparted),
		employee("acme", "e4", "b2", "sales", domain.StatusActive),
	}
	for i := range emps {
		if err := s.Apply(ctx, uint64(i+1), store.Change{Employee: &emps[i]}); err != nil { //nolint:gosec // small test index
			t.Fatalf("Apply: %v", err)
		}
	}
	tests := []struct {
		name   string
		filter store.EmployeeFilter
		want   []string
	}{
		{"all", store.EmployeeFilter{Limit: 10}, []string{"e1", "e2", "e3", "e4"}},
		{"by org unit", store.EmployeeFilter{OrgUnitID: "b2", Limit: 10}, []string{"e3", "e4"}},
		{"by role", store.EmployeeFilter{Role: "sales", Limit: 10}, []string{"e1", "e3", "e4"}},
		{"by status", store.EmployeeFilter{Status: domain.StatusActive, Limit: 10}, []string{"e1", "e4"}},
		{"combined", store.EmployeeFilter{OrgUnitID: "b2", Role: "sales", Status: domain.StatusDeparted, Limit: 10}, []string{"e3"}},
		{"page", store.EmployeeFilter{After: "e1", Limit: 2}, []string{"e2", "e3"}},
		{"within units", store.EmployeeFilter{OrgUnitIDs: []string{"b2", "b9"}, Limit: 10}, []string{"e3", "e4"}},
		{"within no unit", store.EmployeeFilter{OrgUnitIDs: []string{}, Limit: 10}, nil},
	}
	for _, tt := range tests {
		got, err := s.ListEmployees(ctx, "acme", tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var ids []string
		for _, e := range got {
			ids = append(ids, e.ID)
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("%s: mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
	if _, err := s.ListEmployees(ctx, "acme", store.EmployeeFilter{}); !errors.Is(err, store.ErrBadFilter) {
		t.Errorf("zero limit = %v, want ErrBadFilter", err)
	}
}

func testTenants(t *testing.T, s store.Store) {
	ctx := t.Context()
	e := employee("acme", "e1", "b1", "sales", domain.StatusActive)
	u := branch("acme", "b1", "c1")
	if err := s.Apply(ctx, 1, store.Change{Employee: &e, OrgUnit: &u}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if _, err := s.GetEmployee(ctx, "other", "e1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other tenant's GetEmployee = %v, want ErrNotFound", err)
	}
	if _, err := s.GetOrgUnit(ctx, "other", "b1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other tenant's GetOrgUnit = %v, want ErrNotFound", err)
	}
	got, err := s.ListEmployees(ctx, "other", store.EmployeeFilter{Limit: 10})
	if err != nil || len(got) != 0 {
		t.Errorf("other tenant's ListEmployees = %v, %v; want none", got, err)
	}
}

func checkIn(tenant, id, employee, customer string, seq uint64, at time.Time, p geo.Point) domain.CheckIn {
	return domain.CheckIn{
		Tenant: tenant, ID: id, EmployeeID: employee, Kind: domain.CheckInVisit, Point: p, AccuracyM: 8.5,
		DeviceTime: at, CustomerID: customer, Purpose: "拜访", RecordedAt: at.Add(time.Second), Sequence: seq,
		Facts: domain.CheckInFacts{CustomerLocated: customer != "", DistanceToCustomerM: 120.5, PreviousID: "k0", SecondsSincePrevious: 60},
	}
}

func testCheckIns(t *testing.T, s store.Store) {
	ctx := t.Context()
	t0 := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	office := geo.Point{Latitude: 31.2304, Longitude: 121.4737}
	var all []domain.CheckIn
	for i := range 5 {
		seq := uint64(10 + i) //nolint:gosec // small test index
		customer := ""
		if i%2 == 0 {
			customer = "c1"
		}
		p := geo.Point{Latitude: 31 + float64(i)/100, Longitude: 121}
		if i == 3 {
			p = office
		}
		c := checkIn("acme", fmt.Sprintf("k%d", i+1), "e1", customer, seq, t0.Add(time.Duration(i)*time.Hour), p)
		all = append(all, c)
		if err := s.Apply(ctx, seq, store.Change{CheckIn: &c}); err != nil {
			t.Fatalf("Apply check-in: %v", err)
		}
	}
	other := checkIn("acme", "x1", "e2", "c1", 20, t0, office)
	if err := s.Apply(ctx, 20, store.Change{CheckIn: &other}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetCheckIn(ctx, "acme", "k2")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all[1], got, equate); diff != "" {
		t.Errorf("check-in mismatch (-want, +got):\n%s", diff)
	}
	if _, err := s.GetCheckIn(ctx, "other", "k2"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("another tenant's check-in: %v, want ErrNotFound", err)
	}
	tests := []struct {
		name   string
		filter store.CheckInFilter
		want   []string
	}{
		{"one employee, newest first", store.CheckInFilter{EmployeeID: "e1", Limit: 10}, []string{"k5", "k4", "k3", "k2", "k1"}},
		{"one customer", store.CheckInFilter{CustomerID: "c1", Limit: 10}, []string{"x1", "k5", "k3", "k1"}},
		{"time range is half open", store.CheckInFilter{EmployeeID: "e1", From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour), Limit: 10}, []string{"k3", "k2"}},
		{"page after a sequence", store.CheckInFilter{EmployeeID: "e1", Before: 13, Limit: 2}, []string{"k3", "k2"}},
		{"nobody", store.CheckInFilter{EmployeeID: "e9", Limit: 10}, nil},
	}
	for _, tt := range tests {
		list, err := s.ListCheckIns(ctx, "acme", tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("%s: mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
	if _, err := s.ListCheckIns(ctx, "acme", store.CheckInFilter{EmployeeID: "e1"}); !errors.Is(err, store.ErrBadFilter) {
		t.Errorf("zero limit = %v, want ErrBadFilter", err)
	}
	// The same fix: e1's own earlier check-in, never e2's.
	probe := checkIn("acme", "new", "e1", "", 30, t0, office)
	if id, found, err := s.FindSameFix(ctx, "acme", probe); err != nil || !found || id != "k4" {
		t.Errorf("FindSameFix(office) = %q, %v, %v; want k4", id, found, err)
	}
	probe.AccuracyM = 9
	if id, found, err := s.FindSameFix(ctx, "acme", probe); err != nil || found {
		t.Errorf("a different accuracy matched %q (%v)", id, err)
	}
	probe = checkIn("acme", "new", "e3", "", 30, t0, office)
	if id, found, err := s.FindSameFix(ctx, "acme", probe); err != nil || found {
		t.Errorf("another employee's fix matched %q (%v)", id, err)
	}
	// Redelivering a check-in changes nothing.
	if err := s.Apply(ctx, 12, store.Change{CheckIn: &all[2]}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListCheckIns(ctx, "acme", store.CheckInFilter{EmployeeID: "e1", Limit: 10})
	if err != nil || len(list) != 5 {
		t.Errorf("after redelivery: %d check-ins, %v; want 5", len(list), err)
	}
}
