package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/holdfast/holdfast/services/order/internal/domain"
)

var _ Store = (*Memory)(nil)

// Memory is the in-memory read model: the embedded default, rebuilt by
// replaying ORDER and CLIENT at start.
type Memory struct {
	mu                 sync.RWMutex
	orderCheckpoint    uint64
	customerCheckpoint uint64
	orders             map[string]map[string]domain.Order    // tenant → id → order
	customers          map[string]map[string]domain.Customer // tenant → id → customer
	parked             []Parked
}

// Parked is an event a projector could not apply.
type Parked struct {
	Stream   string
	Sequence uint64
	Subject  string
	Reason   string
	Data     []byte
}

// NewMemory returns an empty read model.
func NewMemory() *Memory {
	return &Memory{orders: map[string]map[string]domain.Order{}, customers: map[string]map[string]domain.Customer{}}
}

func tenantOf[V any](m map[string]map[string]V, tenant string) map[string]V {
	if m[tenant] == nil {
		m[tenant] = map[string]V{}
	}
	return m[tenant]
}

// ApplyOrder implements Store.
func (m *Memory) ApplyOrder(_ context.Context, seq uint64, o *domain.Order) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.orderCheckpoint {
		return nil
	}
	if o != nil {
		tenantOf(m.orders, o.Tenant)[o.ID] = cloneOrder(*o)
	}
	m.orderCheckpoint = seq
	return nil
}

// ParkOrder implements Store.
func (m *Memory) ParkOrder(_ context.Context, seq uint64, subject, reason string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.orderCheckpoint {
		return nil
	}
	m.parked = append(m.parked, Parked{Stream: "ORDER", Sequence: seq, Subject: subject, Reason: reason, Data: slices.Clone(data)})
	m.orderCheckpoint = seq
	return nil
}

// OrderCheckpoint implements Store.
func (m *Memory) OrderCheckpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.orderCheckpoint, nil
}

// ApplyCustomer implements Store.
func (m *Memory) ApplyCustomer(_ context.Context, seq uint64, c *domain.Customer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.customerCheckpoint {
		return nil
	}
	if c != nil {
		tenantOf(m.customers, c.Tenant)[c.ID] = *c
	}
	m.customerCheckpoint = seq
	return nil
}

// ParkCustomer implements Store.
func (m *Memory) ParkCustomer(_ context.Context, seq uint64, subject, reason string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq <= m.customerCheckpoint {
		return nil
	}
	m.parked = append(m.parked, Parked{Stream: "CLIENT", Sequence: seq, Subject: subject, Reason: reason, Data: slices.Clone(data)})
	m.customerCheckpoint = seq
	return nil
}

// CustomerCheckpoint implements Store.
func (m *Memory) CustomerCheckpoint(context.Context) (uint64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.customerCheckpoint, nil
}

// GetCustomer implements Store.
func (m *Memory) GetCustomer(_ context.Context, tenant, id string) (domain.Customer, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.customers[tenant][id]
	if !ok {
		return domain.Customer{}, fmt.Errorf("customer %s: %w", id, domain.ErrNotFound)
	}
	return c, nil
}

// GetOrder implements Store.
func (m *Memory) GetOrder(_ context.Context, tenant, id string) (domain.Order, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	o, ok := m.orders[tenant][id]
	if !ok {
		return domain.Order{}, fmt.Errorf("order %s: %w", id, domain.ErrNotFound)
	}
	return cloneOrder(o), nil
}

// ListOrders implements Store.
func (m *Memory) ListOrders(_ context.Context, tenant string, f OrderFilter) ([]domain.Order, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []domain.Order
	for _, o := range m.orders[tenant] {
		if f.matches(o) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b domain.Order) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out = out[:min(len(out), f.Limit)]
	for i := range out {
		out[i] = cloneOrder(out[i])
	}
	return out, nil
}

// Funnel implements Store.
func (m *Memory) Funnel(_ context.Context, tenant string, f FunnelFilter) ([]domain.FunnelRow, error) {
	if !f.From.Before(f.To) {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	rows := map[string]*domain.FunnelRow{}
	for _, o := range m.orders[tenant] {
		if f.SellerID != "" && o.SellerID != f.SellerID {
			continue
		}
		r := rows[o.SellerID]
		if r == nil {
			r = &domain.FunnelRow{EmployeeID: o.SellerID}
			rows[o.SellerID] = r
		}
		r.Created += count(f.in(o.CreatedAt))
		r.Won += count(f.in(o.WonAt))
		r.Lost += count(f.in(o.LostAt))
		r.Cancelled += count(f.in(o.CancelledAt))
	}
	var out []domain.FunnelRow
	for _, r := range rows {
		if r.Created+r.Won+r.Lost+r.Cancelled > 0 {
			out = append(out, *r)
		}
	}
	slices.SortFunc(out, func(a, b domain.FunnelRow) int { return cmp.Compare(a.EmployeeID, b.EmployeeID) })
	return out, nil
}

func count(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func cloneOrder(o domain.Order) domain.Order {
	o.Lines = slices.Clone(o.Lines)
	o.ApprovalChain = slices.Clone(o.ApprovalChain)
	o.Approvals = slices.Clone(o.Approvals)
	o.Payments = slices.Clone(o.Payments)
	o.Shipments = slices.Clone(o.Shipments)
	return o
}
