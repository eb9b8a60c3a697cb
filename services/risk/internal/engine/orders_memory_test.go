package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// The order projection is bounded: every order leaves it — honest ones
// after their last deadline, reported ones at once, unstarted ones after
// orderIdleHorizon, ended ones at their end — and an order paid in many
// instalments keeps at most orderEvidenceCap events.
func TestOrderProjectionIsBounded(t *testing.T) {
	t.Parallel()
	e := New(lexicon.Default(), DefaultSensitiveWords())
	start := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	seq := 0
	ev := func(at time.Time) domain.Evidence {
		seq++
		return domain.Evidence{EventID: fmt.Sprintf("evt-%d", seq), Stream: "ORDER", Sequence: uint64(seq), OccurredAt: at}
	}
	for i := range 300 {
		id := fmt.Sprintf("o%d", i)
		at := start.Add(time.Duration(i) * time.Minute)
		e.ObserveOrderCreated(OrderCreated{Tenant: "acme", OrderID: id, SellerID: "e1", AmountMinor: 100_000, Currency: "CNY", OccurredAt: at, Evidence: ev(at)})
		switch i % 3 {
		case 0: // honest, paid in 40 instalments
			e.ObserveOrderStep(OrderStep{Tenant: "acme", OrderID: id, SellerID: "e1", Step: OrderStepWon, AmountMinor: 100_000, Currency: "CNY", OccurredAt: at, Evidence: ev(at)})
			for k := range 40 {
				e.ObservePayment(Payment{
					Tenant: "acme", OrderID: id, SellerID: "e1", AmountMinor: 2_500, Currency: "CNY", PayeeIsCompanyAccount: true, PayerRelation: "own",
					OrderAmountMinor: 100_000, PaidTotalMinor: int64(k+1) * 2_500, PaidToCompanyTotalMinor: int64(k+1) * 2_500, OccurredAt: at, Evidence: ev(at),
				})
			}
			e.ObserveOrderStep(OrderStep{Tenant: "acme", OrderID: id, SellerID: "e1", Step: OrderStepShipped, OccurredAt: at, Evidence: ev(at)})
			if n := len(e.orders["acme"][id].evidence); n != orderEvidenceCap {
				t.Fatalf("order %s keeps %d events, want %d", id, n, orderEvidenceCap)
			}
		case 1: // won, never backed: reported, then dropped
			e.ObserveOrderStep(OrderStep{Tenant: "acme", OrderID: id, SellerID: "e1", Step: OrderStepWon, OccurredAt: at, Evidence: ev(at)})
		case 2: // a draft nobody touches again
		}
	}
	if n := len(e.orders["acme"]); n != 300 {
		t.Fatalf("projection holds %d orders, want 300", n)
	}
	var reported int
	for at := start.Truncate(time.Hour).Add(time.Hour); at.Before(start.Add(orderIdleHorizon + 2*24*time.Hour)); at = at.Add(time.Hour) {
		for _, ch := range e.ObserveTick(Tick{Tenant: "acme", At: at, OccurredAt: at, Evidence: ev(at)}) {
			if ch.Alert.RuleID == RuleUnbackedOrder {
				reported++
			}
		}
		if at.Equal(start.Add(25 * 24 * time.Hour).Truncate(time.Hour)) {
			if n := len(e.orders["acme"]); n != 100 {
				t.Errorf("after the deadlines the projection holds %d orders, want the 100 drafts", n)
			}
		}
	}
	if reported != 100 {
		t.Errorf("%d unbacked orders reported, want 100", reported)
	}
	if len(e.orders) != 0 {
		t.Errorf("projection still holds %d tenants' orders after the idle horizon", len(e.orders))
	}
}

// The call and sales-activity projections keep, per employee, at most
// callHistoryCap durations, long calls only until their churn window has
// passed, and daily counts only for activityDays.
func TestCallAndActivityProjectionsAreBounded(t *testing.T) {
	t.Parallel()
	e := New(lexicon.Default(), DefaultSensitiveWords())
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	seq := 0
	ev := func(at time.Time) domain.Evidence {
		seq++
		return domain.Evidence{EventID: fmt.Sprintf("evt-%d", seq), Stream: "CLIENT", Sequence: uint64(seq), OccurredAt: at}
	}
	tick := func(at time.Time) { e.ObserveTick(Tick{Tenant: "acme", At: at, OccurredAt: at, Evidence: ev(at)}) }
	key := employeeKey{"acme", "e1"}
	for d := range 200 {
		day := start.Add(time.Duration(d) * 24 * time.Hour)
		for i := range 5 {
			at := day.Add(time.Duration(9*60+i) * time.Minute)
			length := 5 * time.Minute
			if i == 4 {
				length = time.Hour // one unusually long call a day, each with a new customer
			}
			e.ObserveInteraction(Interaction{Tenant: "acme", EmployeeID: "e1", CustomerID: fmt.Sprintf("c%d-%d", d, i), Kind: "call", Duration: length, OccurredAt: at, Evidence: ev(at)})
		}
		tick(day.Add(24 * time.Hour))
	}
	h, _ := e.calls.get(key)
	if len(h.seconds) != callHistoryCap {
		t.Errorf("%d call durations kept, want %d", len(h.seconds), callHistoryCap)
	}
	if n := len(h.long); n == 0 || n > 45 {
		t.Errorf("%d long calls kept, want those of the last within_days + silent_days (44) days", n)
	}
	if n := len(h.churned); n == 0 || n > 31 {
		t.Errorf("%d churns kept, want those of the last within_days (30) days", n)
	}
	if a, _ := e.sales.get(key); len(a.days) != activityDays {
		t.Errorf("%d days of activity kept, want %d", len(a.days), activityDays)
	}
}
