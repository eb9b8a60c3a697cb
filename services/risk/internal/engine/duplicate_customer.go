package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// DuplicateAttempt is the part of a DuplicateRegistrationAttempted event
// duplicate_customer reads.
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

// DuplicateCustomerParams are the tunable parameters of duplicate_customer.
type DuplicateCustomerParams struct {
	// Window collects further attempts into one alert.
	Window time.Duration
	// HighAt attempts within Window make the alert high.
	HighAt int
}

// DefaultDuplicateCustomer is the rule's default for SCENARIOS.md S8.
func DefaultDuplicateCustomer() DuplicateCustomerParams {
	return DuplicateCustomerParams{Window: 30 * 24 * time.Hour, HighAt: 2}
}

// Rule identity of duplicate_customer.
const (
	RuleDuplicateCustomer        = "duplicate_customer"
	RuleDuplicateCustomerVersion = 1
)

// ObserveDuplicateAttempt applies duplicate_customer: an employee tried to
// register, as their own, a customer another employee holds (S8, often with
// the phone or company name written differently). An attempt on a pooled
// customer is no signal — claiming it is the honest path — and raises nothing.
func (e *Engine) ObserveDuplicateAttempt(d DuplicateAttempt) []Change {
	if d.HolderID == "" || d.HolderID == d.EmployeeID {
		return nil
	}
	r := ruleRef{RuleDuplicateCustomer, RuleDuplicateCustomerVersion, e.duplicates.Window}
	ch := e.extend(r, d.Tenant, d.EmployeeID, d.OccurredAt, []domain.Evidence{d.Evidence}, func(oa *openAlert) {
		n := len(oa.alert.Evidence)
		oa.alert.Severity = domain.SeverityMedium
		if n >= e.duplicates.HighAt {
			oa.alert.Severity = domain.SeverityHigh
		}
		days := int(e.duplicates.Window / (24 * time.Hour))
		on := strings.Join(d.MatchedOn, ", ")
		oa.alert.ExplanationEN = fmt.Sprintf("Employee %s tried %d time(s) within %d days to register a customer another employee holds (latest matched on %s); %d or more attempts make the alert high.",
			oa.alert.EmployeeID, n, days, on, e.duplicates.HighAt)
		oa.alert.ExplanationZH = fmt.Sprintf("员工 %s 在 %d 天内 %d 次试图登记他人名下的客户（最近一次按 %s 匹配）；达到 %d 次即为高风险。",
			oa.alert.EmployeeID, days, n, on, e.duplicates.HighAt)
	})
	return []Change{ch}
}
