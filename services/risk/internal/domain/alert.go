// Package domain holds the risk service's vocabulary: alerts, the evidence
// behind them, severities and statuses. It does no I/O and knows no transport.
package domain

import (
	"time"

	"github.com/holdfast/holdfast/pkg/domainerr"
)

// Severity orders alerts for HR, numbered as in holdfast.risk.v1.Severity.
type Severity int

// Severities.
const (
	SeverityUnspecified Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
)

func (s Severity) String() string {
	switch s {
	case SeverityLow:
		return "low"
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	}
	return "unspecified"
}

// Status is where an alert stands in HR's handling, numbered as in the proto.
type Status int

// Statuses.
const (
	StatusUnspecified Status = iota
	StatusRaised
	StatusAcknowledged
	StatusDismissed
	StatusConfirmed
	StatusResolved
)

// Match is one sensitive phrase found in an interaction's text.
type Match struct {
	Phrase      string
	Start, End  int
	MatchedText string
	// Quoted: the phrase lies inside quotation marks, reported speech.
	Quoted bool
}

// Evidence is one stored event supporting an alert, locatable byte for byte
// by its stream and sequence.
type Evidence struct {
	EventID    string
	Stream     string
	Sequence   uint64
	EventType  string
	OccurredAt time.Time
	Matches    []Match
}

// Alert is an alert as HR sees it.
type Alert struct {
	Tenant        string
	ID            string
	RuleID        string
	RuleVersion   uint32
	EmployeeID    string
	Severity      Severity
	Status        Status
	ExplanationEN string
	ExplanationZH string
	WindowStart   time.Time
	WindowEnd     time.Time
	RaisedAt      time.Time
	UpdatedAt     time.Time
	Evidence      []Evidence
	// RaisedSequence is the RISK sequence of the AlertRaised event: unique
	// and increasing, so it orders and pages alerts newest first.
	RaisedSequence uint64
	// Outcome is how HR resolved the case opened on the alert.
	Outcome Outcome
	// CaseOpenedAt and CaseSequence are the time and RISK sequence of the
	// confirmation that opened a case (zero while none is open); the
	// sequence orders and pages cases. CaseResolvedAt is set on resolution.
	CaseOpenedAt   time.Time
	CaseResolvedAt time.Time
	CaseSequence   uint64
}

// Sentinel errors; the transport maps each to one status code.
var (
	ErrNotFound         = domainerr.ErrNotFound
	ErrPermissionDenied = domainerr.ErrPermissionDenied
)
