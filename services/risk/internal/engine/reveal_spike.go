package engine

import (
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Reveal is the part of a ContactRevealed event the rules read.
type Reveal struct {
	Tenant     string
	EmployeeID string
	// Assigned is whether the employee held the customer when revealing.
	Assigned   bool
	OccurredAt time.Time
	Evidence   domain.Evidence
}

// Rule identity of reveal_spike.
const (
	RuleRevealSpike        = "reveal_spike"
	RuleRevealSpikeVersion = 1
)

// ObserveReveal judges one contact reveal. Its facts: event.type "reveal"
// and event.assigned; it also feeds features.reveals_24h.
func (e *Engine) ObserveReveal(rv Reveal) []Change {
	t := tally{count: 1}
	if !rv.Assigned {
		t.unassigned = 1
	}
	facts := e.facts(factReveal, rv.EmployeeID)
	facts.set("assigned", rv.Assigned)
	return e.observe(observation{
		tenant: rv.Tenant, employee: rv.EmployeeID, at: rv.OccurredAt,
		typed: facts,
		this:  piece{evidence: rv.Evidence, tally: t},
	})
}
