// Package store is the risk service's alert read model, projected from the
// RISK stream. Memory and PostgreSQL implement one interface and pass one
// contract suite (storetest).
package store

import (
	"context"
	"errors"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// ErrNotFound is returned for an alert the tenant does not have.
var ErrNotFound = domain.ErrNotFound

// ErrBadFilter is returned for a filter with a non-positive limit.
var ErrBadFilter = errors.New("store: limit must be positive")

// Store is the alert read model.
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
}

// ListFilter selects and pages alerts. Empty fields match everything.
type ListFilter struct {
	EmployeeID string
	RuleID     string
	Status     domain.Status
	// Before is the RaisedSequence of the last alert of the previous page (0 = newest).
	Before uint64
	Limit  int
}

func (f ListFilter) matches(a domain.Alert) bool {
	return (f.EmployeeID == "" || a.EmployeeID == f.EmployeeID) &&
		(f.RuleID == "" || a.RuleID == f.RuleID) &&
		(f.Status == domain.StatusUnspecified || a.Status == f.Status) &&
		(f.Before == 0 || a.RaisedSequence < f.Before)
}
