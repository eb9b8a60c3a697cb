package domain

import "slices"

// Actor is the authenticated caller of a use case.
type Actor struct {
	Tenant     string
	EmployeeID string
	Roles      []string
	// Oversees reports whether an employee is in the manager's part of the
	// organisation tree (per the attendance roster). Nil oversees nobody.
	Oversees func(employeeID string) bool
}

func (a Actor) has(roles ...string) bool {
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// Role names used by the commission service's checks.
const (
	RoleSales   = "sales"
	RoleManager = "manager"
	RoleHR      = "hr"
	RoleAuditor = "auditor"
	RoleAdmin   = "admin"
	RoleService = "service"
)

// CanSetPlan: only admins change the tenant's commission plan.
func (a Actor) CanSetPlan() bool { return a.has(RoleAdmin) }

// CanReadPlan: hr, auditors, admins and managers read the plan.
func (a Actor) CanReadPlan() bool { return a.has(RoleHR, RoleAuditor, RoleAdmin, RoleManager) }

// CanReadStatement: the employee themselves; hr, auditors and admins for
// anyone; a manager for the employees of their org unit and below it.
func (a Actor) CanReadStatement(employeeID string) bool {
	return employeeID == a.EmployeeID || a.has(RoleHR, RoleAuditor, RoleAdmin) ||
		(a.has(RoleManager) && a.Oversees != nil && a.Oversees(employeeID))
}

// CanExportPayouts: hr and admins export payroll, and a service principal
// (a payroll integration) may; auditors read statements but never record
// a payout.
func (a Actor) CanExportPayouts() bool { return a.has(RoleHR, RoleAdmin, RoleService) }
