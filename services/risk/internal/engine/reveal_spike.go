package engine

import (
	"fmt"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Reveal is the part of a ContactRevealed event reveal_spike reads.
type Reveal struct {
	Tenant     string
	EmployeeID string
	// Assigned is whether the employee held the customer when revealing.
	Assigned   bool
	OccurredAt time.Time
	Evidence   domain.Evidence
}

// RevealSpikeParams are the tunable parameters of reveal_spike.
type RevealSpikeParams struct {
	// Window is the sliding window reveals are counted in.
	Window time.Duration
	// Threshold: more reveals than this within Window raise the alert.
	Threshold int
}

// DefaultRevealSpike is the rule's default from SCENARIOS.md S4.
func DefaultRevealSpike() RevealSpikeParams {
	return RevealSpikeParams{Window: 24 * time.Hour, Threshold: 20}
}

// Rule identity of reveal_spike.
const (
	RuleRevealSpike        = "reveal_spike"
	RuleRevealSpikeVersion = 1
)

// revealEvidenceCap bounds how many reveals the sliding window keeps per
// employee: enough to explain a spike, bounded for memory.
const revealEvidenceCap = 200

// ObserveReveal applies reveal_spike: more than Threshold contact reveals
// by one employee within Window. Reveals of customers the employee holds
// are their own book (look-alike H1), so the alert is high only when most
// of the reveals were of customers they do not hold.
func (e *Engine) ObserveReveal(rv Reveal) []Change {
	key := employeeKey{rv.Tenant, rv.EmployeeID}
	seen := revealSeen{evidence: rv.Evidence, assigned: rv.Assigned}
	window := e.reveals[key]
	cutoff := rv.OccurredAt.Add(-e.revealSpike.Window)
	drop := 0
	for drop < len(window) && !window[drop].evidence.OccurredAt.After(cutoff) {
		drop++
	}
	window = append(window[drop:], seen)
	if len(window) > revealEvidenceCap {
		window = window[len(window)-revealEvidenceCap:]
	}
	e.reveals[key] = window
	if len(window) <= e.revealSpike.Threshold {
		return nil
	}

	added := []revealSeen{seen}
	if oa := e.open[alertKey{RuleRevealSpike, key}]; oa == nil || !rv.OccurredAt.Before(oa.alert.WindowEnd) {
		// A new alert carries every reveal of the window that crossed the threshold.
		added = append([]revealSeen(nil), window...)
	}
	evidence := make([]domain.Evidence, 0, len(added))
	for _, a := range added {
		evidence = append(evidence, a.evidence)
	}
	r := ruleRef{RuleRevealSpike, RuleRevealSpikeVersion, e.revealSpike.Window}
	ch := e.extend(r, rv.Tenant, rv.EmployeeID, rv.OccurredAt, evidence, func(oa *openAlert) {
		for _, a := range added {
			if !a.assigned {
				oa.other++
			}
		}
		total := len(oa.alert.Evidence)
		oa.alert.Severity = domain.SeverityMedium
		if 2*oa.other > total {
			oa.alert.Severity = domain.SeverityHigh
		}
		hours := int(e.revealSpike.Window / time.Hour)
		oa.alert.ExplanationEN = fmt.Sprintf("Employee %s revealed %d customer contacts within %d hours (more than %d is unusual); %d of them were of customers the employee did not hold.",
			oa.alert.EmployeeID, total, hours, e.revealSpike.Threshold, oa.other)
		oa.alert.ExplanationZH = fmt.Sprintf("员工 %s 在 %d 小时内查看了 %d 次客户联系方式（超过 %d 次即属异常），其中 %d 次是非本人名下的客户。",
			oa.alert.EmployeeID, hours, total, e.revealSpike.Threshold, oa.other)
		if oa.alert.Severity != domain.SeverityHigh {
			oa.alert.ExplanationEN += " Most were the employee's own customers, so severity stays medium."
			oa.alert.ExplanationZH += " 多数为本人名下客户，严重程度保持为中。"
		}
	})
	return []Change{ch}
}

// revealSeen is one reveal in an employee's sliding window.
type revealSeen struct {
	evidence domain.Evidence
	assigned bool
}
