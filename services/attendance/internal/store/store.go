// Package store is the attendance service's read model: org units and
// employees as projected from the ATTENDANCE stream. Memory and PostgreSQL
// implement one interface and pass one contract suite (storetest).
package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/attendance/internal/domain"
)

// Store is the read model.
type Store interface {
	// Apply writes what the event at seq changed (either, both or neither
	// of change's views) and advances the checkpoint to seq in one atomic
	// step. A seq at or below the checkpoint changes nothing, so
	// redelivery is harmless.
	Apply(ctx context.Context, seq uint64, change Change) error
	// Park records an event the projector cannot apply, with its reason, and
	// advances the checkpoint past it.
	Park(ctx context.Context, seq uint64, subject, reason string, data []byte) error
	// Checkpoint is the last applied ATTENDANCE sequence (0 = none).
	Checkpoint(ctx context.Context) (uint64, error)
	GetOrgUnit(ctx context.Context, tenant, id string) (domain.OrgUnit, error)
	// ListOrgUnits returns org units ordered by id, after filter.After.
	ListOrgUnits(ctx context.Context, tenant string, filter OrgUnitFilter) ([]domain.OrgUnit, error)
	GetEmployee(ctx context.Context, tenant, id string) (domain.Employee, error)
	// ListEmployees returns employees ordered by id, after filter.After.
	ListEmployees(ctx context.Context, tenant string, filter EmployeeFilter) ([]domain.Employee, error)
	// GetCheckIn returns one check-in, or an error wrapping domain.ErrNotFound.
	GetCheckIn(ctx context.Context, tenant, id string) (domain.CheckIn, error)
	// FindSameFix returns the employee's earliest check-in with exactly
	// c's coordinates and accuracy (found = false for none).
	FindSameFix(ctx context.Context, tenant string, c domain.CheckIn) (id string, found bool, err error)
	// ListCheckIns returns check-ins newest first (by stream sequence),
	// before filter.Before.
	ListCheckIns(ctx context.Context, tenant string, filter CheckInFilter) ([]domain.CheckIn, error)
}

// Change is what one event changes in the read model.
type Change struct {
	OrgUnit  *domain.OrgUnit
	Employee *domain.Employee
	CheckIn  *domain.CheckIn
}

// OrgUnitFilter selects and pages org units.
type OrgUnitFilter struct {
	// ParentID, if set, selects that unit's children.
	ParentID string
	// After is the id of the last unit of the previous page.
	After string
	Limit int
}

func (f OrgUnitFilter) matches(u domain.OrgUnit) bool {
	return (f.ParentID == "" || u.ParentID == f.ParentID) && u.ID > f.After
}

// EmployeeFilter selects and pages employees; zero fields select all.
type EmployeeFilter struct {
	OrgUnitID string
	// OrgUnitIDs, if not nil, keeps only employees of these units (a
	// manager's subtree); an empty non-nil list keeps none.
	OrgUnitIDs []string
	Role       string
	Status     domain.EmployeeStatus
	// After is the id of the last employee of the previous page.
	After string
	Limit int
}

func (f EmployeeFilter) matches(e domain.Employee) bool {
	return (f.OrgUnitID == "" || e.OrgUnitID == f.OrgUnitID) &&
		(f.OrgUnitIDs == nil || slices.Contains(f.OrgUnitIDs, e.OrgUnitID)) &&
		(f.Role == "" || e.Role == f.Role) &&
		(f.Status == domain.StatusUnspecified || e.Status == f.Status) &&
		e.ID > f.After
}

// ErrBadFilter is returned for a filter with a non-positive limit.
var ErrBadFilter = errors.New("store: limit must be positive")

// CheckInFilter selects and pages check-ins: one employee's or one
// customer's (set exactly one), device time in [From, To) where set.
type CheckInFilter struct {
	EmployeeID string
	CustomerID string
	From, To   time.Time
	// Before is the sequence of the last check-in of the previous page (0 = first page).
	Before uint64
	Limit  int
}

func (f CheckInFilter) matches(c domain.CheckIn) bool {
	return (f.EmployeeID == "" || c.EmployeeID == f.EmployeeID) &&
		(f.CustomerID == "" || c.CustomerID == f.CustomerID) &&
		(f.From.IsZero() || !c.DeviceTime.Before(f.From)) &&
		(f.To.IsZero() || c.DeviceTime.Before(f.To)) &&
		(f.Before == 0 || c.Sequence < f.Before)
}
