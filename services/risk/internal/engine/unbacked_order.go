package engine

import (
	"cmp"
	"slices"
	"time"
)

// Built-in rules of scenario S6.
const (
	RuleUnbackedOrder      = "unbacked_order"
	RulePersonalCollection = "personal_collection"
)

// Deadlines of unbacked_order when the rule in force does not name them.
const (
	defaultPaymentDays  = 15
	defaultShipmentDays = 20
	// maxDeadlineDays caps a tenant's deadlines so the projection stays
	// bounded whatever a rule says.
	maxDeadlineDays = 366
	// suppressedKeepDays bounds how long past its last deadline an order is
	// kept while its seller's unbacked_order is suppressed.
	suppressedKeepDays = 90
)

// unbackedDeadlines is the payment and shipment deadline, in days after an
// order started, of the tenant's unbacked_order rule in force. The
// projection needs them in Go to know when an order can leave it.
func (e *Engine) unbackedDeadlines(tenant string) (payment, shipment int64) {
	payment, shipment = defaultPaymentDays, defaultShipmentDays
	if p, _, ok := e.rule(tenant, RuleUnbackedOrder); ok {
		if v, ok := p.Params()["payment_days"].(int64); ok {
			payment = min(max(v, 0), maxDeadlineDays)
		}
		if v, ok := p.Params()["shipment_days"].(int64); ok {
			shipment = min(max(v, 0), maxDeadlineDays)
		}
	}
	return payment, shipment
}

// unbackedOrderCheck judges, at a tick, every started order of the tenant
// whose age in whole days grew since it was last judged and has reached
// the earlier deadline, oldest first. The rule decides (event.type
// "order_deadline"); its facts: event.order_id, event.customer_id,
// event.amount_minor, event.currency, event.paid_total_minor,
// event.paid_to_company_minor, event.shipped, event.started_by ("won" or
// "approved") and event.days_since_start. The order's start event counts
// as the alert's evidence, its other events explain it.
//
// An order leaves the projection once the rule has reported it or its
// later deadline has been judged; an order never started leaves after
// orderIdleHorizon without events.
//
// The check keeps, per tenant, the earliest time a tick can find an order
// to judge or drop (ordersNext); ticks before it return at once. An order
// event brings it forward (orderChanged); a rule change forgets it. A
// tick that does run takes from the tenant's orderQueue only the orders
// due by then, so its cost follows the orders it judges, not the orders
// open.
func (e *Engine) unbackedOrderCheck(t Tick) []Change {
	byID := e.orders[t.Tenant]
	if len(byID) == 0 {
		return nil
	}
	if next, ok := e.ordersNext[t.Tenant]; ok && t.At.Before(next) {
		return nil
	}
	payment, shipment := e.unbackedDeadlines(t.Tenant)
	first, last := min(payment, shipment), max(payment, shipment)
	q := e.orderQueues[t.Tenant]
	if q == nil || q.first != first {
		q = newOrderQueue(byID, first)
		e.orderQueues[t.Tenant] = q
	}
	due := e.scratch.due[:0]
	defer func() { clear(due); e.scratch.due = due[:0] }() // keeps no order alive
	for o := q.popDue(t.At); o != nil; o = q.popDue(t.At) {
		if o.started.IsZero() {
			delete(byID, o.id) // idle for orderIdleHorizon
			continue
		}
		due = append(due, o)
	}
	// Judged oldest first, whatever order the queue gave them in (due
	// time, ties as the heap happened to be built): replay must judge
	// alike.
	slices.SortFunc(due, func(a, b *orderState) int {
		return cmp.Or(a.started.Compare(b.started), cmp.Compare(a.id, b.id))
	})
	var out []Change
	for _, o := range due {
		days := int64(t.At.Sub(o.started) / (24 * time.Hour))
		o.judgedDays = days
		facts := e.facts(factOrderDeadline, o.seller)
		facts.set("order_id", o.id)
		facts.set("customer_id", o.customer)
		facts.set("amount_minor", o.amount)
		facts.set("currency", o.currency)
		facts.set("paid_total_minor", o.paidTotal)
		facts.set("paid_to_company_minor", o.paidToCompany)
		facts.set("shipped", o.shipped)
		facts.set("started_by", o.startedBy)
		facts.set("days_since_start", days)
		changes := e.observe(observation{
			tenant: t.Tenant, employee: o.seller, at: t.At,
			typed:   facts,
			this:    evidenceOnly(o.startEvidence),
			context: func() []piece { return o.contextPieces(o.startEvidence.EventID) },
		})
		out = appendChanges(out, changes)
		reported := slices.ContainsFunc(changes, func(c Change) bool { return c.Alert.RuleID == RuleUnbackedOrder })
		// While the rule is suppressed for the seller the order is kept
		// (bounded), so an order whose deadlines fall inside a suppression
		// is judged when it ends instead of silently dropped.
		until, muted := e.suppressed[alertKey{RuleUnbackedOrder, employeeKey{t.Tenant, o.seller}}]
		muted = muted && t.At.Before(until) && days < last+suppressedKeepDays
		if reported || (days >= last && !muted) {
			delete(byID, o.id)
		} else {
			q.place(o, orderDueAt(o, first))
		}
	}
	if len(byID) == 0 {
		delete(e.orders, t.Tenant)
		delete(e.ordersNext, t.Tenant)
		delete(e.orderQueues, t.Tenant)
		return out
	}
	e.ordersNext[t.Tenant] = q.next()
	return out
}

// orderDueAt is the time from which a tick has something to do with o:
// judge its next whole day once the first deadline is reached, or drop it
// when it was never started and has been idle for orderIdleHorizon. The
// queue takes an order out at the first tick at or after it and no
// sooner, so it must be exact: a tick at t judges a started order when
// its whole days since start, (t-started)/24h, exceed judgedDays and
// reach first, which is t >= started + max(judgedDays+1, first) days; it
// drops an unstarted one when t-lastSeen > orderIdleHorizon, which is
// t >= lastSeen + orderIdleHorizon + 1ns. (judgedDays stays below
// maxDeadlineDays+suppressedKeepDays in the projection, so the sum cannot
// overflow.)
func orderDueAt(o *orderState, first int64) time.Time {
	if o.started.IsZero() {
		return o.lastSeen.Add(orderIdleHorizon + time.Nanosecond)
	}
	return o.started.Add(time.Duration(max(o.judgedDays+1, first)) * 24 * time.Hour)
}

// orderChanged keeps the tenant's order check in step with o after an
// event that created, started or touched it: it brings the next check
// forward to o's due time when that is earlier, and moves o to that time
// in the tenant's queue. Every event that creates, starts or touches an
// order calls it.
func (e *Engine) orderChanged(tenant string, o *orderState) {
	next, scheduled := e.ordersNext[tenant]
	q := e.orderQueues[tenant]
	if !scheduled && q == nil {
		return // the next tick checks, and queues, every order anyway
	}
	payment, shipment := e.unbackedDeadlines(tenant)
	first := min(payment, shipment)
	at := orderDueAt(o, first)
	if scheduled && at.Before(next) {
		e.ordersNext[tenant] = at
	}
	if q == nil {
		return
	}
	if q.first != first {
		delete(e.orderQueues, tenant) // a rule change moved every due time: the next check rebuilds it
		return
	}
	q.place(o, at)
}
