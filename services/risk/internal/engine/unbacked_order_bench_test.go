package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

// BenchmarkUnbackedOrderCheck is one hour of a busy tenant: 11 orders
// created, won and (all but every tenth) paid and shipped, then the hour's
// tick. With the default deadlines about 5,000 orders are open at any
// time and some of them are due at every tick, so each tick runs the
// unbacked-order check. An op is one hour; -benchtime=2160x is 90 days.
// tick-ns/op is the ticks alone.
func BenchmarkUnbackedOrderCheck(b *testing.B) {
	const perHour, sellers = 11, 50
	e := newEngine()
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	seq, orders := 0, 0
	ev := func(typ string, at time.Time) domain.Evidence {
		seq++
		return domain.Evidence{EventID: fmt.Sprintf("evt-%d", seq), Stream: "RISK_IN", Sequence: uint64(seq), EventType: typ, OccurredAt: at}
	}
	var ticking time.Duration
	hour := func(h int) {
		at := start.Add(time.Duration(h) * time.Hour)
		for i := range perHour {
			orders++
			id, seller := fmt.Sprintf("o%d", orders), fmt.Sprintf("e%d", orders%sellers)
			when := at.Add(time.Duration(i) * time.Minute)
			e.ObserveOrderCreated(engine.OrderCreated{
				Tenant: "acme", OrderID: id, SellerID: seller, CustomerID: "c-" + id, AmountMinor: 100_000, Currency: "CNY",
				ClaimedSource: "trade_show", CustomerSource: "trade_show", OccurredAt: when, Evidence: ev("OrderCreated", when),
			})
			e.ObserveOrderStep(engine.OrderStep{
				Tenant: "acme", OrderID: id, SellerID: seller, Step: engine.OrderStepWon, AmountMinor: 100_000, Currency: "CNY",
				OccurredAt: when, Evidence: ev("OrderWon", when),
			})
			if orders%10 == 0 {
				continue // never backed: reported at its payment deadline
			}
			e.ObservePayment(engine.Payment{
				Tenant: "acme", OrderID: id, SellerID: seller, CustomerID: "c-" + id, AmountMinor: 100_000, Currency: "CNY",
				PayeeIsCompanyAccount: true, PayerRelation: "own", OrderAmountMinor: 100_000, PaidTotalMinor: 100_000,
				PaidToCompanyTotalMinor: 100_000, OccurredAt: when, Evidence: ev("PaymentRecorded", when),
			})
			e.ObserveOrderStep(engine.OrderStep{Tenant: "acme", OrderID: id, SellerID: seller, Step: engine.OrderStepShipped, OccurredAt: when, Evidence: ev("OrderShipped", when)})
		}
		tickAt := at.Add(time.Hour)
		began := time.Now()
		e.ObserveTick(engine.Tick{Tenant: "acme", At: tickAt, OccurredAt: tickAt, Evidence: ev("ClockTicked", tickAt)})
		ticking += time.Since(began)
	}
	const warmUp = 24 * 25 // past the last deadline of the first orders: the projection is steady
	for h := range warmUp {
		hour(h)
	}
	ticking = 0
	h := warmUp
	for b.Loop() {
		hour(h)
		h++
	}
	b.ReportMetric(float64(ticking.Nanoseconds())/float64(h-warmUp), "tick-ns/op")
}
