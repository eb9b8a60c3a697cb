package app

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

func newClockApp(t *testing.T) *App {
	t.Helper()
	_, log := testkit.StartEventLog(t)
	lex := lexicon.Default()
	a, err := New(log, store.NewMemory(), engine.New(lex, engine.DefaultSensitiveWords()), lex, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (a *App) clockOf(t *testing.T, tenant string) domain.Clock {
	t.Helper()
	c, _, err := a.loadClock(t.Context(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLiveSchedulerAndAdvanceClockShareNoTenant: the scheduler ticks the
// tenants seen in RISK_IN once per wall-clock hour, never a tenant whose
// clock AdvanceClock moved, and AdvanceClock refuses a live clock. The
// wall clock is injected: no test waits for an hour.
func TestLiveSchedulerAndAdvanceClockShareNoTenant(t *testing.T) {
	t.Parallel()
	a := newClockApp(t)
	ctx := t.Context()
	admin := Actor{Tenant: "sim", EmployeeID: "admin-1", Roles: []string{"admin"}}
	simStart := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	res, err := a.AdvanceClock(ctx, admin, simStart, simStart.Add(5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Ticks != 6 || !res.LastTick.Equal(simStart.Add(5*time.Hour)) || res.Sequence == 0 {
		t.Fatalf("advance = %+v, want 6 ticks up to %s", res, simStart.Add(5*time.Hour))
	}

	a.noteTenant("acme")
	a.noteTenant("sim")
	wall := time.Date(2026, 5, 1, 10, 42, 0, 0, time.UTC)
	for _, step := range []struct {
		now  time.Time
		want int
	}{
		{wall, 1},                                  // acme's first tick, 10:00
		{wall.Add(10 * time.Minute), 0},            // same hour: already ticked
		{wall.Add(time.Hour), 1},                   // 11:00
		{wall.Add(3*time.Hour + time.Minute), 1},   // 13:00; 12:00 was missed and is not replayed
		{wall.Add(3*time.Hour + 2*time.Minute), 0}, // again the same hour
	} {
		n, err := a.TickLiveClocks(ctx, step.now)
		if err != nil || n != step.want {
			t.Errorf("TickLiveClocks(%s) = %d, %v; want %d", step.now.Format(time.TimeOnly), n, err, step.want)
		}
	}
	if got, want := a.clockOf(t, "acme"), (domain.Clock{LastTick: time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC), Mode: domain.ClockLive}); got != want {
		t.Errorf("acme's clock = %+v, want %+v", got, want)
	}
	if got, want := a.clockOf(t, "sim"), (domain.Clock{LastTick: simStart.Add(5 * time.Hour), Mode: domain.ClockExternal}); got != want {
		t.Errorf("the live scheduler moved sim's external clock: %+v, want %+v", got, want)
	}

	_, err = a.AdvanceClock(ctx, Actor{Tenant: "acme", EmployeeID: "admin-1", Roles: []string{"admin"}}, time.Time{}, wall.Add(48*time.Hour))
	if !errors.Is(err, domain.ErrPrecondition) {
		t.Errorf("AdvanceClock on a live clock: %v, want ErrPrecondition", err)
	}
	_, err = a.AdvanceClock(ctx, admin, time.Time{}, simStart.Add(time.Hour))
	if !errors.Is(err, domain.ErrPrecondition) {
		t.Errorf("AdvanceClock back in time: %v, want ErrPrecondition", err)
	}
	again, err := a.AdvanceClock(ctx, admin, time.Time{}, simStart.Add(5*time.Hour+30*time.Minute))
	if err != nil || again.Ticks != 0 || again.Sequence != res.Sequence {
		t.Errorf("a retried advance = %+v, %v; want no ticks at TICK %d", again, err, res.Sequence)
	}
	_, err = a.AdvanceClock(ctx, Actor{Tenant: "sim", EmployeeID: "hr-1", Roles: []string{"hr"}}, time.Time{}, simStart.Add(9*time.Hour))
	if !errors.Is(err, domain.ErrPermissionDenied) {
		t.Errorf("AdvanceClock as hr: %v, want ErrPermissionDenied", err)
	}

	// Whoever decided on a stale position loses: the append expects the
	// clock's last sequence, so the scheduler and AdvanceClock cannot both
	// tick after the same tick.
	_, pos, err := a.loadClock(ctx, "sim")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AdvanceClock(ctx, admin, time.Time{}, simStart.Add(6*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = a.appendTick(ctx, "sim", schedulerActor, domain.ClockLive, wall, pos)
	if !errors.Is(err, eventlog.ErrConflict) {
		t.Errorf("a tick on a stale position: %v, want ErrConflict", err)
	}
}

// TestRunClockTicksOnceCaughtUp runs the scheduler's loop with an injected
// wall clock: once the engine has caught up it ticks every known tenant,
// then waits for the next hour until its context ends.
func TestRunClockTicksOnceCaughtUp(t *testing.T) {
	t.Parallel()
	a := newClockApp(t)
	wall := time.Date(2026, 5, 1, 10, 42, 0, 0, time.UTC)
	a.now = func() time.Time { return wall }
	a.noteTenant("acme")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- a.RunClock(ctx) }()
	close(a.engineCaughtUp)

	// Wait on the tick itself: follow TICK until its first event arrives.
	var msg uint64
	watch, stopWatch := context.WithCancel(t.Context())
	defer stopWatch()
	err := a.log.Follow(watch, eventlog.StreamTick, func(_ context.Context, rec eventlog.Record) error {
		msg = rec.Sequence
		stopWatch()
		return nil
	}, eventlog.FollowOptions{})
	if err != nil && watch.Err() == nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunClock: %v", err)
	}
	if got, want := a.clockOf(t, "acme"), (domain.Clock{LastTick: wall.Truncate(time.Hour), Mode: domain.ClockLive}); got != want || msg != 1 {
		t.Errorf("acme's clock = %+v at TICK %d, want %+v at TICK 1", got, msg, want)
	}
}
