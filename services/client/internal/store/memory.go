package store

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

var _ Store = (*Memory)(nil)

// Memory is the in-memory read model: the embedded default, rebuilt by
// replaying CLIENT at start.
type Memory struct {
	mu         sync.RWMutex
	checkpoint uint64
	customers  map[string]map[string]domain.Customer // tenant → id → customer
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
	return &Memory{customers: map[string]map[string]domain.Customer{}}
}

// Apply implements Store.
func (m *Memory) Apply(_ context.Context, seq uint64, customers ...domain.Customer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.checkpoint {
		return nil
	}
	for _, c := range customers {
		t := m.customers[c.Tenant]
		if t == nil {
			t = map[string]domain.Customer{}
			m.customers[c.Tenant] = t
		}
		c.Phones = slices.Clone(c.Phones)
		t[c.ID] = c
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

// ParkedEvents returns what was parked, for operators and tests.
func (m *Memory) ParkedEvents() []Parked {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.parked)
}

// Checkpoint implements Store.
func (m *Memory) Checkpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.checkpoint, nil
}

// GetCustomer implements Store.
func (m *Memory) GetCustomer(_ context.Context, tenant, id string) (domain.Customer, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.customers[tenant][id]
	if !ok {
		return domain.Customer{}, ErrNotFound
	}
	c.Phones = slices.Clone(c.Phones)
	return c, nil
}

// ListCustomers implements Store.
func (m *Memory) ListCustomers(_ context.Context, tenant string, f ListFilter) ([]domain.Customer, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []domain.Customer
	for _, c := range m.customers[tenant] {
		if (f.OwnerID == "" || c.OwnerID == f.OwnerID) && c.ID > f.After {
			c.Phones = slices.Clone(c.Phones)
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b domain.Customer) int { return cmp.Compare(a.ID, b.ID) })
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
