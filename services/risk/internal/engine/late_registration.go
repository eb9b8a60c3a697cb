package engine

import (
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Scenario S8 (late registration): an employee works a contact off the
// books — interactions logged against an unregistered phone or WeChat id —
// for days before registering the customer behind it. The book projection
// remembers the off-book touches; the registration is judged against them.

// Rule identity of late_registration.
const (
	RuleLateRegistration        = "late_registration"
	RuleLateRegistrationVersion = 1
)

// ObserveRegistration adds a customer to the book and judges its
// registration. Its facts: event.type "customer_registered",
// event.customer_id, event.source; features of the registering employee's
// earlier off-book interactions with any of the customer's phones, WeChat
// id or email:
//
//	contact_touches_before  how many there were
//	contact_lead_days       whole days from the first of them to the registration (0: none)
func (e *Engine) ObserveRegistration(r Registration) []Change {
	if !e.recordRegistration(r) {
		return nil
	}
	employee := r.RegisteredBy
	if employee == "" {
		employee = r.OwnerID
	}
	if employee == "" {
		return nil
	}
	c, _ := e.customer(r.Tenant, r.CustomerID)
	var touches []offBookTouch
	for _, t := range e.contactTouches(r.Tenant, employee, c.keys) {
		if !t.at.After(r.OccurredAt) {
			touches = append(touches, t)
		}
	}
	var lead int64
	leadUp := make([]piece, 0, len(touches))
	if len(touches) > 0 {
		lead = int64(r.OccurredAt.Sub(touches[0].at) / (24 * time.Hour))
	}
	for _, t := range touches[max(0, len(touches)-offBookEvidenceCap):] {
		leadUp = append(leadUp, evidenceOnly(t.evidence))
	}
	facts := e.facts(factRegistered, employee)
	facts.set("customer_id", r.CustomerID)
	facts.set("source", r.Source)
	// The scratch maps: observe keeps neither.
	features, opening := e.scratch.ownFeatures, e.scratch.opening
	clear(features)
	clear(opening)
	features["contact_touches_before"], features["contact_lead_days"] = int64(len(touches)), lead
	opening[domain.OpeningEvidenceContactTouches] = leadUp
	return e.observe(observation{
		tenant: r.Tenant, employee: employee, at: r.OccurredAt,
		typed:    facts,
		this:     piece{evidence: r.Evidence},
		features: features,
		opening:  opening,
	})
}
