package domain

import (
	"slices"
)

// Severity is a risk alert's severity, numbered as holdfast.risk.v1.Severity.
type Severity int

// Alert severities.
const (
	SeverityUnspecified Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
)

// HoldScope is what one alert holds out of payouts.
type HoldScope struct {
	// SellerWide holds every unpaid accrual of the alert's employee.
	SellerWide bool
	// OrderIDs hold those orders' accruals, whoever sold them (sorted).
	OrderIDs []string
}

// Empty reports whether the scope holds nothing.
func (s HoldScope) Empty() bool { return !s.SellerWide && len(s.OrderIDs) == 0 }

// Covers reports whether s is at least as wide as o.
func (s HoldScope) Covers(o HoldScope) bool {
	if o.SellerWide && !s.SellerWide {
		return false
	}
	for _, id := range o.OrderIDs {
		if !slices.Contains(s.OrderIDs, id) {
			return false
		}
	}
	return true
}

// Union is the scope holding what either holds.
func (s HoldScope) Union(o HoldScope) HoldScope {
	ids := slices.Concat(s.OrderIDs, o.OrderIDs)
	slices.Sort(ids)
	return HoldScope{SellerWide: s.SellerWide || o.SellerWide, OrderIDs: slices.Compact(ids)}
}

// DecideHoldScope is what an alert of severity, whose evidence names the
// orders orderIDs, holds. A medium or high alert names its employee and
// holds all of their unpaid commission: HR is looking at the person. Any
// alert whose evidence is an ORDER event holds that order's commission,
// even a low one, because the order itself is in question. A low alert
// about other facts (a reveal spike, say) holds nothing: it is a signal
// for HR, not a reason to stop pay.
func DecideHoldScope(severity Severity, orderIDs []string) HoldScope {
	return HoldScope{SellerWide: severity >= SeverityMedium}.Union(HoldScope{OrderIDs: orderIDs})
}

// ReleaseCause says how a hold ended, numbered as
// holdfast.commission.v1.ReleaseCause.
type ReleaseCause int

// Release causes.
const (
	ReleaseUnspecified ReleaseCause = iota
	ReleaseDismissed
	ReleaseNoDiversion
	ReleaseInconclusive
	// ReleaseDiversionConfirmed forfeits what the hold covered.
	ReleaseDiversionConfirmed
)

// CaseOutcome is how HR closed a case, numbered as holdfast.risk.v1.CaseOutcome.
type CaseOutcome int

// Case outcomes.
const (
	OutcomeUnspecified CaseOutcome = iota
	OutcomeDiversionConfirmed
	OutcomeNoDiversion
	OutcomeInconclusive
)

// ReleaseCauseOf is how a resolved case ends its alert's hold. Cleared
// and inconclusive cases release the commission (nothing was proved
// against it); a confirmed diversion forfeits the unpaid accruals the hold
// covered. An unknown outcome keeps the hold (ok false): HR must resolve
// it in terms the service understands.
func ReleaseCauseOf(o CaseOutcome) (ReleaseCause, bool) {
	switch o {
	case OutcomeNoDiversion:
		return ReleaseNoDiversion, true
	case OutcomeInconclusive:
		return ReleaseInconclusive, true
	case OutcomeDiversionConfirmed:
		return ReleaseDiversionConfirmed, true
	}
	return ReleaseUnspecified, false
}
