package domain_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

func employeeIn(status domain.EmployeeStatus) domain.Employee {
	return domain.Employee{Tenant: "acme", ID: "e1", Name: "张三", OrgUnitID: "b1", Role: "sales", StartDate: "2026-01-05", Status: status}
}

// transition is one lifecycle command applied to an employee.
type transition struct {
	name string
	do   func(domain.Employee) (domain.Employee, error)
}

var transitions = []transition{
	{"notice", func(e domain.Employee) (domain.Employee, error) {
		return domain.NoticeResignation(e, "2026-03-01", "2026-03-31")
	}},
	{"withdraw", domain.WithdrawResignation},
	{"leave", func(e domain.Employee) (domain.Employee, error) {
		return domain.RecordLeave(e, domain.Leave{StartDate: "2026-02-02", EndDate: "2026-02-03", Type: domain.LeaveSick})
	}},
	{"depart", func(e domain.Employee) (domain.Employee, error) { return domain.RecordDeparture(e, "2026-03-31") }},
	{"transfer", func(e domain.Employee) (domain.Employee, error) {
		return domain.TransferEmployee(e, domain.Transfer{OrgUnitID: "t2", ManagerID: "m2", EffectiveDate: "2026-02-01"})
	}},
	{"role", func(e domain.Employee) (domain.Employee, error) {
		return domain.ChangeRole(e, "senior_sales", "2026-02-01")
	}},
}

// TestLifecycle checks every command from every status: allowed ones move
// the employee to the expected status, the rest are ErrPrecondition.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	// want[status][command] is the status after, or Unspecified if refused.
	want := map[domain.EmployeeStatus]map[string]domain.EmployeeStatus{
		domain.StatusActive: {
			"notice": domain.StatusOnNotice, "leave": domain.StatusActive, "depart": domain.StatusDeparted,
			"transfer": domain.StatusActive, "role": domain.StatusActive,
		},
		domain.StatusOnNotice: {
			"withdraw": domain.StatusActive, "leave": domain.StatusOnNotice, "depart": domain.StatusDeparted,
			"transfer": domain.StatusOnNotice, "role": domain.StatusOnNotice,
		},
		domain.StatusDeparted: {},
	}
	for from, allowed := range want {
		for _, tr := range transitions {
			t.Run(from.String()+"/"+tr.name, func(t *testing.T) {
				t.Parallel()
				got, err := tr.do(employeeIn(from))
				to, ok := allowed[tr.name]
				if !ok {
					if !errors.Is(err, domain.ErrPrecondition) {
						t.Fatalf("err = %v, want ErrPrecondition", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				if got.Status != to {
					t.Errorf("status = %v, want %v", got.Status, to)
				}
			})
		}
	}
}

func TestLifecycleDates(t *testing.T) {
	t.Parallel()
	active := employeeIn(domain.StatusActive)
	tests := []struct {
		name       string
		do         func() (domain.Employee, error)
		wantFields []string
		wantPrecon bool
	}{
		{"notice bad dates", func() (domain.Employee, error) { return domain.NoticeResignation(active, "2026-02-30", "x") }, []string{"notice_date", "planned_last_day"}, false},
		{"notice last day before notice", func() (domain.Employee, error) { return domain.NoticeResignation(active, "2026-03-01", "2026-02-01") }, []string{"planned_last_day"}, false},
		{"notice last day before start", func() (domain.Employee, error) { return domain.NoticeResignation(active, "2025-12-01", "2025-12-31") }, nil, true},
		{"leave end before start", func() (domain.Employee, error) {
			return domain.RecordLeave(active, domain.Leave{StartDate: "2026-02-05", EndDate: "2026-02-04", Type: domain.LeaveAnnual})
		}, []string{"end_date"}, false},
		{"leave no type, bad start", func() (domain.Employee, error) {
			return domain.RecordLeave(active, domain.Leave{StartDate: "", EndDate: "2026-02-04"})
		}, []string{"start_date", "leave_type"}, false},
		{"leave before start date", func() (domain.Employee, error) {
			return domain.RecordLeave(active, domain.Leave{StartDate: "2025-02-05", EndDate: "2025-02-06", Type: domain.LeaveAnnual})
		}, nil, true},
		{"depart bad day", func() (domain.Employee, error) { return domain.RecordDeparture(active, "31/03/2026") }, []string{"last_day"}, false},
		{"depart before start", func() (domain.Employee, error) { return domain.RecordDeparture(active, "2025-03-31") }, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.do()
			if tt.wantPrecon {
				if !errors.Is(err, domain.ErrPrecondition) {
					t.Fatalf("err = %v, want ErrPrecondition", err)
				}
				return
			}
			if diff := cmp.Diff(tt.wantFields, fieldsOf(t, err)); diff != "" {
				t.Errorf("fields mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	var out []string
	for _, v := range ve.Violations {
		out = append(out, v.Field)
	}
	return out
}

func TestNormalizeHire(t *testing.T) {
	t.Parallel()
	got, err := domain.NormalizeHire(domain.Hire{EmployeeID: "e1", Name: "  李四 ", Role: "sales", StartDate: "2026-01-05"})
	if err != nil || got.Name != "李四" {
		t.Fatalf("NormalizeHire = %+v, %v", got, err)
	}
	_, err = domain.NormalizeHire(domain.Hire{EmployeeID: "e1", Role: "boss", StartDate: "2026-13-01"})
	if diff := cmp.Diff([]string{"name", "role", "start_date"}, fieldsOf(t, err)); diff != "" {
		t.Errorf("fields mismatch (-want, +got):\n%s", diff)
	}
}

func TestCheckManager(t *testing.T) {
	t.Parallel()
	staff := map[string]domain.Employee{
		"boss": {ID: "boss", Status: domain.StatusActive},
		"m1":   {ID: "m1", ManagerID: "boss", Status: domain.StatusActive},
		"gone": {ID: "gone", Status: domain.StatusDeparted},
		// a and b manage each other: a corrupt line the check must not loop on.
		"a": {ID: "a", ManagerID: "b", Status: domain.StatusActive},
		"b": {ID: "b", ManagerID: "a", Status: domain.StatusActive},
		// x reports to new: hiring "new" under x closes a loop.
		"x": {ID: "x", ManagerID: "new", Status: domain.StatusActive},
	}
	lookup := func(id string) (domain.Employee, bool, error) { e, ok := staff[id]; return e, ok, nil }
	tests := []struct {
		name    string
		manager string
		wantErr bool
	}{
		{"no manager", "", false},
		{"manager with a line above", "m1", false},
		{"self", "new", true},
		{"cycle through an existing report", "x", true},
		{"cycle above the manager", "a", true},
		{"unknown manager", "nobody", true},
		{"departed manager", "gone", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := domain.CheckManager(domain.Hire{EmployeeID: "new", ManagerID: tt.manager}, lookup)
			if tt.wantErr != errors.Is(err, domain.ErrPrecondition) || (!tt.wantErr && err != nil) {
				t.Errorf("CheckManager(%q) = %v, want error %v", tt.manager, err, tt.wantErr)
			}
		})
	}
}

func TestActorRights(t *testing.T) {
	t.Parallel()
	e := domain.Employee{ID: "e1", ManagerID: "m1"}
	tests := []struct {
		name     string
		actor    domain.Actor
		leave    bool
		everyone bool
		checkIn  bool
	}{
		{"hr", domain.Actor{EmployeeID: "hr1", Roles: []string{"hr"}}, true, true, false},
		{"their manager", domain.Actor{EmployeeID: "m1", Roles: []string{"manager"}}, true, false, false},
		{"another manager", domain.Actor{EmployeeID: "m2", Roles: []string{"manager"}}, false, false, false},
		{"the employee", domain.Actor{EmployeeID: "e1", Roles: []string{"sales"}}, false, false, true},
		{"a colleague", domain.Actor{EmployeeID: "e2", Roles: []string{"sales"}}, false, false, false},
		{"a device gateway", domain.Actor{EmployeeID: "gw", Roles: []string{"service"}}, false, false, true},
	}
	for _, tt := range tests {
		if got := tt.actor.CanRecordLeave(e); got != tt.leave {
			t.Errorf("%s: CanRecordLeave = %v, want %v", tt.name, got, tt.leave)
		}
		if got := tt.actor.ReadsEveryone(); got != tt.everyone {
			t.Errorf("%s: ReadsEveryone = %v, want %v", tt.name, got, tt.everyone)
		}
		if got := tt.actor.CanCheckIn(e.ID); got != tt.checkIn {
			t.Errorf("%s: CanCheckIn = %v, want %v", tt.name, got, tt.checkIn)
		}
	}
}
