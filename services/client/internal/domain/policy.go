package domain

import "slices"

// Actor is who is asking: tenant, employee id and roles (role names as in pkg/auth).
type Actor struct {
	Tenant     string
	EmployeeID string
	Roles      []string
}

func (a Actor) has(roles ...string) bool {
	return slices.ContainsFunc(a.Roles, func(r string) bool { return slices.Contains(roles, r) })
}

// CanRegister: people who sell or run sales register customers; hr and
// auditor read but never change.
func (a Actor) CanRegister() bool {
	return a.has("sales", "senior_sales", "manager", "admin")
}

// CanRead: the holder of a customer, and the roles that oversee customers.
func (a Actor) CanRead(c Customer) bool {
	return c.OwnerID == a.EmployeeID || a.has("senior_sales", "manager", "hr", "auditor", "admin")
}

// CanLogInteraction: the holder, or a manager following up for them.
func (a Actor) CanLogInteraction(c Customer) bool {
	return (c.OwnerID == a.EmployeeID && a.has("sales", "senior_sales", "manager")) || a.has("manager", "admin")
}

// CanReadHistory: a customer's trail (who held it, who tried to take it,
// who saw its contacts) is for those who oversee or investigate, and for
// its holder; senior sales read other customers but not their trails.
func (a Actor) CanReadHistory(c Customer) bool {
	return (c.OwnerID != "" && c.OwnerID == a.EmployeeID) || a.has("manager", "hr", "auditor", "admin")
}

// CanListAll: who may list customers they do not hold.
func (a Actor) CanListAll() bool {
	return a.has("senior_sales", "manager", "hr", "auditor", "admin")
}

// CanUpdatePolicy: only an admin changes the tenant's client policy.
func (a Actor) CanUpdatePolicy() bool {
	return a.has("admin")
}
