package engine

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Three tenants' mixed history, with rule changes, judged by one engine,
// and again by two (tenants 0 and 2 on one, 1 on the other) until half
// way, when one absorbs the other and judges the rest alone. Every
// tenant's decisions are the same in the same order, before the merge and
// after it, and the snapshots are the same to the byte at the merge and
// at the end.
func TestEnginesOfDisjointTenantsAbsorbIntoOne(t *testing.T) {
	t.Parallel()
	const tenants, employees, days, events = 3, 40, 60, 80_000
	one := newTestEngine(t)
	whole := newMixedHistory(func(int) *Engine { return one }, tenants, employees, days, events)
	whole.changes = []Change{}

	first, second := newTestEngine(t), newTestEngine(t)
	merged := false
	split := newMixedHistory(func(t int) *Engine {
		if t == 1 && !merged {
			return second
		}
		return first
	}, tenants, employees, days, events)
	split.changes = []Change{}

	for _, h := range []*mixedHistory{whole, split} {
		for _, c := range tenantRuleChanges(t, h) {
			if err := h.engines(1).ApplyRuleChange(c); err != nil {
				t.Fatal(err)
			}
		}
	}
	half := days * 24 / 2
	whole.runHours(0, half)
	split.runHours(0, half)
	snapshotsEqual(t, "at the merge, before it", one, first, second)
	if err := first.Absorb(second); err != nil {
		t.Fatal(err)
	}
	merged = true
	snapshotsEqual(t, "at the merge", one, first)
	whole.runHours(half, days*24)
	split.runHours(half, days*24)
	snapshotsEqual(t, "at the end", one, first)

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
		t.Errorf("decisions per tenant (-one engine, +two, merged half way):\n%s", diff)
	}
}

// tenantRuleChanges are tenant 1's own rule changes: a suppression, a
// stricter sensitive_words and reveal_spike turned off.
func tenantRuleChanges(t *testing.T, h *mixedHistory) []RuleChange {
	t.Helper()
	tenant := h.tenants[1].name
	strict, ok := h.engines(1).Rule(tenant, RuleSensitiveWords)
	if !ok {
		t.Fatal("no sensitive_words")
	}
	strict.Version, strict.Definition.Params = 2, []domain.Param{{Name: "high_at", Kind: domain.ParamInt, Int: 1}}
	return []RuleChange{
		{Tenant: tenant, RuleID: RuleUnbackedOrder, Suppress: &Suppression{EmployeeID: h.names[3], Until: h.start.Add(40 * 24 * time.Hour)}},
		{Tenant: tenant, Upserted: &strict},
		{Tenant: tenant, RuleID: RuleRevealSpike, Enabled: false},
	}
}

// snapshotsEqual fails unless want's snapshot is the one of got, or of
// got and rest merged in a fresh engine (rest before a merge).
func snapshotsEqual(t *testing.T, when string, want, got *Engine, rest ...*Engine) {
	t.Helper()
	if len(rest) > 0 {
		combined := newTestEngine(t)
		for _, e := range append([]*Engine{got}, rest...) {
			copied := restoredCopy(t, e)
			if err := combined.Absorb(copied); err != nil {
				t.Fatal(err)
			}
		}
		got = combined
	}
	a, err := want.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := got.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("%s: the merged engines' snapshot (%d bytes) differs from one engine's (%d bytes)", when, len(b), len(a))
	}
}

// An engine holding any state of a tenant, in any map, cannot absorb
// another that holds that tenant too, and a refused absorb changes
// nothing.
func TestAbsorbRefusesATenantBothHold(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	// e holds only a suppression of tenant t; o only an open alert of it.
	if err := e.ApplyRuleChange(RuleChange{Tenant: "t", RuleID: RuleSensitiveWords, Suppress: &Suppression{EmployeeID: "e1", Until: monday.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	o := e.Fresh()
	if len(o.ObserveInteraction(Interaction{Tenant: "t", EmployeeID: "e1", Text: "这单走私单吧，价格好商量", OccurredAt: monday, Evidence: domain.Evidence{EventID: "x"}})) != 1 {
		t.Fatal("the interaction raised no alert; the test needs one")
	}
	before, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Absorb(o); err == nil || !strings.Contains(err.Error(), "both engines hold tenant t") {
		t.Errorf("absorbing a tenant both hold: %v, want an error", err)
	}
	if after, err := e.Snapshot(); err != nil || !bytes.Equal(before, after) {
		t.Errorf("a refused absorb changed the engine (%v)", err)
	}
}

// Absorb must move every map of an engine's state: each must hold
// entries after a short history with rule changes, an export and an
// off-book call, and an empty engine that absorbs it must hold as many.
// A field that is not a map has to be listed here.
func TestAbsorbMovesEveryField(t *testing.T) {
	t.Parallel()
	notMaps := []string{
		"Engine.lexicon", "Engine.compiler", "Engine.builtin", "Engine.evalErrors", "Engine.judging", "Engine.scratch",
		"Engine.staff", "Engine.book",
	}
	o := newTestEngine(t)
	h := newMixedHistory(func(int) *Engine { return o }, 2, 20, 14, 6_000)
	for _, c := range tenantRuleChanges(t, h) {
		if err := o.ApplyRuleChange(c); err != nil {
			t.Fatal(err)
		}
	}
	h.run()
	at := h.start.Add(14*24*time.Hour - time.Hour)
	tenant := h.tenants[1].name
	o.ObserveExportRequest(ExportRequest{Tenant: tenant, EmployeeID: h.names[1], ExportID: "x1", CustomerCount: 3, OccurredAt: at, Evidence: domain.Evidence{EventID: "x1"}})
	o.ObserveInteraction(Interaction{Tenant: tenant, EmployeeID: h.names[1], Counterparty: "+8613800000000", Kind: "call", Duration: time.Minute, OccurredAt: at, Evidence: domain.Evidence{EventID: "x2"}})
	o.ObserveReveal(Reveal{Tenant: tenant, EmployeeID: h.names[1], OccurredAt: at, Evidence: domain.Evidence{EventID: "x3"}})
	e := newTestEngine(t)
	if err := e.Absorb(o); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]reflect.Value{
		{reflect.ValueOf(o).Elem(), reflect.ValueOf(e).Elem()},
		{reflect.ValueOf(o.staff), reflect.ValueOf(e.staff)},
		{reflect.ValueOf(o.book), reflect.ValueOf(e.book)},
	} {
		typ := pair[0].Type()
		for i := range typ.NumField() {
			name := typ.Name() + "." + typ.Field(i).Name
			from, to := pair[0].Field(i), pair[1].Field(i)
			switch {
			case from.Kind() != reflect.Map:
				if !slices.Contains(notMaps, name) {
					t.Errorf("%s: Absorb does not say what becomes of it", name)
				}
			case from.Len() == 0:
				t.Errorf("%s: the history leaves it empty, so the test cannot tell whether Absorb moves it", name)
			case to.Len() != from.Len():
				t.Errorf("%s: the absorbing engine holds %d entries of %d", name, to.Len(), from.Len())
			}
		}
	}
}
