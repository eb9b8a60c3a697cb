package domain

import "slices"

// Actor is the authenticated caller of a use case.
type Actor struct {
	Tenant     string
	EmployeeID string
	Roles      []string
}

func (a Actor) has(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// CanCreateOrgUnit: admins shape the organisation tree.
func (a Actor) CanCreateOrgUnit() bool { return a.has("admin") }

// CanHire: admins and hr hire.
func (a Actor) CanHire() bool { return a.has("admin", "hr") }

// CanNoticeResignation: hr, or the employee resigning.
func (a Actor) CanNoticeResignation(employeeID string) bool {
	return a.has("hr") || a.EmployeeID == employeeID
}

// CanWithdrawResignation: hr only; a withdrawal is an agreement, not a click.
func (a Actor) CanWithdrawResignation() bool { return a.has("hr") }

// CanRecordLeave: hr, or the manager the employee reports to.
func (a Actor) CanRecordLeave(e Employee) bool {
	return a.has("hr") || (a.has("manager") && e.ManagerID != "" && e.ManagerID == a.EmployeeID)
}

// CanRecordDeparture: hr only.
func (a Actor) CanRecordDeparture() bool { return a.has("hr") }

// CanListEmployees: hr, auditors, admins and managers.
func (a Actor) CanListEmployees() bool { return a.has("hr", "auditor", "admin", "manager") }

// CanReadEmployee: those who list employees, and the employee themselves.
func (a Actor) CanReadEmployee(employeeID string) bool {
	return a.CanListEmployees() || a.EmployeeID == employeeID
}

// MayRecordLeave is whether the actor could record any leave at all: hr, or
// a manager (whose own reports are checked by CanRecordLeave).
func (a Actor) MayRecordLeave() bool { return a.has("hr", "manager") }
