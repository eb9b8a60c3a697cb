package engine

import (
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// DuplicateAttempt is the part of a DuplicateRegistrationAttempted event
// the rules read.
type DuplicateAttempt struct {
	Tenant string
	// EmployeeID tried to register a customer that already exists.
	EmployeeID string
	// HolderID held it ("" = the shared pool).
	HolderID   string
	MatchedOn  []string
	OccurredAt time.Time
	Evidence   domain.Evidence
}

// Rule identity of duplicate_customer.
const (
	RuleDuplicateCustomer        = "duplicate_customer"
	RuleDuplicateCustomerVersion = 1
)

// ObserveDuplicateAttempt judges an attempt to register a customer that
// already exists. Its facts: event.type "duplicate_attempt",
// event.employee_id, event.holder_id ("" = the pool) and event.matched_on.
func (e *Engine) ObserveDuplicateAttempt(d DuplicateAttempt) []Change {
	matched := d.MatchedOn
	if matched == nil {
		matched = []string{}
	}
	facts := e.facts(factDuplicate, d.EmployeeID)
	facts.set("holder_id", d.HolderID)
	facts.set("matched_on", matched)
	return e.observe(observation{
		tenant: d.Tenant, employee: d.EmployeeID, at: d.OccurredAt,
		typed: facts,
		this:  evidenceOnly(d.Evidence),
	})
}
