package engine

import (
	"maps"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Scenario S2 is an absence: an employee follows up none of the customers
// they hold for days (counted in working days: weekends, holidays and
// approved leave do not count, H3), while they keep touching contacts that
// are no registered customer. An absence has no event of its own, so it is
// judged on ticks.

// Rule identity of assigned_neglect.
const (
	RuleAssignedNeglect        = "assigned_neglect"
	RuleAssignedNeglectVersion = 1
)

// offBookEvidenceCap bounds how many off-book touches open an alert: the
// most recent ones, enough to show the pattern.
const offBookEvidenceCap = 20

// judgeNeglect is the tick check of S2. It observes, in employee id
// order, every employee of the tenant who holds customers and has not
// departed, with event.type "tick" and the features:
//
//	held_customers              customers the employee holds
//	idle_working_days           whole working days since they last attended to any of them
//	idle_since                  the day of that (YYYY-MM-DD in their branch's time zone)
//	offbook_touches_while_idle  interactions with unregistered contacts and
//	                            visits linked to no customer since then
func (e *Engine) judgeNeglect(t Tick) []Change {
	// Only an employee with off-book touches can be judged (below), so
	// the walk is over those, not over every holder of customers.
	employees := slices.Sorted(maps.Keys(e.book.offBook.of(t.Tenant)))
	var out []Change
	for _, emp := range employees {
		if m, ok := e.member(t.Tenant, emp); ok && m.departed {
			continue
		}
		last, ok := e.lastFollowUp(t.Tenant, emp)
		if !ok {
			continue
		}
		touches := e.offBookSince(t.Tenant, emp, last)
		if len(touches) == 0 {
			continue // nothing else got the time the book did not: no S2
		}
		idle := e.workingDaysBetween(t.Tenant, emp, last, t.At)
		_, loc := e.schedule(t.Tenant, emp)
		lead := make([]piece, 0, offBookEvidenceCap)
		for _, tc := range touches[max(0, len(touches)-offBookEvidenceCap):] {
			lead = append(lead, evidenceOnly(tc.evidence))
		}
		out = appendChanges(out, e.observe(observation{
			tenant: t.Tenant, employee: emp, at: t.At,
			facts: map[string]any{"type": factTick, "employee_id": emp, "at": t.At.UTC().Format(time.RFC3339)},
			this:  piece{evidence: t.Evidence},
			features: map[string]any{
				"held_customers":             int64(e.heldCount(employeeKey{t.Tenant, emp})),
				"idle_working_days":          int64(idle),
				"idle_since":                 last.In(loc).Format(time.DateOnly),
				"offbook_touches_while_idle": int64(len(touches)),
			},
			opening: map[string][]piece{domain.OpeningEvidenceOffBook: lead},
		}))
	}
	return out
}
