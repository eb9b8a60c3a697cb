package engine

import (
	"time"

	"github.com/holdfast/holdfast/pkg/workcal"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Read-only accessors for the risk score and the backtest sandbox. They
// change no projection, so reading them never alters a decision.

// indicatorRecentDays is the span an employee's recent unassigned reveals
// are counted over for the risk score; the baseline is baselineDays
// before it.
const indicatorRecentDays = 7

// Indicators is what the engine's projections say about one employee at
// asOf (event time, the tenant's clock). A zero asOf yields zero
// indicators: there is no point in time to measure them at.
func (e *Engine) Indicators(tenant, employee string, asOf time.Time) domain.BehaviourIndicators {
	var out domain.BehaviourIndicators
	if asOf.IsZero() {
		return out
	}
	key := employeeKey{tenant, employee}
	today := workcal.DateOf(asOf, time.UTC)
	recentFrom := today.AddDays(-(indicatorRecentDays - 1))
	out.UnassignedReveals = e.activityIn(key, recentFrom, today).unassigned
	baseline := e.activityIn(key, recentFrom.AddDays(-baselineDays), recentFrom.AddDays(-1))
	out.UnassignedRevealsBaseline = baseline.unassigned * indicatorRecentDays / baselineDays
	out.RecentDays, out.BaselineDays = indicatorRecentDays, baselineDays

	if last, ok := e.lastFollowUp(tenant, employee); ok {
		out.HeldCustomers = int64(e.heldCount(key))
		out.NeglectWorkingDays = int64(e.workingDaysBetween(tenant, employee, last, asOf))
		out.OffBookTouchesSinceFollowUp = int64(len(e.offBookSince(tenant, employee, last)))
	}

	payment, shipment := e.unbackedDeadlines(tenant)
	for _, o := range e.orders[tenant] {
		if o.seller != employee || o.started.IsZero() || asOf.Before(o.started) {
			continue
		}
		days := int64(asOf.Sub(o.started) / (24 * time.Hour))
		if (days >= payment && o.paidToCompany < o.amount) || (days >= shipment && !o.shipped) {
			out.UnbackedOrders++
		}
	}
	return out
}

// Fresh is a new engine with no history, configured as e was built (the
// same lexicon and built-in programs): the sandbox a backtest replays
// history into without touching e.
func (e *Engine) Fresh() *Engine {
	return empty(e.lexicon, e.compiler, e.builtin) // compiled once, never changed after New
}
