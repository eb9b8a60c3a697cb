package engine

import (
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// Judging an interaction that raises nothing allocates a few small
// things (its facts, its day's activity), never the observation itself:
// observe takes it by value, and one evaluation path that let its address
// escape (a function value called with it) put all six hundred bytes of
// it on the heap for every event, a fifth of what a replay allocated.
func TestObservingAllocatesNoObservation(t *testing.T) {
	e := snapEngine()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	in := Interaction{
		Tenant: "t", EmployeeID: "e1", CustomerID: "c1", Kind: "chat", Text: "王总您好，报价单已发邮箱，请查收",
		OccurredAt: at, Evidence: domain.Evidence{EventID: "ev", Stream: "RISK_IN", EventType: "holdfast.client.v1.InteractionLogged", OccurredAt: at},
	}
	in.Scanned = e.Scan(in.Text)
	if ch := e.ObserveInteraction(in); len(ch) != 0 {
		t.Fatalf("an honest interaction raised %d alerts", len(ch))
	}
	allocs := testing.AllocsPerRun(200, func() {
		in.OccurredAt = in.OccurredAt.Add(time.Minute)
		e.ObserveInteraction(in)
	})
	// Measured at 2 when this was written; the observation alone would
	// be one more, and so would any other per-event allocation.
	if allocs > 2 {
		t.Errorf("ObserveInteraction allocated %.1f times an event, want at most 2", allocs)
	}
}
