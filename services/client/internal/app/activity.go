package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/client/internal/domain"
)

// TeamActivityQuery asks for a team report: the employees in OrgUnit and
// below it, over [From, To), a page of them after the employee id After.
type TeamActivityQuery struct {
	From, To time.Time
	// OrgUnit is the subtree's root; empty means a manager's own unit.
	OrgUnit string
	After   string
	Limit   int
	MinSeq  uint64
}

// EmployeeActivity is one employee's row of a team report.
type EmployeeActivity struct {
	EmployeeID, OrgUnitID string
	Figures               domain.ActivityFigures
}

// TeamActivity is one org unit's members together.
type TeamActivity struct {
	OrgUnitID string
	Employees int
	Figures   domain.ActivityFigures
}

// TeamActivityPage is one page of a team report. Teams and Total cover
// every employee selected, whatever the page.
type TeamActivityPage struct {
	Employees []EmployeeActivity
	// More says another page follows the last employee of this one.
	More       bool
	Teams      []TeamActivity
	Total      TeamActivity
	MeasuredTo time.Time
}

// errTeamReportRole is the refusal for anyone but the people a team
// report is for.
var errTeamReportRole = fmt.Errorf("team activity: %w: for hr, auditors, admins and managers", domain.ErrPermissionDenied)

// GetTeamActivity reports how the employees of an org unit subtree worked
// their customers over a period (domain.MeasureActivity). hr, auditors
// and admins ask about any unit; a manager about their own subtree, as the
// roster places them now; anyone else is refused.
func (a *App) GetTeamActivity(ctx context.Context, actor domain.Actor, q TeamActivityQuery) (TeamActivityPage, error) {
	if !actor.CanReadTeamActivity() {
		return TeamActivityPage{}, errTeamReportRole
	}
	var errs []error
	errs = append(errs, domain.CheckActivityPeriod(q.From, q.To))
	if q.OrgUnit != "" && !eventlog.ValidToken(q.OrgUnit) {
		errs = append(errs, invalidID("org_unit_id"))
	}
	if err := joinViolations(errs...); err != nil {
		return TeamActivityPage{}, err
	}
	actor, err := a.withVisibility(ctx, actor)
	if err != nil {
		return TeamActivityPage{}, err
	}
	root, err := a.reportRoot(ctx, actor, q.OrgUnit)
	if err != nil {
		return TeamActivityPage{}, err
	}
	if err := a.catchUpRoster(ctx); err != nil {
		return TeamActivityPage{}, fmt.Errorf("team activity: %w", err)
	}
	// A report covers the unit and every unit below it: only who sees the
	// whole tenant, or a whole subtree that holds it (a manager as the
	// roster has them now), may read one. A manager's token with a
	// narrower roster tier (senior_sales: their team only) may not. The
	// check comes before the unit is looked up, so a unit outside the
	// caller's subtree is refused whether or not it exists.
	v := actor.Visibility()
	if v.Tier != domain.TierAll && (v.Tier != domain.TierSubtree || !slices.Contains(v.Units, root)) {
		return TeamActivityPage{}, fmt.Errorf("team activity: %w: org unit %s is outside your org subtree", domain.ErrPermissionDenied, root)
	}
	units, err := a.store.Subtree(ctx, actor.Tenant, root, domain.MaxOrgDepth)
	if errors.Is(err, domain.ErrNotFound) {
		return TeamActivityPage{}, &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "org_unit_id", Description: "no such org unit"}}}
	}
	if err != nil {
		return TeamActivityPage{}, fmt.Errorf("team activity: %w", err)
	}
	if v.Tier != domain.TierAll {
		for _, u := range units {
			if !slices.Contains(v.Units, u) {
				return TeamActivityPage{}, fmt.Errorf("team activity: %w: org unit %s is outside your org subtree", domain.ErrPermissionDenied, u)
			}
		}
	}
	employees, err := a.store.EmployeesIn(ctx, actor.Tenant, units)
	if err != nil {
		return TeamActivityPage{}, fmt.Errorf("team activity: %w", err)
	}
	if err := a.waitFor(ctx, q.MinSeq); err != nil {
		return TeamActivityPage{}, err
	}
	now := a.now(ctx)
	figures, err := a.measureActivity(ctx, actor.Tenant, employees, q.From, q.To, now)
	if err != nil {
		return TeamActivityPage{}, err
	}
	page := TeamActivityPage{MeasuredTo: q.To, Total: TeamActivity{OrgUnitID: root}}
	switch {
	case now.Before(q.From):
		page.MeasuredTo = q.From
	case now.Before(q.To):
		page.MeasuredTo = now
	}
	teams := map[string]*TeamActivity{}
	for _, e := range employees {
		re, err := a.store.RosterEmployee(ctx, actor.Tenant, e)
		if err != nil {
			return TeamActivityPage{}, fmt.Errorf("team activity: %w", err)
		}
		f := figures[e]
		team := teams[re.OrgUnitID]
		if team == nil {
			team = &TeamActivity{OrgUnitID: re.OrgUnitID}
			teams[re.OrgUnitID] = team
		}
		team.Employees++
		team.Figures = team.Figures.Add(f)
		page.Total.Employees++
		page.Total.Figures = page.Total.Figures.Add(f)
		if e > q.After && len(page.Employees) <= q.Limit {
			page.Employees = append(page.Employees, EmployeeActivity{EmployeeID: e, OrgUnitID: re.OrgUnitID, Figures: f})
		}
	}
	// One extra row tells whether another page follows.
	if len(page.Employees) > q.Limit {
		page.Employees, page.More = page.Employees[:q.Limit], true
	}
	for _, u := range units {
		if t := teams[u]; t != nil {
			page.Teams = append(page.Teams, *t)
		}
	}
	return page, nil
}

// reportRoot is the subtree a report covers: the unit asked for, or a
// manager's own unit when none is; hr, auditors and admins must name one.
func (a *App) reportRoot(ctx context.Context, actor domain.Actor, orgUnit string) (string, error) {
	if orgUnit != "" {
		return orgUnit, nil
	}
	if actor.Visibility().Tier == domain.TierAll {
		return "", &domain.ValidationError{Violations: []domain.FieldViolation{{Field: "org_unit_id", Description: "required"}}}
	}
	me, err := a.store.RosterEmployee(ctx, actor.Tenant, actor.EmployeeID)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && me.OrgUnitID == "") {
		return "", fmt.Errorf("team activity: %w: the roster places you in no org unit", domain.ErrPermissionDenied)
	}
	if err != nil {
		return "", fmt.Errorf("team activity: %w", err)
	}
	return me.OrgUnitID, nil
}

// measureActivity reads the facts about employees for [from, to) and
// measures them.
func (a *App) measureActivity(ctx context.Context, tenant string, employees []string, from, to, now time.Time) (map[string]domain.ActivityFigures, error) {
	var (
		facts domain.ActivityFacts
		err   error
	)
	if facts.Holdings, err = a.store.Holdings(ctx, tenant, employees, from, to); err != nil {
		return nil, fmt.Errorf("team activity: %w", err)
	}
	if facts.Touches, err = a.store.Touches(ctx, tenant, employees, from, to); err != nil {
		return nil, fmt.Errorf("team activity: %w", err)
	}
	if facts.Registered, err = a.store.RegisteredBetween(ctx, tenant, employees, from, to); err != nil {
		return nil, fmt.Errorf("team activity: %w", err)
	}
	var counterparties []string
	for _, c := range facts.Registered {
		counterparties = append(counterparties, domain.Counterparties(c)...)
	}
	if len(counterparties) > 0 {
		if facts.FirstContacts, err = a.store.FirstContacts(ctx, tenant, employees, counterparties); err != nil {
			return nil, fmt.Errorf("team activity: %w", err)
		}
	}
	return domain.MeasureActivity(employees, facts, from, to, now), nil
}
