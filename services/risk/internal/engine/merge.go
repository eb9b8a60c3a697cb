package engine

import "fmt"

// Absorb moves the state of every tenant o has seen into e, which must
// have seen none of them (else it returns an error and changes nothing);
// o must not be used afterwards. No projection, rule or alert spans two
// tenants, so engines that judged disjoint sets of tenants, each its
// tenants' events in RISK_IN order, absorbed into one give the engine
// that judged all of them in RISK_IN order: its snapshot is the same to
// the byte. A replay can so judge tenants on several goroutines (see
// replayWith in package app).
func (e *Engine) Absorb(o *Engine) error {
	held := e.tenantsHeld()
	for t := range o.tenantsHeld() {
		if held[t] {
			return fmt.Errorf("engine: absorb: both engines hold tenant %s", t)
		}
	}
	for _, part := range e.parts(o) {
		part.move()
	}
	e.evalErrors += o.evalErrors
	return nil
}

// tenantsHeld is every tenant of which e holds any state.
func (e *Engine) tenantsHeld() map[string]bool {
	held := map[string]bool{}
	for _, part := range e.parts(e) {
		part.tenants(held)
	}
	return held
}

// statePart is one map of an engine's state: what its keys say of the
// tenants held, and the move of another engine's entries into it.
type statePart struct {
	tenants func(into map[string]bool)
	move    func()
}

// parts is every map of e's state, each paired with o's.
func (e *Engine) parts(o *Engine) []statePart {
	tenant := func(t string) string { return t }
	alert := func(k alertKey) string { return k.tenant }
	return []statePart{
		part(e.tenants, o.tenants, tenant),
		part(e.inForceCache, o.inForceCache, tenant),
		part(e.open, o.open, alert),
		part(e.reveals, o.reveals, tenant),
		part(e.activity, o.activity, tenant),
		part(e.exports, o.exports, func(k exportKey) string { return k.tenant }),
		part(e.orders, o.orders, tenant),
		part(e.ordersNext, o.ordersNext, tenant),
		part(e.orderQueues, o.orderQueues, tenant),
		part(e.sales, o.sales, tenant),
		part(e.conversionDay, o.conversionDay, tenant),
		part(e.sellerOrder, o.sellerOrder, tenant),
		part(e.calls, o.calls, tenant),
		part(e.churnNext, o.churnNext, tenant),
		part(e.pruneDay, o.pruneDay, tenant),
		part(e.suppressed, o.suppressed, alert),
		part(e.staff.units, o.staff.units, func(k unitKey) string { return k.tenant }),
		part(e.staff.members, o.staff.members, tenant),
		part(e.staff.prunable, o.staff.prunable, tenant),
		part(e.book.customers, o.book.customers, tenant),
		part(e.book.held, o.book.held, tenant),
		part(e.book.offBook, o.book.offBook, tenant),
	}
}

// part is the statePart of dst, whose keys name their tenant as tenantOf
// says, and src.
func part[K comparable, V any](dst, src map[K]V, tenantOf func(K) string) statePart {
	return statePart{
		tenants: func(into map[string]bool) {
			for k := range dst {
				into[tenantOf(k)] = true
			}
		},
		move: func() {
			for k, v := range src {
				dst[k] = v
			}
		},
	}
}
