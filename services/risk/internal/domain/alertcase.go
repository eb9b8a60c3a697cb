package domain

import (
	"fmt"
	"time"
)

// Outcome is how HR closed a case, numbered as in holdfast.risk.v1.CaseOutcome.
type Outcome int

// Outcomes.
const (
	OutcomeUnspecified Outcome = iota
	OutcomeDiversionConfirmed
	OutcomeNoDiversion
	OutcomeInconclusive
)

// CaseStep is one step of HR's handling of an alert.
type CaseStep string

// Case steps, each one event on the alertcase aggregate.
const (
	StepAcknowledge CaseStep = "acknowledged"
	StepDismiss     CaseStep = "dismissed"
	StepConfirm     CaseStep = "confirmed"
	StepNote        CaseStep = "note"
	StepResolve     CaseStep = "resolved"
	// StepEvidenceExported records an evidence bundle taken out of
	// Holdfast; it changes nothing in the case's state.
	StepEvidenceExported CaseStep = "evidence_exported"
)

// CaseNote is one step as it was recorded.
type CaseNote struct {
	Kind   CaseStep
	Author string
	Text   string
	At     time.Time
}

// Case is HR's handling of one alert (the case takes the alert's id). The
// engine's alert aggregate never holds it: only the engine writes that.
type Case struct {
	AlertID string
	Status  Status
	Outcome Outcome
	Notes   []CaseNote
}

// Apply folds one recorded step into the case.
func (c Case) Apply(n CaseNote, outcome Outcome) Case {
	c.Notes = append(c.Notes, n)
	switch n.Kind {
	case StepAcknowledge:
		c.Status = StatusAcknowledged
	case StepDismiss:
		c.Status = StatusDismissed
	case StepConfirm:
		c.Status = StatusConfirmed
	case StepResolve:
		c.Status, c.Outcome = StatusResolved, outcome
	case StepNote, StepEvidenceExported:
	}
	return c
}

// DecideCaseStep checks step may follow the case as it stands:
// raised → acknowledged → dismissed | confirmed → resolved; notes on a
// confirmed or resolved case.
func DecideCaseStep(c Case, step CaseStep) error {
	st := c.Status
	if st == StatusUnspecified {
		st = StatusRaised
	}
	ok := false
	switch step {
	case StepAcknowledge:
		ok = st == StatusRaised
	case StepDismiss, StepConfirm:
		ok = st == StatusRaised || st == StatusAcknowledged
	case StepResolve:
		ok = st == StatusConfirmed
	case StepNote:
		ok = st == StatusConfirmed || st == StatusResolved
	}
	if !ok {
		return fmt.Errorf("%w: the alert is %s; it cannot be %s", ErrPrecondition, st, step)
	}
	return nil
}

func (s Status) String() string {
	switch s {
	case StatusRaised:
		return "raised"
	case StatusAcknowledged:
		return "acknowledged"
	case StatusDismissed:
		return "dismissed"
	case StatusConfirmed:
		return "confirmed"
	case StatusResolved:
		return "resolved"
	}
	return "unspecified"
}
