package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

var _ Store = (*Memory)(nil)

// Memory is the in-memory read model: the embedded default, rebuilt by
// replaying ATTENDANCE at start.
type Memory struct {
	mu         sync.RWMutex
	checkpoint uint64
	units      map[string]map[string]domain.OrgUnit  // tenant → id → unit
	employees  map[string]map[string]domain.Employee // tenant → id → employee
	parked     []Parked
}

// Parked is an event the projector could not apply.
type Parked struct {
	Sequence uint64
	Subject  string
	Reason   string
	Data     []byte
}

// NewMemory returns an empty read model.
func NewMemory() *Memory {
	return &Memory{units: map[string]map[string]domain.OrgUnit{}, employees: map[string]map[string]domain.Employee{}}
}

// Apply implements Store.
func (m *Memory) Apply(_ context.Context, seq uint64, c Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.checkpoint {
		return nil
	}
	if u := c.OrgUnit; u != nil {
		t := m.units[u.Tenant]
		if t == nil {
			t = map[string]domain.OrgUnit{}
			m.units[u.Tenant] = t
		}
		t[u.ID] = cloneOrgUnit(*u)
	}
	if e := c.Employee; e != nil {
		t := m.employees[e.Tenant]
		if t == nil {
			t = map[string]domain.Employee{}
			m.employees[e.Tenant] = t
		}
		t[e.ID] = cloneEmployee(*e)
	}
	m.checkpoint = seq
	return nil
}

// Park implements Store.
func (m *Memory) Park(_ context.Context, seq uint64, subject, reason string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.checkpoint {
		return nil
	}
	m.parked = append(m.parked, Parked{Sequence: seq, Subject: subject, Reason: reason, Data: slices.Clone(data)})
	m.checkpoint = seq
	return nil
}

// Checkpoint implements Store.
func (m *Memory) Checkpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.checkpoint, nil
}

// GetOrgUnit implements Store.
func (m *Memory) GetOrgUnit(_ context.Context, tenant, id string) (domain.OrgUnit, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u, ok := m.units[tenant][id]
	if !ok {
		return domain.OrgUnit{}, fmt.Errorf("org unit %s: %w", id, domain.ErrNotFound)
	}
	return cloneOrgUnit(u), nil
}

// ListOrgUnits implements Store.
func (m *Memory) ListOrgUnits(_ context.Context, tenant string, f OrgUnitFilter) ([]domain.OrgUnit, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []domain.OrgUnit
	for _, u := range m.units[tenant] {
		if f.matches(u) {
			out = append(out, cloneOrgUnit(u))
		}
	}
	slices.SortFunc(out, func(a, b domain.OrgUnit) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(len(out), f.Limit)], nil
}

// GetEmployee implements Store.
func (m *Memory) GetEmployee(_ context.Context, tenant, id string) (domain.Employee, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.employees[tenant][id]
	if !ok {
		return domain.Employee{}, fmt.Errorf("employee %s: %w", id, domain.ErrNotFound)
	}
	return cloneEmployee(e), nil
}

// ListEmployees implements Store.
func (m *Memory) ListEmployees(_ context.Context, tenant string, f EmployeeFilter) ([]domain.Employee, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []domain.Employee
	for _, e := range m.employees[tenant] {
		if f.matches(e) {
			out = append(out, cloneEmployee(e))
		}
	}
	slices.SortFunc(out, func(a, b domain.Employee) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(len(out), f.Limit)], nil
}

func cloneOrgUnit(u domain.OrgUnit) domain.OrgUnit {
	u.Calendar.WorkingWeekdays = slices.Clone(u.Calendar.WorkingWeekdays)
	u.Calendar.Holidays = slices.Clone(u.Calendar.Holidays)
	return u
}

func cloneEmployee(e domain.Employee) domain.Employee {
	e.Leaves = slices.Clone(e.Leaves)
	return e
}
