package rules

import (
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
)

// A trigger's screen is the part of it Go decides before CEL does: the
// comparisons of a fact with a literal, a parameter or another fact, and
// the &&, || and ! that join them. Most evaluations of most rules are
// false, and usually one comparison says so (a review of a seller with
// too few decisions, an interaction with no sensitive phrase): deciding
// that in Go spares the CEL evaluation, which cost about a microsecond
// each, and the features or alert it may have built first.
//
// The screen says false only where CEL would say false too. Every part it
// cannot decide — an arithmetic, a function, a fact that is missing or of
// another type than the comparison's other side, a comparison it does not
// read — is unknown, and CEL's && is false when either side is false,
// whatever the other does (an error included), and || when both sides
// are; ! of a decided bool is decided. So a screen that says false names
// a false that CEL reaches too, without an error. It runs only on triggers
// evaluated without a run-time cost limit, where CEL has no other way to
// fail, and only its false is used: anything else goes to CEL.

// verdict is what a screen decided: unknown, or the trigger's value.
type verdict uint8

const (
	unknown verdict = iota
	isFalse
	isTrue
)

func verdictOf(b bool) verdict {
	if b {
		return isTrue
	}
	return isFalse
}

// screen decides part of a trigger over one evaluation's variables.
type screen func(a *activation) verdict

// screened is what p's screen decides over a: unknown when reading a
// fact panicked (a Facts or Lazy of the caller's), so that CEL evaluates
// the trigger and makes the panic the evaluation error it always was.
func (p *Program) screened(a *activation) (v verdict) {
	defer func() {
		if recover() != nil {
			v = unknown
		}
	}()
	return p.screen(a)
}

// operand is one side of a comparison: a fact of a variable or a
// constant.
type operand struct {
	variable, field string // a fact when variable is set
	constant        any    // int64, string or bool otherwise
}

// lazy is whether o reads a variable built on first read.
func (o operand) lazy() bool { return o.variable == VarFeatures || o.variable == VarAlert }

func (o operand) value(a *activation) (any, bool) {
	if o.variable == "" {
		return o.constant, true
	}
	return a.fact(o.variable, o.field)
}

// screenOf is the screen of the checked expression e whose parameters
// are params, or nil when it could decide nothing at all.
func screenOf(e celast.Expr, params map[string]any) screen {
	n := screenNode(e, params)
	if n.decide == nil {
		return nil
	}
	return n.decide
}

// screenPart is the screen of part of an expression: decide is nil when
// it can decide nothing; lazy is whether it reads features or alert,
// which the engine builds for the evaluation on first read.
type screenPart struct {
	decide screen
	lazy   bool
}

// screenNode is e's screen.
func screenNode(e celast.Expr, params map[string]any) screenPart {
	switch e.Kind() {
	case celast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok {
			v := verdictOf(bool(b))
			return screenPart{decide: func(*activation) verdict { return v }}
		}
	case celast.SelectKind:
		// A bool fact on its own: `event.assigned`.
		if o, ok := operandOf(e, params); ok && o.variable != "" {
			return screenPart{lazy: o.lazy(), decide: func(a *activation) verdict {
				v, ok := o.value(a)
				if b, isBool := v.(bool); ok && isBool {
					return verdictOf(b)
				}
				return unknown
			}}
		}
	case celast.CallKind:
		return screenCall(e.AsCall(), params)
	}
	return screenPart{}
}

func screenCall(call celast.CallExpr, params map[string]any) screenPart {
	args := call.Args()
	switch fn := call.FunctionName(); fn {
	case operators.LogicalAnd, operators.LogicalOr:
		if len(args) != 2 {
			return screenPart{}
		}
		first, second := screenNode(args[0], params), screenNode(args[1], params)
		if first.decide == nil && second.decide == nil {
			return screenPart{}
		}
		// Both are commutative, here as in CEL: a side that reads only
		// the event goes first, so that when it decides, features or
		// alert need not be built. A side that would build them is read
		// only when the other side is known and does not decide the
		// whole: were the other side unknown here, CEL might find that it
		// decides the whole, without building anything, and the screen
		// must build nothing CEL would not.
		if first.lazy && !second.lazy {
			first, second = second, first
		}
		l, r := orUnknown(first.decide), orUnknown(second.decide)
		lazy, skipOnUnknown := first.lazy || second.lazy, second.lazy
		// decisive is the value of one side that decides the whole:
		// false for &&, true for ||.
		decisive := isFalse
		if fn == operators.LogicalOr {
			decisive = isTrue
		}
		return screenPart{lazy: lazy, decide: func(a *activation) verdict {
			lv := l(a)
			if lv == decisive || lv == unknown && skipOnUnknown {
				return lv
			}
			rv := r(a)
			switch {
			case rv == decisive:
				return rv
			case lv != unknown && rv != unknown:
				return lv // both the other value
			}
			return unknown
		}}
	case operators.LogicalNot:
		if len(args) != 1 {
			return screenPart{}
		}
		x := screenNode(args[0], params)
		if x.decide == nil {
			return screenPart{}
		}
		return screenPart{lazy: x.lazy, decide: func(a *activation) verdict {
			switch x.decide(a) {
			case isTrue:
				return isFalse
			case isFalse:
				return isTrue
			}
			return unknown
		}}
	case operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		if len(args) != 2 {
			return screenPart{}
		}
		x, xok := operandOf(args[0], params)
		y, yok := operandOf(args[1], params)
		if !xok || !yok {
			return screenPart{}
		}
		return screenPart{lazy: x.lazy() || y.lazy(), decide: func(a *activation) verdict {
			xv, ok := x.value(a)
			if !ok {
				return unknown
			}
			yv, ok := y.value(a)
			if !ok {
				return unknown
			}
			return compareFacts(fn, xv, yv)
		}}
	}
	return screenPart{}
}

// orUnknown is s, or a screen that decides nothing for nil.
func orUnknown(s screen) screen {
	if s == nil {
		return func(*activation) verdict { return unknown }
	}
	return s
}

// operandOf reads e as an operand: a field selected from event, features
// or alert; a parameter of a kind compareFacts reads; or such a literal.
func operandOf(e celast.Expr, params map[string]any) (operand, bool) {
	switch e.Kind() {
	case celast.LiteralKind:
		switch v := e.AsLiteral().(type) {
		case types.Int:
			return operand{constant: int64(v)}, true
		case types.String:
			return operand{constant: string(v)}, true
		case types.Bool:
			return operand{constant: bool(v)}, true
		}
	case celast.SelectKind:
		sel := e.AsSelect()
		op := sel.Operand()
		if sel.IsTestOnly() || op.Kind() != celast.IdentKind {
			break
		}
		switch v := op.AsIdent(); v {
		case VarEvent, VarFeatures, VarAlert:
			return operand{variable: v, field: sel.FieldName()}, true
		case VarParams:
			switch p := params[sel.FieldName()].(type) {
			case int64, string, bool:
				return operand{constant: p}, true
			}
		}
	}
	return operand{}, false
}

// compareFacts is x op y where CEL's answer is certain: both int64, or both
// string or both bool for == and !=. Anything else is unknown.
func compareFacts(op string, x, y any) verdict {
	switch xv := x.(type) {
	case int64:
		yv, ok := y.(int64)
		if !ok {
			return unknown
		}
		switch op {
		case operators.Equals:
			return verdictOf(xv == yv)
		case operators.NotEquals:
			return verdictOf(xv != yv)
		case operators.Less:
			return verdictOf(xv < yv)
		case operators.LessEquals:
			return verdictOf(xv <= yv)
		case operators.Greater:
			return verdictOf(xv > yv)
		case operators.GreaterEquals:
			return verdictOf(xv >= yv)
		}
	case string:
		if yv, ok := y.(string); ok {
			return equality(op, xv == yv)
		}
	case bool:
		if yv, ok := y.(bool); ok {
			return equality(op, xv == yv)
		}
	}
	return unknown
}

// equality is == or != given whether the sides are equal; unknown for an
// ordering.
func equality(op string, equal bool) verdict {
	switch op {
	case operators.Equals:
		return verdictOf(equal)
	case operators.NotEquals:
		return verdictOf(!equal)
	}
	return unknown
}

// A severity expression is screened the same way: the conditional
// `c ? x : y` whose condition the screen decides is its chosen branch,
// when that branch is a string literal or such a conditional; anything
// else is left to CEL. CEL's conditional evaluates the condition, then
// only the branch it picks, so a decided condition and a literal branch
// are exactly CEL's value.

// choice is what a severity expression's screen picked (ok false: it
// cannot say).
type choice func(a *activation) (severity string, ok bool)

// choiceOf is the screen of the severity expression e, or nil when it
// can pick nothing.
func choiceOf(e celast.Expr, params map[string]any) choice {
	switch e.Kind() {
	case celast.LiteralKind:
		if s, ok := e.AsLiteral().(types.String); ok {
			v := string(s)
			return func(*activation) (string, bool) { return v, true }
		}
	case celast.CallKind:
		call := e.AsCall()
		args := call.Args()
		if call.FunctionName() != operators.Conditional || len(args) != 3 {
			return nil
		}
		cond := screenNode(args[0], params).decide
		yes, no := choiceOf(args[1], params), choiceOf(args[2], params)
		if cond == nil || yes == nil && no == nil {
			return nil
		}
		return func(a *activation) (string, bool) {
			switch cond(a) {
			case isTrue:
				if yes != nil {
					return yes(a)
				}
			case isFalse:
				if no != nil {
					return no(a)
				}
			}
			return "", false
		}
	}
	return nil
}

// chosen is what p's severity screen picks over a; not ok when reading
// a fact panicked, as screened.
func (p *Program) chosen(a *activation) (severity string, ok bool) {
	defer func() {
		if recover() != nil {
			severity, ok = "", false
		}
	}()
	return p.choice(a)
}
