package engine

import (
	"maps"
	"slices"
	"testing"
)

// TestFactListIsTheMapOfItsFacts: a factList answers every name with the
// value set for it, and nothing else; its map is those facts; reset
// empties it and keeps no value it held.
func TestFactListIsTheMapOfItsFacts(t *testing.T) {
	t.Parallel()
	var f factList
	want := map[string]any{}
	set := func(name string, v any) {
		f.set(name, v)
		want[name] = v
	}
	for round := range 3 {
		f.reset()
		clear(want)
		set("type", "interaction")
		set("employee_id", "e1")
		set("matches", int64(round+10))
		set("phrases", []string{"私单"})
		if round == 1 {
			set("quoted_only", true)
		}
		if round == 2 {
			set("matches", int64(99)) // set again: the later value, for Fact and Map alike
		}
		for name, v := range want {
			got, ok := f.Fact(name)
			if !ok || !equalFact(got, v) {
				t.Errorf("round %d: Fact(%q) = %v, %v; want %v", round, name, got, ok, v)
			}
		}
		if got, ok := f.Fact("quoted_only"); round != 1 && ok {
			t.Errorf("round %d: Fact(quoted_only) = %v after reset, want none", round, got)
		}
		if got := f.Map(); !maps.EqualFunc(got, want, equalFact) {
			t.Errorf("round %d: Map() = %v, want %v", round, got, want)
		}
	}
	f.reset()
	if len(f.all) != 0 {
		t.Errorf("after reset, Map's map still holds %v", f.all)
	}
	for i, v := range f.values[:cap(f.values)] {
		if v != nil {
			t.Errorf("after reset, values[%d] still holds %v", i, v)
		}
	}
}

// equalFact compares two fact values, lists element by element.
func equalFact(a, b any) bool {
	if la, ok := a.([]string); ok {
		lb, ok := b.([]string)
		return ok && slices.Equal(la, lb)
	}
	return a == b
}
