package roster

import "slices"

// EmployeesUnder lists, sorted, every employee on the roster (departed
// ones included: their history stays reviewable) whose org unit is unit or
// a unit below it. A list query filters by this set instead of asking
// Manages once per stored row. An unknown unit has nobody under it.
func (t *Tracker) EmployeesUnder(tenant, unit string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := []string{}
	tree := t.tenants[tenant]
	if tree == nil || unit == "" {
		return out
	}
	for id, m := range tree.members {
		if tree.below(m.unit, unit) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// UnitOf is the employee's org unit on the roster ("" for someone not on it).
func (t *Tracker) UnitOf(tenant, employee string) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if tree := t.tenants[tenant]; tree != nil {
		return tree.members[employee].unit
	}
	return ""
}

// HasUnit reports whether the org unit exists on the tenant's roster.
func (t *Tracker) HasUnit(tenant, unit string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tree := t.tenants[tenant]
	if tree == nil {
		return false
	}
	_, ok := tree.parents[unit]
	return ok
}

// below reports whether unit is top or one of its descendants, walking up
// at most maxDepth levels (a deeper or looping chain is corrupt).
func (tree *tenantTree) below(unit, top string) bool {
	for depth := 0; unit != "" && depth < maxDepth; depth++ {
		if unit == top {
			return true
		}
		unit = tree.parents[unit]
	}
	return false
}
