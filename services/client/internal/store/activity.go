package store

import (
	"context"
	"time"

	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// Activity is what a team report reads (see domain.MeasureActivity). The
// holdings it returns are kept by the customer writes themselves: a
// customer written with another holder than before closes the previous
// holder's holding at the customer's HeldSince and opens the new one's, in
// the same step, so holdings never disagree with the customers.
type Activity interface {
	// Holdings returns employees' holdings that overlap [from, to) or are
	// still open, by employee, customer and start.
	Holdings(ctx context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Holding, error)
	// Touches returns employees' interactions with customers (deleted ones
	// too) that occurred in [from, to), oldest first.
	Touches(ctx context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Touch, error)
	// RegisteredBetween returns the customers employees registered in
	// [from, to), by id.
	RegisteredBetween(ctx context.Context, tenant string, employees []string, from, to time.Time) ([]domain.Customer, error)
	// FirstContacts returns, for each of employees and each of
	// counterparties they talked to as an unregistered contact, the first
	// such interaction (deleted ones too), by employee and counterparty.
	FirstContacts(ctx context.Context, tenant string, employees, counterparties []string) ([]domain.FirstContact, error)
}
