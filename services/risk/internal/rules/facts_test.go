package rules_test

import (
	"maps"
	"testing"

	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

// countedFacts are facts from a map that count what is asked of them.
type countedFacts struct {
	m           map[string]any
	asked, maps int
}

func (f *countedFacts) Fact(name string) (any, bool) {
	f.asked++
	v, ok := f.m[name]
	return v, ok
}

func (f *countedFacts) Map() map[string]any {
	f.maps++
	return maps.Clone(f.m)
}

// Facts decide every expression as the map of the same facts does: selecting,
// testing and indexing facts, a missing fact, comparing, sizing and
// iterating the event, and facts that are lists.
func TestFactsDecideAsTheirMap(t *testing.T) {
	t.Parallel()
	event := map[string]any{
		"type": "conversion_review", "employee_id": "e7", "recent_won": int64(3), "recent_decided": int64(10),
		"phrases": []string{"a", "b"},
	}
	tests := []struct {
		expr string
		// selects is whether the expression only selects facts by name,
		// so that no map of every fact is built.
		selects      bool
		fires, fails bool
	}{
		{`event.type == "conversion_review" && event.recent_decided >= 10`, true, true, false},
		{`event.recent_decided >= 11`, true, false, false},
		{`event.recent_won + event.recent_decided == 13`, true, true, false},
		{`event.employee_id.startsWith("e")`, true, true, false},
		{`has(event.recent_won)`, true, true, false},
		{`has(event.missing)`, true, false, false},
		{`event["recent_won"] == 3`, true, true, false},
		{`"recent_won" in event`, true, true, false},
		{`"missing" in event`, true, false, false},
		{`"a" in event.phrases`, true, true, false},
		{`event.missing > 1`, true, false, true},
		{`event["missing"] > 1`, true, false, true},
		{`size(event) == 5`, false, true, false},
		{`event == {"type": "conversion_review", "employee_id": "e7", "recent_won": 3, "recent_decided": 10, "phrases": ["a", "b"]}`, false, true, false},
		{`event != {"type": "conversion_review"}`, false, true, false},
		{`event.exists(k, k == "recent_won")`, false, true, false},
		{`event.all(k, k != "missing")`, false, true, false},
		{`event.phrases.exists(p, p == "b")`, false, true, false},
		// Iterated in sorted order, as the map is.
		{`event.map(k, k) == ["employee_id", "phrases", "recent_decided", "recent_won", "type"]`, false, true, false},
		// The event itself as the result: a clean failure, not a crash.
		{`dyn(event)`, false, false, true},
	}
	c := compiler(t)
	for _, tt := range tests {
		r := validRule()
		r.Definition.Trigger = tt.expr
		p, err := c.Compile(r)
		if err != nil {
			t.Fatalf("%s: compile: %v", tt.expr, err)
		}
		wantFired, wantErr := p.Triggered(rules.Input{Event: event})
		if wantFired != tt.fires || (wantErr != nil) != tt.fails {
			t.Fatalf("%s: the map gives %v, %v; want %v, failing %v", tt.expr, wantFired, wantErr, tt.fires, tt.fails)
		}
		facts := &countedFacts{m: event}
		fired, err := p.Triggered(rules.Input{Facts: facts})
		if fired != wantFired || (err != nil) != (wantErr != nil) {
			t.Errorf("%s: facts give %v, %v; the map gives %v, %v", tt.expr, fired, err, wantFired, wantErr)
		}
		if tt.selects && (facts.maps != 0 || facts.asked == 0) {
			t.Errorf("%s: facts asked %d times and for every fact %d times, want asked by name only", tt.expr, facts.asked, facts.maps)
		}
	}
	// A severity of the event itself fails cleanly too.
	r := validRule()
	r.Definition.SeverityExpr = `dyn(event)`
	p, err := c.Compile(r)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	if _, err := p.Severity(rules.Input{Facts: &countedFacts{m: event}}); err == nil {
		t.Error("a severity of the event itself gave no error")
	}
}
