package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// MaxBacktestEvents bounds how many RISK_IN events one backtest reads:
// beyond it the backtest stops with ErrBacktestTooLarge rather than hold a
// sandbox engine and an RPC for ever. The RPC deadline bounds it in time.
const MaxBacktestEvents = 2_000_000

// MaxBacktestDuration bounds a backtest whose caller set a longer deadline
// or none.
const MaxBacktestDuration = 5 * time.Minute

// ErrBacktestTooLarge is returned when the history to replay is larger
// than a backtest may read.
var ErrBacktestTooLarge = errors.New("backtest: history too large to replay")

// BacktestInput is a draft rule and the span to try it on: Definition
// when set, else the tenant's rule RuleID as in force now; Params then
// replace the draft's parameters of the same name.
type BacktestInput struct {
	Definition *domain.RuleDefinition
	RuleID     string
	Params     []domain.Param
	From, To   time.Time
}

// BacktestCount is how many alerts the draft raised for one employee on
// one UTC day (YYYY-MM-DD).
type BacktestCount struct {
	EmployeeID string
	Day        string
	Alerts     int
}

// BacktestResult is what the draft would have raised in the span.
type BacktestResult struct {
	Rule domain.Rule
	// Alerts are the would-be alerts raised in [From, To), oldest first.
	Alerts         []domain.Alert
	Counts         []BacktestCount
	Quality        domain.BacktestQuality
	EventsReplayed uint64
}

func (a Actor) canBacktest() bool { return a.has("hr", "admin", "auditor") }

// BacktestRule replays the tenant's RISK_IN from its first event into a
// fresh engine with the draft in force in place of every version of the
// rule, emitting nothing, and measures what it raised in [From, To)
// against HR's outcomes of the rule's real alerts raised in that span.
//
// Replaying from the start (not from From) is what lets the projections
// and baselines the draft reads see the history before the span; only
// alerts raised in the span are counted.
func (a *App) BacktestRule(ctx context.Context, actor Actor, in BacktestInput) (BacktestResult, error) {
	if !actor.canBacktest() {
		return BacktestResult{}, fmt.Errorf("backtest rule: %w: requires hr, admin or auditor", domain.ErrPermissionDenied)
	}
	draft, err := a.backtestDraft(actor.Tenant, in)
	if err != nil {
		return BacktestResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, MaxBacktestDuration)
	defer cancel()
	a.engineMu.Lock()
	sandbox := a.engine.Fresh()
	a.engineMu.Unlock()
	raised, events, err := replaySandbox(ctx, a.log, sandbox, actor.Tenant, draft, MaxBacktestEvents)
	if err != nil {
		return BacktestResult{}, err
	}
	res := BacktestResult{Rule: draft, EventsReplayed: events}
	for _, al := range raised {
		if !al.RaisedAt.Before(in.From) && al.RaisedAt.Before(in.To) {
			res.Alerts = append(res.Alerts, al)
		}
	}
	res.Counts = countByEmployeeDay(res.Alerts)
	labelled, err := a.realAlerts(ctx, actor.Tenant, draft.Definition.ID, in.From, in.To)
	if err != nil {
		return BacktestResult{}, fmt.Errorf("backtest rule: %w", err)
	}
	res.Quality = domain.MeasureBacktest(res.Alerts, labelled)
	return res, nil
}

// backtestDraft validates the input and compiles the draft, naming bad
// fields as UpsertRule does; the draft's version is the one it would get.
func (a *App) backtestDraft(tenant string, in BacktestInput) (domain.Rule, error) {
	var v domainerr.Violations
	switch {
	case in.From.IsZero() || in.To.IsZero():
		v.Add("from", "from and to are required")
	case !in.From.Before(in.To):
		v.Add("to", "must be after from")
	case in.To.Sub(in.From) > domain.MaxBacktestSpan:
		v.Add("to", "the span is at most 366 days")
	}
	var d domain.RuleDefinition
	var current uint32
	switch {
	case in.Definition != nil:
		d = *in.Definition
		a.engineMu.Lock()
		r, ok := a.engine.Rule(tenant, d.ID)
		a.engineMu.Unlock()
		if ok {
			current = r.Version
		}
	case !domain.ValidRuleID(in.RuleID):
		v.Add("rule_id", "required without a definition, 1-64 characters of [a-z0-9_] starting with a letter")
		return domain.Rule{}, v.Err()
	default:
		a.engineMu.Lock()
		r, ok := a.engine.Rule(tenant, in.RuleID)
		a.engineMu.Unlock()
		if !ok {
			return domain.Rule{}, fmt.Errorf("backtest rule %s: %w", in.RuleID, domain.ErrNotFound)
		}
		d, current = r.Definition, r.Version
	}
	d.Params = slices.Clone(d.Params)
	for i, p := range in.Params {
		field := fmt.Sprintf("parameters[%d]", i)
		j := slices.IndexFunc(d.Params, func(q domain.Param) bool { return q.Name == p.Name })
		switch {
		case j < 0:
			v.Add(field+".name", "the rule has no parameter %q", p.Name)
		case d.Params[j].Kind != p.Kind:
			v.Add(field, "must have the same kind of value as the rule's parameter %q", p.Name)
		default:
			p.Description = d.Params[j].Description
			d.Params[j] = p
		}
	}
	draft := domain.Rule{Definition: d, Version: current + 1, Enabled: true}
	_, compileErr := a.compiler.Compile(draft)
	if err := joinViolations(v.Err(), compileErr); err != nil {
		return domain.Rule{}, err
	}
	return draft, nil
}

// replaySandbox judges the tenant's RISK_IN events, from the first to the
// stream's current end, with sandbox and draft in force in place of the
// tenant's own versions of the rule (its upserts, enables and disables
// are skipped; its suppressions apply). It returns every alert of the
// draft as it stood at the end, oldest raised first, and how many events
// it read; more than maxEvents is ErrBacktestTooLarge.
func replaySandbox(ctx context.Context, log *eventlog.Log, sandbox *engine.Engine, tenant string, draft domain.Rule, maxEvents uint64) ([]domain.Alert, uint64, error) {
	id := draft.Definition.ID
	if err := sandbox.ApplyRuleChange(engine.RuleChange{Tenant: tenant, Upserted: &draft}); err != nil {
		return nil, 0, fmt.Errorf("backtest rule: %w", err)
	}
	if err := sandbox.ApplyRuleChange(engine.RuleChange{Tenant: tenant, RuleID: id, Enabled: true}); err != nil {
		return nil, 0, fmt.Errorf("backtest rule: %w", err)
	}
	sb := &App{engine: sandbox}
	byID := map[string]domain.Alert{}
	var order []string
	var events uint64
	tooLarge := false
	replayCtx, stop := context.WithCancel(ctx)
	defer stop()
	err := log.Follow(replayCtx, eventlog.StreamRiskIn, func(_ context.Context, rec eventlog.Record) error {
		if events++; events > maxEvents {
			tooLarge = true
			stop()
			return nil
		}
		if rec.Envelope.GetTenantId() != tenant {
			return nil
		}
		msg, err := rec.Payload()
		if err != nil {
			return nil // undecodable or unknown: the live engine skips it too
		}
		if rc, ok := ruleChangeOf(rec, msg); ok {
			draftsOwn := (rc.Upserted != nil && rc.Upserted.Definition.ID == id) ||
				(rc.Upserted == nil && rc.Suppress == nil && rc.RuleID == id)
			if !draftsOwn {
				_ = sandbox.ApplyRuleChange(rc) // refused as the live engine refused it
			}
			return nil
		}
		for _, ch := range sb.observe(rec, msg) {
			if ch.Alert.RuleID != id {
				continue
			}
			if _, seen := byID[ch.Alert.ID]; !seen {
				order = append(order, ch.Alert.ID)
			}
			byID[ch.Alert.ID] = ch.Alert
		}
		return nil
	}, eventlog.FollowOptions{StopAtEnd: true, Prepare: func(rec eventlog.Record) any {
		if rec.Envelope.GetTenantId() != tenant {
			return nil
		}
		return sb.prepare(rec)
	}})
	switch {
	case tooLarge:
		return nil, events, fmt.Errorf("%w: more than %d events", ErrBacktestTooLarge, maxEvents)
	case ctx.Err() != nil:
		return nil, events, fmt.Errorf("backtest rule: %w", ctx.Err())
	case err != nil:
		return nil, events, fmt.Errorf("backtest rule: %w", err)
	}
	out := make([]domain.Alert, 0, len(order))
	for _, id := range order {
		out = append(out, byID[id])
	}
	slices.SortStableFunc(out, func(x, y domain.Alert) int { return x.RaisedAt.Compare(y.RaisedAt) })
	return out, events, nil
}

// countByEmployeeDay counts alerts per employee and UTC day of raising.
func countByEmployeeDay(alerts []domain.Alert) []BacktestCount {
	idx := map[[2]string]int{}
	var out []BacktestCount
	for _, al := range alerts {
		k := [2]string{al.EmployeeID, al.RaisedAt.UTC().Format(time.DateOnly)}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, BacktestCount{EmployeeID: k[0], Day: k[1]})
		}
		out[i].Alerts++
	}
	slices.SortFunc(out, func(x, y BacktestCount) int {
		return cmp.Or(cmp.Compare(x.EmployeeID, y.EmployeeID), cmp.Compare(x.Day, y.Day))
	})
	return out
}

// realAlerts is every alert of the rule (any version) raised in [from, to).
func (a *App) realAlerts(ctx context.Context, tenant, ruleID string, from, to time.Time) ([]domain.Alert, error) {
	const page = 500
	var out []domain.Alert
	f := store.ListFilter{RuleID: ruleID, RaisedFrom: from, RaisedTo: to, Limit: page}
	for {
		rows, err := a.store.ListAlerts(ctx, tenant, f)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if len(rows) < page {
			return out, nil
		}
		f.Before = rows[len(rows)-1].RaisedSequence
	}
}
