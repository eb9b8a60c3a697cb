package domain

import (
	"fmt"
	"slices"
	"strings"
)

// EmployeeStatus is where an employee is in the lifecycle; the values
// match the wire's.
type EmployeeStatus int

// Employee statuses: Active ⇄ OnNotice → Departed, Active → Departed.
const (
	StatusUnspecified EmployeeStatus = iota
	StatusActive
	StatusOnNotice
	StatusDeparted
)

// LeaveType is the kind of a leave; the values match the wire's.
type LeaveType int

// Leave types.
const (
	LeaveUnspecified LeaveType = iota
	LeaveAnnual
	LeaveSick
	LeavePersonal
	LeaveOther
)

// Leave is an approved leave period, both days inclusive.
type Leave struct {
	StartDate string
	EndDate   string
	Type      LeaveType
}

// Employee is one employee and where they are in the lifecycle.
type Employee struct {
	Tenant         string
	ID             string
	Name           string
	OrgUnitID      string
	ManagerID      string
	Role           string
	StartDate      string
	Status         EmployeeStatus
	NoticeDate     string
	PlannedLastDay string
	LastDay        string
	Leaves         []Leave
	Version        uint64
}

// Roles an employee can be hired into.
var Roles = []string{"sales", "senior_sales", "manager", "hr", "auditor", "admin"}

// Hire is a hiring request as the domain sees it.
type Hire struct {
	EmployeeID, Name, OrgUnitID, ManagerID, Role, StartDate string
}

// NormalizeHire trims and checks a hire, reporting every bad field. Ids are
// checked by the caller (they must be subject tokens).
func NormalizeHire(h Hire) (Hire, error) {
	var v violations
	h.Name = strings.TrimSpace(h.Name)
	if h.Name == "" || len([]rune(h.Name)) > maxNameRunes {
		v.Add("name", "required, at most %d characters", maxNameRunes)
	}
	if !slices.Contains(Roles, h.Role) {
		v.Add("role", "must be one of %s", strings.Join(Roles, ", "))
	}
	if !ValidDate(h.StartDate) {
		v.Add("start_date", "required, YYYY-MM-DD")
	}
	return h, v.Err()
}

// maxManagerChain bounds the walk up the reporting line.
const maxManagerChain = 64

// CheckManager checks that h's manager exists in managers (ok = false for
// an unknown id), has not departed, and that the reporting line above it
// never reaches h's employee again (a cycle).
func CheckManager(h Hire, lookup func(id string) (Employee, bool, error)) error {
	if h.ManagerID == "" {
		return nil
	}
	seen := map[string]bool{h.EmployeeID: true}
	id := h.ManagerID
	for depth := 0; id != ""; depth++ {
		if seen[id] {
			return fmt.Errorf("%w: employee %s would manage themselves through %s", ErrPrecondition, h.EmployeeID, id)
		}
		if depth > maxManagerChain {
			return fmt.Errorf("%w: the reporting line is longer than %d", ErrPrecondition, maxManagerChain)
		}
		seen[id] = true
		m, ok, err := lookup(id)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: manager %s is not an employee", ErrPrecondition, id)
		}
		if depth == 0 && m.Status == StatusDeparted {
			return fmt.Errorf("%w: manager %s has departed", ErrPrecondition, id)
		}
		id = m.ManagerID
	}
	return nil
}

// Hired is the employee a hire starts.
func Hired(tenant string, h Hire) Employee {
	return Employee{
		Tenant: tenant, ID: h.EmployeeID, Name: h.Name, OrgUnitID: h.OrgUnitID,
		ManagerID: h.ManagerID, Role: h.Role, StartDate: h.StartDate, Status: StatusActive,
	}
}

// NoticeResignation decides a notice: only an active employee resigns,
// and the planned last day is neither before the notice nor before the
// start date.
func NoticeResignation(e Employee, noticeDate, plannedLastDay string) (Employee, error) {
	var v violations
	if !ValidDate(noticeDate) {
		v.Add("notice_date", "required, YYYY-MM-DD")
	}
	if !ValidDate(plannedLastDay) {
		v.Add("planned_last_day", "required, YYYY-MM-DD")
	} else if ValidDate(noticeDate) && plannedLastDay < noticeDate {
		v.Add("planned_last_day", "is before notice_date")
	}
	if err := v.Err(); err != nil {
		return e, err
	}
	if e.Status != StatusActive {
		return e, fmt.Errorf("%w: only an active employee can resign (employee is %s)", ErrPrecondition, e.Status)
	}
	if plannedLastDay < e.StartDate {
		return e, fmt.Errorf("%w: planned last day is before the start date %s", ErrPrecondition, e.StartDate)
	}
	e.Status, e.NoticeDate, e.PlannedLastDay = StatusOnNotice, noticeDate, plannedLastDay
	return e, nil
}

// WithdrawResignation decides a withdrawal: only an employee on notice.
func WithdrawResignation(e Employee) (Employee, error) {
	if e.Status != StatusOnNotice {
		return e, fmt.Errorf("%w: no resignation to withdraw (employee is %s)", ErrPrecondition, e.Status)
	}
	e.Status, e.NoticeDate, e.PlannedLastDay = StatusActive, "", ""
	return e, nil
}

// RecordLeave decides a leave: valid dates in order, a known type, and an
// employee who has not departed, starting no earlier than the start date.
func RecordLeave(e Employee, l Leave) (Employee, error) {
	var v violations
	if !ValidDate(l.StartDate) {
		v.Add("start_date", "required, YYYY-MM-DD")
	}
	if !ValidDate(l.EndDate) {
		v.Add("end_date", "required, YYYY-MM-DD")
	} else if ValidDate(l.StartDate) && l.EndDate < l.StartDate {
		v.Add("end_date", "is before start_date")
	}
	if l.Type < LeaveAnnual || l.Type > LeaveOther {
		v.Add("leave_type", "must be ANNUAL, SICK, PERSONAL or OTHER")
	}
	if err := v.Err(); err != nil {
		return e, err
	}
	if e.Status == StatusDeparted {
		return e, fmt.Errorf("%w: employee %s has departed", ErrPrecondition, e.ID)
	}
	if l.StartDate < e.StartDate {
		return e, fmt.Errorf("%w: leave starts before the start date %s", ErrPrecondition, e.StartDate)
	}
	e.Leaves = append(slices.Clone(e.Leaves), l)
	return e, nil
}

// RecordDeparture decides a departure: not twice, not before the start date.
func RecordDeparture(e Employee, lastDay string) (Employee, error) {
	if !ValidDate(lastDay) {
		return e, &ValidationError{Violations: []FieldViolation{{Field: "last_day", Description: "required, YYYY-MM-DD"}}}
	}
	if e.Status == StatusDeparted {
		return e, fmt.Errorf("%w: employee %s has already departed", ErrPrecondition, e.ID)
	}
	if e.Status != StatusActive && e.Status != StatusOnNotice {
		return e, fmt.Errorf("%w: employee %s is not employed", ErrPrecondition, e.ID)
	}
	if lastDay < e.StartDate {
		return e, fmt.Errorf("%w: last day is before the start date %s", ErrPrecondition, e.StartDate)
	}
	e.Status, e.LastDay, e.NoticeDate, e.PlannedLastDay = StatusDeparted, lastDay, "", ""
	return e, nil
}

func (s EmployeeStatus) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusOnNotice:
		return "on notice"
	case StatusDeparted:
		return "departed"
	}
	return "unspecified"
}
