package engine

import (
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// TestLateOrderEventBringsTheOrderCheckForward: the order check skips
// ticks before the earliest time any order is due, so every order event
// must bring that time forward. An order created long ago whose creation
// arrives late is idle past orderIdleHorizon at once, and the next tick
// must drop it, as a check of every order at every tick would.
func TestLateOrderEventBringsTheOrderCheckForward(t *testing.T) {
	t.Parallel()
	e := newTestEngine(t)
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ev := domain.Evidence{EventID: "x"}
	e.ObserveOrderStep(OrderStep{Tenant: "t", OrderID: "won", SellerID: "s", Step: OrderStepWon, AmountMinor: 100, Currency: "CNY", OccurredAt: now, Evidence: ev})
	e.ObserveTick(Tick{Tenant: "t", At: now.Add(time.Hour)}) // sets the next check ~15 days out
	if _, ok := e.ordersNext["t"]; !ok {
		t.Fatal("the tick left no next check time")
	}
	late := now.Add(-100 * 24 * time.Hour)
	e.ObserveOrderCreated(OrderCreated{Tenant: "t", OrderID: "old", SellerID: "s", AmountMinor: 5, Currency: "CNY", OccurredAt: late, Evidence: ev})
	e.ObserveTick(Tick{Tenant: "t", At: now.Add(2 * time.Hour)})
	if _, held := e.orders["t"]["old"]; held {
		t.Error("an order idle for 100 days is still held after the next tick")
	}
	if _, held := e.orders["t"]["won"]; !held {
		t.Error("the started order was dropped")
	}
}
