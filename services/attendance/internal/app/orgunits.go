package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// CreateOrgUnit adds a unit to the tenant's tree (admins). The unit's id is
// derived from the caller and request id, so a retry finds and returns the
// first creation instead of creating a twin.
func (a *App) CreateOrgUnit(ctx context.Context, actor domain.Actor, requestID string, u domain.OrgUnit) (domain.OrgUnit, uint64, error) {
	if !actor.CanCreateOrgUnit() {
		return domain.OrgUnit{}, 0, fmt.Errorf("create org unit: %w: requires admin", domain.ErrPermissionDenied)
	}
	u, err := domain.NormalizeOrgUnit(u)
	var parentErr error
	if u.ParentID != "" {
		parentErr = checkID("parent_id", u.ParentID)
	}
	if err := joinViolations(checkRequestID(requestID), parentErr, err); err != nil {
		return domain.OrgUnit{}, 0, err
	}
	u.Tenant, u.ID = actor.Tenant, callerScopedID(actor, typeOrgUnit, requestID)
	r := ref(actor.Tenant, typeOrgUnit, u.ID)
	agg, err := a.log.Load(ctx, r)
	if err != nil {
		return domain.OrgUnit{}, 0, fmt.Errorf("create org unit: %w", err)
	}
	if len(agg.Records) > 0 {
		first, err := foldOrgUnit(agg)
		if err != nil {
			return domain.OrgUnit{}, 0, fmt.Errorf("create org unit: %w", err)
		}
		if !sameOrgUnit(first, u) {
			return domain.OrgUnit{}, 0, fmt.Errorf("create org unit: %w: request_id was already used for a different org unit", domain.ErrPrecondition)
		}
		return first, agg.Records[0].Sequence, nil
	}
	if err := domain.CheckPlacement(u, func(id string) (domain.OrgUnit, bool, error) { return a.loadOrgUnit(ctx, actor.Tenant, id) }); err != nil {
		return domain.OrgUnit{}, 0, fmt.Errorf("create org unit: %w", err)
	}
	res, err := a.log.Append(ctx, eventlog.AppendRequest{
		Ref: r, After: agg.Position, RequestID: callerScopedID(actor, "request", requestID),
		ActorID: actor.EmployeeID, OccurredAt: a.now(ctx), Payload: orgUnitCreatedEvent(u),
	})
	if err != nil {
		return domain.OrgUnit{}, 0, fmt.Errorf("create org unit: %w", err)
	}
	u.Version = res.Version
	return u, res.Sequence, nil
}

func sameOrgUnit(a, b domain.OrgUnit) bool {
	return a.ParentID == b.ParentID && a.Kind == b.Kind && a.Name == b.Name && a.Calendar.TimeZone == b.Calendar.TimeZone &&
		slices.Equal(a.Calendar.WorkingWeekdays, b.Calendar.WorkingWeekdays) && slices.Equal(a.Calendar.Holidays, b.Calendar.Holidays)
}

// loadOrgUnit reads a unit from the log, the authority for decisions.
func (a *App) loadOrgUnit(ctx context.Context, tenant, id string) (domain.OrgUnit, bool, error) {
	if !eventlog.ValidToken(id) {
		return domain.OrgUnit{}, false, nil
	}
	agg, err := a.log.Load(ctx, ref(tenant, typeOrgUnit, id))
	if err != nil || len(agg.Records) == 0 {
		return domain.OrgUnit{}, false, err
	}
	u, err := foldOrgUnit(agg)
	return u, err == nil, err
}

// GetOrgUnit returns one unit once the read model has applied minSeq. Every
// member of the tenant may read the organisation tree.
func (a *App) GetOrgUnit(ctx context.Context, actor domain.Actor, id string, minSeq uint64) (domain.OrgUnit, error) {
	if err := checkID("org_unit_id", id); err != nil {
		return domain.OrgUnit{}, err
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return domain.OrgUnit{}, err
	}
	return a.store.GetOrgUnit(ctx, actor.Tenant, id)
}

// ListOrgUnits pages through the tenant's units.
func (a *App) ListOrgUnits(ctx context.Context, actor domain.Actor, f store.OrgUnitFilter, minSeq uint64) ([]domain.OrgUnit, error) {
	if err := a.waitFor(ctx, minSeq); err != nil {
		return nil, err
	}
	return a.store.ListOrgUnits(ctx, actor.Tenant, f)
}
