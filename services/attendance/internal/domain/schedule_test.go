package domain_test

import (
	"testing"

	"github.com/holdfast/holdfast/pkg/workcal"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

func TestBranchOfWalksUpAndStopsOnCycles(t *testing.T) {
	t.Parallel()
	units := map[string]domain.OrgUnit{
		"co":   {ID: "co", Kind: domain.KindCompany},
		"sh":   {ID: "sh", ParentID: "co", Kind: domain.KindBranch, Calendar: domain.Calendar{TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5, 6}}},
		"team": {ID: "team", ParentID: "sh", Kind: domain.KindTeam},
		"loop": {ID: "loop", ParentID: "loop", Kind: domain.KindTeam},
	}
	lookup := func(id string) (domain.OrgUnit, bool, error) { u, ok := units[id]; return u, ok, nil }
	if b, ok, err := domain.BranchOf("team", lookup); err != nil || !ok || b.ID != "sh" {
		t.Errorf("BranchOf(team) = %v, %v, %v; want sh", b.ID, ok, err)
	}
	if _, ok, _ := domain.BranchOf("co", lookup); ok {
		t.Error("the company has no branch above it")
	}
	if _, ok, _ := domain.BranchOf("loop", lookup); ok {
		t.Error("a unit that is its own parent found a branch")
	}
}

func TestScheduleOf(t *testing.T) {
	t.Parallel()
	branch := domain.OrgUnit{ID: "sh", Calendar: domain.Calendar{TimeZone: "Asia/Shanghai", WorkingWeekdays: []int{1, 2, 3, 4, 5, 6}, Holidays: []string{"2026-10-01"}}}
	e := employeeIn(domain.StatusDeparted)
	e.LastDay = "2026-10-31"
	e.Leaves = []domain.Leave{{StartDate: "2026-10-05", EndDate: "2026-10-06", Type: domain.LeaveAnnual}}
	ws, err := domain.ScheduleOf(e, branch, true)
	if err != nil {
		t.Fatal(err)
	}
	if ws.BranchID != "sh" || ws.Location.String() != "Asia/Shanghai" {
		t.Errorf("branch %q zone %s", ws.BranchID, ws.Location)
	}
	for date, want := range map[string]workcal.DayKind{
		"2026-10-01": workcal.Holiday, "2026-10-03": workcal.Working, // Saturdays are worked here
		"2026-10-04": workcal.RestDay, "2026-10-05": workcal.OnLeave, "2026-11-02": workcal.NotEmployed,
		"2026-01-04": workcal.NotEmployed, "2026-01-05": workcal.Working,
	} {
		if got := ws.Day(workcal.MustParseDate(date)); got != want {
			t.Errorf("%s is %s, want %s", date, got, want)
		}
	}
	noBranch, err := domain.ScheduleOf(employeeIn(domain.StatusActive), domain.OrgUnit{}, false)
	if err != nil || noBranch.BranchID != "" || noBranch.IsWorkingDay(workcal.MustParseDate("2026-10-03")) {
		t.Errorf("without a branch: %+v, %v; want Monday–Friday", noBranch.BranchID, err)
	}
}
