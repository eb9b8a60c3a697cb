// Package store is the order service's read model: orders as projected from
// the ORDER stream, and customers as projected from the client service's
// CLIENT stream, each with its own checkpoint. Memory and PostgreSQL
// implement one interface and pass one contract suite (storetest).
package store

import (
	"context"
	"errors"
	"time"

	"github.com/holdfast/holdfast/services/order/internal/domain"
)

// Store is the read model.
type Store interface {
	// ApplyOrder writes an order as the ORDER event at seq left it (nil:
	// the event changed no order) and advances the orders checkpoint to
	// seq in one atomic step. A seq at or below the checkpoint changes
	// nothing, so redelivery is harmless.
	ApplyOrder(ctx context.Context, seq uint64, o *domain.Order) error
	// ParkOrder records an ORDER event the projector cannot apply, with its
	// reason, and advances the orders checkpoint past it.
	ParkOrder(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// OrderCheckpoint is the last applied ORDER sequence (0 = none).
	OrderCheckpoint(ctx context.Context) (uint64, error)
	// ApplyCustomer is ApplyOrder for a customer and the CLIENT stream.
	ApplyCustomer(ctx context.Context, seq uint64, c *domain.Customer) error
	// ParkCustomer is ParkOrder for the CLIENT stream.
	ParkCustomer(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// CustomerCheckpoint is the last applied CLIENT sequence (0 = none).
	CustomerCheckpoint(ctx context.Context) (uint64, error)
	GetCustomer(ctx context.Context, tenant, id string) (domain.Customer, error)
	GetOrder(ctx context.Context, tenant, id string) (domain.Order, error)
	// ListOrders returns orders by (creation time, id), after the filter's cursor.
	ListOrders(ctx context.Context, tenant string, filter OrderFilter) ([]domain.Order, error)
	// Funnel counts, per seller, orders created, won, lost and cancelled in
	// [From, To); sellers with no count are left out; rows by employee id.
	Funnel(ctx context.Context, tenant string, filter FunnelFilter) ([]domain.FunnelRow, error)
}

// OrderFilter selects and pages orders; zero fields select all.
type OrderFilter struct {
	CustomerID string
	SellerID   string
	Status     domain.Status
	// CreatedFrom (inclusive) and CreatedTo (exclusive) bound creation time.
	CreatedFrom time.Time
	CreatedTo   time.Time
	// AfterCreated and AfterID are the last order of the previous page
	// (AfterID empty: the first page).
	AfterCreated time.Time
	AfterID      string
	Limit        int
}

func (f OrderFilter) matches(o domain.Order) bool {
	return (f.CustomerID == "" || o.CustomerID == f.CustomerID) &&
		(f.SellerID == "" || o.SellerID == f.SellerID) &&
		(f.Status == domain.StatusUnspecified || o.Status == f.Status) &&
		(f.CreatedFrom.IsZero() || !o.CreatedAt.Before(f.CreatedFrom)) &&
		(f.CreatedTo.IsZero() || o.CreatedAt.Before(f.CreatedTo)) &&
		(f.AfterID == "" || o.CreatedAt.After(f.AfterCreated) || (o.CreatedAt.Equal(f.AfterCreated) && o.ID > f.AfterID))
}

// FunnelFilter selects the period and, optionally, one seller.
type FunnelFilter struct {
	SellerID string
	From, To time.Time
}

func (f FunnelFilter) in(t time.Time) bool {
	return !t.IsZero() && !t.Before(f.From) && t.Before(f.To)
}

// ErrBadFilter is returned for a filter with a non-positive limit or an
// empty period.
var ErrBadFilter = errors.New("store: limit must be positive and a period must have from before to")
