// Package app runs the risk service's use cases: the engine runner judges
// RISK_IN and appends its decisions to RISK; the alert projector turns RISK
// into the alert read model; the hits projector records the lexicon's
// matches in RISK_IN's interactions; queries read them.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/roster"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
	"github.com/holdfast/holdfast/services/risk/internal/rules"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

const (
	boundedContext = "risk"
	typeAlert      = "alert"
)

// App wires the engine, the event log and the read model.
type App struct {
	log    *eventlog.Log
	store  store.Store
	logger *slog.Logger
	// roster says whom a manager oversees (attendance's org tree).
	roster *roster.Tracker

	// engineMu guards engine: the runner judges with it, rule queries read it.
	engineMu sync.Mutex
	engine   *engine.Engine
	// lexicon is the engine's: the hits projector finds with it what the
	// engine finds (it is safe for concurrent use).
	lexicon *lexicon.Lexicon

	// compiler validates rule definitions; builtin is the built-in pack by
	// rule id, where every tenant's rule history starts.
	compiler *rules.Compiler
	builtin  map[string]domain.Rule
	// now is the clock commands check times against (never the engine).
	now func() time.Time

	// projected is the RISK sequence the alert read model has applied.
	projected *eventlog.Progress

	mu sync.Mutex
	// judged is, per source stream, the highest source sequence the engine
	// has judged.
	judged map[string]*eventlog.Progress
	// written holds each alert's position in RISK, so every decision is
	// appended exactly once even when RISK_IN is replayed from the start.
	written map[string]eventlog.Position
	// riskHigh is the highest RISK sequence the engine has written or found.
	riskHigh uint64
	// refusedRuleChanges counts rule changes the engine could not apply.
	refusedRuleChanges uint64
	// parkedInputs counts RISK_IN events the engine parked since start.
	parkedInputs uint64
	// tenants are the tenants seen in RISK_IN: those the live scheduler ticks.
	tenants map[string]bool
	// hitsRead is, per source stream, the highest source sequence whose
	// sensitive hits the view holds (hits_view.go).
	hitsRead map[string]*eventlog.Progress

	// partition is the tenants this service judges and serves; nil: all.
	partition []string

	// snapshots, when enabled, stores and restores the engine's state
	// (snapshots.go); snapshotted and restoredFrom are the RISK_IN
	// sequences of the latest snapshot stored and of the one restored.
	snapshots *snapshots
	// pending is the decisions of the record being judged until they are
	// all appended (engine goroutine only; see judge).
	pending      *pendingDecisions
	snapshotted  uint64
	restoredFrom uint64
	// hitsUnsaved counts the records the hits projector has read since it
	// last saved its progress (its goroutine only).
	hitsUnsaved int

	engineCaughtUp    chan struct{}
	projectorCaughtUp chan struct{}
	hitsCaughtUp      chan struct{}
}

// New returns the risk use cases; lex must be the lexicon eng matches with.
func New(log *eventlog.Log, st store.Store, eng *engine.Engine, lex *lexicon.Lexicon, logger *slog.Logger) (*App, error) {
	compiler, err := rules.NewCompiler()
	if err != nil {
		return nil, err
	}
	pack, err := rules.Builtin()
	if err != nil {
		return nil, err
	}
	builtin := map[string]domain.Rule{}
	for _, r := range pack.Rules {
		builtin[r.Definition.ID] = r
	}
	return &App{
		log: log, store: st, engine: eng, lexicon: lex, logger: logger, compiler: compiler, builtin: builtin, now: time.Now,
		projected:         eventlog.NewProgress(0),
		judged:            map[string]*eventlog.Progress{},
		hitsRead:          map[string]*eventlog.Progress{},
		written:           map[string]eventlog.Position{},
		tenants:           map[string]bool{},
		engineCaughtUp:    make(chan struct{}),
		projectorCaughtUp: make(chan struct{}),
		hitsCaughtUp:      make(chan struct{}),
		roster:            roster.NewTracker(log),
	}, nil
}

// FollowRoster keeps the org tree in step with ATTENDANCE until ctx ends.
func (a *App) FollowRoster(ctx context.Context) error { return a.roster.Run(ctx) }

// RosterReady reports whether the org tree has been read once.
func (a *App) RosterReady(ctx context.Context) error { return a.roster.Ready(ctx) }

// NewActor is the caller as the queries see it. A manager reads the alerts
// of the employees of their org unit and below it, judged after catching
// up with ATTENDANCE so that a transfer or a demotion counts from this call.
func (a *App) NewActor(ctx context.Context, tenant, employeeID string, roles []string) (Actor, error) {
	actor := Actor{Tenant: tenant, EmployeeID: employeeID, Roles: roles}
	if slices.Contains(roles, "hr") || slices.Contains(roles, "auditor") || slices.Contains(roles, "admin") {
		return actor, nil // they read every alert, whatever else they are
	}
	var err error
	actor.oversees, err = a.roster.Supervisor(ctx, tenant, employeeID, roles)
	return actor, err
}

func (a *App) sourceProgress(stream string) *eventlog.Progress {
	a.mu.Lock()
	defer a.mu.Unlock()
	return progressIn(a.judged, stream)
}

// progressIn is stream's progress in byStream, made at 0 on first use;
// the caller holds a.mu.
func progressIn(byStream map[string]*eventlog.Progress, stream string) *eventlog.Progress {
	p := byStream[stream]
	if p == nil {
		p = eventlog.NewProgress(0)
		byStream[stream] = p
	}
	return p
}

// Ready reports whether the engine and the projectors have caught up since start.
func (a *App) Ready(context.Context) error {
	var errs []error
	select {
	case <-a.engineCaughtUp:
	default:
		errs = append(errs, errors.New("engine replaying RISK_IN"))
	}
	select {
	case <-a.projectorCaughtUp:
	default:
		errs = append(errs, errors.New("alert view replaying RISK"))
	}
	select {
	case <-a.hitsCaughtUp:
	default:
		errs = append(errs, errors.New("sensitive-hits view replaying RISK_IN"))
	}
	return errors.Join(errs...)
}

// Actor is the caller of a query.
type Actor struct {
	Tenant     string
	EmployeeID string
	Roles      []string
	// oversees is set for a manager (and only a manager): whether an
	// employee is in their part of the organisation tree.
	oversees func(employeeID string) bool
}

// canReadAlertsOf: hr, auditors and admins read everyone's alerts; a
// manager those of the employees of their subtree.
func (a Actor) canReadAlertsOf(employeeID string) bool {
	return a.canReadAlerts() && (a.oversees == nil || a.oversees(employeeID))
}

func (a Actor) canReadAlerts() bool {
	return slices.ContainsFunc(a.Roles, func(r string) bool {
		return r == "hr" || r == "auditor" || r == "manager" || r == "admin"
	})
}

// SourcePosition is a position in a domain stream the caller wrote to.
type SourcePosition struct {
	Stream   string
	Sequence uint64
}

// maxConsistencyWait bounds a consistency wait when the caller set no deadline.
const maxConsistencyWait = 10 * time.Second

// ErrNotCaughtUp is returned when the engine, the alert view or the
// sensitive-hits view did not reach a requested position in time; the
// wrapping error names which.
var ErrNotCaughtUp = errors.New("the risk service has not caught up with the requested position yet")

// waitJudged waits until the engine has judged every position and the alert
// view shows the decisions made up to then.
func (a *App) waitJudged(ctx context.Context, positions []SourcePosition) error {
	if len(positions) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, maxConsistencyWait)
	defer cancel()
	for _, p := range positions {
		if err := a.sourceProgress(p.Stream).Wait(ctx, p.Sequence); err != nil {
			return fmt.Errorf("%w: %s %d", ErrNotCaughtUp, p.Stream, p.Sequence)
		}
	}
	a.mu.Lock()
	high := a.riskHigh
	a.mu.Unlock()
	if err := a.projected.Wait(ctx, high); err != nil {
		return fmt.Errorf("%w: alert view at RISK %d, want %d", ErrNotCaughtUp, a.projected.Applied(), high)
	}
	return nil
}

// GetAlert returns one alert once the alert view has applied RISK
// sequence minSeq (0: as it stands).
func (a *App) GetAlert(ctx context.Context, actor Actor, id string, minSeq uint64) (domain.Alert, error) {
	if !actor.canReadAlerts() {
		return domain.Alert{}, fmt.Errorf("get alert: %w: requires hr, auditor, manager or admin", domain.ErrPermissionDenied)
	}
	if err := a.WaitAlertView(ctx, minSeq); err != nil {
		return domain.Alert{}, err
	}
	al, err := a.store.GetAlert(ctx, actor.Tenant, id)
	if err != nil {
		return domain.Alert{}, err
	}
	if !actor.canReadAlertsOf(al.EmployeeID) {
		return domain.Alert{}, fmt.Errorf("get alert: %w: the employee is outside your part of the organisation", domain.ErrPermissionDenied)
	}
	return al, nil
}

// ListAlerts pages through alerts newest first. orgUnit ("" = all) keeps
// the alerts of that unit's subtree as the roster has it now; a manager
// sees only their own subtree, whatever they ask for.
func (a *App) ListAlerts(ctx context.Context, actor Actor, f store.ListFilter, orgUnit string, consistentWith []SourcePosition) ([]domain.Alert, error) {
	if !actor.canReadAlerts() {
		return nil, fmt.Errorf("list alerts: %w: requires hr, auditor, manager or admin", domain.ErrPermissionDenied)
	}
	if actor.oversees != nil && f.EmployeeID != "" && !actor.oversees(f.EmployeeID) {
		return nil, fmt.Errorf("list alerts: %w: the employee is outside your part of the organisation", domain.ErrPermissionDenied)
	}
	employees, err := a.reach(ctx, actor, orgUnit)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	f.Employees = employees
	if err := a.waitJudged(ctx, consistentWith); err != nil {
		return nil, err
	}
	return a.store.ListAlerts(ctx, actor.Tenant, f)
}

// ListCases pages through the cases HR opened, most recently opened first,
// once the view has applied RISK sequence minSeq (0: as it stands), with
// GetCase's authorisation: hr, auditors and admins see every case, a
// manager those of their subtree.
func (a *App) ListCases(ctx context.Context, actor Actor, f store.CaseFilter, minSeq uint64) ([]domain.Alert, error) {
	if !actor.canReadAlerts() {
		return nil, fmt.Errorf("list cases: %w: requires hr, auditor, manager or admin", domain.ErrPermissionDenied)
	}
	if actor.oversees != nil && f.EmployeeID != "" && !actor.oversees(f.EmployeeID) {
		return nil, fmt.Errorf("list cases: %w: the employee is outside your part of the organisation", domain.ErrPermissionDenied)
	}
	employees, err := a.reach(ctx, actor, "")
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	f.Employees = employees
	if err := a.WaitAlertView(ctx, minSeq); err != nil {
		return nil, err
	}
	return a.store.ListCases(ctx, actor.Tenant, f)
}

// reach is the set of employees a list may show: nil (everyone) for hr,
// auditors and admins who name no org unit; the unit's subtree when one is
// named; for a manager, only the part of that (or of their own subtree)
// they oversee. An unknown org unit is NotFound.
func (a *App) reach(ctx context.Context, actor Actor, orgUnit string) ([]string, error) {
	if orgUnit == "" && actor.oversees == nil {
		return nil, nil
	}
	if err := a.roster.CatchUp(ctx); err != nil {
		return nil, err
	}
	if orgUnit != "" && !a.roster.HasUnit(actor.Tenant, orgUnit) {
		return nil, fmt.Errorf("org unit %s: %w", orgUnit, domain.ErrNotFound)
	}
	if orgUnit == "" {
		orgUnit = a.roster.UnitOf(actor.Tenant, actor.EmployeeID)
	}
	employees := a.roster.EmployeesUnder(actor.Tenant, orgUnit)
	if actor.oversees != nil {
		employees = slices.DeleteFunc(employees, func(e string) bool { return !actor.oversees(e) })
	}
	return employees, nil
}
