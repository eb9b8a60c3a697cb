package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// seller is one simulated seller: their conversion rate in basis points
// and their activity (decisions per day; interactions are twice that) as
// functions of the day.
type seller struct {
	id       string
	rate     func(day int) int64
	activity func(day int) int
	acc      int64 // Bresenham accumulator: wins come exactly at rate
}

func steady(bp int64) func(int) int64 { return func(int) int64 { return bp } }
func busy(n int) func(int) int        { return func(int) int { return n } }

// simulateSales runs days of a sales team in one org unit and role: each
// day each seller logs interactions, creates orders and wins or loses
// them at their rate; the tenant's clock ticks at every midnight (UTC).
// It returns the conversion_drop changes per employee and the day of the
// first.
func simulateSales(t *testing.T, days int, sellers ...*seller) map[string]int {
	t.Helper()
	e := newEngine()
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	e.RecordOrgUnit(engine.OrgUnit{Tenant: "acme", ID: "team-1", ParentID: "branch-1"})
	for _, s := range sellers {
		e.RecordStaff(engine.StaffEvent{Tenant: "acme", EmployeeID: s.id, Kind: engine.StaffHired, OrgUnitID: "team-1", Role: "sales", Date: "2026-01-05", OccurredAt: start})
	}
	seq := 0
	next := func(typ string, at time.Time) engine.Tick { // evidence carrier
		seq++
		return engine.Tick{Evidence: evidence(seq, typ, at)}
	}
	first := map[string]int{}
	for d := range days {
		for i, s := range sellers {
			at := start.Add(time.Duration(d)*day + time.Duration(9+i)*time.Hour)
			for k := range 2 * s.activity(d) {
				e.ObserveInteraction(engine.Interaction{
					Tenant: "acme", EmployeeID: s.id, Text: honest, CustomerID: "c-" + s.id,
					OccurredAt: at.Add(time.Duration(k) * time.Minute), Evidence: next("holdfast.client.v1.InteractionLogged", at).Evidence,
				})
			}
			for k := range s.activity(d) {
				id := fmt.Sprintf("%s-%d-%d", s.id, d, k)
				e.ObserveOrderCreated(engine.OrderCreated{
					Tenant: "acme", OrderID: id, SellerID: s.id, AmountMinor: 100, Currency: "CNY",
					OccurredAt: at, Evidence: next("holdfast.order.v1.OrderCreated", at).Evidence,
				})
				step := engine.OrderStepLost
				if s.acc += s.rate(d); s.acc >= 10000 {
					s.acc -= 10000
					step = engine.OrderStepWon
				}
				e.ObserveOrderStep(engine.OrderStep{
					Tenant: "acme", OrderID: id, SellerID: s.id, Step: step, AmountMinor: 100, Currency: "CNY",
					OccurredAt: at.Add(time.Hour), Evidence: next("holdfast.order.v1.Step", at).Evidence,
				})
			}
		}
		tickAt := start.Add(time.Duration(d+1) * day)
		tk := next("holdfast.tick.v1.ClockTicked", tickAt)
		tk.Tenant, tk.At, tk.OccurredAt = "acme", tickAt, tickAt
		for _, ch := range e.ObserveTick(tk) {
			if ch.Alert.RuleID != engine.RuleConversionDrop {
				continue
			}
			if _, ok := first[ch.Alert.EmployeeID]; !ok {
				first[ch.Alert.EmployeeID] = d + 1
			}
			if ch.Version != 1 {
				t.Errorf("day %d: %s's alert extended to v%d; a collapse is reported once per window", d+1, ch.Alert.EmployeeID, ch.Version)
			}
			ex := ch.Alert.ExplanationEN
			if !strings.Contains(ex, "below 50% of both") || !strings.Contains(ex, "peers in the same unit and role") || !strings.Contains(ch.Alert.ExplanationZH, "中位数") {
				t.Errorf("explanation lacks the threshold or the peer baseline: %s", ex)
			}
			if len(ch.Alert.Evidence) < 2 {
				t.Errorf("evidence %v: want the tick and the recent order decisions", eventIDs(ch.Alert.Evidence))
			}
		}
	}
	return first
}

func TestConversionDrop(t *testing.T) {
	t.Parallel()
	noisy := func(bp int64, swing int64) func(int) int64 {
		return func(d int) int64 { return bp + swing*int64((d*7)%5-2)/2 } // ±swing around bp
	}
	peers := func() []*seller {
		return []*seller{
			{id: "p1", rate: noisy(4000, 800), activity: busy(1)},
			{id: "p2", rate: steady(3500), activity: busy(1)},
			{id: "p3", rate: noisy(4500, 1000), activity: busy(2)},
		}
	}
	for name, tt := range map[string]struct {
		subject *seller
		days    int
		// from and to bound the day the subject's alert must be raised
		// (0, 0: never).
		from, to int
	}{
		"collapse from 40% to 5% at day 120": {
			subject: &seller{id: "e1", rate: func(d int) int64 { return map[bool]int64{true: 4000, false: 500}[d < 120] }, activity: busy(1)},
			days:    160, from: 130, to: 150,
		},
		"slow drift from 40% to 8% over 300 days (caught late: the bound waits for the evidence)": {
			subject: &seller{id: "e1", rate: func(d int) int64 { return 4000 - int64(d)*32/3 }, activity: busy(1)},
			days:    380, from: 300, to: 380,
		},
		"honest: noise and a dip to 25%": {
			subject: &seller{id: "e1", rate: func(d int) int64 { return map[bool]int64{true: 2500, false: 4000}[d >= 100 && d < 130] }, activity: busy(1)},
			days:    160,
		},
		"honest: rate falls with activity (a quiet month)": {
			subject: &seller{
				id: "e1", rate: func(d int) int64 { return map[bool]int64{true: 500, false: 4000}[d >= 120] },
				activity: func(d int) int { return map[bool]int{true: 0, false: 2}[d >= 120 && d%3 != 0] },
			},
			days: 160,
		},
		"honest: a new seller with few decisions": {
			subject: &seller{id: "e1", rate: steady(0), activity: func(d int) int { return map[bool]int{true: 1, false: 0}[d >= 150 && d%5 == 0] }},
			days:    170,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first := simulateSales(t, tt.days, append(peers(), tt.subject)...)
			for _, p := range []string{"p1", "p2", "p3"} {
				if d, ok := first[p]; ok {
					t.Errorf("honest peer %s alerted on day %d", p, d)
				}
			}
			d, ok := first["e1"]
			switch {
			case tt.from == 0 && ok:
				t.Errorf("alerted on day %d, want no alert", d)
			case tt.from != 0 && !ok:
				t.Errorf("no alert within %d days, want one between days %d and %d", tt.days, tt.from, tt.to)
			case tt.from != 0 && (d < tt.from || d > tt.to):
				t.Errorf("alerted on day %d, want between days %d and %d", d, tt.from, tt.to)
			}
		})
	}
}
