package store

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

var _ Store = (*Memory)(nil)

// Memory is the in-memory read model: the embedded default, rebuilt by
// replaying CLIENT at start.
type Memory struct {
	mu         sync.RWMutex
	checkpoint uint64
	customers  map[string]map[string]domain.Customer // tenant → id → customer
	claims     []Claim
	parked     []Parked
	// interactions holds each tenant's interactions in sequence order.
	interactions map[string]*interactionLog
	// trails holds, per tenant and customer, the ascending sequences of the
	// events about the customer.
	trails map[string]map[string][]uint64
	// roster is the ATTENDANCE projection, with its own lock and checkpoint.
	roster memoryRoster
	// holdings is, per tenant, every holding in the order it opened; open
	// indexes each customer's open one.
	holdings map[string]*holdingLog
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
		customers:    map[string]map[string]domain.Customer{},
		interactions: map[string]*interactionLog{},
		trails:       map[string]map[string][]uint64{},
		holdings:     map[string]*holdingLog{},
	}
}

// Apply implements Store.
func (m *Memory) Apply(_ context.Context, seq uint64, customers ...domain.Customer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.applyLocked(seq, customers)
	return nil
}

// ApplyClaim implements Store.
func (m *Memory) ApplyClaim(_ context.Context, seq uint64, claim Claim, customer domain.Customer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.applyLocked(seq, []domain.Customer{customer}) {
		m.claims = append(m.claims, claim)
	}
	return nil
}

// applyLocked upserts customers at seq; false if seq was applied before.
func (m *Memory) applyLocked(seq uint64, customers []domain.Customer) bool {
	if seq <= m.checkpoint {
		return false
	}
	for _, c := range customers {
		t := m.customers[c.Tenant]
		if t == nil {
			t = map[string]domain.Customer{}
			m.customers[c.Tenant] = t
		}
		prior, known := t[c.ID]
		if !known || prior.OwnerID != c.OwnerID {
			m.changeHolderLocked(c)
		}
		t[c.ID] = cloneCustomer(c)
		m.addToTrailLocked(c.Tenant, c.ID, seq)
	}
	m.checkpoint = seq
	return true
}

// addToTrailLocked adds seq to a customer's trail. The projector applies
// in stream order, so seq is never below the trail's last.
func (m *Memory) addToTrailLocked(tenant, customerID string, seq uint64) {
	t := m.trails[tenant]
	if t == nil {
		t = map[string][]uint64{}
		m.trails[tenant] = t
	}
	if trail := t[customerID]; len(trail) == 0 || trail[len(trail)-1] < seq {
		t[customerID] = append(trail, seq)
	}
}

func cloneCustomer(c domain.Customer) domain.Customer {
	c.Phones = slices.Clone(c.Phones)
	if c.Address.Location != nil {
		g := *c.Address.Location
		c.Address.Location = &g
	}
	return c
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
	return cloneCustomer(c), nil
}

// ListCustomers implements Store.
func (m *Memory) ListCustomers(_ context.Context, tenant string, f ListFilter) ([]domain.Customer, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.sorted(tenant, f.matches, f.Limit), nil
}

// sorted returns the tenant's customers that keep selects, by id, at most limit.
func (m *Memory) sorted(tenant string, keep func(domain.Customer) bool, limit int) []domain.Customer {
	var out []domain.Customer
	for _, c := range m.customers[tenant] {
		if keep(c) {
			out = append(out, cloneCustomer(c))
		}
	}
	slices.SortFunc(out, func(a, b domain.Customer) int { return cmp.Compare(a.ID, b.ID) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// FindByIdentity implements Store.
func (m *Memory) FindByIdentity(_ context.Context, tenant string, keys domain.IdentityKeys) ([]domain.Customer, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.sorted(tenant, func(c domain.Customer) bool { return sharesKey(keys, domain.KeysOf(c)) }, 0), nil
}

// sharesKey reports whether two customers share any identity key.
func sharesKey(a, b domain.IdentityKeys) bool {
	for _, p := range a.Phones {
		if slices.Contains(b.Phones, p) {
			return true
		}
	}
	return (a.Email != "" && a.Email == b.Email) ||
		(a.WeChatID != "" && a.WeChatID == b.WeChatID) ||
		(a.Company != "" && a.Company == b.Company)
}

// CountHeld implements Store.
func (m *Memory) CountHeld(_ context.Context, tenant, employee string) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, c := range m.customers[tenant] {
		if c.OwnerID == employee {
			n++
		}
	}
	return n, nil
}

// CountClaimsSince implements Store.
func (m *Memory) CountClaimsSince(_ context.Context, tenant, employee string, since time.Time) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, c := range m.claims {
		if c.Tenant == tenant && c.EmployeeID == employee && !c.At.Before(since) {
			n++
		}
	}
	return n, nil
}

// IdleHeld implements Store.
func (m *Memory) IdleHeld(_ context.Context, tenant string, cutoff time.Time, limit int) ([]domain.Customer, error) {
	if limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.sorted(tenant, func(c domain.Customer) bool {
		return c.OwnerID != "" && c.IdleSince().Before(cutoff)
	}, limit), nil
}

// Tenants implements Store.
func (m *Memory) Tenants(context.Context) ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.customers))
	for t := range m.customers {
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}

// interactionLog is one tenant's interactions, ordered by sequence, with
// an index by id.
type interactionLog struct {
	bySeq []domain.LoggedInteraction
	at    map[string]int // id → index in bySeq
}

// ApplyInteraction implements Store.
func (m *Memory) ApplyInteraction(_ context.Context, seq uint64, in domain.LoggedInteraction, customer *domain.Customer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var customers []domain.Customer
	if customer != nil {
		customers = append(customers, *customer)
	}
	if !m.applyLocked(seq, customers) {
		return nil
	}
	if in.CustomerID != "" {
		m.addToTrailLocked(in.Tenant, in.CustomerID, seq)
	}
	// PostgreSQL keeps times to the microsecond; so does the contract.
	in.OccurredAt = in.OccurredAt.Truncate(time.Microsecond)
	l := m.interactions[in.Tenant]
	if l == nil {
		l = &interactionLog{at: map[string]int{}}
		m.interactions[in.Tenant] = l
	}
	if i, ok := l.at[in.ID]; ok && l.bySeq[i].Sequence == in.Sequence {
		l.bySeq[i] = in
		return nil
	} else if ok {
		l.bySeq = slices.Delete(l.bySeq, i, i+1)
	}
	// The projector applies in stream order, so this is an append but for
	// an interaction re-applied with another sequence.
	i, _ := slices.BinarySearchFunc(l.bySeq, in.Sequence, func(e domain.LoggedInteraction, seq uint64) int {
		return cmp.Compare(e.Sequence, seq)
	})
	l.bySeq = slices.Insert(l.bySeq, i, in)
	for j := i; j < len(l.bySeq); j++ {
		l.at[l.bySeq[j].ID] = j
	}
	return nil
}

// GetInteraction implements Store.
func (m *Memory) GetInteraction(_ context.Context, tenant, id string) (domain.LoggedInteraction, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	l := m.interactions[tenant]
	if l == nil {
		return domain.LoggedInteraction{}, ErrNotFound
	}
	i, ok := l.at[id]
	if !ok {
		return domain.LoggedInteraction{}, ErrNotFound
	}
	return l.bySeq[i], nil
}

// ListInteractions implements Store.
func (m *Memory) ListInteractions(_ context.Context, tenant string, f InteractionFilter) ([]domain.LoggedInteraction, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []domain.LoggedInteraction{}
	l := m.interactions[tenant]
	if l == nil {
		return out, nil
	}
	for i := len(l.bySeq) - 1; i >= 0 && len(out) < f.Limit; i-- {
		if f.matches(l.bySeq[i]) {
			out = append(out, l.bySeq[i])
		}
	}
	return out, nil
}

// ApplyMention implements Store.
func (m *Memory) ApplyMention(_ context.Context, seq uint64, tenant, customerID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.applyLocked(seq, nil) {
		m.addToTrailLocked(tenant, customerID, seq)
	}
	return nil
}

// CustomerTrail implements Store.
func (m *Memory) CustomerTrail(_ context.Context, tenant, customerID string, after uint64, limit int) ([]uint64, error) {
	if limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	trail := m.trails[tenant][customerID]
	i, found := slices.BinarySearch(trail, after)
	if found {
		i++
	}
	return slices.Clone(trail[i:min(len(trail), i+limit)]), nil
}
