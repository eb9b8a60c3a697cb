package engine

import (
	"maps"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// H2: a manager exporting their team's customers for a review asks for
// the same thing as an employee stealing the book (S4), and differs in
// one respect the log records: the workflow approved it. The request
// cannot know its approval, so the engine remembers each export request
// until it is decided and judges the decision too: event.type
// "export_approved" or "export_rejected" with the request's facts. The
// rule decides what approval is worth (the built-in bulk_export judges a
// manager's request at its decision and stays quiet on approval).

// pendingExportRetention bounds how long an undecided request is kept.
const pendingExportRetention = 30 * 24 * time.Hour

// Event types of export decisions as rules see them.
const (
	factExportApproved = "export_approved"
	factExportRejected = "export_rejected"
)

// ExportDecision is an ExportApproved or ExportRejected event.
type ExportDecision struct {
	Tenant, ExportID string
	Approved         bool
	// DecidedBy approved or rejected it (the event's actor).
	DecidedBy  string
	OccurredAt time.Time
	Evidence   domain.Evidence
}

// exportKey names one export request of a tenant.
type exportKey struct{ tenant, export string }

// pendingExport is an undecided request: who asked, what for, and when.
type pendingExport struct {
	employee string
	at       time.Time
	facts    map[string]any
}

func (e *Engine) rememberExport(x ExportRequest, facts map[string]any) {
	if x.ExportID == "" {
		return
	}
	e.exports[exportKey{x.Tenant, x.ExportID}] = pendingExport{
		employee: x.EmployeeID, at: x.OccurredAt, facts: maps.Clone(facts),
	}
}

// ObserveExportDecision judges the decision on a remembered export
// request, as an event of its requester. Its facts are the request's
// (customer_count, include_contacts, requester_role) with event.type
// "export_approved" or "export_rejected" and event.decided_by. A decision
// on a request the engine does not remember decides nothing.
func (e *Engine) ObserveExportDecision(d ExportDecision) []Change {
	key := exportKey{d.Tenant, d.ExportID}
	p, ok := e.exports[key]
	if !ok {
		return nil
	}
	delete(e.exports, key)
	facts := maps.Clone(p.facts)
	facts["type"], facts["decided_by"] = factExportRejected, d.DecidedBy
	if d.Approved {
		facts["type"] = factExportApproved
	}
	return e.observe(observation{
		tenant: d.Tenant, employee: p.employee, at: d.OccurredAt,
		facts: facts,
		this:  evidenceOnly(d.Evidence),
	})
}

// pruneExports forgets the tenant's requests left undecided for
// pendingExportRetention.
func (e *Engine) pruneExports(t Tick) []Change {
	cutoff := t.At.Add(-pendingExportRetention)
	for key, p := range e.exports {
		if key.tenant == t.Tenant && p.at.Before(cutoff) {
			delete(e.exports, key)
		}
	}
	return nil
}
