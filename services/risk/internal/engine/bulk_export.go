package engine

import (
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// ExportRequest is the part of an ExportRequested event the rules read.
type ExportRequest struct {
	Tenant string
	// EmployeeID requested the export (the event's actor).
	EmployeeID      string
	ExportID        string
	CustomerCount   int
	IncludeContacts bool
	OccurredAt      time.Time
	Evidence        domain.Evidence
}

// RuleBulkExport is the built-in rule for scenario S4's export request.
const RuleBulkExport = "bulk_export"

// ObserveExportRequest judges an export request. Its facts: event.type
// "export_requested", event.customer_count, event.include_contacts and
// event.requester_role (the requester's role in ATTENDANCE, "" unknown).
// The request is remembered until it is decided (see ObserveExportDecision).
func (e *Engine) ObserveExportRequest(x ExportRequest) []Change {
	m, _ := e.member(x.Tenant, x.EmployeeID)
	facts := map[string]any{
		"type": factExport, "employee_id": x.EmployeeID,
		"customer_count": int64(x.CustomerCount), "include_contacts": x.IncludeContacts,
		"requester_role": m.role,
	}
	e.rememberExport(x, facts)
	return e.observe(observation{
		tenant: x.Tenant, employee: x.EmployeeID, at: x.OccurredAt,
		facts: facts,
		this:  evidenceOnly(x.Evidence),
	})
}
