package engine

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// Three tenants' mixed history judged by one engine, and again by two
// (tenants 0 and 2 on one, 1 on the other) that one absorbs: every
// tenant's decisions are the same, in the same order, and the absorbing
// engine's snapshot is the single engine's to the byte.
func TestEnginesOfDisjointTenantsAbsorbIntoOne(t *testing.T) {
	t.Parallel()
	const tenants, employees, days, events = 3, 40, 45, 60_000
	one := New(lexicon.Default(), DefaultSensitiveWords())
	whole := newMixedHistory(func(int) *Engine { return one }, tenants, employees, days, events)
	whole.changes = []Change{}
	whole.run()

	first, second := New(lexicon.Default(), DefaultSensitiveWords()), New(lexicon.Default(), DefaultSensitiveWords())
	split := newMixedHistory(func(t int) *Engine {
		if t == 1 {
			return second
		}
		return first
	}, tenants, employees, days, events)
	split.changes = []Change{}
	split.run()

	byTenant := func(changes []Change) map[string][]Change {
		out := map[string][]Change{}
		for _, ch := range changes {
			out[ch.Alert.Tenant] = append(out[ch.Alert.Tenant], ch)
		}
		return out
	}
	want, got := byTenant(whole.changes), byTenant(split.changes)
	if len(want) != tenants {
		t.Fatalf("the history raised alerts for %d tenants; the test needs all %d", len(want), tenants)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(Change{})); diff != "" {
		t.Errorf("decisions per tenant (-one engine, +two):\n%s", diff)
	}

	if err := first.Absorb(second); err != nil {
		t.Fatal(err)
	}
	a, err := one.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := first.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the absorbing engine's snapshot (%d bytes) differs from one engine's (%d bytes)", len(b), len(a))
	}
	// An engine that judged a tenant already cannot absorb it again.
	again := New(lexicon.Default(), DefaultSensitiveWords())
	newMixedHistory(func(int) *Engine { return again }, 2, 3, 7, 100).run()
	before, err := first.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Absorb(again); err == nil || !strings.Contains(err.Error(), "both engines hold") {
		t.Errorf("absorbing a tenant held already: %v, want an error", err)
	}
	if after, err := first.Snapshot(); err != nil || !bytes.Equal(before, after) {
		t.Errorf("a refused absorb changed the engine (%v)", err)
	}
}

// Absorb must move every part of an engine's state: a field added to
// the engine or its projections has to be added to Absorb, or listed
// here as not per tenant.
func TestAbsorbMovesEveryField(t *testing.T) {
	t.Parallel()
	notPerTenant := []string{
		"Engine.lexicon", "Engine.compiler", "Engine.builtin", "Engine.evalErrors", "Engine.judging", "Engine.scratch",
		"Engine.staff", "Engine.book",
	}
	absorbed := []string{
		"Engine.tenants", "Engine.inForceCache", "Engine.open", "Engine.reveals", "Engine.activity", "Engine.exports",
		"Engine.orders", "Engine.ordersNext", "Engine.orderQueues", "Engine.sales", "Engine.conversionDay", "Engine.sellerOrder",
		"Engine.calls", "Engine.churnNext", "Engine.pruneDay", "Engine.suppressed",
		"staffProjection.units", "staffProjection.members", "bookProjection.customers", "bookProjection.held", "bookProjection.offBook",
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[Engine](), reflect.TypeFor[staffProjection](), reflect.TypeFor[bookProjection]()} {
		for i := range typ.NumField() {
			name := typ.Name() + "." + typ.Field(i).Name
			if !slices.Contains(notPerTenant, name) && !slices.Contains(absorbed, name) {
				t.Errorf("%s: Absorb does not say what becomes of it", name)
			}
		}
	}
}
