package engine

import (
	"math"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// CheckIn is the part of an attendance CheckedIn event the rules read: the
// facts the attendance service computed when the check-in was written.
type CheckIn struct {
	Tenant     string
	EmployeeID string
	// Visit is a field visit (false: arriving at an office).
	Visit           bool
	CustomerID      string
	CustomerLocated bool
	// DistanceToCustomerM is meaningful when CustomerLocated.
	DistanceToCustomerM float64
	// HasPrevious is false for the employee's first check-in.
	HasPrevious          bool
	SecondsSincePrevious int64
	SpeedFromPreviousKmh float64
	// RepeatsFix: exactly the coordinates and accuracy of an earlier check-in.
	RepeatsFix bool
	OccurredAt time.Time
	Evidence   domain.Evidence
}

// Built-in rules of scenario S5.
const (
	RuleUnregisteredVisit = "unregistered_visit"
	RuleImpossibleTravel  = "impossible_travel"
)

// ObserveCheckIn judges a check-in. Its facts: event.type "check_in",
// event.kind ("visit" or "office"), event.customer_linked,
// event.customer_located, event.distance_to_customer_m (whole metres),
// event.has_previous, event.seconds_since_previous,
// event.speed_from_previous_kmh (whole km/h) and event.repeats_fix.
// Distances and speeds are whole numbers so rules compare them with
// integer parameters.
func (e *Engine) ObserveCheckIn(c CheckIn) []Change {
	if c.Visit {
		e.book.touch(c.Tenant, c.EmployeeID, c.CustomerID, "", c.OccurredAt, c.Evidence)
	}
	kind := "office"
	if c.Visit {
		kind = "visit"
	}
	facts := e.facts(factCheckIn, c.EmployeeID)
	facts.set("kind", kind)
	facts.set("customer_linked", c.CustomerID != "")
	facts.set("customer_id", c.CustomerID)
	facts.set("customer_located", c.CustomerLocated)
	facts.set("distance_to_customer_m", wholeNumber(c.DistanceToCustomerM))
	facts.set("has_previous", c.HasPrevious)
	facts.set("seconds_since_previous", c.SecondsSincePrevious)
	facts.set("speed_from_previous_kmh", wholeNumber(c.SpeedFromPreviousKmh))
	facts.set("repeats_fix", c.RepeatsFix)
	return e.observe(observation{
		tenant: c.Tenant, employee: c.EmployeeID, at: c.OccurredAt,
		typed: facts,
		this:  evidenceOnly(c.Evidence),
	})
}

// wholeNumber rounds a non-negative measure to an int64, saturating, so a
// corrupt fact can never overflow a rule's arithmetic.
func wholeNumber(v float64) int64 {
	switch {
	case math.IsNaN(v) || v <= 0:
		return 0
	case v >= math.MaxInt64/2:
		return math.MaxInt64 / 2
	}
	return int64(math.Round(v))
}
