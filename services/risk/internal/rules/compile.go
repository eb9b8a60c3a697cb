// Package rules compiles rule definitions — CEL programs over an event's
// facts, the employee's features, the rule's parameters and the open
// alert's tallies, and text/template explanations — and evaluates them. It
// is pure: compiling the same definition twice gives programs that decide
// the same way on the same input.
package rules

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Variables a rule's CEL programs and templates see.
const (
	VarEvent    = "event"
	VarFeatures = "features"
	VarParams   = "params"
	VarAlert    = "alert"
)

// costLimit bounds one evaluation, so no expression can stall the engine.
const costLimit = 100_000

// Compiler holds the CEL environment rules are compiled in. It is safe for
// concurrent use.
type Compiler struct {
	env *cel.Env
}

// NewCompiler returns a compiler. Its environment is CEL's standard
// library and the four variables: a function that sees a map's key order
// (a CEL extension's string formatting, say) must not be added without
// making Program.value sort the maps it feeds it too.
func NewCompiler() (*Compiler, error) {
	facts := cel.MapType(cel.StringType, cel.DynType)
	env, err := cel.NewEnv(
		cel.Variable(VarEvent, facts),
		cel.Variable(VarFeatures, facts),
		cel.Variable(VarParams, facts),
		cel.Variable(VarAlert, facts),
		cel.ParserExpressionSizeLimit(4096),
	)
	if err != nil {
		return nil, fmt.Errorf("rules: cel environment: %w", err)
	}
	return &Compiler{env: env}, nil
}

// Program is one compiled rule version, ready to evaluate.
type Program struct {
	Rule     domain.Rule
	trigger  cel.Program
	severity cel.Program // nil: the definition's fixed severity
	params   map[string]any
	// paramsVal is params as CEL sees them (see value), built once.
	paramsVal any
	// iterates is whether the trigger or severity expression has a
	// comprehension (all, exists, map, filter …), the only way an
	// expression can see the order of a map's keys.
	iterates bool
	// eventTypes, when typeBounded, is every event.type the trigger can be
	// true for (see eventTypes); sorted.
	eventTypes  []string
	typeBounded bool
	// screen decides the trigger false in Go where it can (nil: it
	// cannot, or the trigger has a run-time cost limit; see screen).
	screen screen
	// choice picks the severity in Go where it can (nil: it cannot, or
	// the expression has a run-time cost limit; see choiceOf).
	choice choice
	en, zh *template.Template
	// enFast and zhFast render en and zh directly when they can (nil:
	// text/template always renders them; see fastTemplate).
	enFast, zhFast *fastTemplate
	// explainVars is every variable the explanations read, when both are
	// fast templates (nil: any of them may be read).
	explainVars map[string]bool
}

// Compile validates r's definition and compiles its programs and
// templates. Every problem is a field violation in a
// *domainerr.ValidationError; a CEL error names its line and column.
func (c *Compiler) Compile(r domain.Rule) (*Program, error) {
	d := r.Definition
	if err := domain.CheckRuleDefinition(d); err != nil {
		return nil, err
	}
	var v domainerr.Violations
	p := &Program{Rule: r, params: make(map[string]any, len(d.Params))}
	for _, prm := range d.Params {
		p.params[prm.Name] = prm.Value()
	}
	var trigger, severity *cel.Ast
	p.trigger, trigger = c.program(&v, "definition.trigger", d.Trigger, d.Params, cel.BoolType)
	if trigger != nil {
		p.eventTypes, p.typeBounded = eventTypes(trigger.NativeRep().Expr())
		if boundedCost(c.env, trigger) {
			p.screen = screenOf(trigger.NativeRep().Expr(), p.params)
		}
	}
	if strings.TrimSpace(d.SeverityExpr) != "" {
		p.severity, severity = c.program(&v, "definition.severity_expression", d.SeverityExpr, d.Params, cel.StringType, cel.IntType)
		if severity != nil && boundedCost(c.env, severity) {
			p.choice = choiceOf(severity.NativeRep().Expr(), p.params)
		}
	}
	p.iterates = hasComprehension(trigger) || hasComprehension(severity)
	p.paramsVal = p.value(p.params)
	p.en = parseTemplate(&v, "definition.explanation_en", d.ExplanationEN)
	p.zh = parseTemplate(&v, "definition.explanation_zh", d.ExplanationZH)
	p.enFast, p.zhFast = compileFast(p.en), compileFast(p.zh)
	if p.enFast != nil && p.zhFast != nil {
		p.explainVars = map[string]bool{}
		reads(p.enFast.nodes, p.explainVars)
		reads(p.zhFast.nodes, p.explainVars)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

// boundedCost is whether the expression's worst-case cost is within
// costLimit for inputs of up to maxInputSize (see inputSizes).
func boundedCost(env *cel.Env, ast *cel.Ast) bool {
	est, err := env.EstimateCost(ast, inputSizes{})
	return err == nil && est.Max <= costLimit
}

// maxInputSize is the largest string, list or map the engine puts in a
// rule's input, in characters or elements: identifiers, phrases and small
// lists. (Interaction texts are not facts; the lexicon reads them.) An
// input beyond it makes a comparison cost more than estimated, but only
// linearly: what the limit guards against is an expression whose cost
// multiplies, such as nested comprehensions, and those stay tracked.
const maxInputSize = 1 << 16

// inputSizes estimates every input's size at maxInputSize.
type inputSizes struct{}

func (inputSizes) EstimateSize(checker.AstNode) *checker.SizeEstimate {
	return &checker.SizeEstimate{Min: 0, Max: maxInputSize}
}

func (inputSizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

// Applies is whether the trigger can be true for an event of type
// eventType at all: false only when its syntax says so for certain.
func (p *Program) Applies(eventType string) bool {
	if !p.typeBounded {
		return true
	}
	_, found := slices.BinarySearch(p.eventTypes, eventType)
	return found
}

// program compiles one expression whose result must be one of types (or dyn).
// It also returns the checked syntax tree.
func (c *Compiler) program(v *domainerr.Violations, field, expr string, params []domain.Param, types ...*cel.Type) (cel.Program, *cel.Ast) {
	ast, iss := c.env.Compile(expr)
	if iss.Err() != nil {
		for _, e := range iss.Errors() {
			v.Add(field, "line %d, column %d: %s", e.Location.Line(), e.Location.Column()+1, e.Message)
		}
		return nil, nil
	}
	out := ast.OutputType()
	if !out.IsExactType(cel.DynType) && !slices.ContainsFunc(types, out.IsExactType) {
		v.Add(field, "line 1, column 1: evaluates to %s, want %s", out, typeNames(types))
		return nil, nil
	}
	if undeclaredParam(v, field, expr, params) {
		return nil, nil
	}
	// The cost limit is enforced at run time only where the expression's
	// worst case cannot be bounded from its syntax: tracking the cost of
	// every step was a fifth of a replay's evaluation time, and most rules
	// only compare a few fields.
	opts := []cel.ProgramOption{cel.CostLimit(costLimit), cel.InterruptCheckFrequency(100)}
	if boundedCost(c.env, ast) {
		opts = nil
	}
	prg, err := c.env.Program(ast, opts...)
	if err != nil {
		v.Add(field, "line 1, column 1: %s", err)
		return nil, nil
	}
	return prg, ast
}

func typeNames(types []*cel.Type) string {
	names := make([]string, 0, len(types))
	for _, t := range types {
		names = append(names, t.String())
	}
	return strings.Join(names, " or ")
}

// paramRef finds params.<name> selections. CEL sees params as a map, so a
// misspelt parameter would only fail when evaluated; this catches it when
// the rule is written.
var paramRef = regexp.MustCompile(`\bparams\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)`)

func undeclaredParam(v *domainerr.Violations, field, expr string, params []domain.Param) bool {
	found := false
	for _, m := range paramRef.FindAllStringSubmatchIndex(expr, -1) {
		name := expr[m[2]:m[3]]
		if slices.ContainsFunc(params, func(p domain.Param) bool { return p.Name == name }) {
			continue
		}
		line, col := position(expr, m[2])
		v.Add(field, "line %d, column %d: params.%s is not a declared parameter", line, col, name)
		found = true
	}
	return found
}

// position is the 1-based line and column (in characters) of byte offset off.
func position(s string, off int) (line, col int) {
	line = 1 + strings.Count(s[:off], "\n")
	start := strings.LastIndex(s[:off], "\n") + 1
	return line, 1 + len([]rune(s[start:off]))
}

// templateFuncs are what explanation templates may call.
var templateFuncs = template.FuncMap{
	"join": func(list any, sep string) string { return strings.Join(stringsOf(list), sep) },
	// bracket wraps each item in 「」, the way explanations cite phrases.
	"bracket": func(list any) []string {
		items := stringsOf(list)
		out := make([]string, 0, len(items))
		for _, s := range items {
			out = append(out, "「"+s+"」")
		}
		return out
	},
}

func stringsOf(list any) []string {
	switch l := list.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func parseTemplate(v *domainerr.Violations, field, text string) *template.Template {
	t, err := template.New(field).Funcs(templateFuncs).Option("missingkey=zero").Parse(text)
	if err != nil {
		v.Add(field, "%s", templateError(err))
		return nil
	}
	if len(t.Templates()) > 1 {
		v.Add(field, "line 1: {{define}} and {{block}} are not allowed")
		return nil
	}
	if msg := forbiddenAction(t.Tree, t.Root); msg != "" {
		v.Add(field, "%s", msg)
		return nil
	}
	return t
}

// forbiddenAction finds an action an explanation may not use: {{range}}
// (over an integer it loops that many times; lists have join and bracket)
// and {{template}} (recursion). Without them a template's work is bounded
// by its own length, so rendering cannot stall the engine.
func forbiddenAction(tree *parse.Tree, n parse.Node) string {
	at := func(n parse.Node, what string) string {
		loc, _ := tree.ErrorContext(n) // "name:line:column"
		parts := strings.Split(loc, ":")
		if len(parts) < 3 {
			return what + " is not allowed"
		}
		return "line " + parts[len(parts)-2] + ", column " + parts[len(parts)-1] + ": " + what + " is not allowed"
	}
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return ""
		}
		for _, c := range n.Nodes {
			if msg := forbiddenAction(tree, c); msg != "" {
				return msg
			}
		}
	case *parse.RangeNode:
		return at(n, "{{range}}")
	case *parse.TemplateNode:
		return at(n, "{{template}}")
	case *parse.IfNode:
		return firstOf(forbiddenAction(tree, n.List), forbiddenAction(tree, n.ElseList))
	case *parse.WithNode:
		return firstOf(forbiddenAction(tree, n.List), forbiddenAction(tree, n.ElseList))
	}
	return ""
}

func firstOf(msgs ...string) string {
	for _, m := range msgs {
		if m != "" {
			return m
		}
	}
	return ""
}

// templateError trims text/template's "template: NAME:" prefix, leaving
// "LINE:COL: message" or "LINE: message".
func templateError(err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "template: "); ok {
		if _, after, ok := strings.Cut(rest, ":"); ok {
			return "line " + after
		}
	}
	return msg
}

// ErrEvaluation wraps a rule program that failed on an input (a missing
// fact, a type mismatch, the cost limit).
var ErrEvaluation = errors.New("rule evaluation failed")
