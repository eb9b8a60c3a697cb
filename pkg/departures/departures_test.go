package departures_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/holdfast/holdfast/pkg/departures"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestTrackerDeparted(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	appendEvent := func(tenant, id, requestID string, payload *attendancev1.EmployeeDeparted) uint64 {
		t.Helper()
		a, err := log.Append(ctx, eventlog.AppendRequest{
			Ref:       eventlog.AggregateRef{Context: "attendance", Tenant: tenant, Type: "employee", ID: id},
			RequestID: requestID, ActorID: "hr1", OccurredAt: time.Now(), Payload: payload,
		})
		if err != nil {
			t.Fatalf("append: %v", err)
		}
		return a.Sequence
	}
	// Written before the tracker starts: learnt by catching up.
	appendEvent("acme", "e1", "r1", &attendancev1.EmployeeDeparted{EmployeeId: "e1", LastDay: "2026-03-31"})

	tracker := departures.NewTracker(log)
	if err := tracker.Ready(ctx); err == nil {
		t.Error("Ready before Run = nil, want not caught up")
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- tracker.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-tracker.CaughtUp():
	case <-ctx.Done():
		t.Fatal("tracker never caught up")
	}
	if err := tracker.Ready(ctx); err != nil {
		t.Errorf("Ready after catching up: %v", err)
	}

	// Written while following: learnt once its sequence is applied.
	seq := appendEvent("globex", "e3", "r2", &attendancev1.EmployeeDeparted{EmployeeId: "e3", LastDay: "2026-04-30"})
	if err := tracker.WaitApplied(ctx, seq); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, tenant, subject string
		want                  bool
	}{
		{"departed before start", "acme", "e1", true},
		{"departed while following", "globex", "e3", true},
		{"still employed", "acme", "e2", false},
		{"same id in another tenant", "globex", "e1", false},
		{"other tenant's departure", "acme", "e3", false},
	}
	for _, tc := range cases {
		if got := tracker.Departed(tc.tenant, tc.subject); got != tc.want {
			t.Errorf("%s: Departed(%q, %q) = %v, want %v", tc.name, tc.tenant, tc.subject, got, tc.want)
		}
	}
}
