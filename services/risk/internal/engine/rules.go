package engine

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

// tenantRule is a tenant's own state of one rule: its own definition
// (nil program: the built-in's) and whether it is enabled.
type tenantRule struct {
	program *rules.Program
	enabled bool
}

// RuleChange is one change of a tenant's rule as RISK_IN delivers it.
type RuleChange struct {
	Tenant string
	// Upserted is the rule's new definition and version (its Enabled is
	// ignored: the engine keeps the state it has); nil for an enable or
	// disable of RuleID.
	Upserted *domain.Rule
	RuleID   string
	Enabled  bool
	// Suppress, when set, silences RuleID for one employee instead.
	Suppress *Suppression
}

// Suppression silences a rule for one employee: events that occurred
// before Until do not trigger it.
type Suppression struct {
	EmployeeID string
	Until      time.Time
}

// ApplyRuleChange puts a rule change in force from this point of RISK_IN
// on. A definition that no longer compiles returns an error wrapping
// ErrRuleNotApplied and leaves the version before it in force.
func (e *Engine) ApplyRuleChange(c RuleChange) error {
	delete(e.inForceCache, c.Tenant)
	delete(e.churnNext, c.Tenant) // its parameters may change
	delete(e.ordersNext, c.Tenant)
	tr := e.tenants[c.Tenant]
	if tr == nil {
		tr = map[string]*tenantRule{}
		e.tenants[c.Tenant] = tr
	}
	if c.Upserted != nil {
		id := c.Upserted.Definition.ID
		p, err := e.compiler.Compile(*c.Upserted)
		if err != nil {
			return fmt.Errorf("%w: %s v%d: %w", ErrRuleNotApplied, id, c.Upserted.Version, err)
		}
		cur := tr[id]
		if cur == nil {
			// As domain.DecideUpsert: a new definition of a built-in keeps
			// it enabled; a rule new to the tenant starts disabled.
			_, builtin := e.builtin[id]
			cur = &tenantRule{enabled: builtin}
			tr[id] = cur
		}
		cur.program = p
		return nil
	}
	if c.Suppress != nil {
		if _, _, ok := e.rule(c.Tenant, c.RuleID); !ok {
			return fmt.Errorf("%w: %s is not a rule of tenant %s", ErrRuleNotApplied, c.RuleID, c.Tenant)
		}
		e.suppressed[alertKey{c.RuleID, employeeKey{c.Tenant, c.Suppress.EmployeeID}}] = c.Suppress.Until
		return nil
	}
	cur := tr[c.RuleID]
	if cur == nil {
		if _, ok := e.builtin[c.RuleID]; !ok {
			return fmt.Errorf("%w: %s is not a rule of tenant %s", ErrRuleNotApplied, c.RuleID, c.Tenant)
		}
		cur = &tenantRule{}
		tr[c.RuleID] = cur
	}
	cur.enabled = c.Enabled
	return nil
}

// rule is the tenant's rule id as in force: its program and whether it is
// enabled; ok is false when the tenant has no such rule.
func (e *Engine) rule(tenant, id string) (p *rules.Program, enabled, ok bool) {
	tr := e.tenants[tenant][id]
	b := e.builtin[id]
	switch {
	case tr != nil && tr.program != nil:
		return tr.program, tr.enabled, true
	case tr != nil && b != nil:
		return b, tr.enabled, true
	case b != nil:
		return b, true, true
	}
	return nil, false, false
}

// ruleIDs is every rule id the tenant has, built-in or its own, sorted.
func (e *Engine) ruleIDs(tenant string) []string {
	ids := slices.Collect(maps.Keys(e.builtin))
	for id := range e.tenants[tenant] {
		if _, ok := e.builtin[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// applying is the tenant's enabled rules, in id order, that can trigger
// on an observation of type kind (rules.Program.Applies), and whether one
// of them opens its alert with the resignation notice (the observation
// then needs it, see withNoticeOpening).
func (e *Engine) applying(tenant, kind string) (programs []*rules.Program, byNotice bool) {
	f := e.inForceOf(tenant)
	if a, ok := f.byKind[kind]; ok {
		return a.programs, a.byNotice
	}
	var a applicable
	for _, p := range f.all {
		if p.Applies(kind) {
			a.programs = append(a.programs, p)
			a.byNotice = a.byNotice || p.Rule.Definition.OpeningEvidence == domain.OpeningEvidenceNotice
		}
	}
	f.byKind[kind] = a
	return a.programs, a.byNotice
}

// applicable is the rules in force that apply to one observation type.
type applicable struct {
	programs []*rules.Program
	byNotice bool
}

// rulesInForce is a tenant's enabled rules in id order, and by
// observation type those that apply, as the engine last worked them out;
// a rule change of the tenant drops it.
type rulesInForce struct {
	all    []*rules.Program
	byKind map[string]applicable
}

func (e *Engine) inForceOf(tenant string) *rulesInForce {
	if cached, ok := e.inForceCache[tenant]; ok {
		return cached
	}
	f := &rulesInForce{all: []*rules.Program{}, byKind: map[string]applicable{}}
	for _, id := range e.ruleIDs(tenant) {
		if p, enabled, _ := e.rule(tenant, id); enabled {
			f.all = append(f.all, p)
		}
	}
	e.inForceCache[tenant] = f
	return f
}

// Rules is every rule of the tenant as in force now, in id order.
func (e *Engine) Rules(tenant string) []domain.Rule {
	ids := e.ruleIDs(tenant)
	out := make([]domain.Rule, 0, len(ids))
	for _, id := range ids {
		if r, ok := e.Rule(tenant, id); ok {
			out = append(out, r)
		}
	}
	return out
}

// Rule is the tenant's rule id as in force now.
func (e *Engine) Rule(tenant, id string) (domain.Rule, bool) {
	p, enabled, ok := e.rule(tenant, id)
	if !ok {
		return domain.Rule{}, false
	}
	r := p.Rule
	// The caller gets its own parameters: changing them (a draft built on
	// the rule in force) must not change the program's definition.
	r.Definition.Params = slices.Clone(r.Definition.Params)
	r.Enabled = enabled
	r.Builtin = e.builtin[id] == p
	return r, true
}
