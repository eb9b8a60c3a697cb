package store

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

var _ Store = (*Memory)(nil)

// Memory is the in-memory read model: the alerts, rebuilt by replaying
// RISK, and the sensitive hits, rebuilt by replaying RISK_IN.
type Memory struct {
	mu         sync.RWMutex
	checkpoint uint64
	alerts     map[string]map[string]domain.Alert // tenant → id → alert
	parked     int
	// parkedInput holds the RISK_IN sequences the engine parked.
	parkedInput map[uint64]bool
	// hits is the sensitive-hits view, projected from RISK_IN.
	hits memoryHits
}

// NewMemory returns an empty read model.
func NewMemory() *Memory {
	return &Memory{alerts: map[string]map[string]domain.Alert{}, parkedInput: map[uint64]bool{}, hits: newMemoryHits()}
}

// Apply implements Store.
func (m *Memory) Apply(_ context.Context, seq uint64, alerts ...domain.Alert) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.checkpoint {
		return nil
	}
	for _, a := range alerts {
		t := m.alerts[a.Tenant]
		if t == nil {
			t = map[string]domain.Alert{}
			m.alerts[a.Tenant] = t
		}
		t[a.ID] = cloneAlert(a)
	}
	m.checkpoint = seq
	return nil
}

// Park implements Store.
func (m *Memory) Park(_ context.Context, seq uint64, _, _ string, _ []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq > m.checkpoint {
		m.parked++
		m.checkpoint = seq
	}
	return nil
}

// Checkpoint implements Store.
func (m *Memory) Checkpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.checkpoint, nil
}

// GetAlert implements Store.
func (m *Memory) GetAlert(_ context.Context, tenant, id string) (domain.Alert, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, ok := m.alerts[tenant][id]
	if !ok {
		return domain.Alert{}, ErrNotFound
	}
	return cloneAlert(a), nil
}

// ListAlerts implements Store.
func (m *Memory) ListAlerts(_ context.Context, tenant string, f ListFilter) ([]domain.Alert, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []domain.Alert
	for _, a := range m.alerts[tenant] {
		if f.matches(a) {
			out = append(out, cloneAlert(a))
		}
	}
	slices.SortFunc(out, f.compare)
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func cloneAlert(a domain.Alert) domain.Alert {
	a.Evidence = slices.Clone(a.Evidence)
	for i := range a.Evidence {
		a.Evidence[i].Matches = slices.Clone(a.Evidence[i].Matches)
	}
	return a
}

// StatusCounts implements Store.
func (m *Memory) StatusCounts(_ context.Context, tenant string) (map[string]map[domain.Status]int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := map[string]map[domain.Status]int{}
	for _, a := range m.alerts[tenant] {
		if out[a.RuleID] == nil {
			out[a.RuleID] = map[domain.Status]int{}
		}
		out[a.RuleID][a.Status]++
	}
	return out, nil
}

// ListCases implements Store.
func (m *Memory) ListCases(_ context.Context, tenant string, f CaseFilter) ([]domain.Alert, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []domain.Alert
	for _, a := range m.alerts[tenant] {
		if f.matches(a) {
			out = append(out, cloneAlert(a))
		}
	}
	slices.SortFunc(out, func(a, b domain.Alert) int { return cmp.Compare(b.CaseSequence, a.CaseSequence) })
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// ParkInput implements Store.
func (m *Memory) ParkInput(_ context.Context, seq uint64, _, _ string, _ []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.parkedInput[seq] = true
	return nil
}

// ParkedInputs implements Store.
func (m *Memory) ParkedInputs(context.Context) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.parkedInput), nil
}
