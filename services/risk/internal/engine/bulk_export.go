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
	CustomerCount   int
	IncludeContacts bool
	OccurredAt      time.Time
	Evidence        domain.Evidence
}

// RuleBulkExport is the built-in rule for scenario S4's export request.
const RuleBulkExport = "bulk_export"

// ObserveExportRequest judges an export request. Its facts: event.type
// "export_requested", event.customer_count and event.include_contacts.
func (e *Engine) ObserveExportRequest(x ExportRequest) []Change {
	return e.observe(observation{
		tenant: x.Tenant, employee: x.EmployeeID, at: x.OccurredAt,
		facts: map[string]any{
			"type": factExport, "employee_id": x.EmployeeID,
			"customer_count": int64(x.CustomerCount), "include_contacts": x.IncludeContacts,
		},
		this: evidenceOnly(x.Evidence),
	})
}
