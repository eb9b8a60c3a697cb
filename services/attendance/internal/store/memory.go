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
	checkIns   map[string][]domain.CheckIn           // tenant → check-ins in sequence order
	checkInAt  map[string]map[string]int             // tenant → id → index in checkIns
	fixes      map[fixKey]string                     // earliest check-in per exact fix
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
	return &Memory{
		units: map[string]map[string]domain.OrgUnit{}, employees: map[string]map[string]domain.Employee{},
		checkIns: map[string][]domain.CheckIn{}, checkInAt: map[string]map[string]int{}, fixes: map[fixKey]string{},
	}
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
	if c := c.CheckIn; c != nil {
		m.addCheckIn(*c)
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

// fixKey identifies an exact fix of one employee.
type fixKey struct {
	tenant, employee         string
	lat, lon, accuracyMeters float64
}

func keyOf(tenant string, c domain.CheckIn) fixKey {
	return fixKey{tenant, c.EmployeeID, c.Point.Latitude, c.Point.Longitude, c.AccuracyM}
}

// addCheckIn appends c; Apply calls it in sequence order, so each tenant's
// slice stays sorted by sequence.
func (m *Memory) addCheckIn(c domain.CheckIn) {
	at := m.checkInAt[c.Tenant]
	if at == nil {
		at = map[string]int{}
		m.checkInAt[c.Tenant] = at
	}
	if _, dup := at[c.ID]; dup {
		return
	}
	at[c.ID] = len(m.checkIns[c.Tenant])
	m.checkIns[c.Tenant] = append(m.checkIns[c.Tenant], c)
	if _, seen := m.fixes[keyOf(c.Tenant, c)]; !seen {
		m.fixes[keyOf(c.Tenant, c)] = c.ID
	}
}

// GetCheckIn implements Store.
func (m *Memory) GetCheckIn(_ context.Context, tenant, id string) (domain.CheckIn, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	i, ok := m.checkInAt[tenant][id]
	if !ok {
		return domain.CheckIn{}, fmt.Errorf("check-in %s: %w", id, domain.ErrNotFound)
	}
	return m.checkIns[tenant][i], nil
}

// FindSameFix implements Store.
func (m *Memory) FindSameFix(_ context.Context, tenant string, c domain.CheckIn) (string, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.fixes[keyOf(tenant, c)]
	return id, ok, nil
}

// ListCheckIns implements Store. It walks the tenant's check-ins from the
// newest; the dev stack's volumes keep that cheap, PostgreSQL indexes it.
func (m *Memory) ListCheckIns(_ context.Context, tenant string, f CheckInFilter) ([]domain.CheckIn, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	all := m.checkIns[tenant]
	var out []domain.CheckIn
	for i := len(all) - 1; i >= 0 && len(out) < f.Limit; i-- {
		if f.matches(all[i]) {
			out = append(out, all[i])
		}
	}
	return out, nil
}
