package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/lexicon"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// BenchmarkConversionReview is one day of a tenant of 1,000 sellers in 20
// teams: each seller logs four interactions and decides two orders (won
// at 60%), then the day's first tick reviews every seller. An op is one
// day; review-ns/op is the review alone, the tick's other checks run
// before it untimed. Won orders are paid and shipped.
func BenchmarkConversionReview(b *testing.B) {
	const sellers, teams = 1000, 20
	e := New(lexicon.Default(), DefaultSensitiveWords())
	seq := 0
	evidence := func(typ string, at time.Time) domain.Evidence {
		seq++
		return domain.Evidence{EventID: fmt.Sprintf("evt-%d", seq), Stream: "RISK_IN", Sequence: uint64(seq), EventType: typ, OccurredAt: at}
	}
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	ids := make([]string, sellers)
	for i := range ids {
		ids[i] = fmt.Sprintf("e%04d", i)
		e.RecordStaff(StaffEvent{
			Tenant: "acme", EmployeeID: ids[i], Kind: StaffHired, OrgUnitID: fmt.Sprintf("team-%d", i%teams),
			Role: "sales", Date: "2026-01-05", OccurredAt: start,
		})
	}
	orders := 0
	var reviewing time.Duration
	day := func(d int) {
		at := start.Add(time.Duration(d) * 24 * time.Hour)
		for i, id := range ids {
			when := at.Add(time.Duration(9*3600+i*20) * time.Second)
			for range 4 {
				e.ObserveInteraction(Interaction{
					Tenant: "acme", EmployeeID: id, Text: "Following up on the quote we sent on Monday.", CustomerID: "c-" + id,
					OccurredAt: when, Evidence: evidence("holdfast.client.v1.InteractionLogged", when),
				})
			}
			for range 2 {
				orders++
				step := OrderStepLost
				if orders%5 < 3 {
					step = OrderStepWon
				}
				order := fmt.Sprintf("o%d", orders)
				e.ObserveOrderCreated(OrderCreated{
					Tenant: "acme", OrderID: order, SellerID: id, CustomerID: "c-" + id, AmountMinor: 100, Currency: "CNY",
					ClaimedSource: "trade_show", CustomerSource: "trade_show", OccurredAt: when, Evidence: evidence("holdfast.order.v1.OrderCreated", when),
				})
				e.ObserveOrderStep(OrderStep{
					Tenant: "acme", OrderID: order, SellerID: id, Step: step, AmountMinor: 100, Currency: "CNY",
					OccurredAt: when, Evidence: evidence("holdfast.order.v1.Step", when),
				})
				if step == OrderStepLost {
					continue
				}
				e.ObservePayment(Payment{
					Tenant: "acme", OrderID: order, SellerID: id, CustomerID: "c-" + id, AmountMinor: 100, Currency: "CNY",
					PayeeIsCompanyAccount: true, PayerRelation: "own", OrderAmountMinor: 100, PaidTotalMinor: 100,
					PaidToCompanyTotalMinor: 100, OccurredAt: when, Evidence: evidence("holdfast.order.v1.PaymentRecorded", when),
				})
				e.ObserveOrderStep(OrderStep{
					Tenant: "acme", OrderID: order, SellerID: id, Step: OrderStepShipped, OccurredAt: when,
					Evidence: evidence("holdfast.order.v1.OrderShipped", when),
				})
			}
		}
		tickAt := at.Add(24 * time.Hour)
		tick := Tick{Tenant: "acme", At: tickAt, OccurredAt: tickAt, Evidence: evidence("holdfast.tick.v1.ClockTicked", tickAt)}
		// ObserveTick's checks, the review alone timed.
		e.pruneProjections(tick)
		e.pruneExports(tick)
		e.judgeNeglect(tick)
		e.unbackedOrderCheck(tick)
		began := time.Now()
		e.conversionCheck(tick)
		reviewing += time.Since(began)
		e.churnCheck(tick)
	}
	const warmUp = 130 // past the look-back: the projection is steady
	for d := range warmUp {
		day(d)
	}
	reviewing = 0
	d := warmUp
	for b.Loop() {
		day(d)
		d++
	}
	b.ReportMetric(float64(reviewing.Nanoseconds())/float64(d-warmUp), "review-ns/op")
}
