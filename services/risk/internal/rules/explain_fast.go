package rules

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// Explanations are rendered on every decision, and text/template, which
// reaches every field through reflection, was most of a decision's cost.
// A template that uses only the plain part of the language — text,
// {{.a.b}}, {{if}} / {{else if}} / {{else}} on a field, on not, or on a
// comparison of two fields or literals — is also compiled to a fastTemplate
// that walks the input maps directly. It renders exactly what
// text/template renders, or declines (ok false) and text/template renders
// instead: for any value it does not handle the way text/template does
// (TestFastExplanationsMatchTextTemplate, FuzzFastExplanation).

// fastTemplate is a template compiled for direct rendering.
type fastTemplate struct{ nodes []fastNode }

// fastNode is one piece of a fastTemplate: text, a field printed, or a
// condition with its two branches.
type fastNode struct {
	text        string
	print       []string // the field's path, when printing one
	cond        *fastCond
	then, other []fastNode
}

// fastCond is an {{if}}'s condition: the truth of one operand (op ""),
// its negation (op "not"), or a comparison of two.
type fastCond struct {
	op   string
	args []fastOperand
}

// fastOperand is a field's path, or a string or integer literal.
type fastOperand struct {
	path []string
	lit  any // string or int64
}

// compileFast compiles t for direct rendering, or returns nil when t uses
// anything beyond the plain part.
func compileFast(t *template.Template) *fastTemplate {
	if t == nil || t.Tree == nil || t.Root == nil {
		return nil
	}
	nodes, ok := fastList(t.Root)
	if !ok {
		return nil
	}
	return &fastTemplate{nodes: nodes}
}

// reads adds to vars the variables (the first name of each path) the
// nodes read.
func reads(nodes []fastNode, vars map[string]bool) {
	for _, n := range nodes {
		if len(n.print) > 0 {
			vars[n.print[0]] = true
		}
		if n.cond != nil {
			for _, a := range n.cond.args {
				if len(a.path) > 0 {
					vars[a.path[0]] = true
				}
			}
		}
		reads(n.then, vars)
		reads(n.other, vars)
	}
}

func fastList(l *parse.ListNode) ([]fastNode, bool) {
	if l == nil {
		return nil, true
	}
	out := make([]fastNode, 0, len(l.Nodes))
	for _, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, fastNode{text: string(n.Text)})
		case *parse.CommentNode:
		case *parse.ActionNode:
			if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
				return nil, false
			}
			f, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok {
				return nil, false
			}
			out = append(out, fastNode{print: f.Ident})
		case *parse.IfNode:
			c, ok := fastCondition(n.Pipe)
			if !ok {
				return nil, false
			}
			then, ok := fastList(n.List)
			if !ok {
				return nil, false
			}
			els, ok := fastList(n.ElseList)
			if !ok {
				return nil, false
			}
			out = append(out, fastNode{cond: c, then: then, other: els})
		default:
			return nil, false
		}
	}
	return out, true
}

// fastComparisons are the comparison functions a fastCond evaluates.
var fastComparisons = map[string]bool{"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true}

func fastCondition(p *parse.PipeNode) (*fastCond, bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return nil, false
	}
	args := p.Cmds[0].Args
	op := ""
	if id, ok := args[0].(*parse.IdentifierNode); ok {
		op, args = id.Ident, args[1:]
	}
	switch {
	case op == "" && len(args) == 1, op == "not" && len(args) == 1:
		f, ok := args[0].(*parse.FieldNode)
		if !ok {
			return nil, false
		}
		return &fastCond{op: op, args: []fastOperand{{path: f.Ident}}}, true
	case fastComparisons[op] && len(args) == 2:
		c := &fastCond{op: op}
		for _, a := range args {
			o, ok := fastOperandOf(a)
			if !ok {
				return nil, false
			}
			c.args = append(c.args, o)
		}
		return c, true
	}
	return nil, false
}

func fastOperandOf(n parse.Node) (fastOperand, bool) {
	switch n := n.(type) {
	case *parse.FieldNode:
		return fastOperand{path: n.Ident}, true
	case *parse.StringNode:
		return fastOperand{lit: n.Text}, true
	case *parse.NumberNode:
		// Only plain integers: text/template makes other numbers floats
		// or complex.
		if n.IsInt && !strings.ContainsAny(n.Text, ".eEpPiI'") {
			return fastOperand{lit: n.Int64}, true
		}
	}
	return fastOperand{}, false
}

// render appends t rendered over data to buf; ok is false when it met a
// value it leaves to text/template.
func (t *fastTemplate) render(buf []byte, data map[string]any) ([]byte, bool) {
	return renderFast(buf, t.nodes, data)
}

func renderFast(buf []byte, nodes []fastNode, data map[string]any) ([]byte, bool) {
	for i := range nodes {
		n := &nodes[i]
		switch {
		case n.cond != nil:
			truth, ok := n.cond.eval(data)
			if !ok {
				return buf, false
			}
			branch := n.other
			if truth {
				branch = n.then
			}
			if buf, ok = renderFast(buf, branch, data); !ok {
				return buf, false
			}
		case n.print != nil:
			v, ok := lookup(data, n.print)
			if !ok {
				return buf, false
			}
			switch v := v.(type) {
			case nil:
				buf = append(buf, "<no value>"...)
			case string:
				buf = append(buf, v...)
			case int64:
				buf = strconv.AppendInt(buf, v, 10)
			case int:
				buf = strconv.AppendInt(buf, int64(v), 10)
			case bool:
				buf = strconv.AppendBool(buf, v)
			case float64, []string:
				buf = fmt.Append(buf, v)
			default:
				return buf, false
			}
		default:
			buf = append(buf, n.text...)
		}
	}
	return buf, true
}

// lookup is the value at path in data: nil when its last key is missing
// (text/template prints and tests that as no value); ok is false when a
// key before the last is missing or not a map (text/template fails).
func lookup(data map[string]any, path []string) (any, bool) {
	m := data
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	return m[path[len(path)-1]], true
}

// eval is the condition's truth over data.
func (c *fastCond) eval(data map[string]any) (truth, ok bool) {
	switch c.op {
	case "", "not":
		v, ok := lookup(data, c.args[0].path)
		if !ok {
			return false, false
		}
		t, ok := truthOf(v)
		return t != (c.op == "not"), ok
	}
	a, ok := c.args[0].value(data)
	if !ok {
		return false, false
	}
	b, ok := c.args[1].value(data)
	if !ok {
		return false, false
	}
	return compare(c.op, a, b)
}

// value is the operand's value: an integer as int64, a string or a bool;
// ok is false for anything else (missing included).
func (o fastOperand) value(data map[string]any) (any, bool) {
	v := o.lit
	if o.path != nil {
		var ok bool
		if v, ok = lookup(data, o.path); !ok {
			return nil, false
		}
	}
	switch v := v.(type) {
	case int64, string, bool:
		return v, true
	case int:
		return int64(v), true
	}
	return nil, false
}

// truthOf is text/template's truth of v for the kinds fastTemplate
// handles: the zero value is false.
func truthOf(v any) (truth, ok bool) {
	switch v := v.(type) {
	case nil:
		return false, true
	case bool:
		return v, true
	case string:
		return v != "", true
	case int64:
		return v != 0, true
	case int:
		return v != 0, true
	}
	return false, false
}

// compare is op (one of fastComparisons) over two integers, two strings
// or (eq and ne only) two bools; ok is false for other pairs, which
// text/template may reject.
func compare(op string, a, b any) (truth, ok bool) {
	var c int
	switch a := a.(type) {
	case int64:
		b, isInt := b.(int64)
		if !isInt {
			return false, false
		}
		c = cmp.Compare(a, b)
	case string:
		b, isString := b.(string)
		if !isString {
			return false, false
		}
		c = strings.Compare(a, b)
	case bool:
		b, isBool := b.(bool)
		if !isBool || (op != "eq" && op != "ne") {
			return false, false
		}
		if a != b {
			c = 1
		}
	default:
		return false, false
	}
	switch op {
	case "eq":
		return c == 0, true
	case "ne":
		return c != 0, true
	case "lt":
		return c < 0, true
	case "le":
		return c <= 0, true
	case "gt":
		return c > 0, true
	default: // ge
		return c >= 0, true
	}
}
