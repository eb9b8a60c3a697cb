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

// CanListEmployees: hr, auditors, admins, and managers (within their
// subtree, which the app layer works out from the tree).
func (a Actor) CanListEmployees() bool { return a.has("hr", "auditor", "admin", "manager") }

// ReadsEveryone: hr, auditors and admins read every employee's record.
func (a Actor) ReadsEveryone() bool { return a.has("hr", "auditor", "admin") }

// ManagesATeam: managers read the employees of their org unit's subtree.
func (a Actor) ManagesATeam() bool { return a.has("manager") }

// CanTransfer: admins and hr move employees and change roles.
func (a Actor) CanTransfer() bool { return a.has("admin", "hr") }

// MayRecordLeave is whether the actor could record any leave at all: hr, or
// a manager (whose own reports are checked by CanRecordLeave).
func (a Actor) MayRecordLeave() bool { return a.has("hr", "manager") }
