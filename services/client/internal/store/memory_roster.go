package store

import (
	"context"
	"slices"
	"sync"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// memoryRoster is Memory's roster: the organisation tree rebuilt by
// replaying ATTENDANCE at start.
type memoryRoster struct {
	mu         sync.RWMutex
	checkpoint uint64
	employees  map[string]map[string]domain.RosterEmployee // tenant → id → employee
	units      map[string]map[string]domain.OrgUnit        // tenant → id → unit
	parked     []Parked
}

// ApplyRoster implements Roster.
func (m *Memory) ApplyRoster(_ context.Context, seq uint64, ch RosterChange) error {
	r := &m.roster
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq <= r.checkpoint {
		return nil
	}
	if e := ch.Employee; e != nil {
		if r.employees == nil {
			r.employees = map[string]map[string]domain.RosterEmployee{}
		}
		tenantMap(r.employees, e.Tenant)[e.ID] = *e
	}
	if u := ch.OrgUnit; u != nil {
		if r.units == nil {
			r.units = map[string]map[string]domain.OrgUnit{}
		}
		tenantMap(r.units, u.Tenant)[u.ID] = *u
	}
	r.checkpoint = seq
	return nil
}

func tenantMap[V any](m map[string]map[string]V, tenant string) map[string]V {
	if m[tenant] == nil {
		m[tenant] = map[string]V{}
	}
	return m[tenant]
}

// ParkRoster implements Roster.
func (m *Memory) ParkRoster(_ context.Context, seq uint64, subject, reason string, data []byte) error {
	r := &m.roster
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq <= r.checkpoint {
		return nil
	}
	r.parked = append(r.parked, Parked{Sequence: seq, Subject: subject, Reason: reason, Data: slices.Clone(data)})
	r.checkpoint = seq
	return nil
}

// ParkedRosterEvents returns the ATTENDANCE events the roster parked, for
// operators and tests.
func (m *Memory) ParkedRosterEvents() []Parked {
	m.roster.mu.RLock()
	defer m.roster.mu.RUnlock()
	return slices.Clone(m.roster.parked)
}

// RosterCheckpoint implements Roster.
func (m *Memory) RosterCheckpoint(context.Context) (uint64, error) {
	m.roster.mu.RLock()
	defer m.roster.mu.RUnlock()
	return m.roster.checkpoint, nil
}

// RosterEmployee implements Roster.
func (m *Memory) RosterEmployee(_ context.Context, tenant, id string) (domain.RosterEmployee, error) {
	m.roster.mu.RLock()
	defer m.roster.mu.RUnlock()
	e, ok := m.roster.employees[tenant][id]
	if !ok {
		return domain.RosterEmployee{}, ErrNotFound
	}
	return e, nil
}

// Subtree implements Roster: a breadth-first walk that visits each unit
// once and stops maxDepth levels below root.
func (m *Memory) Subtree(_ context.Context, tenant, root string, maxDepth int) ([]string, error) {
	m.roster.mu.RLock()
	defer m.roster.mu.RUnlock()
	units := m.roster.units[tenant]
	if _, ok := units[root]; !ok {
		return nil, ErrNotFound
	}
	children := map[string][]string{}
	for _, u := range units {
		children[u.ParentID] = append(children[u.ParentID], u.ID)
	}
	seen := map[string]bool{root: true}
	level := []string{root}
	for depth := 0; depth < maxDepth && len(level) > 0; depth++ {
		var next []string
		for _, id := range level {
			for _, child := range children[id] {
				if !seen[child] {
					seen[child] = true
					next = append(next, child)
				}
			}
		}
		level = next
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}

// EmployeesIn implements Roster.
func (m *Memory) EmployeesIn(_ context.Context, tenant string, units []string) ([]string, error) {
	m.roster.mu.RLock()
	defer m.roster.mu.RUnlock()
	in := make(map[string]bool, len(units))
	for _, u := range units {
		in[u] = true
	}
	var out []string
	for _, e := range m.roster.employees[tenant] {
		if in[e.OrgUnitID] {
			out = append(out, e.ID)
		}
	}
	slices.Sort(out)
	return out, nil
}
