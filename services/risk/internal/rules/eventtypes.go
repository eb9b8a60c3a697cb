package rules

import (
	"slices"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
)

// eventTypes is the set of event.type values for which expression e can be
// true, read off its syntax, and whether the set bounds e at all. It is
// bounded only where it is certain: a comparison `event.type == "x"` (or
// `event.type in ["x", "y"]`) bounds e to those types; `a && b` is bounded
// by either side that is; `a || b` only when both sides are. CEL's && is
// false when either side is false, whatever the other does (an error
// included), and || is false when both sides are, so an event whose type
// is outside a bounded set cannot trigger the rule: the engine need not
// evaluate it at all.
func eventTypes(e celast.Expr) (set []string, bounded bool) {
	if e.Kind() != celast.CallKind {
		return nil, false
	}
	call := e.AsCall()
	args := call.Args()
	switch call.FunctionName() {
	case operators.LogicalAnd:
		if len(args) != 2 {
			return nil, false
		}
		l, lok := eventTypes(args[0])
		r, rok := eventTypes(args[1])
		switch {
		case lok && rok:
			return slices.DeleteFunc(l, func(s string) bool { return !slices.Contains(r, s) }), true
		case lok:
			return l, true
		case rok:
			return r, true
		}
	case operators.LogicalOr:
		if len(args) != 2 {
			return nil, false
		}
		l, lok := eventTypes(args[0])
		r, rok := eventTypes(args[1])
		if lok && rok {
			out := slices.Concat(l, r)
			slices.Sort(out)
			return slices.Compact(out), true
		}
	case operators.Equals:
		if len(args) != 2 {
			return nil, false
		}
		for _, pair := range [][2]celast.Expr{{args[0], args[1]}, {args[1], args[0]}} {
			if isEventType(pair[0]) {
				if s, ok := stringLiteral(pair[1]); ok {
					return []string{s}, true
				}
			}
		}
	case operators.In:
		if len(args) != 2 || !isEventType(args[0]) || args[1].Kind() != celast.ListKind {
			return nil, false
		}
		var out []string
		for _, el := range args[1].AsList().Elements() {
			s, ok := stringLiteral(el)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		slices.Sort(out)
		return slices.Compact(out), true
	}
	return nil, false
}

// isEventType is whether e is the selection event.type.
func isEventType(e celast.Expr) bool {
	if e.Kind() != celast.SelectKind {
		return false
	}
	sel := e.AsSelect()
	op := sel.Operand()
	return !sel.IsTestOnly() && sel.FieldName() == "type" && op.Kind() == celast.IdentKind && op.AsIdent() == VarEvent
}

func stringLiteral(e celast.Expr) (string, bool) {
	if e.Kind() != celast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}

// hasComprehension is whether the checked expression a (nil: none) has a
// comprehension anywhere in it.
func hasComprehension(a *cel.Ast) bool {
	if a == nil {
		return false
	}
	found := false
	celast.PreOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.ComprehensionKind {
			found = true
		}
	}))
	return found
}
