package engine_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// callDay is what one employee does on one day of a churn simulation.
type callDay struct {
	calls  map[string]time.Duration // customer → call length
	chats  []string                 // customers written to
	cancel []string                 // customers whose order is cancelled
}

// simulateCalls runs one employee's days (each customer has one open
// order from the start), ticking every midnight, and returns the
// customer_churn_cluster changes.
func simulateCalls(t *testing.T, days map[int]callDay, total int) []engine.Change {
	t.Helper()
	f := newOrderFeed()
	start := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	ordered := map[string]bool{}
	for d := range total {
		at := start.Add(time.Duration(d)*day + 10*time.Hour)
		today := days[d]
		customers := make([]string, 0, len(today.calls))
		for c := range today.calls {
			customers = append(customers, c)
		}
		slices.Sort(customers)
		for i, c := range customers {
			if !ordered[c] {
				ordered[c] = true
				f.keep(f.e.ObserveOrderCreated(engine.OrderCreated{
					Tenant: "acme", OrderID: "o-" + c, SellerID: "e1", CustomerID: c,
					AmountMinor: 100, Currency: "CNY", OccurredAt: at, Evidence: f.evidence("ORDER", "holdfast.order.v1.OrderCreated", at),
				}))
			}
			when := at.Add(time.Duration(i) * time.Minute)
			f.keep(f.e.ObserveInteraction(engine.Interaction{
				Tenant: "acme", EmployeeID: "e1", CustomerID: c, Text: honest,
				Kind: "call", Duration: today.calls[c], OccurredAt: when, Evidence: f.evidence("CLIENT", "holdfast.client.v1.InteractionLogged", when),
			}))
		}
		for _, c := range today.chats {
			f.keep(f.e.ObserveInteraction(engine.Interaction{
				Tenant: "acme", EmployeeID: "e1", CustomerID: c, Text: honest,
				Kind: "chat", OccurredAt: at.Add(time.Hour), Evidence: f.evidence("CLIENT", "holdfast.client.v1.InteractionLogged", at),
			}))
		}
		for _, c := range today.cancel {
			f.step("o-"+c, "e1", engine.OrderStepCancelled, at.Add(2*time.Hour))
		}
		f.ticks(start.Add(time.Duration(d)*day), start.Add(time.Duration(d+1)*day))
	}
	return ofRule(f.changes, engine.RuleCustomerChurnCluster)
}

// routine is twenty days of ordinary five-minute calls with twenty
// customers, which set the employee's median.
func routine(length time.Duration) map[int]callDay {
	days := map[int]callDay{}
	for d := range 20 {
		days[d] = callDay{calls: map[string]time.Duration{fmt.Sprintf("r%02d", d): length + time.Duration(d%5)*10*time.Second}}
	}
	return days
}

func TestCustomerChurnCluster(t *testing.T) {
	t.Parallel()
	long := 25 * time.Minute
	for name, tt := range map[string]struct {
		days      func() map[int]callDay
		wantCount int64 // evidence count of the alert (0: no alert)
		wantHow   string
	}{
		"three customers leave after long calls": {
			days: func() map[int]callDay {
				days := routine(5 * time.Minute)
				days[21] = callDay{calls: map[string]time.Duration{"c1": long}}
				days[22] = callDay{calls: map[string]time.Duration{"c2": long}}
				days[23] = callDay{calls: map[string]time.Duration{"c3": long}}
				days[28] = callDay{cancel: []string{"c1"}}
				return days
			},
			wantCount: 3, wantHow: "silent",
		},
		"H1: a top performer's calls are all long": {
			days: func() map[int]callDay {
				days := routine(long)
				days[21] = callDay{calls: map[string]time.Duration{"c1": long}}
				days[22] = callDay{calls: map[string]time.Duration{"c2": long}}
				days[23] = callDay{calls: map[string]time.Duration{"c3": long}}
				days[28] = callDay{cancel: []string{"c1", "c2", "c3"}}
				return days
			},
		},
		"honest: one cancellation after a long call": {
			days: func() map[int]callDay {
				days := routine(5 * time.Minute)
				days[21] = callDay{calls: map[string]time.Duration{"c1": long}}
				days[25] = callDay{cancel: []string{"c1"}}
				return days
			},
		},
		"honest: long calls with customers who stay in touch": {
			days: func() map[int]callDay {
				days := routine(5 * time.Minute)
				days[21] = callDay{calls: map[string]time.Duration{"c1": long, "c2": long, "c3": long}}
				for d := 26; d < 70; d += 7 {
					days[d] = callDay{chats: []string{"c1", "c2", "c3"}}
				}
				return days
			},
		},
		"honest: a new employee's first long calls": {
			days: func() map[int]callDay {
				days := map[int]callDay{}
				for i, c := range []string{"c1", "c2", "c3", "c4"} {
					days[i] = callDay{calls: map[string]time.Duration{c: long / time.Duration(i+1)}}
				}
				days[5] = callDay{cancel: []string{"c1", "c2", "c3", "c4"}}
				return days
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := simulateCalls(t, tt.days(), 70)
			if tt.wantCount == 0 {
				if len(got) != 0 {
					t.Fatalf("alerted: %s", got[0].Alert.ExplanationEN)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d changes, want 1", len(got))
			}
			a := got[0].Alert
			var calls, cancels int
			for _, ev := range a.Evidence {
				switch {
				case ev.Stream == "CLIENT":
					calls++
				case strings.HasPrefix(ev.EventType, "holdfast.order.v1.Step"):
					cancels++
				}
			}
			if a.EmployeeID != "e1" || calls != 3 || cancels != 1 || a.Severity.String() != "medium" {
				t.Errorf("alert on %s, %v, with %d calls and %d cancellations as evidence; want e1, medium, 3 and 1", a.EmployeeID, a.Severity, calls, cancels)
			}
			ex := a.ExplanationEN
			if !strings.Contains(ex, "3 of employee e1's customers") || !strings.Contains(ex, "no interaction for 14 days, 14 days after a call of 1500 s") ||
				!strings.Contains(ex, "median call lasts 320 s") || !strings.Contains(ex, "1500 s") {
				t.Errorf("explanation: %s", ex)
			}
		})
	}
}

// Replaying the same calls, cancellations and ticks decides the same,
// alert ids and evidence order included.
func TestCustomerChurnClusterDeterministic(t *testing.T) {
	t.Parallel()
	days := func() map[int]callDay {
		days := routine(5 * time.Minute)
		days[21] = callDay{calls: map[string]time.Duration{"c1": time.Hour, "c2": time.Hour, "c3": time.Hour, "c4": time.Hour}}
		days[24] = callDay{cancel: []string{"c2", "c4"}}
		return days
	}
	first, second := simulateCalls(t, days(), 60), simulateCalls(t, days(), 60)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("replay decided differently (-first, +second):\n%s", diff)
	}
	if len(first) != 2 || first[1].Alert.Severity.String() != "medium" || len(first[0].Alert.Evidence) != 5 {
		t.Errorf("got %d changes; want the alert raised with 3 calls and 2 cancellations, then extended by the fourth customer", len(first))
	}
}
