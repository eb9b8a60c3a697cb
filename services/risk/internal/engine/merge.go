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
	parts := []func(move bool) error{
		absorb("rules", e.tenants, o.tenants),
		absorb("rules in force", e.inForceCache, o.inForceCache),
		absorb("open alerts", e.open, o.open),
		absorb("reveals", e.reveals, o.reveals),
		absorb("activity", e.activity, o.activity),
		absorb("exports", e.exports, o.exports),
		absorb("orders", e.orders, o.orders),
		absorb("order checks", e.ordersNext, o.ordersNext),
		absorb("order queues", e.orderQueues, o.orderQueues),
		absorb("sales", e.sales, o.sales),
		absorb("conversion reviews", e.conversionDay, o.conversionDay),
		absorb("sellers", e.sellerOrder, o.sellerOrder),
		absorb("calls", e.calls, o.calls),
		absorb("churn checks", e.churnNext, o.churnNext),
		absorb("prunes", e.pruneDay, o.pruneDay),
		absorb("suppressions", e.suppressed, o.suppressed),
		absorb("org units", e.staff.units, o.staff.units),
		absorb("staff", e.staff.members, o.staff.members),
		absorb("customers", e.book.customers, o.book.customers),
		absorb("books", e.book.held, o.book.held),
		absorb("off-book touches", e.book.offBook, o.book.offBook),
	}
	for _, check := range parts {
		if err := check(false); err != nil {
			return err
		}
	}
	for _, move := range parts {
		_ = move(true)
	}
	e.evalErrors += o.evalErrors
	return nil
}

// absorb is one map's part of Absorb: without move, it reports a key of
// src that dst holds too (the two engines judged the same tenant); with
// it, it moves src's entries into dst.
func absorb[K comparable, V any](what string, dst, src map[K]V) func(move bool) error {
	return func(move bool) error {
		for k, v := range src {
			if !move {
				if _, ok := dst[k]; ok {
					return fmt.Errorf("engine: absorb %s: both engines hold %v", what, k)
				}
				continue
			}
			dst[k] = v
		}
		return nil
	}
}
