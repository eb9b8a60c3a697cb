package app

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// HireEmployee starts an employee's lifecycle (admin, hr). The employee id
// is the company's own; hiring an id the log already has is refused, unless
// it is the caller's retry of the same request, which returns the first hire.
func (a *App) HireEmployee(ctx context.Context, actor domain.Actor, requestID string, h domain.Hire) (domain.Employee, uint64, error) {
	if !actor.CanHire() {
		return domain.Employee{}, 0, fmt.Errorf("hire employee: %w: requires admin or hr", domain.ErrPermissionDenied)
	}
	h, err := domain.NormalizeHire(h)
	var managerErr error
	if h.ManagerID != "" {
		managerErr = checkID("manager_id", h.ManagerID)
	}
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", h.EmployeeID), checkID("org_unit_id", h.OrgUnitID), managerErr, err); err != nil {
		return domain.Employee{}, 0, err
	}
	scoped := callerScopedID(actor, "request", requestID)
	r := ref(actor.Tenant, typeEmployee, h.EmployeeID)
	agg, err := a.log.Load(ctx, r)
	if err != nil {
		return domain.Employee{}, 0, fmt.Errorf("hire employee: %w", err)
	}
	if len(agg.Records) > 0 {
		if agg.Records[0].Envelope.GetRequestId() == scoped {
			e, err := foldEmployee(agg)
			return e, agg.Records[0].Sequence, err // a retry: the first result stands
		}
		return domain.Employee{}, 0, fmt.Errorf("hire employee: %w: employee %s is already hired", domain.ErrPrecondition, h.EmployeeID)
	}
	if _, ok, err := a.loadOrgUnit(ctx, actor.Tenant, h.OrgUnitID); err != nil {
		return domain.Employee{}, 0, fmt.Errorf("hire employee: %w", err)
	} else if !ok {
		return domain.Employee{}, 0, fmt.Errorf("hire employee: %w: org unit %s does not exist", domain.ErrPrecondition, h.OrgUnitID)
	}
	if err := domain.CheckManager(h, func(id string) (domain.Employee, bool, error) { return a.loadEmployee(ctx, actor.Tenant, id) }); err != nil {
		return domain.Employee{}, 0, fmt.Errorf("hire employee: %w", err)
	}
	res, err := a.log.Append(ctx, eventlog.AppendRequest{
		Ref: r, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, OccurredAt: a.now(ctx), Payload: employeeHiredEvent(h),
	})
	if err != nil {
		return domain.Employee{}, 0, fmt.Errorf("hire employee: %w", err)
	}
	e := domain.Hired(actor.Tenant, h)
	e.Version = res.Version
	return e, res.Sequence, nil
}

// loadEmployee reads an employee from the log, the authority for decisions.
func (a *App) loadEmployee(ctx context.Context, tenant, id string) (domain.Employee, bool, error) {
	if !eventlog.ValidToken(id) {
		return domain.Employee{}, false, nil
	}
	agg, err := a.log.Load(ctx, ref(tenant, typeEmployee, id))
	if err != nil || len(agg.Records) == 0 {
		return domain.Employee{}, false, err
	}
	e, err := foldEmployee(agg)
	return e, err == nil, err
}

// NoticeResignation puts an active employee on notice (hr, or the employee).
func (a *App) NoticeResignation(ctx context.Context, actor domain.Actor, requestID, employeeID, noticeDate, plannedLastDay string) (domain.Employee, uint64, error) {
	if !actor.CanNoticeResignation(employeeID) {
		return domain.Employee{}, 0, fmt.Errorf("notice resignation: %w: requires hr, or the employee themselves", domain.ErrPermissionDenied)
	}
	_, err := domain.NoticeResignation(domain.Employee{Status: domain.StatusActive}, noticeDate, plannedLastDay)
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", employeeID), err); err != nil {
		return domain.Employee{}, 0, err
	}
	return a.decideOnEmployee(ctx, actor, employeeID, requestID, &attendancev1.ResignationNoticed{}, func(e domain.Employee) (proto.Message, error) {
		if _, err := domain.NoticeResignation(e, noticeDate, plannedLastDay); err != nil {
			return nil, err
		}
		return &attendancev1.ResignationNoticed{EmployeeId: e.ID, NoticeDate: noticeDate, PlannedLastDay: plannedLastDay}, nil
	})
}

// WithdrawResignation takes an employee on notice back to active (hr).
func (a *App) WithdrawResignation(ctx context.Context, actor domain.Actor, requestID, employeeID string) (domain.Employee, uint64, error) {
	if !actor.CanWithdrawResignation() {
		return domain.Employee{}, 0, fmt.Errorf("withdraw resignation: %w: requires hr", domain.ErrPermissionDenied)
	}
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", employeeID)); err != nil {
		return domain.Employee{}, 0, err
	}
	return a.decideOnEmployee(ctx, actor, employeeID, requestID, &attendancev1.ResignationWithdrawn{}, func(e domain.Employee) (proto.Message, error) {
		if _, err := domain.WithdrawResignation(e); err != nil {
			return nil, err
		}
		return &attendancev1.ResignationWithdrawn{EmployeeId: e.ID}, nil
	})
}

// RecordLeave records an approved leave (hr, or the employee's manager).
func (a *App) RecordLeave(ctx context.Context, actor domain.Actor, requestID, employeeID string, l domain.Leave) (domain.Employee, uint64, error) {
	if !actor.MayRecordLeave() {
		return domain.Employee{}, 0, fmt.Errorf("record leave: %w: requires hr, or the employee's manager", domain.ErrPermissionDenied)
	}
	_, err := domain.RecordLeave(domain.Employee{Status: domain.StatusActive}, l)
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", employeeID), err); err != nil {
		return domain.Employee{}, 0, err
	}
	return a.decideOnEmployee(ctx, actor, employeeID, requestID, &attendancev1.LeaveRecorded{}, func(e domain.Employee) (proto.Message, error) {
		if !actor.CanRecordLeave(e) {
			return nil, fmt.Errorf("record leave: %w: requires hr, or the employee's manager", domain.ErrPermissionDenied)
		}
		if _, err := domain.RecordLeave(e, l); err != nil {
			return nil, err
		}
		return &attendancev1.LeaveRecorded{EmployeeId: e.ID, StartDate: l.StartDate, EndDate: l.EndDate, LeaveType: attendancev1.LeaveType(l.Type)}, nil
	})
}

// RecordDeparture records that an employee has left (hr).
func (a *App) RecordDeparture(ctx context.Context, actor domain.Actor, requestID, employeeID, lastDay string) (domain.Employee, uint64, error) {
	if !actor.CanRecordDeparture() {
		return domain.Employee{}, 0, fmt.Errorf("record departure: %w: requires hr", domain.ErrPermissionDenied)
	}
	_, err := domain.RecordDeparture(domain.Employee{Status: domain.StatusActive}, lastDay)
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", employeeID), err); err != nil {
		return domain.Employee{}, 0, err
	}
	return a.decideOnEmployee(ctx, actor, employeeID, requestID, &attendancev1.EmployeeDeparted{}, func(e domain.Employee) (proto.Message, error) {
		if _, err := domain.RecordDeparture(e, lastDay); err != nil {
			return nil, err
		}
		return &attendancev1.EmployeeDeparted{EmployeeId: e.ID, LastDay: lastDay}, nil
	})
}

// maxConflictRetries bounds reload-and-decide-again on concurrent changes.
const maxConflictRetries = 5

// decideOnEmployee runs load → decide → append on one employee, deciding
// again on a concurrent change (bounded). The event's request id is scoped
// to the caller; a retry finds its first event and writes nothing, and
// the same request id used for another command (writes is the event type
// this one writes) is FailedPrecondition rather than a silent retry. It
// returns the employee after the event and the stream sequence written
// (or found, for a retry).
func (a *App) decideOnEmployee(ctx context.Context, actor domain.Actor, employeeID, requestID string, writes proto.Message,
	decide func(domain.Employee) (proto.Message, error),
) (domain.Employee, uint64, error) {
	scoped := callerScopedID(actor, "request", requestID)
	r := ref(actor.Tenant, typeEmployee, employeeID)
	for attempt := 1; ; attempt++ {
		agg, err := a.log.Load(ctx, r)
		if err != nil {
			return domain.Employee{}, 0, err
		}
		if len(agg.Records) == 0 {
			return domain.Employee{}, 0, fmt.Errorf("employee %s: %w", employeeID, domain.ErrNotFound)
		}
		e, err := foldEmployee(agg)
		if err != nil {
			return domain.Employee{}, 0, err
		}
		for _, rec := range agg.Records {
			if rec.Envelope.GetRequestId() != scoped {
				continue
			}
			if eventlog.TypeName(rec.Envelope) != string(eventlog.Name(writes)) {
				return domain.Employee{}, 0, fmt.Errorf("%w: request_id %s was already used for another command on employee %s", domain.ErrPrecondition, requestID, employeeID)
			}
			return e, rec.Sequence, nil // a retry: the first result stands
		}
		payload, err := decide(e)
		if err != nil {
			return domain.Employee{}, 0, err
		}
		res, err := a.log.Append(ctx, eventlog.AppendRequest{
			Ref: r, After: agg.Position, RequestID: scoped, ActorID: actor.EmployeeID, OccurredAt: a.now(ctx), Payload: payload,
		})
		if errors.Is(err, eventlog.ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return domain.Employee{}, 0, err
		}
		after, err := a.log.Load(ctx, r)
		if err != nil {
			return domain.Employee{}, 0, err
		}
		e, err = foldEmployee(after)
		return e, res.Sequence, err
	}
}

// GetEmployee returns one employee, once the read model has applied
// minSeq: to themselves, to managers whose subtree holds them, and to hr,
// auditor and admin.
func (a *App) GetEmployee(ctx context.Context, actor domain.Actor, id string, minSeq uint64) (domain.Employee, error) {
	if err := checkID("employee_id", id); err != nil {
		return domain.Employee{}, err
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return domain.Employee{}, err
	}
	return a.readableEmployee(ctx, actor, id, "get employee")
}

// EmployeeQuery selects employees for ListEmployees.
type EmployeeQuery struct {
	store.EmployeeFilter
	// IncludeSubunits widens OrgUnitID to its whole subtree.
	IncludeSubunits bool
}

// ListEmployees pages through employees: hr, auditor and admin see all; a
// manager sees their own org unit's subtree.
func (a *App) ListEmployees(ctx context.Context, actor domain.Actor, q EmployeeQuery, minSeq uint64) ([]domain.Employee, error) {
	if !actor.CanListEmployees() {
		return nil, fmt.Errorf("list employees: %w: requires hr, auditor, admin or manager", domain.ErrPermissionDenied)
	}
	if err := a.waitFor(ctx, minSeq); err != nil {
		return nil, err
	}
	sc, err := a.scopeOf(ctx, actor)
	if err != nil {
		return nil, err
	}
	f := q.EmployeeFilter
	f.OrgUnitIDs = sc.unitList()
	if q.IncludeSubunits && f.OrgUnitID != "" {
		units, err := a.subtree(ctx, actor.Tenant, f.OrgUnitID)
		if err != nil {
			return nil, err
		}
		f.OrgUnitID, f.OrgUnitIDs = "", intersect(units, f.OrgUnitIDs)
	}
	return a.store.ListEmployees(ctx, actor.Tenant, f)
}

// intersect is units limited to within (nil within = no limit), as a list.
func intersect(units map[string]bool, within []string) []string {
	out := []string{}
	if within == nil {
		for id := range units {
			out = append(out, id)
		}
		return out
	}
	for _, id := range within {
		if units[id] {
			out = append(out, id)
		}
	}
	return out
}

// TransferEmployee moves an employee to another org unit and/or manager
// (admin, hr). The unit must exist and the new reporting line must not
// loop back to the employee or end at someone who left.
func (a *App) TransferEmployee(ctx context.Context, actor domain.Actor, requestID, employeeID string, t domain.Transfer) (domain.Employee, uint64, error) {
	if !actor.CanTransfer() {
		return domain.Employee{}, 0, fmt.Errorf("transfer employee: %w: requires admin or hr", domain.ErrPermissionDenied)
	}
	var managerErr error
	if t.ManagerID != "" {
		managerErr = checkID("manager_id", t.ManagerID)
	}
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", employeeID), checkID("org_unit_id", t.OrgUnitID), managerErr, domain.CheckTransfer(t)); err != nil {
		return domain.Employee{}, 0, err
	}
	return a.decideOnEmployee(ctx, actor, employeeID, requestID, &attendancev1.EmployeeTransferred{}, func(e domain.Employee) (proto.Message, error) {
		if _, err := domain.TransferEmployee(e, t); err != nil {
			return nil, err
		}
		if _, ok, err := a.loadOrgUnit(ctx, actor.Tenant, t.OrgUnitID); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("transfer employee: %w: org unit %s does not exist", domain.ErrPrecondition, t.OrgUnitID)
		}
		line := domain.Hire{EmployeeID: e.ID, ManagerID: t.ManagerID}
		if err := domain.CheckManager(line, func(id string) (domain.Employee, bool, error) { return a.loadEmployee(ctx, actor.Tenant, id) }); err != nil {
			return nil, fmt.Errorf("transfer employee: %w", err)
		}
		return &attendancev1.EmployeeTransferred{
			EmployeeId: e.ID, FromOrgUnitId: e.OrgUnitID, ToOrgUnitId: t.OrgUnitID,
			FromManagerId: e.ManagerID, ToManagerId: t.ManagerID, EffectiveDate: t.EffectiveDate,
		}, nil
	})
}

// ChangeRole changes an employee's role (admin, hr).
func (a *App) ChangeRole(ctx context.Context, actor domain.Actor, requestID, employeeID, role, effectiveDate string) (domain.Employee, uint64, error) {
	if !actor.CanTransfer() {
		return domain.Employee{}, 0, fmt.Errorf("change role: %w: requires admin or hr", domain.ErrPermissionDenied)
	}
	if err := joinViolations(checkRequestID(requestID), checkID("employee_id", employeeID), domain.CheckRoleChange(role, effectiveDate)); err != nil {
		return domain.Employee{}, 0, err
	}
	return a.decideOnEmployee(ctx, actor, employeeID, requestID, &attendancev1.EmployeeRoleChanged{}, func(e domain.Employee) (proto.Message, error) {
		if _, err := domain.ChangeRole(e, role, effectiveDate); err != nil {
			return nil, err
		}
		return &attendancev1.EmployeeRoleChanged{EmployeeId: e.ID, FromRole: e.Role, ToRole: role, EffectiveDate: effectiveDate}, nil
	})
}
