// Package store is the risk service's read model: the alerts, projected
// from the RISK stream, and the sensitive-word hits in every interaction,
// projected from RISK_IN. Memory and PostgreSQL implement one interface and
// pass one contract suite (storetest).
package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// ErrNotFound is returned for an alert the tenant does not have.
var ErrNotFound = domain.ErrNotFound

// ErrBadFilter is returned for a filter with a non-positive limit.
var ErrBadFilter = errors.New("store: limit must be positive")

// Store is the read model: alerts and sensitive hits.
type Store interface {
	// Apply upserts alerts and advances the checkpoint to seq atomically;
	// a seq at or below the checkpoint changes nothing.
	Apply(ctx context.Context, seq uint64, alerts ...domain.Alert) error
	// Park records an event that cannot be applied and advances past it.
	Park(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// Checkpoint is the last applied RISK sequence (0 = none).
	Checkpoint(ctx context.Context) (uint64, error)
	GetAlert(ctx context.Context, tenant, id string) (domain.Alert, error)
	// ListAlerts returns alerts newest first (by RaisedSequence), before filter.Before.
	ListAlerts(ctx context.Context, tenant string, filter ListFilter) ([]domain.Alert, error)
	// StatusCounts counts the tenant's alerts per rule id and status: the
	// outcomes that measure each rule's effectiveness.
	StatusCounts(ctx context.Context, tenant string) (map[string]map[domain.Status]int, error)
	// ListCases returns the alerts HR opened a case on, most recently
	// opened first (by CaseSequence), before filter.Before.
	ListCases(ctx context.Context, tenant string, filter CaseFilter) ([]domain.Alert, error)
	// ParkInput records a RISK_IN event the engine cannot judge, with the
	// reason; parking one twice (a replay) keeps the first.
	ParkInput(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// ParkedInputs counts the RISK_IN events parked so far.
	ParkedInputs(ctx context.Context) (int, error)
	// RecordHits stores the hits found in RISK_IN up to progress.Sequence
	// and saves progress, atomically; a progress.Sequence at or below the
	// saved one changes nothing. A hit is keyed by (tenant, event id,
	// index): recording it again, from any sequence, keeps the first.
	RecordHits(ctx context.Context, progress HitProgress, hits ...SensitiveHit) error
	// HitProgress is the progress RecordHits last saved (zero: none),
	// with the lexicon ResetHits last recorded.
	HitProgress(ctx context.Context) (HitProgress, error)
	// ResetHits empties the sensitive-hits view and its progress, and
	// records the fingerprint of the lexicon it will be filled with again.
	ResetHits(ctx context.Context, lexicon string) error
	// ListSensitiveHits returns the sensitive-word hits in employee's
	// interactions, in HitOrder after filter.After.
	ListSensitiveHits(ctx context.Context, tenant, employee string, filter HitFilter) ([]SensitiveHit, error)
}

// ListFilter selects and pages alerts. Empty fields match everything.
type ListFilter struct {
	EmployeeID string
	// Employees, when non-nil, keeps only these employees' alerts (an org
	// unit's subtree); an empty non-nil slice matches nothing.
	Employees   []string
	RuleID      string
	Status      domain.Status
	MinSeverity domain.Severity
	// RaisedFrom and RaisedTo keep alerts raised in [from, to); zero is open.
	RaisedFrom, RaisedTo time.Time
	// BySeverity orders the highest severity first, then newest first;
	// otherwise the order is newest first.
	BySeverity bool
	// Before is the RaisedSequence of the last alert of the previous page (0 = the first page);
	// with BySeverity, BeforeSeverity is that alert's severity.
	Before         uint64
	BeforeSeverity domain.Severity
	Limit          int
}

func (f ListFilter) matches(a domain.Alert) bool {
	return (f.EmployeeID == "" || a.EmployeeID == f.EmployeeID) &&
		(f.Employees == nil || slices.Contains(f.Employees, a.EmployeeID)) &&
		(f.RuleID == "" || a.RuleID == f.RuleID) &&
		(f.Status == domain.StatusUnspecified || a.Status == f.Status) &&
		a.Severity >= f.MinSeverity &&
		within(a.RaisedAt, f.RaisedFrom, f.RaisedTo) &&
		f.after(a)
}

// after is whether a comes after the previous page's last alert.
func (f ListFilter) after(a domain.Alert) bool {
	switch {
	case f.Before == 0:
		return true
	case f.BySeverity:
		return a.Severity < f.BeforeSeverity || (a.Severity == f.BeforeSeverity && a.RaisedSequence < f.Before)
	}
	return a.RaisedSequence < f.Before
}

// compare orders alerts as f lists them.
func (f ListFilter) compare(a, b domain.Alert) int {
	if f.BySeverity && a.Severity != b.Severity {
		return cmp.Compare(b.Severity, a.Severity)
	}
	return cmp.Compare(b.RaisedSequence, a.RaisedSequence)
}

// CaseFilter selects and pages cases. Empty fields match everything.
type CaseFilter struct {
	EmployeeID string
	// Employees, when non-nil, keeps only these employees' cases.
	Employees []string
	// Status is StatusConfirmed (open cases), StatusResolved or unspecified.
	Status  domain.Status
	Outcome domain.Outcome
	// OpenedFrom and OpenedTo keep cases opened in [from, to); zero is open.
	OpenedFrom, OpenedTo time.Time
	// Before is the CaseSequence of the last case of the previous page (0 = newest).
	Before uint64
	Limit  int
}

func (f CaseFilter) matches(a domain.Alert) bool {
	return a.CaseSequence > 0 &&
		(f.EmployeeID == "" || a.EmployeeID == f.EmployeeID) &&
		(f.Employees == nil || slices.Contains(f.Employees, a.EmployeeID)) &&
		(f.Status == domain.StatusUnspecified || a.Status == f.Status) &&
		(f.Outcome == domain.OutcomeUnspecified || a.Outcome == f.Outcome) &&
		within(a.CaseOpenedAt, f.OpenedFrom, f.OpenedTo) &&
		(f.Before == 0 || a.CaseSequence < f.Before)
}

func within(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}
