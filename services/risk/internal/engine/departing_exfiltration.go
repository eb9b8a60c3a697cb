package engine

import (
	"maps"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Scenario S3 is a sequence: a resignation notice, then within an
// activation window reveals of customers the employee does not hold well
// above their own look-back baseline, export requests, deletions of
// interaction records. The sequence is data: the staff projection knows
// the notice, activityFeatures exposes how far into the sequence an event
// is (features.notice_days) and the counts on either side of the notice,
// and the rule's CEL says which window and which ratio matter.

// Rule identity of departing_exfiltration.
const (
	RuleDepartingExfiltration        = "departing_exfiltration"
	RuleDepartingExfiltrationVersion = 1
)

// InteractionDeletion is the part of an InteractionDeleted event the rules
// read.
type InteractionDeletion struct {
	Tenant string
	// EmployeeID deleted the record (the event's actor).
	EmployeeID    string
	InteractionID string
	CustomerID    string
	OccurredAt    time.Time
	Evidence      domain.Evidence
}

// ObserveInteractionDeletion judges a deleted interaction record. Its
// facts: event.type "interaction_deleted" and event.customer_id; it also
// counts in features.deletions_since_notice.
func (e *Engine) ObserveInteractionDeletion(d InteractionDeletion) []Change {
	facts := e.facts(factDeletion, d.EmployeeID)
	facts.set("customer_id", d.CustomerID)
	facts.set("interaction_id", d.InteractionID)
	return e.observe(observation{
		tenant: d.Tenant, employee: d.EmployeeID, at: d.OccurredAt,
		typed: facts,
		this:  evidenceOnly(d.Evidence),
	})
}

// withNoticeOpening adds, for an employee under a resignation notice,
// the notice as the opening evidence of a sequence rule: an alert on what
// followed a notice shows the notice first.
func (e *Engine) withNoticeOpening(o *observation) {
	m, _ := e.staff.members.get(employeeKey{o.tenant, o.employee})
	if m == nil || m.notice.IsZero() || o.at.Before(m.notice) {
		return
	}
	opening := maps.Clone(o.opening)
	if opening == nil {
		opening = map[string][]piece{}
	}
	opening[domain.OpeningEvidenceNotice] = []piece{{evidence: m.noticeEvidence}}
	o.opening = opening
}
