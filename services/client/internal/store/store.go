// Package store is the client service's read model: customers as projected
// from the CLIENT stream. Memory and PostgreSQL implement one interface and
// pass one contract suite (storetest).
package store

import (
	"context"
	"errors"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// ErrNotFound is returned for a customer the tenant does not have.
var ErrNotFound = domain.ErrNotFound

// Store is the read model.
type Store interface {
	// Apply upserts customers and advances the checkpoint to seq in one
	// atomic step. A seq at or below the checkpoint is already applied and
	// changes nothing, so redelivery is harmless.
	Apply(ctx context.Context, seq uint64, customers ...domain.Customer) error
	// Park records an event the projector cannot apply, with its reason, and
	// advances the checkpoint past it.
	Park(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// Checkpoint is the last applied CLIENT sequence (0 = none).
	Checkpoint(ctx context.Context) (uint64, error)
	GetCustomer(ctx context.Context, tenant, id string) (domain.Customer, error)
	// ListCustomers returns customers ordered by id, after filter.After.
	ListCustomers(ctx context.Context, tenant string, filter ListFilter) ([]domain.Customer, error)
}

// ListFilter selects and pages customers.
type ListFilter struct {
	OwnerID string
	// After is the id of the last customer of the previous page.
	After string
	Limit int
}

// ErrBadFilter is returned for a filter with a non-positive limit.
var ErrBadFilter = errors.New("store: limit must be positive")
