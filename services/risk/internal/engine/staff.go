package engine

import (
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/workcal"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// The staff projection: who each employee is in the org tree (unit, role),
// when they work (their branch's calendar, hire date, approved leave) and
// where they are in their lifecycle (resignation notice, departure). Rules
// read it to count working days leave-aware (S2, H3), to know that a
// notice opened a departing window (S3, H5), and to compare an employee
// with peers doing the same job.

// staffRetention is how long the projection keeps what no rule looks at
// any more: leave that ended, and employees who departed, this long
// before the tenant's latest attendance event or tick.
const staffRetention = 120 * 24 * time.Hour

// maxUnitDepth bounds the walk up the org tree to a branch calendar, as
// the attendance service bounds it.
const maxUnitDepth = 32

// OrgUnit is an OrgUnitCreated as the engine keeps it: its place in the
// tree and, for a branch, its working calendar.
type OrgUnit struct {
	Tenant, ID, ParentID string
	// TimeZone, WorkingWeekdays and Holidays are empty for a unit that
	// takes its calendar from the branch above it.
	TimeZone        string
	WorkingWeekdays []int
	Holidays        []string
}

// StaffEventKind says what a StaffEvent changes.
type StaffEventKind int

// Staff event kinds, one per ATTENDANCE employee event.
const (
	StaffHired StaffEventKind = iota + 1
	StaffTransferred
	StaffRoleChanged
	StaffLeave
	StaffNotice
	StaffNoticeWithdrawn
	StaffDeparted
)

// StaffEvent is one change of an employee's record from ATTENDANCE.
type StaffEvent struct {
	Tenant, EmployeeID string
	Kind               StaffEventKind
	// OrgUnitID is set for StaffHired and StaffTransferred (the new unit).
	OrgUnitID string
	// Role is set for StaffHired and StaffRoleChanged (the new role).
	Role string
	// Date is the hire date, the leave's first day, the notice date or the
	// last day (YYYY-MM-DD); EndDate is the leave's last day.
	Date, EndDate string
	OccurredAt    time.Time
	Evidence      domain.Evidence
}

// unitKey names one org unit of a tenant.
type unitKey struct{ tenant, unit string }

// orgUnit is a unit's parent and, for a branch, its calendar.
type orgUnit struct {
	// source is the unit as recorded, from which a snapshot rebuilds it.
	source   OrgUnit
	parent   string
	branch   bool
	calendar workcal.Calendar
	location *time.Location
}

// staffMember is what the engine knows of one employee.
type staffMember struct {
	unit, role string
	hired      workcal.Date
	leaves     []workcal.Period
	// notice is the time the current resignation notice was filed (zero:
	// none in force); a withdrawal clears it.
	notice         time.Time
	noticeEvidence domain.Evidence
	departed       bool
	lastDay        workcal.Date
	departedAt     time.Time
}

// staffProjection is the engine's view of ATTENDANCE's org tree.
type staffProjection struct {
	units   map[unitKey]orgUnit
	members byTenant[*staffMember]
	// prunable is the members with leave or a departure on record: all
	// that the daily prune has anything to do with, and a few of the
	// tenant's thousands. Derived from members.
	prunable byTenant[*staffMember]
}

func newStaffProjection() staffProjection {
	return staffProjection{
		units:    map[unitKey]orgUnit{},
		members:  byTenant[*staffMember]{},
		prunable: byTenant[*staffMember]{},
	}
}

// noteIfPrunable adds m to prunable when it has leave or has departed.
func (p *staffProjection) noteIfPrunable(key employeeKey, m *staffMember) {
	if m.departed || len(m.leaves) > 0 {
		p.prunable.put(key, m)
	}
}

// RecordOrgUnit adds an org unit to the staff projection. A calendar the
// engine cannot read (unknown time zone, bad holiday) leaves the unit
// without one, so its employees fall back to the branch above it.
func (e *Engine) RecordOrgUnit(u OrgUnit) {
	ou := orgUnit{parent: u.ParentID, source: u}
	if len(u.WorkingWeekdays) > 0 {
		cal, err := workcal.NewCalendar(u.WorkingWeekdays, u.Holidays)
		loc, lerr := time.LoadLocation(u.TimeZone)
		if err == nil && lerr == nil {
			ou.branch, ou.calendar, ou.location = true, cal, loc
		}
	}
	e.staff.units[unitKey{u.Tenant, u.ID}] = ou
}

// RecordStaff applies one employee event to the staff projection. Dates
// that do not parse are ignored (ATTENDANCE validated them when written).
func (e *Engine) RecordStaff(s StaffEvent) {
	p := &e.staff
	key := employeeKey{s.Tenant, s.EmployeeID}
	m, _ := p.members.get(key)
	if m == nil {
		if s.Kind != StaffHired {
			return // an employee hired before the projection's horizon
		}
		m = &staffMember{}
		p.members.put(key, m)
		e.staffChanged(s.Tenant)
	}
	date, dateErr := workcal.ParseDate(s.Date)
	switch s.Kind {
	case StaffHired:
		m.unit, m.role = s.OrgUnitID, s.Role
		if dateErr == nil {
			m.hired = date
		}
	case StaffTransferred:
		m.unit = s.OrgUnitID
	case StaffRoleChanged:
		m.role = s.Role
	case StaffLeave:
		if end, err := workcal.ParseDate(s.EndDate); dateErr == nil && err == nil && end >= date {
			m.leaves = append(m.leaves, workcal.Period{From: date, To: end})
		}
	case StaffNotice:
		m.notice, m.noticeEvidence = s.OccurredAt, s.Evidence
	case StaffNoticeWithdrawn:
		m.notice, m.noticeEvidence = time.Time{}, domain.Evidence{}
	case StaffDeparted:
		m.departed, m.departedAt, m.notice = true, s.OccurredAt, time.Time{}
		if dateErr == nil {
			m.lastDay = date
		}
	}
	p.noteIfPrunable(key, m)
}

// prune drops, for the tenant, leave that ended and employees who
// departed more than staffRetention before now: no rule looks back that
// far, and the projection must not grow with the company's history. Ticks
// call it, once per tenant-hour, so events pay nothing for it. dropped is
// whether it dropped anyone.
func (p *staffProjection) prune(tenant string, now time.Time) (dropped bool) {
	cutoff := now.Add(-staffRetention)
	oldest := workcal.DateOf(cutoff, time.UTC)
	for id, m := range p.prunable.of(tenant) {
		key := employeeKey{tenant, id}
		if m.departed && m.departedAt.Before(cutoff) {
			p.members.del(key)
			p.prunable.del(key)
			dropped = true
			continue
		}
		m.leaves = slices.DeleteFunc(m.leaves, func(l workcal.Period) bool { return l.To < oldest })
		if !m.departed && len(m.leaves) == 0 {
			p.prunable.del(key)
		}
	}
	return dropped
}

// member is the tenant's employee as projected; ok is false for one the
// engine has not seen hired (or has pruned).
func (e *Engine) member(tenant, employee string) (staffMember, bool) {
	m, _ := e.staff.members.get(employeeKey{tenant, employee})
	if m == nil {
		return staffMember{}, false
	}
	return *m, true
}

// schedule is the employee's working days and the time zone their days
// are counted in: the calendar of the nearest branch above their unit
// (Monday to Friday in UTC without one), their employment and their
// approved leave. An employee the engine does not know works Monday to
// Friday, so a rule can still count their days.
func (e *Engine) schedule(tenant, employee string) (workcal.Schedule, *time.Location) {
	s := workcal.Schedule{Calendar: workcal.MondayToFriday(), Employed: workcal.Period{To: workcal.Forever}}
	loc := time.UTC
	m, _ := e.staff.members.get(employeeKey{tenant, employee})
	if m == nil {
		return s, loc
	}
	id := m.unit
	for depth := 0; id != "" && depth < maxUnitDepth; depth++ {
		u, ok := e.staff.units[unitKey{tenant, id}]
		if !ok {
			break
		}
		if u.branch {
			s.Calendar, loc = u.calendar, u.location
			break
		}
		id = u.parent
	}
	s.Employed.From = m.hired
	if m.departed && m.lastDay != 0 {
		s.Employed.To = m.lastDay
	}
	s.Leaves = slices.Clone(m.leaves)
	return s, loc
}

// workingDaysBetween counts the employee's working days strictly between
// the day of from and the day of to, in their branch's time zone: the
// whole working days that passed after from's day and before to's day.
// Leave, holidays and rest days do not count (H3).
func (e *Engine) workingDaysBetween(tenant, employee string, from, to time.Time) int {
	s, loc := e.schedule(tenant, employee)
	first := workcal.DateOf(from, loc).AddDays(1)
	last := workcal.DateOf(to, loc).AddDays(-1)
	if last < first {
		return 0
	}
	if int(last-first) >= workcal.MaxSpan {
		first = last.AddDays(-(workcal.MaxSpan - 1)) // beyond any rule's reach
	}
	n, err := s.WorkingDaysIn(workcal.Period{From: first, To: last})
	if err != nil {
		return 0
	}
	return n
}

// pruneProjections is the tick check that keeps the staff and book
// projections bounded; it decides nothing. It runs at the tenant's first
// tick of each UTC day, not every hour: retention is counted in days, so
// what it drops may stay up to a day past its retention.
func (e *Engine) pruneProjections(t Tick) []Change {
	today := dayIndex(t.At)
	if last, ok := e.pruneDay[t.Tenant]; ok && today <= last {
		return nil
	}
	e.pruneDay[t.Tenant] = today
	if e.staff.prune(t.Tenant, t.At) {
		e.staffChanged(t.Tenant)
	}
	e.book.prune(t.Tenant, t.At)
	e.pruneReveals(t.Tenant, t.At)
	oldest := workcal.DateOf(t.At, time.UTC).AddDays(-activityKeepDays)
	for id, days := range e.activity.of(t.Tenant) {
		if len(days) > 0 && days[0].day >= oldest {
			continue // days are in ascending order: none is too old
		}
		key := employeeKey{t.Tenant, id}
		kept := slices.DeleteFunc(days, func(d dayActivity) bool { return d.day < oldest })
		switch {
		case len(kept) == 0:
			e.activity.del(key)
		case len(kept) < len(days):
			e.activity.put(key, kept)
		}
	}
	return nil
}
