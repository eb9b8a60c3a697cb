package rules

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"text/template"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/cel-go/interpreter"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Input is what one evaluation sees. Programs do not keep its maps past
// the evaluation.
type Input struct {
	Event map[string]any
	// Facts is the event variable when Event is nil.
	Facts    Facts
	Features map[string]any
	Alert    map[string]any
	// Lazy, when Features or Alert is nil, builds them when an expression
	// first reads them: most rules read neither, and building them was
	// much of a replay's cost.
	Lazy Lazy
}

// Facts is an event variable its observer fills in place instead of
// building a map: for observations that come in numbers with the same
// facts each time (a daily review of every seller, say). An expression
// then reads only the facts it names, each when it names it.
type Facts interface {
	// Fact is the fact called name, as the event map would hold it.
	Fact(name string) (any, bool)
	// Map is every fact: for an explanation, and for what selecting one
	// fact cannot answer (iterating the event, comparing it, its size).
	Map() map[string]any
}

// Lazy builds the features and alert variables of an evaluation on
// demand.
type Lazy interface {
	Features() map[string]any
	Alert() map[string]any
}

func (p *Program) activation(in Input) *activation {
	a := activations.Get().(*activation)
	*a = activation{p: p, in: in}
	return a
}

// release returns a to the pool once its evaluation is over: CEL keeps
// no reference to an activation after Eval returns.
func (a *activation) release() {
	*a = activation{}
	activations.Put(a)
}

// activations recycles activations: one is needed per evaluation, and
// programs are shared by engines on several goroutines.
var activations = sync.Pool{New: func() any { return new(activation) }}

// activation is the variables of one evaluation (a map would be one more
// allocation and hash per variable read); features and alert are built on
// first read through the input's Lazy when it does not give them, whether
// the screen or CEL reads them first.
type activation struct {
	p                       *Program
	in                      Input
	event, features, alert  any
	eventOK, featOK, alerOK bool
	// featMap and alertMap are features and alert as built, once built.
	featMap, alertMap builtVar
	// facts is the event variable when the input gives Facts.
	facts factsValue
}

func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case VarEvent:
		if !a.eventOK {
			switch {
			case a.in.Event != nil || a.in.Facts == nil:
				a.event = a.p.value(a.in.Event)
			case a.p.iterates:
				a.event = a.p.value(a.in.Facts.Map())
			default:
				a.facts = factsValue{facts: a.in.Facts}
				a.event = &a.facts
			}
			a.eventOK = true
		}
		return a.event, true
	case VarFeatures:
		if !a.featOK {
			a.features, a.featOK = a.p.value(a.featuresMap()), true
		}
		return a.features, true
	case VarParams:
		return a.p.paramsVal, true
	case VarAlert:
		if !a.alerOK {
			a.alert, a.alerOK = a.p.value(a.alertVars()), true
		}
		return a.alert, true
	}
	return nil, false
}

// featuresMap is the features variable's map, built on first use.
func (a *activation) featuresMap() map[string]any {
	return a.featMap.get(a.in.Features, a.in.Lazy, Lazy.Features)
}

// alertVars is the alert variable's map, built on first use.
func (a *activation) alertVars() map[string]any {
	return a.alertMap.get(a.in.Alert, a.in.Lazy, Lazy.Alert)
}

// builtVar is a variable's map once built: the input's own, or what
// build makes of its Lazy when it gives none.
type builtVar struct {
	m     map[string]any
	built bool
}

func (v *builtVar) get(given map[string]any, lazy Lazy, build func(Lazy) map[string]any) map[string]any {
	if !v.built {
		m := given
		if m == nil && lazy != nil {
			m = build(lazy)
		}
		v.m, v.built = m, true
	}
	return v.m
}

// fact is the field of variable (event, features or alert) as CEL would
// select it, false when the variable has no such field.
func (a *activation) fact(variable, field string) (any, bool) {
	var m map[string]any
	switch variable {
	case VarEvent:
		if a.in.Event == nil && a.in.Facts != nil {
			return a.in.Facts.Fact(field)
		}
		m = a.in.Event
	case VarFeatures:
		m = a.featuresMap()
	case VarAlert:
		m = a.alertVars()
	}
	v, ok := m[field]
	return v, ok
}

// value is m as this program's expressions see it. An expression that
// iterates a map sees its keys in sorted order (see sortedMap); one that
// does not gets the Go map itself, which CEL selects fields of directly,
// without wrapping the map for every evaluation. Only a comprehension can
// tell one key order from another in CEL's standard library, the only one
// NewCompiler declares, so both decide alike (an extension that lists or
// prints a map would have to be counted with comprehensions).
func (p *Program) value(m map[string]any) any {
	if m == nil {
		m = noFacts
	}
	if p.iterates {
		return orderedMap(m)
	}
	return m
}

// noFacts stands for a nil input map; nothing writes to it.
var noFacts = map[string]any{}

func (*activation) Parent() interpreter.Activation { return nil }

// sortedMap is a CEL map that iterates its keys in sorted order. A Go
// map iterates in random order, so `event.map(k, k)` would differ from one
// evaluation to the next and a replay could decide differently. The keys
// are sorted only when an expression iterates the map: most rules only
// select fields, and sorting every map of every evaluation was most of a
// replay's cost.
type sortedMap struct {
	traits.Mapper
	native map[string]any
}

func orderedMap(m map[string]any) ref.Val {
	if m == nil {
		m = map[string]any{}
	}
	base, ok := types.DefaultTypeAdapter.NativeToValue(m).(traits.Mapper)
	if !ok {
		return types.NewErr("rules: %T is not a CEL map", m)
	}
	return sortedMap{Mapper: base, native: m}
}

// Iterator implements traits.Iterable in key order.
func (m sortedMap) Iterator() traits.Iterator {
	return &sortedKeys{Iterator: m.Mapper.Iterator(), keys: slices.Sorted(maps.Keys(m.native))}
}

type sortedKeys struct {
	traits.Iterator
	keys []string
	next int
}

func (it *sortedKeys) HasNext() ref.Val { return types.Bool(it.next < len(it.keys)) }

func (it *sortedKeys) Next() ref.Val {
	if it.next >= len(it.keys) {
		return types.NewErr("rules: iterator past its end")
	}
	k := it.keys[it.next]
	it.next++
	return types.String(k)
}

// Params is the rule's parameters by name, for explanations.
func (p *Program) Params() map[string]any { return p.params }

// Triggered evaluates the trigger.
func (p *Program) Triggered(in Input) (bool, error) {
	a := p.activation(in)
	// Released once out is read: out may be a variable the activation
	// holds (a trigger of dyn(event), say).
	defer a.release()
	if p.screen != nil && p.screened(a) == isFalse {
		return false, nil
	}
	out, _, err := p.trigger.Eval(a)
	if err != nil {
		return false, fmt.Errorf("%w: %s trigger: %w", ErrEvaluation, p.Rule.Definition.ID, err)
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("%w: %s trigger gave %v, want bool", ErrEvaluation, p.Rule.Definition.ID, out.Value())
	}
	return b, nil
}

// Severity evaluates the severity expression, or returns the fixed severity.
func (p *Program) Severity(in Input) (domain.Severity, error) {
	if p.severity == nil {
		return p.Rule.Definition.Severity, nil
	}
	a := p.activation(in)
	defer a.release() // once out is read, as in Triggered
	if p.choice != nil {
		if name, ok := p.chosen(a); ok {
			if s, ok := domain.SeverityFromName(name); ok {
				return s, nil
			}
		}
	}
	out, _, err := p.severity.Eval(a)
	if err != nil {
		return 0, fmt.Errorf("%w: %s severity: %w", ErrEvaluation, p.Rule.Definition.ID, err)
	}
	switch v := out.Value().(type) {
	case string:
		if s, ok := domain.SeverityFromName(v); ok {
			return s, nil
		}
	case int64:
		if v >= int64(domain.SeverityLow) && v <= int64(domain.SeverityHigh) {
			return domain.Severity(v), nil
		}
	}
	return 0, fmt.Errorf("%w: %s severity gave %v, want low, medium or high", ErrEvaluation, p.Rule.Definition.ID, out.Value())
}

// maxExplanationBytes bounds a rendered explanation.
const maxExplanationBytes = 8 << 10

// errTooLong stops a template whose output passes maxExplanationBytes.
var errTooLong = errors.New("explanation longer than 8 KiB")

// cappedBuffer is text/template's output, failing past the cap; fast is
// a fastTemplate's.
type cappedBuffer struct {
	bytes.Buffer
	fast []byte
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxExplanationBytes {
		return 0, errTooLong
	}
	return b.Buffer.Write(p)
}

// Explain renders the English and Chinese explanations from data (the
// template variables: employee, event, features, params, alert,
// window_hours, window_days). A template that fails to render yields the
// rule's description and the reason, so an alert is never left unexplained.
func (p *Program) Explain(data map[string]any) (en, zh string) {
	d := p.Rule.Definition
	return render(p.en, p.enFast, data, d.DescriptionEN), render(p.zh, p.zhFast, data, d.DescriptionZH)
}

// ExplainReads is whether the explanations may read the variable name
// (employee, event, features …): one they cannot read need not be built
// for Explain. Only the paths of a fast template are known; any other
// template may read anything.
func (p *Program) ExplainReads(name string) bool {
	return p.explainVars == nil || p.explainVars[name]
}

// renderBuffers are the buffers explanations are rendered in; each keeps
// at most about twice maxExplanationBytes, so the pool holds little.
var renderBuffers = sync.Pool{New: func() any { return new(cappedBuffer) }}

// render renders t over data, directly through fast when it can.
func render(t *template.Template, fast *fastTemplate, data map[string]any, fallback string) string {
	buf := renderBuffers.Get().(*cappedBuffer)
	defer renderBuffers.Put(buf)
	buf.Reset()
	if fast != nil {
		out, ok := fast.render(buf.fast[:0], data)
		if cap(out) <= 2*maxExplanationBytes {
			buf.fast = out
		}
		if ok && len(out) <= maxExplanationBytes {
			return string(out)
		}
		// Past the cap, text/template fails it as before.
	}
	if err := t.Execute(buf, data); err != nil {
		return fmt.Sprintf("%s (explanation template failed: %v)", fallback, err)
	}
	return buf.String()
}
