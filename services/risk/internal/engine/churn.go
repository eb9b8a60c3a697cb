package engine

import (
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// The call projection behind customer_churn_cluster (S10): per employee,
// the durations of their latest calls (their own median says what an
// unusually long call is for them, so a top performer's habitually long
// calls are not unusual, H1), the customers they had an unusually long
// call with in the last within_days, and which of those customers then
// churned — cancelled an order or went silent for silent_days. The rule
// judges each churn with how many distinct customers churned within
// within_days.
const (
	// RuleCustomerChurnCluster is the built-in rule of scenario S10.
	RuleCustomerChurnCluster = "customer_churn_cluster"
	factChurn                = "customer_churn"
	// callHistoryCap is how many of an employee's latest call durations
	// the median is taken over.
	callHistoryCap = 200
)

// callHistory is one employee's call projection.
type callHistory struct {
	seconds []int64              // latest call durations, oldest first
	long    map[string]*longCall // customer id → latest unusually long call
	churned []churnRecord        // oldest first, within within_days
}

// longCall is an unusually long call with a customer and what followed.
type longCall struct {
	at, lastTouch   time.Time
	seconds, median int64
	evidence        domain.Evidence
	churned         bool
}

// churnRecord is one customer that churned after a long call.
type churnRecord struct {
	customer string
	at       time.Time
	pieces   []piece
}

// churnParams are the rule's parameters the projection needs in Go.
type churnParams struct {
	longCallPct, minCalls int64
	silent, within        time.Duration
}

func (e *Engine) churnParams(tenant string) churnParams {
	days := func(name string, def int64) time.Duration {
		return time.Duration(min(max(e.intParam(tenant, RuleCustomerChurnCluster, name, def), 1), maxDeadlineDays)) * 24 * time.Hour
	}
	return churnParams{
		longCallPct: e.intParam(tenant, RuleCustomerChurnCluster, "long_call_pct", 300),
		minCalls:    e.intParam(tenant, RuleCustomerChurnCluster, "min_calls", 10),
		silent:      days("silent_days", 14),
		within:      days("within_days", 30),
	}
}

// median is the median of the employee's call durations.
func (h *callHistory) median() int64 {
	s := slices.Clone(h.seconds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// trackCall records an interaction in the call projection: any touch of
// a customer after a long call breaks its silence; a call is measured
// against the employee's median before it is added to the history.
func (e *Engine) trackCall(in Interaction) {
	if in.EmployeeID == "" {
		return
	}
	key := employeeKey{in.Tenant, in.EmployeeID}
	h, _ := e.calls.get(key)
	if h == nil {
		if in.Kind != "call" || in.Duration <= 0 {
			return
		}
		h = &callHistory{long: map[string]*longCall{}}
		e.calls.put(key, h)
	}
	if lc := h.long[in.CustomerID]; lc != nil && in.OccurredAt.After(lc.lastTouch) {
		lc.lastTouch = in.OccurredAt
	}
	if in.Kind != "call" || in.Duration <= 0 {
		return
	}
	secs := int64(in.Duration / time.Second)
	p := e.churnParams(in.Tenant)
	if in.CustomerID != "" && int64(len(h.seconds)) >= p.minCalls {
		if m := h.median(); secs*100 >= m*p.longCallPct {
			h.long[in.CustomerID] = &longCall{at: in.OccurredAt, lastTouch: in.OccurredAt, seconds: secs, median: m, evidence: in.Evidence}
			if next, ok := e.churnNext[in.Tenant]; ok && in.OccurredAt.Add(p.silent).Before(next) {
				e.churnNext[in.Tenant] = in.OccurredAt.Add(p.silent)
			}
		}
	}
	h.seconds = append(h.seconds, secs)
	if len(h.seconds) > callHistoryCap {
		h.seconds = slices.Delete(h.seconds, 0, len(h.seconds)-callHistoryCap)
	}
}

// churnOnCancel judges a cancelled order of the seller's customer as a
// churn when it follows a long call with that customer within
// within_days.
func (e *Engine) churnOnCancel(tenant, seller, customer string, at time.Time, ev domain.Evidence) []Change {
	h, _ := e.calls.get(employeeKey{tenant, seller})
	if h == nil || customer == "" {
		return nil
	}
	lc := h.long[customer]
	if lc == nil || lc.churned || !at.After(lc.at) || at.Sub(lc.at) > e.churnParams(tenant).within {
		return nil
	}
	return e.churn(tenant, seller, customer, "cancelled", at, lc, []piece{{evidence: ev}})
}

// churnCheck is the tick check for silence: a customer with a long call
// whose last touch is silent_days old, within within_days of the call,
// has gone silent. Long calls older than within_days leave the
// projection, and so do churns. Employees and customers are visited in
// sorted order so replay decides the same.
//
// The check keeps, per tenant, the earliest time a tick could find
// anything to do (churnNext): ticks before it return at once. A new long
// call brings it forward; a rule change forgets it.
func (e *Engine) churnCheck(t Tick) []Change {
	if next, ok := e.churnNext[t.Tenant]; ok && t.At.Before(next) {
		return nil
	}
	calls := e.calls.of(t.Tenant)
	if len(calls) == 0 {
		return nil
	}
	// Only employees with a long call or a churn on record have anything
	// to judge or expire: most of the tenant's call histories have
	// neither, and sorting them all every hour was most of the check.
	employees := make([]string, 0, len(calls)/8)
	for id, h := range calls {
		if len(h.long) > 0 || len(h.churned) > 0 {
			employees = append(employees, id)
		}
	}
	slices.Sort(employees)
	p := e.churnParams(t.Tenant)
	var out []Change
	next := time.Time{}
	soonest := func(at time.Time) {
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	for _, id := range employees {
		h := calls[id]
		customers := make([]string, 0, len(h.long))
		for c := range h.long {
			customers = append(customers, c)
		}
		slices.Sort(customers)
		for _, c := range customers {
			lc := h.long[c]
			quietFrom := lc.lastTouch.Add(p.silent)
			if !lc.churned && !t.At.Before(quietFrom) && !quietFrom.After(lc.at.Add(p.within)) {
				out = append(out, e.churn(t.Tenant, id, c, "silent", t.At, lc, nil)...)
			}
			if t.At.Sub(lc.at) > p.within+p.silent {
				delete(h.long, c)
				continue
			}
			if !lc.churned && !quietFrom.After(lc.at.Add(p.within)) {
				soonest(quietFrom)
			}
			soonest(lc.at.Add(p.within + p.silent + time.Nanosecond))
		}
		h.churned = slices.DeleteFunc(h.churned, func(r churnRecord) bool { return t.At.Sub(r.at) > p.within })
		for _, r := range h.churned {
			soonest(r.at.Add(p.within + time.Nanosecond))
		}
	}
	if next.IsZero() {
		next = t.At.Add(p.silent) // no long call: none can go quiet before this
	}
	e.churnNext[t.Tenant] = next
	return out
}

// churn records that customer churned after lc and judges it with the
// cluster of churns within within_days. A new alert opens with every
// churn of the cluster as evidence (each long call counts once); an open
// one adds this churn.
func (e *Engine) churn(tenant, employee, customer, how string, at time.Time, lc *longCall, extra []piece) []Change {
	h, _ := e.calls.get(employeeKey{tenant, employee})
	lc.churned = true
	rec := churnRecord{customer: customer, at: at, pieces: append([]piece{evidenceOnly(lc.evidence)}, extra...)}
	h.churned = append(h.churned, rec)
	within := e.churnParams(tenant).within
	if next, ok := e.churnNext[tenant]; ok && at.Add(within+time.Nanosecond).Before(next) {
		e.churnNext[tenant] = at.Add(within + time.Nanosecond) // when the tick check forgets it
	}
	var opening []piece
	seen := map[string]bool{}
	for _, r := range h.churned {
		if at.Sub(r.at) <= within && !seen[r.customer] {
			seen[r.customer] = true
			opening = append(opening, r.pieces...)
		}
	}
	facts := e.facts(factChurn, employee)
	facts.set("customer_id", customer)
	facts.set("how", how)
	facts.set("churned_customers", int64(len(seen)))
	facts.set("call_seconds", lc.seconds)
	facts.set("median_call_seconds", lc.median)
	facts.set("days_after_call", int64(at.Sub(lc.at)/(24*time.Hour)))
	return e.observe(observation{
		tenant: tenant, employee: employee, at: at,
		typed:   facts,
		this:    rec.pieces[0],
		context: func() []piece { return extra },
		cluster: opening,
	})
}
