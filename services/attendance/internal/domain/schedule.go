package domain

import (
	"fmt"
	"time"

	"github.com/holdfast/holdfast/pkg/workcal"
)

// BranchOf walks up from unitID to the nearest unit with a calendar (a
// branch). found is false when no ancestor has one, or the walk exceeds
// the depth bound.
func BranchOf(unitID string, lookup func(id string) (OrgUnit, bool, error)) (branch OrgUnit, found bool, err error) {
	id := unitID
	for depth := 0; id != "" && depth < maxTreeDepth; depth++ {
		u, ok, err := lookup(id)
		if err != nil || !ok {
			return OrgUnit{}, false, err
		}
		if !u.Calendar.IsEmpty() {
			return u, true, nil
		}
		id = u.ParentID
	}
	return OrgUnit{}, false, nil
}

// WorkSchedule is an employee's working days and the branch they come from.
type WorkSchedule struct {
	workcal.Schedule
	// BranchID is the org unit whose calendar applies; empty when the
	// employee's unit has no branch above it and Monday–Friday applies.
	BranchID string
	// Location is the branch's time zone (UTC without a branch).
	Location *time.Location
}

// ScheduleOf builds e's schedule from their branch (found = false for none:
// Monday to Friday, no holidays, UTC). It uses the employee's current
// branch for every day: a transfer between branches re-dates the past too,
// which is acceptable for "working days since" counts of weeks, not years.
func ScheduleOf(e Employee, branch OrgUnit, found bool) (WorkSchedule, error) {
	ws := WorkSchedule{Schedule: workcal.Schedule{Calendar: workcal.MondayToFriday()}, Location: time.UTC}
	if found {
		cal, err := workcal.NewCalendar(branch.Calendar.WorkingWeekdays, branch.Calendar.Holidays)
		if err != nil {
			return ws, fmt.Errorf("branch %s: %w", branch.ID, err)
		}
		loc, err := time.LoadLocation(branch.Calendar.TimeZone)
		if err != nil {
			return ws, fmt.Errorf("branch %s: %w", branch.ID, err)
		}
		ws.Calendar, ws.BranchID, ws.Location = cal, branch.ID, loc
	}
	start, err := workcal.ParseDate(e.StartDate)
	if err != nil {
		return ws, fmt.Errorf("employee %s start date: %w", e.ID, err)
	}
	ws.Employed = workcal.Period{From: start, To: workcal.Forever}
	if e.Status == StatusDeparted {
		if ws.Employed.To, err = workcal.ParseDate(e.LastDay); err != nil {
			return ws, fmt.Errorf("employee %s last day: %w", e.ID, err)
		}
	}
	for _, l := range e.Leaves {
		p, err := workcal.ParsePeriod(l.StartDate + ".." + l.EndDate)
		if err != nil {
			return ws, fmt.Errorf("employee %s leave: %w", e.ID, err)
		}
		ws.Leaves = append(ws.Leaves, p)
	}
	return ws, nil
}
