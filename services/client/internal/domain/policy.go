package domain

import "slices"

// Actor is who is asking: tenant, employee id and roles (role names as in
// pkg/auth), and, once the app has consulted the roster, what they see
// (see WithVisibility).
type Actor struct {
	Tenant     string
	EmployeeID string
	Roles      []string
	visibility *Visibility
}

func (a Actor) has(roles ...string) bool {
	return slices.ContainsFunc(a.Roles, func(r string) bool { return slices.Contains(roles, r) })
}

// NeedsRoster reports whether what a sees depends on the organisation
// tree: only senior_sales and managers see by tree, so only they make the
// app consult the roster.
func (a Actor) NeedsRoster() bool {
	return a.has("senior_sales", "manager") && !a.has("hr", "auditor", "admin")
}

// CanRegister: people who sell or run sales register customers; hr and
// auditor read but never change.
func (a Actor) CanRegister() bool {
	return a.has("sales", "senior_sales", "manager", "admin")
}

// CanRead: the holder of a customer; senior_sales their team's, managers
// their subtree's; hr, auditors and admins every customer. A pooled
// customer is read by the roles that oversee customers, wherever they sit.
func (a Actor) CanRead(c Customer) bool {
	if c.OwnerID == "" {
		return a.SeesPool()
	}
	return a.SeesHolder(c.OwnerID)
}

// CanLogInteraction: the holder, or a manager following up for someone in
// their subtree (or on a pooled customer), or an admin.
func (a Actor) CanLogInteraction(c Customer) bool {
	own := c.OwnerID != "" && c.OwnerID == a.EmployeeID
	return (own && a.has("sales", "senior_sales", "manager")) ||
		(a.has("manager") && a.oversees(c)) || a.has("admin")
}

// CanReadHistory: a customer's trail (who held it, who tried to take it,
// who saw its contacts) is for those who oversee or investigate, and for
// its holder; senior sales read their team's customers but not their
// trails, and a manager reads the trails of their subtree's customers.
func (a Actor) CanReadHistory(c Customer) bool {
	return (c.OwnerID != "" && c.OwnerID == a.EmployeeID) || a.has("hr", "auditor", "admin") || (a.has("manager") && a.oversees(c))
}

// CanUpdatePolicy: only an admin changes the tenant's client policy.
func (a Actor) CanUpdatePolicy() bool {
	return a.has("admin")
}
