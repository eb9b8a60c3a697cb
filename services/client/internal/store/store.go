// Package store is the client service's read model: customers and their
// interactions as projected from the CLIENT stream. Memory and PostgreSQL
// implement one interface and pass one contract suite (storetest).
package store

import (
	"context"
	"errors"
	"time"

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
	// ApplyClaim is Apply that also records a pool claim.
	ApplyClaim(ctx context.Context, seq uint64, claim Claim, customer domain.Customer) error
	// Park records an event the projector cannot apply, with its reason, and
	// advances the checkpoint past it.
	Park(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// Checkpoint is the last applied CLIENT sequence (0 = none).
	Checkpoint(ctx context.Context) (uint64, error)
	GetCustomer(ctx context.Context, tenant, id string) (domain.Customer, error)
	// ListCustomers returns customers ordered by id, after filter.After.
	ListCustomers(ctx context.Context, tenant string, filter ListFilter) ([]domain.Customer, error)
	// FindByIdentity returns the customers sharing any key with keys: a
	// phone, the e-mail, the WeChat id or the normalised company name.
	// The caller decides with domain.IdentityKeys.Matches which are the same.
	FindByIdentity(ctx context.Context, tenant string, keys domain.IdentityKeys) ([]domain.Customer, error)
	// CountHeld is how many customers employee holds.
	CountHeld(ctx context.Context, tenant, employee string) (int, error)
	// CountClaimsSince is how many pool claims employee made at or after since.
	CountClaimsSince(ctx context.Context, tenant, employee string, since time.Time) (int, error)
	// IdleHeld returns held customers whose IdleSince is before cutoff,
	// ordered by id, at most limit.
	IdleHeld(ctx context.Context, tenant string, cutoff time.Time, limit int) ([]domain.Customer, error)
	// Tenants lists the tenants that have customers.
	Tenants(ctx context.Context) ([]string, error)

	// ApplyInteraction upserts an interaction (by tenant and id) and, when
	// customer is set, the customer it changes, and advances the checkpoint
	// to seq, in one atomic step; like Apply, a seq at or below the
	// checkpoint changes nothing.
	ApplyInteraction(ctx context.Context, seq uint64, in domain.LoggedInteraction, customer *domain.Customer) error
	// GetInteraction returns one interaction, deleted or not.
	GetInteraction(ctx context.Context, tenant, id string) (domain.LoggedInteraction, error)
	// ListInteractions returns the tenant's interactions filter selects,
	// newest (highest sequence) first.
	ListInteractions(ctx context.Context, tenant string, filter InteractionFilter) ([]domain.LoggedInteraction, error)

	// ApplyMention records that the event at seq is about a customer
	// although it changes none of the views above (a contact reveal), and
	// advances the checkpoint to seq, in one atomic step; like Apply, a seq
	// at or below the checkpoint changes nothing.
	ApplyMention(ctx context.Context, seq uint64, tenant, customerID string) error
	// CustomerTrail returns the CLIENT sequences of the events about one
	// customer, ascending, after the sequence after, at most limit. An
	// event is about a customer when it was applied with it: the customer
	// written by Apply or ApplyClaim, the customer an interaction names in
	// ApplyInteraction, or the one ApplyMention names. The trail is an
	// index; the events themselves are read from the log.
	CustomerTrail(ctx context.Context, tenant, customerID string, after uint64, limit int) ([]uint64, error)
}

// Claim is one pool claim, kept so daily claim quotas can be counted.
type Claim struct {
	Tenant, EmployeeID, CustomerID string
	At                             time.Time
}

// ListFilter selects and pages customers.
type ListFilter struct {
	OwnerID string
	// InPool selects only customers nobody holds.
	InPool bool
	// Source selects one source channel (unspecified = all).
	Source domain.SourceChannel
	// IdleBefore, if set, selects only held customers whose IdleSince is at
	// or before it (to the microsecond, as PostgreSQL keeps times): those
	// without a follow-up since then.
	IdleBefore time.Time
	// After is the id of the last customer of the previous page.
	After string
	Limit int
}

// ErrBadFilter is returned for a filter with a non-positive limit.
var ErrBadFilter = errors.New("store: limit must be positive")

func (f ListFilter) matches(c domain.Customer) bool {
	return (f.OwnerID == "" || c.OwnerID == f.OwnerID) &&
		(!f.InPool || c.OwnerID == "") &&
		(f.Source == domain.SourceUnspecified || c.Source == f.Source) &&
		(f.IdleBefore.IsZero() || (c.OwnerID != "" && !c.IdleSince().Truncate(time.Microsecond).After(f.IdleBefore.Truncate(time.Microsecond)))) &&
		c.ID > f.After
}

// InteractionFilter selects and pages interactions. Empty CustomerID and
// EmployeeID select every interaction of the tenant.
type InteractionFilter struct {
	CustomerID string
	EmployeeID string
	// IncludeDeleted keeps deleted interactions in the list.
	IncludeDeleted bool
	// Before is the sequence of the last interaction of the previous page
	// (0 = start from the newest).
	Before uint64
	Limit  int
}

func (f InteractionFilter) matches(in domain.LoggedInteraction) bool {
	return (f.CustomerID == "" || in.CustomerID == f.CustomerID) &&
		(f.EmployeeID == "" || in.EmployeeID == f.EmployeeID) &&
		(f.IncludeDeleted || !in.Deleted) &&
		(f.Before == 0 || in.Sequence < f.Before)
}
