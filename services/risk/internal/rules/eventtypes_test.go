package rules_test

import (
	"testing"

	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

// TestAppliesReadsTheTypeGuard checks which event types a trigger is
// evaluated for, and that a type it is not evaluated for could not have
// triggered it: the trigger is evaluated anyway with every boolean fact
// true, and must be false.
func TestAppliesReadsTheTypeGuard(t *testing.T) {
	t.Parallel()
	types := []string{"a", "b", "c", "tick"}
	tests := []struct {
		trigger string
		applies []string // nil: every type
	}{
		{`event.type == "a" && event.x`, []string{"a"}},
		{`"b" == event.type && event.x`, []string{"b"}},
		{`event.x && event.type == "a"`, []string{"a"}},
		{`(event.type == "a" && event.x || event.type == "b" && event.y) && event.z`, []string{"a", "b"}},
		{`event.type in ["a", "c"] && event.x`, []string{"a", "c"}},
		{`event.type == "a" && event.type == "b"`, []string{}},
		{`event.type in ["a", "b"] && event.type in ["b", "c"]`, []string{"b"}},
		// Not bounded: the guard can be bypassed or is not a plain comparison.
		{`event.type == "a" || event.x`, nil},
		{`!(event.type == "a") && event.x`, nil},
		{`event.type != "a" && event.x`, nil},
		{`(event.type == "a" ? event.x : event.y)`, nil},
		{`event.x`, nil},
		{`event.type.startsWith("a") && event.x`, nil},
	}
	c := compiler(t)
	for _, tc := range tests {
		r := validRule()
		r.Definition.Trigger = tc.trigger
		r.Definition.SeverityExpr = ""
		r.Definition.Params = nil
		r.Definition.ExplanationEN, r.Definition.ExplanationZH = "x", "x"
		p, err := c.Compile(r)
		if err != nil {
			t.Fatalf("%s: %v", tc.trigger, err)
		}
		for _, ty := range types {
			want := tc.applies == nil
			for _, a := range tc.applies {
				want = want || a == ty
			}
			if got := p.Applies(ty); got != want {
				t.Errorf("%s: Applies(%q) = %v, want %v", tc.trigger, ty, got, want)
			}
			if p.Applies(ty) {
				continue
			}
			in := rules.Input{Event: map[string]any{"type": ty, "x": true, "y": true, "z": true}, Features: map[string]any{}, Alert: map[string]any{}}
			if fired, err := p.Triggered(in); err == nil && fired {
				t.Errorf("%s: skipped for %q, but it triggers", tc.trigger, ty)
			}
		}
	}
}

// TestBuiltinRulesAreTypeBounded: every built-in rule names the event
// types it judges, so the engine evaluates each event against only the
// rules for its type.
func TestBuiltinRulesAreTypeBounded(t *testing.T) {
	t.Parallel()
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	c := compiler(t)
	for _, r := range pack.Rules {
		p, err := c.Compile(r)
		if err != nil {
			t.Fatalf("%s: %v", r.Definition.ID, err)
		}
		if p.Applies("no_such_event_type") {
			t.Errorf("%s is evaluated for every event type; its trigger should start with an event.type guard", r.Definition.ID)
		}
	}
}

// TestFeaturesAndAlertAreBuiltOnlyWhenRead: an expression that reads
// neither never builds them; one that does sees their values.
func TestFeaturesAndAlertAreBuiltOnlyWhenRead(t *testing.T) {
	t.Parallel()
	c := compiler(t)
	calls := 0
	in := func() rules.Input {
		return rules.Input{
			Event: map[string]any{"type": "x", "n": int64(3)},
			Lazy: lazyFuncs{
				features: func() map[string]any { calls++; return map[string]any{"f": int64(5)} },
				alert:    func() map[string]any { calls++; return map[string]any{"count": int64(2)} },
			},
		}
	}
	for _, tc := range []struct {
		trigger   string
		fired     bool
		wantCalls int
	}{
		{`event.type == "x" && event.n > 2`, true, 0},
		{`event.type == "x" && features.f == 5`, true, 1},
		{`event.type == "x" && features.f == 5 && alert.count == 2`, true, 2},
		{`event.type == "y" && features.f == 5`, false, 0},
	} {
		r := validRule()
		r.Definition.Trigger, r.Definition.SeverityExpr, r.Definition.Params = tc.trigger, "", nil
		r.Definition.ExplanationEN, r.Definition.ExplanationZH = "x", "x"
		p, err := c.Compile(r)
		if err != nil {
			t.Fatalf("%s: %v", tc.trigger, err)
		}
		calls = 0
		fired, err := p.Triggered(in())
		if err != nil || fired != tc.fired || calls != tc.wantCalls {
			t.Errorf("%s: fired %v (err %v) after %d builds; want %v after %d", tc.trigger, fired, err, calls, tc.fired, tc.wantCalls)
		}
	}
}

type lazyFuncs struct{ features, alert func() map[string]any }

func (l lazyFuncs) Features() map[string]any { return l.features() }
func (l lazyFuncs) Alert() map[string]any    { return l.alert() }
