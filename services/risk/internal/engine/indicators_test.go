package engine

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// TestIndicatorsReadTheProjections: the risk score's behaviour indicators
// come from the reveal history, the book and the order projection, at the
// time asked, and reading them decides nothing.
func TestIndicatorsReadTheProjections(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	day := 24 * time.Hour
	ev := func(at time.Time) domain.Evidence { return domain.Evidence{EventID: at.String(), OccurredAt: at} }
	asOf := monday.Add(35 * day) // a Monday
	// The baseline: 8 unassigned reveals in the 28 days before the last 7,
	// i.e. 2 per week; then 9 in the last 7 days (and one assigned).
	for i := range 8 {
		at := asOf.Add(-time.Duration(10+i*3) * day)
		e.ObserveReveal(Reveal{Tenant: "t", EmployeeID: "a", OccurredAt: at, Evidence: ev(at)})
	}
	for i := range 9 {
		at := asOf.Add(-time.Duration(i)*time.Hour - 2*day)
		e.ObserveReveal(Reveal{Tenant: "t", EmployeeID: "a", OccurredAt: at, Evidence: ev(at)})
	}
	e.ObserveReveal(Reveal{Tenant: "t", EmployeeID: "a", Assigned: true, OccurredAt: asOf.Add(-day), Evidence: ev(asOf.Add(-day))})
	// a holds one customer since two weeks before asOf, never followed up.
	held := asOf.Add(-14 * day)
	e.ObserveRegistration(Registration{Tenant: "t", CustomerID: "c1", OwnerID: "a", RegisteredBy: "a", Source: "assignment", OccurredAt: held, Evidence: ev(held)})
	// Two won orders: one 20 days old and unpaid, one 2 days old.
	for _, o := range []struct {
		id  string
		age time.Duration
	}{{"o1", 20 * day}, {"o2", 2 * day}} {
		at := asOf.Add(-o.age)
		e.ObserveOrderCreated(OrderCreated{Tenant: "t", OrderID: o.id, SellerID: "a", CustomerID: "c1", AmountMinor: 10000, Currency: "CNY", OccurredAt: at, Evidence: ev(at)})
		e.ObserveOrderStep(OrderStep{Tenant: "t", OrderID: o.id, SellerID: "a", CustomerID: "c1", Step: OrderStepWon, AmountMinor: 10000, Currency: "CNY", OccurredAt: at, Evidence: ev(at)})
	}

	want := domain.BehaviourIndicators{
		UnassignedReveals: 9, UnassignedRevealsBaseline: 2, RecentDays: 7, BaselineDays: 28,
		HeldCustomers: 1, NeglectWorkingDays: 9, UnbackedOrders: 1,
	}
	got := e.Indicators("t", "a", asOf)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("indicators mismatch (-want, +got):\n%s", diff)
	}
	if again := e.Indicators("t", "a", asOf); !cmp.Equal(got, again) {
		t.Errorf("a second read differs: %+v", again)
	}
	if diff := cmp.Diff(domain.BehaviourIndicators{RecentDays: 7, BaselineDays: 28}, e.Indicators("t", "nobody", asOf)); diff != "" {
		t.Errorf("an unknown employee (-want, +got):\n%s", diff)
	}
	if got := e.Indicators("t", "a", time.Time{}); got != (domain.BehaviourIndicators{}) {
		t.Errorf("no point in time gives %+v, want zero", got)
	}
}

// TestFreshEngineHasNoHistory: the sandbox shares the built-in programs,
// not the projections or rule changes.
func TestFreshEngineHasNoHistory(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	at := monday
	e.ObserveReveal(Reveal{Tenant: "t", EmployeeID: "a", OccurredAt: at, Evidence: domain.Evidence{EventID: "r", OccurredAt: at}})
	if err := e.ApplyRuleChange(RuleChange{Tenant: "t", RuleID: RuleRevealSpike, Enabled: false}); err != nil {
		t.Fatal(err)
	}
	f := e.Fresh()
	if len(f.activity) != 0 || len(f.reveals) != 0 {
		t.Errorf("fresh engine holds history: %d activity, %d reveal windows", len(f.activity), len(f.reveals))
	}
	if r, ok := f.Rule("t", RuleRevealSpike); !ok || !r.Enabled || !r.Builtin {
		t.Errorf("fresh engine's reveal_spike: %+v, %v; want the built-in, enabled", r, ok)
	}
	if r, _ := e.Rule("t", RuleRevealSpike); r.Enabled {
		t.Error("the original lost its own rule state")
	}
}
