package engine

import (
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// The book projection: every customer's current holder, source channel,
// registration time and identity keys, each holder's last follow-up of
// it, and per employee the customers they hold and their recent touches
// of contacts that are no registered customer (off-book). Rules read it
// to tell an employee's own book from everyone else's (S2, S3, H1) and to
// find contacts worked before they were registered (S8).

// Bounds of the off-book log: per employee, touches older than
// offBookRetention (before the tenant's first tick of the day) are dropped, and at
// most offBookCap are kept (the oldest go first).
const (
	offBookRetention = 60 * 24 * time.Hour
	offBookCap       = 500
)

// Registration is the part of a CustomerRegistered event the engine keeps.
type Registration struct {
	Tenant, CustomerID string
	// OwnerID holds the customer after registration ("" = the shared pool).
	OwnerID string
	// RegisteredBy is the employee who registered it (the event's actor).
	RegisteredBy string
	// Source is the source channel's name, e.g. "assignment", "personal".
	Source     string
	Phones     []string
	WeChatID   string
	Email      string
	OccurredAt time.Time
	Evidence   domain.Evidence
}

// OwnerChange is a CustomerOwnerChanged: the customer moves to NewOwnerID
// ("" = the shared pool).
type OwnerChange struct {
	Tenant, CustomerID string
	NewOwnerID         string
	OccurredAt         time.Time
}

// customerKey names one customer of a tenant.
type customerKey struct{ tenant, customer string }

// bookEntry is one customer as the book projection keeps it.
type bookEntry struct {
	owner        string
	source       string
	registeredAt time.Time
	keys         []string // phones, WeChat id and email as registered
	// heldSince is when the current owner got the customer; lastFollowUp
	// is the current owner's latest touch of it (zero: none yet).
	heldSince    time.Time
	lastFollowUp time.Time
}

// offBookTouch is one interaction with an unregistered contact, or one
// field visit linked to no customer (contact "").
type offBookTouch struct {
	at       time.Time
	contact  string
	evidence domain.Evidence
}

// bookProjection is the engine's view of CLIENT's customers.
//
// Customers and holdings are kept per tenant, like the per-employee
// projections: a lookup hashes one string in a map of one tenant's
// customers, where one map keyed by (tenant, customer) hashed and compared
// two and spread every tenant's customers over one table (an
// interaction's look-up of its customer was most of its cost).
type bookProjection struct {
	customers byTenant[*bookEntry]
	held      byTenant[map[string]struct{}]
	offBook   byTenant[[]offBookTouch]
}

func newBookProjection() bookProjection {
	return bookProjection{
		customers: byTenant[*bookEntry]{},
		held:      byTenant[map[string]struct{}]{},
		offBook:   byTenant[[]offBookTouch]{},
	}
}

// entry is the tenant's customer id (nil when the book has none).
func (b *bookProjection) entry(tenant, id string) *bookEntry {
	c, _ := b.customers.at(tenant, id)
	return c
}

// recordRegistration adds a customer to the book; false for one it
// already has (a redelivered registration).
func (e *Engine) recordRegistration(r Registration) bool {
	b := &e.book
	key := customerKey{r.Tenant, r.CustomerID}
	if b.entry(key.tenant, key.customer) != nil {
		return false
	}
	var keys []string
	for _, k := range append(slices.Clone(r.Phones), r.WeChatID, r.Email) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	b.customers.putAt(key.tenant, key.customer, &bookEntry{source: r.Source, registeredAt: r.OccurredAt, keys: keys})
	b.setOwner(key, r.OwnerID, r.OccurredAt)
	return true
}

// RecordOwnerChange moves a customer to its new holder.
func (e *Engine) RecordOwnerChange(c OwnerChange) {
	key := customerKey{c.Tenant, c.CustomerID}
	if e.book.entry(key.tenant, key.customer) != nil {
		e.book.setOwner(key, c.NewOwnerID, c.OccurredAt)
	}
}

// setOwner gives the customer to owner from at on; the new holder's
// follow-up clock starts at the hand-over.
func (b *bookProjection) setOwner(key customerKey, owner string, at time.Time) {
	c := b.entry(key.tenant, key.customer)
	if c.owner != "" {
		prev := employeeKey{key.tenant, c.owner}
		if set, _ := b.held.get(prev); set != nil {
			delete(set, key.customer)
			if len(set) == 0 {
				b.held.del(prev)
			}
		}
	}
	c.owner, c.heldSince, c.lastFollowUp = owner, at, time.Time{}
	if owner == "" {
		return
	}
	holder := employeeKey{key.tenant, owner}
	set, _ := b.held.get(holder)
	if set == nil {
		set = map[string]struct{}{}
		b.held.put(holder, set)
	}
	set[key.customer] = struct{}{}
}

// touch records that employee touched a customer (customerID set) or an
// off-book contact or place (customerID empty) at at. Only the holder's
// own touches follow a customer up.
func (b *bookProjection) touch(tenant, employee, customerID, contact string, at time.Time, ev domain.Evidence) {
	if customerID != "" {
		c := b.entry(tenant, customerID)
		if c != nil && c.owner == employee && at.After(c.lastFollowUp) {
			c.lastFollowUp = at
		}
		return
	}
	key := employeeKey{tenant, employee}
	log, _ := b.offBook.get(key)
	log = append(log, offBookTouch{at: at, contact: contact, evidence: ev})
	if len(log) > offBookCap {
		log = slices.Delete(log, 0, len(log)-offBookCap)
	}
	b.offBook.put(key, log)
}

// prune drops the tenant's off-book touches older than offBookRetention
// before now.
func (b *bookProjection) prune(tenant string, now time.Time) {
	cutoff := now.Add(-offBookRetention)
	for id, log := range b.offBook.of(tenant) {
		key := employeeKey{tenant, id}
		log = slices.DeleteFunc(log, func(t offBookTouch) bool { return t.at.Before(cutoff) })
		if len(log) == 0 {
			b.offBook.del(key)
		} else {
			b.offBook.put(key, log)
		}
	}
}

// customer is the tenant's customer as projected.
func (e *Engine) customer(tenant, id string) (bookEntry, bool) {
	c := e.book.entry(tenant, id)
	if c == nil {
		return bookEntry{}, false
	}
	return *c, true
}

// held is the customers the employee holds now, sorted.
func (e *Engine) held(tenant, employee string) []string {
	set, _ := e.book.held.get(employeeKey{tenant, employee})
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// heldCount is how many customers the employee holds now.
func (e *Engine) heldCount(k employeeKey) int {
	set, _ := e.book.held.get(k)
	return len(set)
}

// lastFollowUp is the latest time the employee attended to any customer
// they hold: a follow-up, or taking the customer over (a customer just
// handed over is not yet neglected). ok is false when they hold none.
func (e *Engine) lastFollowUp(tenant, employee string) (last time.Time, ok bool) {
	set, _ := e.book.held.get(employeeKey{tenant, employee})
	for id := range set {
		c := e.book.entry(tenant, id)
		t := c.heldSince
		if c.lastFollowUp.After(t) {
			t = c.lastFollowUp
		}
		if !ok || t.After(last) {
			last, ok = t, true
		}
	}
	return last, ok
}

// offBookSince is the employee's off-book touches after since, oldest
// first.
func (e *Engine) offBookSince(tenant, employee string, since time.Time) []offBookTouch {
	var out []offBookTouch
	log, _ := e.book.offBook.get(employeeKey{tenant, employee})
	for _, t := range log {
		if t.at.After(since) {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b offBookTouch) int { return a.at.Compare(b.at) })
	return out
}

// contactTouches is the employee's off-book interactions with any of
// keys, oldest first.
func (e *Engine) contactTouches(tenant, employee string, keys []string) []offBookTouch {
	var out []offBookTouch
	log, _ := e.book.offBook.get(employeeKey{tenant, employee})
	for _, t := range log {
		if t.contact != "" && slices.Contains(keys, t.contact) {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b offBookTouch) int { return a.at.Compare(b.at) })
	return out
}
