package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// canReadScores: hr and auditors read everyone's score, a manager those
// of their subtree. Admins manage rules, not people: they read only their
// own indicators, like any employee.
func (a Actor) canReadScores() bool { return a.has("hr", "auditor", "manager") }

// scoresEveryone: the caller's role reaches every employee's score.
func (a Actor) scoresEveryone() bool { return a.has("hr", "auditor") }

// GetEmployeeRisk is one employee's risk score at the tenant's clock. hr
// and auditors read anyone's, a manager those of the employees of their
// subtree; anyone reading their own (a manager too, unless hr or auditor)
// gets their behaviour indicators only, never the alerts about them. Each
// behaviour indicator carries its median over the employee's team (their
// org unit's subtree), for the self-view's "against your team".
func (a *App) GetEmployeeRisk(ctx context.Context, actor Actor, employeeID string) (domain.EmployeeRisk, error) {
	if !eventlog.ValidToken(employeeID) {
		return domain.EmployeeRisk{}, domainerr.Violations{{Field: "employee_id", Description: "required, a valid id"}}.Err()
	}
	own := employeeID == actor.EmployeeID && !actor.scoresEveryone()
	full := !own && (actor.scoresEveryone() || (actor.oversees != nil && actor.oversees(employeeID)))
	if !own && !full {
		return domain.EmployeeRisk{}, fmt.Errorf("get employee risk: %w: requires hr, auditor, or managing the employee", domain.ErrPermissionDenied)
	}
	asOf, err := a.tenantTime(ctx, actor.Tenant)
	if err != nil {
		return domain.EmployeeRisk{}, fmt.Errorf("get employee risk: %w", err)
	}
	if err := a.roster.CatchUp(ctx); err != nil {
		return domain.EmployeeRisk{}, fmt.Errorf("get employee risk: %w", err)
	}
	unit := a.roster.UnitOf(actor.Tenant, employeeID)
	if full && unit == "" {
		return domain.EmployeeRisk{}, fmt.Errorf("employee %s: %w", employeeID, domain.ErrNotFound)
	}
	var r domain.EmployeeRisk
	if own {
		a.engineMu.Lock()
		b := a.engine.Indicators(actor.Tenant, employeeID, asOf)
		a.engineMu.Unlock()
		r = domain.OwnIndicators(employeeID, asOf, b)
	} else {
		scores, err := a.scoreEmployees(ctx, actor.Tenant, []string{employeeID}, asOf)
		if err != nil {
			return domain.EmployeeRisk{}, fmt.Errorf("get employee risk: %w", err)
		}
		r = scores[0]
	}
	if unit == "" {
		return r, nil // not on the roster: no team to compare with
	}
	team := a.roster.EmployeesUnder(actor.Tenant, unit)
	behaviour := make([]domain.BehaviourIndicators, 0, len(team))
	a.engineMu.Lock()
	for _, e := range team {
		behaviour = append(behaviour, a.engine.Indicators(actor.Tenant, e, asOf))
	}
	a.engineMu.Unlock()
	return domain.WithTeamMedians(r, behaviour), nil
}

// RiskCursor is where the previous page of ListEmployeeRisk ended.
type RiskCursor struct {
	Score      int
	EmployeeID string
}

// ListEmployeeRisk scores the employees of orgUnit's subtree (a manager's
// own unit when empty; hr and auditors must name one), highest score
// first, then by employee id, and returns at most limit of them after
// the cursor (nil: from the top).
func (a *App) ListEmployeeRisk(ctx context.Context, actor Actor, orgUnit string, after *RiskCursor, limit int) ([]domain.EmployeeRisk, error) {
	if !actor.canReadScores() {
		return nil, fmt.Errorf("list employee risk: %w: requires hr, auditor or manager", domain.ErrPermissionDenied)
	}
	if orgUnit == "" && actor.oversees == nil {
		return nil, domainerr.Violations{{Field: "org_unit_id", Description: "required"}}.Err()
	}
	if limit <= 0 {
		return nil, store.ErrBadFilter
	}
	employees, err := a.reach(ctx, actor, orgUnit)
	if err != nil {
		return nil, fmt.Errorf("list employee risk: %w", err)
	}
	asOf, err := a.tenantTime(ctx, actor.Tenant)
	if err != nil {
		return nil, fmt.Errorf("list employee risk: %w", err)
	}
	scores, err := a.scoreEmployees(ctx, actor.Tenant, employees, asOf)
	if err != nil {
		return nil, fmt.Errorf("list employee risk: %w", err)
	}
	slices.SortFunc(scores, func(x, y domain.EmployeeRisk) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.EmployeeID, y.EmployeeID))
	})
	if after != nil {
		i, _ := slices.BinarySearchFunc(scores, *after, func(r domain.EmployeeRisk, c RiskCursor) int {
			return cmp.Or(cmp.Compare(c.Score, r.Score), cmp.Compare(r.EmployeeID, c.EmployeeID))
		})
		for i < len(scores) && scores[i].Score == after.Score && scores[i].EmployeeID == after.EmployeeID {
			i++
		}
		scores = scores[i:]
	}
	return scores[:min(limit, len(scores))], nil
}

// tenantTime is the tenant's clock: its last tick, event time (zero while
// it never ticked). Scores are measured there, never at the wall clock.
func (a *App) tenantTime(ctx context.Context, tenant string) (time.Time, error) {
	clock, _, err := a.loadClock(ctx, tenant)
	if err != nil {
		return time.Time{}, err
	}
	return clock.LastTick, nil
}

// scoreEmployees scores each employee, in the order given, from their
// alerts in the view and the engine's projections at asOf.
func (a *App) scoreEmployees(ctx context.Context, tenant string, employees []string, asOf time.Time) ([]domain.EmployeeRisk, error) {
	byEmployee := map[string][]domain.Alert{}
	if len(employees) > 0 {
		const page = 500
		f := store.ListFilter{Employees: employees, Limit: page}
		for {
			rows, err := a.store.ListAlerts(ctx, tenant, f)
			if err != nil {
				return nil, err
			}
			for _, al := range rows {
				byEmployee[al.EmployeeID] = append(byEmployee[al.EmployeeID], al)
			}
			if len(rows) < page {
				break
			}
			f.Before = rows[len(rows)-1].RaisedSequence
		}
	}
	out := make([]domain.EmployeeRisk, 0, len(employees))
	a.engineMu.Lock()
	defer a.engineMu.Unlock()
	for _, e := range employees {
		out = append(out, domain.ScoreEmployee(e, asOf, byEmployee[e], a.engine.Indicators(tenant, e, asOf)))
	}
	return out, nil
}
