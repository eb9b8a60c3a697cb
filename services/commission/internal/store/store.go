// Package store is the commission service's read model: the order facts
// the accrual worker has followed on ORDER, the hold worker's place on
// RISK, and the statement entries (accruals, clawbacks, holds, releases,
// payouts) projected from COMMISSION, each with its own checkpoint. Memory and
// PostgreSQL implement one interface and pass one contract suite
// (storetest).
package store

import (
	"context"
	"time"

	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

// Store is the read model.
type Store interface {
	// ApplyOrder writes the order the ORDER event at seq changed (nil for
	// none) and advances the orders checkpoint to seq in one atomic step;
	// a seq at or below the checkpoint changes nothing.
	ApplyOrder(ctx context.Context, seq uint64, o *domain.OrderTrack) error
	// ParkOrder records an ORDER event the worker cannot apply and advances past it.
	ParkOrder(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// OrderCheckpoint is the last ORDER sequence applied (0 = none).
	OrderCheckpoint(ctx context.Context) (uint64, error)
	// GetOrder returns one followed order, or an error wrapping domain.ErrNotFound.
	GetOrder(ctx context.Context, tenant, id string) (domain.OrderTrack, error)

	// ApplyEntry writes the statement entry of the COMMISSION event at seq
	// (nil for none) and advances the statement checkpoint, like ApplyOrder.
	ApplyEntry(ctx context.Context, seq uint64, e *domain.Entry) error
	// ParkEntry records a COMMISSION event the projector cannot apply.
	ParkEntry(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// EntryCheckpoint is the last COMMISSION sequence applied (0 = none).
	EntryCheckpoint(ctx context.Context) (uint64, error)
	// ListEntries returns an employee's entries with OccurredAt in
	// [from, to), oldest first (by time, then sequence); a zero bound is open.
	ListEntries(ctx context.Context, tenant, employeeID string, from, to time.Time) ([]domain.Entry, error)
	// TenantEntries returns every entry of a tenant in sequence order:
	// holds, releases and payouts decide what an accrual stands at, and
	// they cross employees.
	TenantEntries(ctx context.Context, tenant string) ([]domain.Entry, error)

	// ApplyRisk advances the hold worker's RISK checkpoint to seq (its
	// decisions are events on COMMISSION, not rows here).
	ApplyRisk(ctx context.Context, seq uint64) error
	// ParkRisk records a RISK event the hold worker cannot apply.
	ParkRisk(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// RiskCheckpoint is the last RISK sequence applied (0 = none).
	RiskCheckpoint(ctx context.Context) (uint64, error)
}

// Parked is an event a projector could not apply.
type Parked struct {
	Stream   string
	Sequence uint64
	Subject  string
	Reason   string
	Data     []byte
}

func inPeriod(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}
