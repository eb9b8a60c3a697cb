package engine

import (
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Tick is one hour boundary of a tenant's clock (a ClockTicked event on
// TICK). Absence rules — something that should have happened by a deadline
// and did not — are judged on ticks, never on the wall clock, so replay
// decides them exactly as the live run did.
type Tick struct {
	Tenant     string
	At         time.Time
	OccurredAt time.Time
	Evidence   domain.Evidence
}

// factTick is event.type of the observations a tick produces.
const factTick = "tick"

// ObserveTick judges the tenant's absence rules at t.At. Each check below
// walks only the deadlines that t passes and produces observations for the
// employees concerned; the order of the checks is fixed, so decisions are
// deterministic.
func (e *Engine) ObserveTick(t Tick) []Change {
	var out []Change
	for _, check := range e.tickChecks() {
		out = appendChanges(out, check(t))
	}
	return out
}

// appendChanges is out followed by more. Most ticks and reviews decide
// nothing, or decide in one check only, whose changes then come back as
// they are: a copy into a new slice at every level was a twelfth of the
// bytes a replay's engine allocated.
func appendChanges(out, more []Change) []Change {
	if len(out) == 0 {
		return more
	}
	return append(out, more...)
}

// tickChecks lists the absence checks in the order they run.
func (e *Engine) tickChecks() []func(Tick) []Change {
	return []func(Tick) []Change{
		e.pruneProjections,
		e.pruneExports,
		e.judgeNeglect,
		e.unbackedOrderCheck,
		e.conversionCheck,
		e.churnCheck,
	}
}
