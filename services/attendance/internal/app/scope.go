package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/holdfast/holdfast/services/attendance/internal/domain"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// scope is which employees an actor may read: everyone (hr, auditor,
// admin), the org units of a manager's subtree, and always themselves.
type scope struct {
	all   bool
	self  string
	units map[string]bool
}

func (s scope) covers(e domain.Employee) bool {
	return s.all || (s.self != "" && e.ID == s.self) || s.units[e.OrgUnitID]
}

// unitList is the subtree as a store filter: nil for everyone.
func (s scope) unitList() []string {
	if s.all {
		return nil
	}
	out := make([]string, 0, len(s.units))
	for id := range s.units {
		out = append(out, id)
	}
	return out
}

// maxSubtreeUnits bounds a manager's subtree walk.
const maxSubtreeUnits = 10_000

// scopeOf works out the actor's scope from the read model: a manager
// reads their own org unit and everything below it; a manager who is not
// on the roster reads only themselves.
func (a *App) scopeOf(ctx context.Context, actor domain.Actor) (scope, error) {
	s := scope{self: actor.EmployeeID, units: map[string]bool{}}
	if actor.ReadsEveryone() {
		s.all = true
		return s, nil
	}
	if !actor.ManagesATeam() {
		return s, nil
	}
	me, err := a.store.GetEmployee(ctx, actor.Tenant, actor.EmployeeID)
	if errors.Is(err, domain.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	// The roster's role counts as much as the token's: a manager HR has
	// demoted loses the subtree before their token expires.
	if me.Status == domain.StatusDeparted || me.Role != "manager" {
		return s, nil
	}
	units, err := a.subtree(ctx, actor.Tenant, me.OrgUnitID)
	if err != nil {
		return s, err
	}
	s.units = units
	return s, nil
}

// subtree is root and every unit below it, breadth first, bounded.
func (a *App) subtree(ctx context.Context, tenant, root string) (map[string]bool, error) {
	seen := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		after := ""
		for {
			children, err := a.store.ListOrgUnits(ctx, tenant, store.OrgUnitFilter{ParentID: parent, After: after, Limit: 500})
			if err != nil {
				return nil, fmt.Errorf("subtree of %s: %w", root, err)
			}
			for _, c := range children {
				if !seen[c.ID] {
					seen[c.ID] = true
					queue = append(queue, c.ID)
				}
			}
			if len(seen) > maxSubtreeUnits {
				return nil, fmt.Errorf("subtree of %s: more than %d org units", root, maxSubtreeUnits)
			}
			if len(children) < 500 {
				break
			}
			after = children[len(children)-1].ID
		}
	}
	return seen, nil
}

// readableEmployee returns the employee if the actor's scope covers them.
// Someone outside the scope hears NotFound-free PermissionDenied: the
// employee's existence is not secret inside the company, their record is.
func (a *App) readableEmployee(ctx context.Context, actor domain.Actor, id, op string) (domain.Employee, error) {
	e, err := a.store.GetEmployee(ctx, actor.Tenant, id)
	if errors.Is(err, domain.ErrNotFound) && actor.EmployeeID != id && !actor.ReadsEveryone() && !actor.ManagesATeam() {
		return domain.Employee{}, fmt.Errorf("%s: %w: you may read only yourself", op, domain.ErrPermissionDenied)
	}
	if err != nil {
		return domain.Employee{}, err
	}
	sc, err := a.scopeOf(ctx, actor)
	if err != nil {
		return domain.Employee{}, err
	}
	if !sc.covers(e) {
		return domain.Employee{}, fmt.Errorf("%s: %w: employee %s is outside your part of the organisation", op, domain.ErrPermissionDenied, id)
	}
	return e, nil
}
