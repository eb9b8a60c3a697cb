package app

import (
	"context"
	"errors"

	"github.com/holdfast/holdfast/pkg/workcal"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

// DayAnswer is whether a day was a working day for an employee, and why.
type DayAnswer struct {
	Kind     workcal.DayKind
	BranchID string
	TimeZone string
}

// IsWorkingDay answers for one employee and one day (in their branch's
// time zone), for whoever may read the employee.
func (a *App) IsWorkingDay(ctx context.Context, actor domain.Actor, employeeID, date string, minSeq uint64) (DayAnswer, error) {
	var dateErr error
	day, err := workcal.ParseDate(date)
	if err != nil {
		dateErr = &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "date", Description: "required, YYYY-MM-DD"}}}
	}
	if err := joinViolations(checkID("employee_id", employeeID), dateErr); err != nil {
		return DayAnswer{}, err
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return DayAnswer{}, err
	}
	e, err := a.readableEmployee(ctx, actor, employeeID, "is working day")
	if err != nil {
		return DayAnswer{}, err
	}
	ws, err := a.scheduleOf(ctx, e)
	if err != nil {
		return DayAnswer{}, err
	}
	return DayAnswer{Kind: ws.Day(day), BranchID: ws.BranchID, TimeZone: ws.Location.String()}, nil
}

// scheduleOf is e's work schedule under their current branch.
func (a *App) scheduleOf(ctx context.Context, e domain.Employee) (domain.WorkSchedule, error) {
	branch, found, err := domain.BranchOf(e.OrgUnitID, func(id string) (domain.OrgUnit, bool, error) {
		u, err := a.store.GetOrgUnit(ctx, e.Tenant, id)
		if errors.Is(err, domain.ErrNotFound) {
			return u, false, nil
		}
		return u, err == nil, err
	})
	if err != nil {
		return domain.WorkSchedule{}, err
	}
	return domain.ScheduleOf(e, branch, found)
}
