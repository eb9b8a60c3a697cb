package rules

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// TestCostLimitWhereTheSyntaxCannotBoundIt: the built-in rules compare
// fields, so their worst case is known and they run untracked; an
// expression whose cost grows with its input is tracked and stopped at
// the limit instead of stalling the engine.
func TestCostLimitWhereTheSyntaxCannotBoundIt(t *testing.T) {
	t.Parallel()
	c, pack := newCompiler(t), builtinRules(t)
	for _, r := range pack.Rules {
		ast, iss := c.env.Compile(r.Definition.Trigger)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		if !boundedCost(c.env, ast) {
			t.Errorf("%s: trigger cost not bounded by its syntax; it runs with cost tracking", r.Definition.ID)
		}
	}

	costly := `event.type == "x" && event.items.all(a, event.items.all(b, event.items.all(c, a + b + c != "")))`
	ast, iss := c.env.Compile(costly)
	if iss.Err() != nil {
		t.Fatal(iss.Err())
	}
	if boundedCost(c.env, ast) {
		t.Fatal("a nested comprehension over an input list counted as bounded")
	}
	p, err := c.Compile(domain.Rule{Version: 1, Definition: domain.RuleDefinition{
		ID: "costly", DescriptionEN: "x", DescriptionZH: "x", Severity: domain.SeverityLow,
		Trigger: costly, Window: time.Hour, ExplanationEN: "x", ExplanationZH: "x",
	}})
	if err != nil {
		t.Fatal(err)
	}
	items := make([]any, 200)
	for i := range items {
		items[i] = strings.Repeat("a", i%7+1)
	}
	_, err = p.Triggered(Input{Event: map[string]any{"type": "x", "items": items}, Features: map[string]any{}, Alert: map[string]any{}})
	if !errors.Is(err, ErrEvaluation) || !strings.Contains(err.Error(), "cost") {
		t.Fatalf("Triggered over 200³ steps: err = %v, want the cost limit", err)
	}
}
