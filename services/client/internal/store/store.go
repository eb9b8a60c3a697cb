// Package store is the client service's read model: customers and their
// interactions as projected from the CLIENT stream. Memory and PostgreSQL
// implement one interface and pass one contract suite (storetest).
package store

import (
	"context"
	"errors"
	"slices"
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

	Roster
	Activity
}

// Roster is the organisation tree as the client service projects it from
// ATTENDANCE: employees (org unit, manager, role, status) and org units
// (parent). It has its own checkpoint, an ATTENDANCE sequence.
type Roster interface {
	// ApplyRoster writes what the ATTENDANCE event at seq changes (nothing,
	// for an event the roster does not keep) and advances the roster's
	// checkpoint to seq, in one atomic step; a seq at or below the
	// checkpoint changes nothing.
	ApplyRoster(ctx context.Context, seq uint64, change RosterChange) error
	// ParkRoster records an ATTENDANCE event the roster cannot apply, with
	// its reason, and advances the roster's checkpoint past it.
	ParkRoster(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// RosterCheckpoint is the last applied ATTENDANCE sequence (0 = none).
	RosterCheckpoint(ctx context.Context) (uint64, error)
	// RosterEmployee returns one employee, departed or not; ErrNotFound if
	// the roster never saw them hired.
	RosterEmployee(ctx context.Context, tenant, id string) (domain.RosterEmployee, error)
	// Subtree returns root and the org units below it, at most maxDepth
	// levels down, sorted by id; a cycle in the tree does not repeat a
	// unit. ErrNotFound if root is unknown.
	Subtree(ctx context.Context, tenant, root string, maxDepth int) ([]string, error)
	// EmployeesIn returns, sorted, the employees (any status) whose current
	// org unit is one of units.
	EmployeesIn(ctx context.Context, tenant string, units []string) ([]string, error)
}

// RosterChange is what one ATTENDANCE event changes in the roster: an
// employee's new state, a new org unit, or neither.
type RosterChange struct {
	Employee *domain.RosterEmployee
	OrgUnit  *domain.OrgUnit
}

// Claim is one pool claim, kept so daily claim quotas can be counted.
type Claim struct {
	Tenant, EmployeeID, CustomerID string
	At                             time.Time
}

// ListFilter selects and pages customers.
type ListFilter struct {
	OwnerID string
	// Holders, if not nil, keeps only the customers it covers: those held
	// by one of its employees, and pooled ones when it says so.
	Holders *Holders
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
		f.Holders.covers(c.OwnerID) &&
		(f.IdleBefore.IsZero() || (c.OwnerID != "" && !c.IdleSince().Truncate(time.Microsecond).After(f.IdleBefore.Truncate(time.Microsecond)))) &&
		c.ID > f.After
}

// Holders is a set of employees whose customers a list may show, and
// whether it may show pooled customers too.
type Holders struct {
	Employees []string
	Pool      bool
	set       map[string]bool
}

// NewHolders returns the set of employees' customers, and the pool's if pool.
func NewHolders(employees []string, pool bool) *Holders {
	h := &Holders{Employees: employees, Pool: pool, set: make(map[string]bool, len(employees))}
	for _, e := range employees {
		h.set[e] = true
	}
	return h
}

// covers reports whether a customer held by owner ("" = pooled) is in h; a
// nil h covers everything.
func (h *Holders) covers(owner string) bool {
	if h == nil {
		return true
	}
	if owner == "" {
		return h.Pool
	}
	if h.set == nil {
		return slices.Contains(h.Employees, owner)
	}
	return h.set[owner]
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
