package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

const day = 24 * time.Hour

// orderFeed writes one tenant's ORDER, COMMISSION and TICK events into an
// engine, numbering them like RISK_IN would, and records every change.
type orderFeed struct {
	e       *engine.Engine
	seq     int
	changes []engine.Change
}

func newOrderFeed() *orderFeed { return &orderFeed{e: newEngine()} }

func (f *orderFeed) evidence(stream, typ string, at time.Time) domain.Evidence {
	f.seq++
	return domain.Evidence{EventID: fmt.Sprintf("evt-%d", f.seq), Stream: stream, Sequence: uint64(f.seq), EventType: typ, OccurredAt: at}
}

func (f *orderFeed) keep(chs []engine.Change) []engine.Change {
	f.changes = append(f.changes, chs...)
	return chs
}

// create opens order id of seller for 20 000.00 CNY.
func (f *orderFeed) create(id, seller string, contradiction bool, at time.Time) []engine.Change {
	claimed := "trade_show"
	if contradiction {
		claimed = "personal"
	}
	return f.keep(f.e.ObserveOrderCreated(engine.OrderCreated{
		Tenant: "acme", OrderID: id, SellerID: seller, CustomerID: "c-" + id, AmountMinor: 2_000_000, Currency: "CNY",
		ClaimedSource: claimed, CustomerSource: "trade_show", SourceContradiction: contradiction,
		OccurredAt: at, Evidence: f.evidence("ORDER", "holdfast.order.v1.OrderCreated", at),
	}))
}

func (f *orderFeed) step(id, seller string, kind engine.OrderStepKind, at time.Time) []engine.Change {
	s := engine.OrderStep{
		Tenant: "acme", OrderID: id, SellerID: seller, Step: kind, OccurredAt: at,
		Evidence: f.evidence("ORDER", fmt.Sprintf("holdfast.order.v1.Step%d", kind), at),
	}
	if kind == engine.OrderStepWon {
		s.AmountMinor, s.Currency = 2_000_000, "CNY"
	}
	return f.keep(f.e.ObserveOrderStep(s))
}

// pay records a payment of amount; companyTotal is the order's total paid
// into company accounts after it.
func (f *orderFeed) pay(id, seller string, amount, companyTotal int64, company bool, relation string, at time.Time) []engine.Change {
	return f.keep(f.e.ObservePayment(engine.Payment{
		Tenant: "acme", OrderID: id, SellerID: seller, CustomerID: "c-" + id, AmountMinor: amount, Currency: "CNY",
		PayeeIsCompanyAccount: company, PayerRelation: relation, OrderAmountMinor: 2_000_000,
		PaidTotalMinor: amount, PaidToCompanyTotalMinor: companyTotal,
		OccurredAt: at, Evidence: f.evidence("ORDER", "holdfast.order.v1.PaymentRecorded", at),
	}))
}

func (f *orderFeed) accrue(id, seller string, contradiction bool, at time.Time) []engine.Change {
	c := engine.CommissionAccrual{
		Tenant: "acme", OrderID: id, EmployeeID: seller, CustomerID: "c-" + id, CommissionMinor: 60_000, Currency: "CNY",
		OccurredAt: at, Evidence: f.evidence("COMMISSION", "holdfast.commission.v1.CommissionAccrued", at),
	}
	if contradiction {
		c.SourceContradiction, c.ClaimedSource, c.CustomerSource = true, "personal", "website"
	}
	return f.keep(f.e.ObserveCommissionAccrual(c))
}

// ticks feeds the tenant's hourly ticks in (from, to].
func (f *orderFeed) ticks(from, to time.Time) []engine.Change {
	var out []engine.Change
	for at := from.Truncate(time.Hour).Add(time.Hour); !at.After(to); at = at.Add(time.Hour) {
		out = append(out, f.keep(f.e.ObserveTick(engine.Tick{
			Tenant: "acme", At: at, OccurredAt: at, Evidence: f.evidence("TICK", "holdfast.tick.v1.ClockTicked", at),
		}))...)
	}
	return out
}

func eventIDs(evs []domain.Evidence) []string {
	out := make([]string, 0, len(evs))
	for _, ev := range evs {
		out = append(out, ev.EventID)
	}
	return out
}

func TestPersonalCollection(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct {
		company  bool
		relation string
		want     domain.Severity // 0: no alert
		explains string
	}{
		"customer's own account into the company's": {company: true, relation: "own"},
		"H4: parent company's registered account":   {company: true, relation: "parent_company"},
		"registered related party":                  {company: true, relation: "related"},
		"into a personal account":                   {company: false, relation: "own", want: domain.SeverityHigh, explains: "not in the company's registry"},
		"H4 payer, but into a personal account":     {company: false, relation: "parent_company", want: domain.SeverityHigh, explains: "not in the company's registry"},
		"unregistered payer into the company's":     {company: true, relation: "unknown", want: domain.SeverityLow, explains: "not registered on customer c-o1"},
		"payer the registry did not classify":       {company: true, relation: "unspecified", want: domain.SeverityLow, explains: "relation: unspecified"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newOrderFeed()
			f.create("o1", "e1", false, day0)
			got := ofRule(f.pay("o1", "e1", 2_000_000, 0, tt.company, tt.relation, day0.Add(day)), engine.RulePersonalCollection)
			if tt.want == 0 {
				if len(got) != 0 {
					t.Fatalf("alerted: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d personal_collection changes, want 1", len(got))
			}
			a := got[0].Alert
			if a.Severity != tt.want || a.EmployeeID != "e1" || len(a.Evidence) != 1 || a.Evidence[0].EventType != "holdfast.order.v1.PaymentRecorded" {
				t.Errorf("alert = %+v; want %v for e1 with the payment as evidence", a, tt.want)
			}
			if !strings.Contains(a.ExplanationEN, tt.explains) || !strings.Contains(a.ExplanationEN, "Baseline") || !strings.Contains(a.ExplanationZH, "正常情况") {
				t.Errorf("explanation lacks %q or its baseline:\n%s\n%s", tt.explains, a.ExplanationEN, a.ExplanationZH)
			}
		})
	}
}

func TestUnbackedOrder(t *testing.T) {
	t.Parallel()
	// An action happens at a time after day0; ticks up to it run first, as
	// RISK_IN would order them.
	type action struct {
		at time.Duration
		do func(f *orderFeed, at time.Time)
	}
	won := func(at time.Duration) action {
		return action{at, func(f *orderFeed, at time.Time) { f.step("o1", "e1", engine.OrderStepWon, at) }}
	}
	approved := func(at time.Duration) action {
		return action{at, func(f *orderFeed, at time.Time) { f.step("o1", "e1", engine.OrderStepApproved, at) }}
	}
	pay := func(amount int64, at time.Duration) action {
		return action{at, func(f *orderFeed, at time.Time) { f.pay("o1", "e1", amount, amount, true, "own", at) }}
	}
	ship := func(at time.Duration) action {
		return action{at, func(f *orderFeed, at time.Time) { f.step("o1", "e1", engine.OrderStepShipped, at) }}
	}
	end := func(kind engine.OrderStepKind, at time.Duration) action {
		return action{at, func(f *orderFeed, at time.Time) { f.step("o1", "e1", kind, at) }}
	}
	for name, tt := range map[string]struct {
		actions []action
		// raisedAt is when the alert must be raised, after day0 (0: never
		// within 40 days).
		raisedAt time.Duration
		severity domain.Severity
		explains string
	}{
		"honest: paid in full and shipped":          {actions: []action{won(day), pay(2_000_000, 4*day), ship(6 * day)}},
		"honest: paid on day 14, shipped on day 19": {actions: []action{won(day), pay(2_000_000, 15*day), ship(20 * day)}},
		"never paid nor shipped": {
			actions: []action{won(day)}, raisedAt: 16 * day, severity: domain.SeverityMedium,
			explains: "0 has been paid into company accounts",
		},
		"finally approved, won later, never paid": {
			actions: []action{approved(day), won(3 * day)}, raisedAt: 16 * day, severity: domain.SeverityMedium,
			explains: "marked approved 15 days ago",
		},
		"paid less than the order": {
			actions: []action{won(day), pay(1_500_000, 2*day), ship(3 * day)}, raisedAt: 16 * day, severity: domain.SeverityMedium,
			explains: "1500000 has been paid into company accounts",
		},
		"paid, never shipped": {
			actions: []action{won(day), pay(2_000_000, 2*day)}, raisedAt: 21 * day, severity: domain.SeverityMedium,
			explains: "has not shipped",
		},
		"cancelled before its deadline": {actions: []action{won(day), end(engine.OrderStepCancelled, 5*day)}},
		"lost before it was won":        {actions: []action{end(engine.OrderStepLost, 5*day)}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newOrderFeed()
			f.create("o1", "e1", false, day0)
			clock := day0
			for _, a := range tt.actions {
				f.ticks(clock, day0.Add(a.at))
				clock = day0.Add(a.at)
				a.do(f, clock)
			}
			f.ticks(clock, day0.Add(40*day))
			raised := ofRule(f.changes, engine.RuleUnbackedOrder)
			if tt.raisedAt == 0 {
				if len(raised) != 0 {
					t.Fatalf("alerted at %v: %s", raised[0].Alert.RaisedAt, raised[0].Alert.ExplanationEN)
				}
				return
			}
			if len(raised) != 1 {
				t.Fatalf("got %d unbacked_order changes, want 1 at %v", len(raised), day0.Add(tt.raisedAt))
			}
			a := raised[0].Alert
			if want := day0.Add(tt.raisedAt).Truncate(time.Hour).Add(time.Hour); !a.RaisedAt.Equal(want) {
				t.Errorf("raised at %v, want the first tick after the deadline, %v", a.RaisedAt, want)
			}
			if a.Severity != tt.severity || a.EmployeeID != "e1" {
				t.Errorf("alert severity %v for %s, want %v for e1", a.Severity, a.EmployeeID, tt.severity)
			}
			if len(a.Evidence) < 2 || a.Evidence[0].Stream != "ORDER" || a.Evidence[1].EventID != "evt-1" {
				t.Errorf("evidence %v: want the order's start event first, then its creation (evt-1)", eventIDs(a.Evidence))
			}
			if !strings.Contains(a.ExplanationEN, tt.explains) || !strings.Contains(a.ExplanationEN, "within 15 days and shipped within 20 days") {
				t.Errorf("explanation lacks %q or the deadlines:\n%s", tt.explains, a.ExplanationEN)
			}
		})
	}
}

// Two unbacked orders of one seller within the window make one alert,
// high at the second; the honest colleague stays quiet.
func TestUnbackedOrdersAccumulate(t *testing.T) {
	t.Parallel()
	f := newOrderFeed()
	f.create("o1", "e1", false, day0)
	f.step("o1", "e1", engine.OrderStepWon, day0)
	f.create("o2", "e1", false, day0.Add(2*day))
	f.step("o2", "e1", engine.OrderStepWon, day0.Add(2*day))
	f.create("o3", "e2", false, day0)
	f.step("o3", "e2", engine.OrderStepWon, day0)
	f.pay("o3", "e2", 2_000_000, 2_000_000, true, "parent_company", day0.Add(3*day))
	f.step("o3", "e2", engine.OrderStepShipped, day0.Add(4*day))
	got := ofRule(f.ticks(day0.Add(4*day), day0.Add(30*day)), engine.RuleUnbackedOrder)
	if len(got) != 2 {
		t.Fatalf("got %d changes, want 2 (one per order)", len(got))
	}
	if got[0].Alert.ID != got[1].Alert.ID || got[1].Version != 2 || got[1].Alert.Severity != domain.SeverityHigh || got[1].Alert.EmployeeID != "e1" {
		t.Errorf("second order: alert %s v%d %v, want the first alert (%s) extended to v2, high", got[1].Alert.ID, got[1].Version, got[1].Alert.Severity, got[0].Alert.ID)
	}
	if n := len(ofRule(f.changes, engine.RulePersonalCollection)); n != 0 {
		t.Errorf("%d personal_collection changes for a parent company's payment (H4)", n)
	}
}

func TestSourceContradiction(t *testing.T) {
	t.Parallel()
	f := newOrderFeed()
	f.create("o1", "e1", true, day0)
	first := ofRule(f.changes, engine.RuleSourceContradiction)
	if len(first) != 1 || first[0].Alert.EmployeeID != "e1" || first[0].Alert.Severity != domain.SeverityMedium {
		t.Fatalf("OrderCreated with a contradiction: %+v, want one medium alert on e1", first)
	}
	if ex := first[0].Alert.ExplanationEN; !strings.Contains(ex, `claims the source "personal"`) || !strings.Contains(ex, `company channel "trade_show"`) {
		t.Errorf("explanation: %s", ex)
	}
	f.step("o1", "e1", engine.OrderStepWon, day0.Add(day))
	// Commission records the same contradiction: nothing new to report.
	if got := ofRule(f.accrue("o1", "e1", true, day0.Add(3*day)), engine.RuleSourceContradiction); len(got) != 0 {
		t.Errorf("accrual of an order already reported extended the alert: %+v", got)
	}
	// An honest order and its accrual stay quiet.
	f.create("o2", "e2", false, day0)
	if got := ofRule(append(f.changes, f.accrue("o2", "e2", false, day0.Add(2*day))...), engine.RuleSourceContradiction); len(got) != 1 {
		t.Errorf("%d source_contradiction changes, want only e1's first", len(got))
	}
	// Commission finds a contradiction the order did not flag: the alert
	// names the seller and carries the order's events.
	f.create("o3", "e3", false, day0)
	f.step("o3", "e3", engine.OrderStepWon, day0.Add(day))
	got := ofRule(f.accrue("o3", "e3", true, day0.Add(2*day)), engine.RuleSourceContradiction)
	if len(got) != 1 {
		t.Fatalf("accrual with a contradiction: %d changes, want 1", len(got))
	}
	a := got[0].Alert
	types := []string{}
	for _, ev := range a.Evidence {
		types = append(types, ev.EventType)
	}
	want := []string{"holdfast.commission.v1.CommissionAccrued", "holdfast.order.v1.OrderCreated", fmt.Sprintf("holdfast.order.v1.Step%d", engine.OrderStepWon)}
	if a.EmployeeID != "e3" || !cmp.Equal(want, types) {
		t.Errorf("alert on %s with evidence %v, want e3 with %v", a.EmployeeID, types, want)
	}
	if !strings.Contains(a.ExplanationEN, "recorded by commission") {
		t.Errorf("explanation: %s", a.ExplanationEN)
	}
}

// The same RISK_IN prefix of order events and ticks yields the same
// decisions, alert ids and evidence order included.
func TestOrderRulesDeterministic(t *testing.T) {
	t.Parallel()
	run := func() []engine.Change {
		f := newOrderFeed()
		for i := range 12 {
			id, seller := fmt.Sprintf("o%02d", i), fmt.Sprintf("e%d", i%3)
			at := day0.Add(time.Duration(i) * time.Hour)
			f.create(id, seller, i%4 == 0, at)
			f.step(id, seller, engine.OrderStepWon, at.Add(time.Hour))
			if i%2 == 0 {
				f.pay(id, seller, 2_000_000, 2_000_000, i%3 != 0, "own", at.Add(2*time.Hour))
			}
		}
		f.ticks(day0.Add(12*time.Hour), day0.Add(25*day))
		return f.changes
	}
	first, second := run(), run()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("replay decided differently (-first, +second):\n%s", diff)
	}
	if n := len(ofRule(first, engine.RuleUnbackedOrder)); n != 12 {
		t.Errorf("%d unbacked_order changes, want 12 (every order is unshipped)", n)
	}
}

// TestUnbackedOrderOutlivesASuppression: an order whose deadlines pass
// while the rule is suppressed for its seller is reported when the
// suppression ends, not dropped.
func TestUnbackedOrderOutlivesASuppression(t *testing.T) {
	t.Parallel()
	f := newOrderFeed()
	if err := f.e.ApplyRuleChange(engine.RuleChange{
		Tenant: "acme", RuleID: engine.RuleUnbackedOrder,
		Suppress: &engine.Suppression{EmployeeID: "e1", Until: day0.Add(30 * day)},
	}); err != nil {
		t.Fatal(err)
	}
	f.create("o1", "e1", false, day0)
	f.step("o1", "e1", engine.OrderStepWon, day0)
	if got := ofRule(f.ticks(day0.Add(time.Hour), day0.Add(29*day)), engine.RuleUnbackedOrder); len(got) != 0 {
		t.Fatalf("raised %d alerts while suppressed", len(got))
	}
	got := ofRule(f.ticks(day0.Add(29*day+time.Hour), day0.Add(33*day)), engine.RuleUnbackedOrder)
	if len(got) != 1 || got[0].Alert.EmployeeID != "e1" || got[0].Alert.RaisedAt.Before(day0.Add(30*day)) {
		t.Fatalf("after the suppression: %d alerts, want one for e1 raised once it ended", len(got))
	}
}
