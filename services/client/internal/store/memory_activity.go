package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// holdingLog is one tenant's holdings and, per customer, the index of its
// open one.
type holdingLog struct {
	all  []domain.Holding
	open map[string]int
}

// changeHolderLocked closes the customer's open holding, if any, and opens
// one for its new holder, if any, both at HeldSince (truncated to the
// microsecond as PostgreSQL keeps it). A HeldSince before the closed
// holding's start (a back-dated event) closes it where it began.
func (m *Memory) changeHolderLocked(c domain.Customer) {
	l := m.holdings[c.Tenant]
	if l == nil {
		l = &holdingLog{open: map[string]int{}}
		m.holdings[c.Tenant] = l
	}
	at := c.HeldSince.Truncate(time.Microsecond)
	if i, ok := l.open[c.ID]; ok {
		l.all[i].Until = maxTime(at, l.all[i].From)
		delete(l.open, c.ID)
	}
	if c.OwnerID != "" {
		l.open[c.ID] = len(l.all)
		l.all = append(l.all, domain.Holding{Tenant: c.Tenant, CustomerID: c.ID, EmployeeID: c.OwnerID, From: at})
	}
}

// setOf is ids as a set, for filters over many rows.
func setOf(ids []string) map[string]bool {
	s := make(map[string]bool, len(ids))
	for _, id := range ids {
		s[id] = true
	}
	return s
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Holdings implements Activity.
func (m *Memory) Holdings(_ context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Holding, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out, of := []domain.Holding{}, setOf(employees)
	l := m.holdings[tenant]
	if l == nil {
		return out, nil
	}
	for _, h := range l.all {
		if of[h.EmployeeID] && (h.Until.IsZero() || (h.From.Before(to) && h.Until.After(from))) {
			out = append(out, h)
		}
	}
	return domain.SortedHoldings(out), nil
}

// Touches implements Activity.
func (m *Memory) Touches(_ context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Touch, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out, of := []domain.Touch{}, setOf(employees)
	if l := m.interactions[tenant]; l != nil {
		for _, in := range l.bySeq {
			if in.CustomerID != "" && of[in.EmployeeID] && !in.OccurredAt.Before(from) && in.OccurredAt.Before(to) {
				out = append(out, domain.Touch{EmployeeID: in.EmployeeID, CustomerID: in.CustomerID, At: in.OccurredAt})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b domain.Touch) int { return a.At.Compare(b.At) })
	return out, nil
}

// RegisteredBetween implements Activity.
func (m *Memory) RegisteredBetween(_ context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Customer, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	of := setOf(employees)
	out := m.sorted(tenant, func(c domain.Customer) bool {
		at := c.RegisteredAt.Truncate(time.Microsecond)
		return of[c.RegisteredBy] && !at.Before(from) && at.Before(to)
	}, 0)
	if out == nil {
		out = []domain.Customer{}
	}
	return out, nil
}

// FirstContacts implements Activity.
func (m *Memory) FirstContacts(_ context.Context, tenant string, employees, counterparties []string) ([]domain.FirstContact, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	type key struct{ employee, counterparty string }
	first, of, cps := map[key]time.Time{}, setOf(employees), setOf(counterparties)
	if l := m.interactions[tenant]; l != nil {
		for _, in := range l.bySeq {
			if in.Counterparty == "" || !of[in.EmployeeID] || !cps[in.Counterparty] {
				continue
			}
			k := key{in.EmployeeID, in.Counterparty}
			if at, ok := first[k]; !ok || in.OccurredAt.Before(at) {
				first[k] = in.OccurredAt
			}
		}
	}
	out := make([]domain.FirstContact, 0, len(first))
	for k, at := range first {
		out = append(out, domain.FirstContact{EmployeeID: k.employee, Counterparty: k.counterparty, At: at})
	}
	slices.SortFunc(out, func(a, b domain.FirstContact) int {
		return cmp.Or(cmp.Compare(a.EmployeeID, b.EmployeeID), cmp.Compare(a.Counterparty, b.Counterparty))
	})
	return out, nil
}
