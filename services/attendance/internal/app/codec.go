package app

import (
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

// ErrCorruptHistory is returned when an aggregate's events do not fold.
var ErrCorruptHistory = errors.New("corrupt aggregate history")

func toInt32s(v []int) []int32 {
	out := make([]int32, 0, len(v))
	for _, d := range v {
		out = append(out, int32(d)) //nolint:gosec // weekdays are 1-7
	}
	return out
}

func toInts(v []int32) []int {
	out := make([]int, 0, len(v))
	for _, d := range v {
		out = append(out, int(d))
	}
	return out
}

func orgUnitCreatedEvent(u domain.OrgUnit) *attendancev1.OrgUnitCreated {
	return &attendancev1.OrgUnitCreated{
		OrgUnitId: u.ID, ParentId: u.ParentID, Kind: attendancev1.OrgUnitKind(u.Kind), Name: u.Name,
		TimeZone: u.Calendar.TimeZone, WorkingWeekdays: toInt32s(u.Calendar.WorkingWeekdays), Holidays: u.Calendar.Holidays,
	}
}

// foldOrgUnit rebuilds an org unit from its events (one OrgUnitCreated).
func foldOrgUnit(agg eventlog.Aggregate) (domain.OrgUnit, error) {
	var u domain.OrgUnit
	for i, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			return u, err
		}
		ev, ok := msg.(*attendancev1.OrgUnitCreated)
		if !ok || i != 0 {
			return u, fmt.Errorf("%w: unexpected %s in org unit %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), agg.Ref.ID)
		}
		u = orgUnitFromCreated(rec.Envelope.GetTenantId(), ev)
		u.Version = rec.Envelope.GetAggregateVersion()
	}
	return u, nil
}

func orgUnitFromCreated(tenant string, ev *attendancev1.OrgUnitCreated) domain.OrgUnit {
	u := domain.OrgUnit{
		Tenant: tenant, ID: ev.GetOrgUnitId(), ParentID: ev.GetParentId(), Kind: domain.OrgUnitKind(ev.GetKind()), Name: ev.GetName(),
		Calendar: domain.Calendar{TimeZone: ev.GetTimeZone(), Holidays: ev.GetHolidays()},
	}
	if len(ev.GetWorkingWeekdays()) > 0 {
		u.Calendar.WorkingWeekdays = toInts(ev.GetWorkingWeekdays())
	}
	return u
}

func employeeHiredEvent(h domain.Hire) *attendancev1.EmployeeHired {
	return &attendancev1.EmployeeHired{
		EmployeeId: h.EmployeeID, Name: h.Name, OrgUnitId: h.OrgUnitID, ManagerId: h.ManagerID, Role: h.Role, StartDate: h.StartDate,
	}
}

// evolveEmployee is e after the event rec carries; the projector and the
// command-side fold share it so both read the history the same way.
func evolveEmployee(e domain.Employee, rec eventlog.Record) (domain.Employee, error) {
	msg, err := rec.Payload()
	if err != nil {
		return e, err
	}
	first := rec.Envelope.GetAggregateVersion() == 1
	if _, hired := msg.(*attendancev1.EmployeeHired); hired != first {
		return e, fmt.Errorf("%w: %s at version %d of employee %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), rec.Envelope.GetAggregateVersion(), e.ID)
	}
	switch ev := msg.(type) {
	case *attendancev1.EmployeeHired:
		e = domain.Hired(rec.Envelope.GetTenantId(), domain.Hire{
			EmployeeID: ev.GetEmployeeId(), Name: ev.GetName(), OrgUnitID: ev.GetOrgUnitId(),
			ManagerID: ev.GetManagerId(), Role: ev.GetRole(), StartDate: ev.GetStartDate(),
		})
	case *attendancev1.ResignationNoticed:
		e.Status, e.NoticeDate, e.PlannedLastDay = domain.StatusOnNotice, ev.GetNoticeDate(), ev.GetPlannedLastDay()
	case *attendancev1.ResignationWithdrawn:
		e.Status, e.NoticeDate, e.PlannedLastDay = domain.StatusActive, "", ""
	case *attendancev1.LeaveRecorded:
		e.Leaves = append(e.Leaves, domain.Leave{StartDate: ev.GetStartDate(), EndDate: ev.GetEndDate(), Type: domain.LeaveType(ev.GetLeaveType())})
	case *attendancev1.EmployeeDeparted:
		e.Status, e.LastDay, e.NoticeDate, e.PlannedLastDay = domain.StatusDeparted, ev.GetLastDay(), "", ""
	case *attendancev1.EmployeeTransferred:
		e.OrgUnitID, e.ManagerID = ev.GetToOrgUnitId(), ev.GetToManagerId()
	case *attendancev1.EmployeeRoleChanged:
		e.Role = ev.GetToRole()
	default:
		return e, fmt.Errorf("%w: unexpected %s in employee %s", ErrCorruptHistory, eventlog.TypeName(rec.Envelope), e.ID)
	}
	e.Version = rec.Envelope.GetAggregateVersion()
	return e, nil
}

// foldEmployee rebuilds an employee from its own events.
func foldEmployee(agg eventlog.Aggregate) (domain.Employee, error) {
	var e domain.Employee
	for _, rec := range agg.Records {
		var err error
		if e, err = evolveEmployee(e, rec); err != nil {
			return e, err
		}
	}
	return e, nil
}
