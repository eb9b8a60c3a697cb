// Package engine is the risk engine's deterministic core: it observes the
// events of RISK_IN one by one, keeps per-employee behaviour projections in
// Go, evaluates the rules in force (CEL programs, see package rules) over
// each event, and decides which alerts to raise or extend. Rule changes
// arrive through RISK_IN too, so the rule version in force at each point is
// part of the input. It does no I/O and reads no clock — time is the
// events' own time — so replaying the same RISK_IN prefix always yields the
// same decisions.
package engine

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

// Change is one decision: the alert as it stands after it, the evidence it
// adds, and the alert aggregate version it produces (1 = raised). Its
// Alert.Evidence and NewEvidence share the engine's record of the alert:
// a caller may append to them (that copies) but must not write to their
// elements.
type Change struct {
	Alert       domain.Alert
	NewEvidence []domain.Evidence
	Version     uint64
}

// Engine holds the rules in force per tenant and the state of every open
// alert and projection per (tenant, employee).
type Engine struct {
	lexicon  *lexicon.Lexicon
	compiler *rules.Compiler
	builtin  map[string]*rules.Program
	tenants  map[string]map[string]*tenantRule
	// inForceCache is each tenant's rulesInForce, dropped
	// whenever one of its rules changes.
	inForceCache map[string]*rulesInForce
	open         map[alertKey]*openAlert
	reveals      byTenant[[]revealSeen]      // sliding window per employee
	activity     byTenant[[]dayActivity]     // day history per employee, for baselines
	exports      map[exportKey]pendingExport // export requests awaiting a decision
	// orders is the order projection per tenant and order id (orders.go).
	orders map[string]map[string]*orderState
	// ordersNext is, per tenant, the earliest time its unbacked-order
	// check can have anything to do (unbacked_order.go).
	ordersNext map[string]time.Time
	// orderQueues is, per tenant, its orders by due time, derived from
	// orders (order_queue.go).
	orderQueues map[string]*orderQueue
	// sales is the sales-activity projection (conversion.go);
	// conversionDay the last UTC day each tenant's sellers were reviewed.
	sales         byTenant[*salesActivity]
	conversionDay map[string]int64
	// sellerOrder is each tenant's sellers sorted (see sellers).
	sellerOrder map[string][]seller
	// calls is the call projection per employee (churn.go).
	calls byTenant[*callHistory]
	// churnNext is, per tenant, the earliest time its churn check can
	// have anything to do (churn.go).
	churnNext map[string]time.Time
	// pruneDay is the last UTC day each tenant's projections were pruned.
	pruneDay map[string]int64
	// suppressed holds, per (rule, employee), the time until which the
	// rule does not judge the employee.
	suppressed map[alertKey]time.Time
	// staff and book project ATTENDANCE's org tree and CLIENT's customers.
	staff staffProjection
	book  bookProjection
	// evalErrors counts rule evaluations that failed (a missing fact, the
	// cost limit); such a rule is treated as not triggered.
	evalErrors uint64

	// judging and scratch are the observation being judged and the maps
	// its rule inputs are built in (features.go).
	judging judging
	scratch scratchMaps
}

type employeeKey struct{ tenant, employee string }

type alertKey struct {
	rule string
	employeeKey
}

// openAlert is an alert whose window is still open: later triggers from
// the same employee within the window extend it instead of raising another.
type openAlert struct {
	alert   domain.Alert
	version uint64
	tally   tally
}

// New returns an engine running the built-in rule pack, with sensitive_words'
// window and high_at taken from params (the deployment's defaults).
func New(lex *lexicon.Lexicon, params SensitiveWordsParams) *Engine {
	compiler, err := rules.NewCompiler()
	if err != nil {
		panic(err) // the environment is fixed at build time
	}
	pack, err := rules.Builtin()
	if err != nil {
		panic(err) // the pack is embedded; TestBuiltinPackCompiles guards it
	}
	e := empty(lex, compiler, map[string]*rules.Program{})
	for _, r := range pack.Rules {
		if r.Definition.ID == RuleSensitiveWords {
			r.Definition = withSensitiveWordsParams(r.Definition, params)
		}
		p, err := compiler.Compile(r)
		if err != nil {
			panic(fmt.Sprintf("built-in rule %s: %v", r.Definition.ID, err))
		}
		e.builtin[r.Definition.ID] = p
	}
	return e
}

// empty is an engine with the given built-in rules that has observed
// nothing.
func empty(lex *lexicon.Lexicon, compiler *rules.Compiler, builtin map[string]*rules.Program) *Engine {
	return &Engine{
		lexicon:  lex,
		compiler: compiler,
		builtin:  builtin,
		tenants:  map[string]map[string]*tenantRule{},

		inForceCache: map[string]*rulesInForce{},
		open:         map[alertKey]*openAlert{},
		reveals:      byTenant[[]revealSeen]{},
		activity:     byTenant[[]dayActivity]{},
		exports:      map[exportKey]pendingExport{},
		orders:       map[string]map[string]*orderState{},

		sales:         byTenant[*salesActivity]{},
		conversionDay: map[string]int64{},
		sellerOrder:   map[string][]seller{},
		calls:         byTenant[*callHistory]{},
		churnNext:     map[string]time.Time{},
		pruneDay:      map[string]int64{},
		ordersNext:    map[string]time.Time{},
		orderQueues:   map[string]*orderQueue{},

		suppressed: map[alertKey]time.Time{},
		staff:      newStaffProjection(),
		book:       newBookProjection(),

		scratch: scratchMaps{
			features: map[string]any{}, alert: map[string]any{}, explain: map[string]any{},
			ownFeatures: map[string]any{}, opening: map[string][]piece{},
		},
	}
}

// EvaluationErrors is how many rule evaluations have failed so far.
func (e *Engine) EvaluationErrors() uint64 { return e.evalErrors }

var alertNamespace = uuid.MustParse("0b8a3f3e-52c4-4c1f-a1c6-9d7f25e2b7a4")

// alertID is deterministic in (rule, version, tenant, employee, window start).
func alertID(rule string, version uint32, tenant, employee string, windowStart time.Time) string {
	name := fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%d", rule, version, tenant, employee, windowStart.UnixNano())
	return uuid.NewSHA1(alertNamespace, []byte(name)).String()
}

// tally is what an alert counts over its evidence; each piece of evidence
// contributes its own.
type tally struct {
	count      int64 // pieces of evidence
	hits       int64 // distinct unquoted sensitive phrases, per interaction, summed
	quoted     int64 // interactions whose sensitive phrases were all quoted
	unassigned int64 // reveals of customers the employee did not hold
	personal   int64 // payments into accounts that are not the company's
	phrases    []string
}

func (t tally) plus(o tally) tally {
	out := tally{
		count: t.count + o.count, hits: t.hits + o.hits, quoted: t.quoted + o.quoted, unassigned: t.unassigned + o.unassigned,
		personal: t.personal + o.personal, phrases: slices.Clone(t.phrases),
	}
	for _, p := range o.phrases {
		if !slices.Contains(out.phrases, p) {
			out.phrases = append(out.phrases, p)
		}
	}
	return out
}

// equal reports whether t and o count the same.
func (t tally) equal(o tally) bool {
	return t.count == o.count && t.hits == o.hits && t.quoted == o.quoted && t.unassigned == o.unassigned &&
		t.personal == o.personal && slices.Equal(t.phrases, o.phrases)
}

// vars puts the tally into out (cleared first) as the CEL variable alert.
func (t tally) vars(opening bool, out map[string]any) {
	phrases := t.phrases
	if phrases == nil {
		phrases = []string{}
	}
	clear(out)
	out["count"], out["hits"], out["quoted"], out["unassigned"] = t.count, t.hits, t.quoted, t.unassigned
	out["personal"], out["phrases"], out["new"] = t.personal, phrases, opening
}

// piece is one event as evidence, with what it adds to an alert's tally.
type piece struct {
	evidence domain.Evidence
	tally    tally
}

// observation is one employee's event as every rule sees it.
type observation struct {
	tenant, employee string
	at               time.Time
	// facts is the CEL variable event; typed stands for it when nil.
	facts map[string]any
	typed rules.Facts
	// kind is the fact "type", set by observe.
	kind string
	this piece
	// opening is, per opening evidence name (domain.OpeningEvidence*),
	// the events that led up to this one; a rule naming it opens its
	// alert with them.
	opening map[string][]piece
	// features are features only this kind of observation has, computed
	// by its Observe method (a tick's absence counts, say).
	features map[string]any
	// context is evidence that explains this without counting towards the
	// alert's tally (an order's earlier events, say); added after this.
	// It is built only when a rule fires: most observations raise nothing.
	context func() []piece
	// cluster, when set, is the evidence of a new alert instead of this
	// and context (a cluster's every member, say).
	cluster []piece
}

// fact is the observation's fact called name.
func (o *observation) fact(name string) (any, bool) {
	if o.facts == nil && o.typed != nil {
		return o.typed.Fact(name)
	}
	v, ok := o.facts[name]
	return v, ok
}

// event is the observation's facts as a map.
func (o *observation) event() map[string]any {
	if o.facts == nil && o.typed != nil {
		return o.typed.Map()
	}
	return o.facts
}

// observe updates the employee's projections, then evaluates every rule in
// force for the tenant, in rule id order, and returns their decisions.
func (e *Engine) observe(o observation) []Change {
	kind, _ := o.fact("type")
	o.kind, _ = kind.(string)
	e.features(&o)
	programs, byNotice := e.applying(o.tenant, o.kind)
	if len(programs) == 0 {
		return nil
	}
	if byNotice {
		e.withNoticeOpening(&o)
		e.judging.opening = o.opening
	}
	var out []Change
	for _, p := range programs {
		if ch, ok := e.evaluate(p, &o); ok {
			out = append(out, ch)
		}
	}
	return out
}

// evaluate decides one rule on one observation.
func (e *Engine) evaluate(p *rules.Program, o *observation) (Change, bool) {
	def := p.Rule.Definition
	key := alertKey{def.ID, employeeKey{o.tenant, o.employee}}
	if until, ok := e.suppressed[key]; ok {
		if o.at.Before(until) {
			return Change{}, false
		}
		delete(e.suppressed, key)
	}
	j := &e.judging
	j.rule, j.program, j.alertFound, j.alertBuilt = key, p, false, false
	in := rules.Input{Event: o.facts, Facts: o.typed, Lazy: judgedInputs{e}}
	fired, err := p.Triggered(in)
	if err != nil {
		e.evalErrors++
		return Change{}, false
	}
	if !fired {
		return Change{}, false
	}
	sev, err := p.Severity(in)
	if err != nil {
		e.evalErrors++
		sev = def.Severity
	}
	e.judgedAlert()
	oa, after, added := j.open, j.after, j.added
	if added == nil {
		var context []piece // counts for nothing
		if o.context != nil {
			context = o.context()
		}
		// Into scratch: the pieces' evidence is copied into the alert below
		// and the slice forgotten.
		added = append(append(e.scratch.added[:0], o.this), context...)
		e.scratch.added = added
	}
	if oa == nil {
		oa = &openAlert{alert: domain.Alert{
			Tenant:      o.tenant,
			ID:          alertID(def.ID, p.Rule.Version, o.tenant, o.employee, o.at),
			RuleID:      def.ID,
			RuleVersion: p.Rule.Version,
			EmployeeID:  o.employee,
			Status:      domain.StatusRaised,
			WindowStart: o.at,
			WindowEnd:   o.at.Add(def.Window),
			RaisedAt:    o.at,
		}}
		e.open[key] = oa
	}
	had := len(oa.alert.Evidence)
	for _, a := range added {
		oa.alert.Evidence = append(oa.alert.Evidence, a.evidence)
	}
	clear(e.scratch.added) // keeps no evidence alive
	// The change shares the alert's evidence, capped so that appending to
	// it copies: evidence is only ever appended to, never written over.
	all := oa.alert.Evidence[:len(oa.alert.Evidence):len(oa.alert.Evidence)]
	oa.version++
	oa.tally = after
	oa.alert.UpdatedAt = o.at
	oa.alert.Severity = sev
	explain := e.scratch.explain
	clear(explain)
	explain["employee"], explain["params"] = o.employee, p.Params()
	// The event, features and alert are built only for explanations that
	// read them: most of a decision's rules explain with a few facts.
	if p.ExplainReads(rules.VarEvent) {
		explain[rules.VarEvent] = o.event()
	}
	if p.ExplainReads(rules.VarFeatures) {
		explain[rules.VarFeatures] = e.judgedInputs().Features()
	}
	if p.ExplainReads(rules.VarAlert) {
		explain[rules.VarAlert] = e.judgedInputs().Alert()
	}
	explain["severity"] = sev.String()
	explain["window_hours"], explain["window_days"] = int64(def.Window/time.Hour), int64(def.Window/(24*time.Hour))
	oa.alert.ExplanationEN, oa.alert.ExplanationZH = p.Explain(explain)
	out := oa.alert
	out.Evidence = all
	return Change{Alert: out, NewEvidence: all[had:], Version: oa.version}, true
}

// ErrRuleNotApplied wraps a rule change the engine could not apply (its
// definition no longer compiles); the version before it stays in force.
var ErrRuleNotApplied = errors.New("rule change not applied")
