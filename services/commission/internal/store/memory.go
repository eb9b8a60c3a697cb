package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

var _ Store = (*Memory)(nil)

type orderKey struct{ tenant, id string }

// Memory is the in-memory read model: the embedded default, rebuilt by
// replaying ORDER and COMMISSION at start.
type Memory struct {
	mu               sync.RWMutex
	orderCP, entryCP uint64
	riskCP           uint64
	orders           map[orderKey]domain.OrderTrack
	entries          map[string][]domain.Entry // tenant → entries in sequence order
	parked           []Parked
}

// NewMemory returns an empty read model.
func NewMemory() *Memory {
	return &Memory{orders: map[orderKey]domain.OrderTrack{}, entries: map[string][]domain.Entry{}}
}

// ApplyOrder implements Store.
func (m *Memory) ApplyOrder(_ context.Context, seq uint64, o *domain.OrderTrack) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.orderCP {
		return nil
	}
	if o != nil {
		m.orders[orderKey{o.Tenant, o.OrderID}] = *o
	}
	m.orderCP = seq
	return nil
}

// ParkOrder implements Store.
func (m *Memory) ParkOrder(_ context.Context, seq uint64, subject, reason string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.orderCP {
		return nil
	}
	m.parked = append(m.parked, Parked{Stream: "ORDER", Sequence: seq, Subject: subject, Reason: reason, Data: slices.Clone(data)})
	m.orderCP = seq
	return nil
}

// OrderCheckpoint implements Store.
func (m *Memory) OrderCheckpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.orderCP, nil
}

// GetOrder implements Store.
func (m *Memory) GetOrder(_ context.Context, tenant, id string) (domain.OrderTrack, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	o, ok := m.orders[orderKey{tenant, id}]
	if !ok {
		return domain.OrderTrack{}, fmt.Errorf("order %s: %w", id, domain.ErrNotFound)
	}
	return o, nil
}

// ApplyEntry implements Store.
func (m *Memory) ApplyEntry(_ context.Context, seq uint64, e *domain.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.entryCP {
		return nil
	}
	if e != nil {
		m.entries[e.Tenant] = append(m.entries[e.Tenant], *e)
	}
	m.entryCP = seq
	return nil
}

// ParkEntry implements Store.
func (m *Memory) ParkEntry(_ context.Context, seq uint64, subject, reason string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.entryCP {
		return nil
	}
	m.parked = append(m.parked, Parked{Stream: "COMMISSION", Sequence: seq, Subject: subject, Reason: reason, Data: slices.Clone(data)})
	m.entryCP = seq
	return nil
}

// EntryCheckpoint implements Store.
func (m *Memory) EntryCheckpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.entryCP, nil
}

// ListEntries implements Store.
func (m *Memory) ListEntries(_ context.Context, tenant, employeeID string, from, to time.Time) ([]domain.Entry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []domain.Entry
	for _, e := range m.entries[tenant] {
		if e.EmployeeID == employeeID && inPeriod(e.OccurredAt, from, to) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b domain.Entry) int {
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.Sequence, b.Sequence))
	})
	return out, nil
}

// TenantEntries implements Store.
func (m *Memory) TenantEntries(_ context.Context, tenant string) ([]domain.Entry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.entries[tenant]), nil
}

// ApplyRisk implements Store.
func (m *Memory) ApplyRisk(_ context.Context, seq uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.riskCP = max(m.riskCP, seq)
	return nil
}

// ParkRisk implements Store.
func (m *Memory) ParkRisk(_ context.Context, seq uint64, subject, reason string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.riskCP {
		return nil
	}
	m.parked = append(m.parked, Parked{Stream: "RISK", Sequence: seq, Subject: subject, Reason: reason, Data: slices.Clone(data)})
	m.riskCP = seq
	return nil
}

// RiskCheckpoint implements Store.
func (m *Memory) RiskCheckpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.riskCP, nil
}

// ParkedEvents returns the events set aside so far (tests and diagnostics).
func (m *Memory) ParkedEvents() []Parked {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.parked)
}
