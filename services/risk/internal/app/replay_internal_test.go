package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	tickv1 "github.com/holdfast/holdfast/proto/holdfast/tick/v1"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// A replay judging tenants on several goroutines decides what one
// goroutine decides, in the same order to the byte, and leaves the same
// engine state: four tenants' interleaved chats (sensitive and not),
// reveals and ticks, replayed on one, two and three goroutines.
func TestReplayOnSeveralGoroutinesDecidesAsOne(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	log := replayHistory(t)

	replay := func(n int) ([]Decision, []byte) {
		eng := engine.New(lexicon.Default(), engine.DefaultSensitiveWords())
		decisions, err := replayWith(ctx, log, eng, slog.New(slog.DiscardHandler), nil, n)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := eng.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		return decisions, snap
	}
	one, oneSnap := replay(1)
	if len(one) < 8 {
		t.Fatalf("the history makes %d decisions; the test needs several per tenant", len(one))
	}
	// Cut short part-way, or by a judge's error, a replay on one or
	// several goroutines returns that error, and replayWith no decisions:
	// a part of them is not what the history decides.
	errJudge := errors.New("judge fails")
	for _, n := range []int{1, 2, 3} {
		for _, cut := range []string{"cancel", "error"} {
			cutShort, cancel := context.WithCancel(ctx)
			judges := make([]*replayJudge, n)
			taken := 0
			var mu sync.Mutex // judges take on goroutines of their own
			for i := range judges {
				j := &replayJudge{app: &App{engine: engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), logger: slog.New(slog.DiscardHandler)}}
				j.take = func(d Decision, seq uint64) error {
					mu.Lock()
					defer mu.Unlock()
					if taken++; taken == len(one)/2 {
						if cut == "error" {
							return errJudge
						}
						cancel()
					}
					return j.keep(d, seq)
				}
				judges[i] = j
			}
			err := followReplay(cutShort, log, nil, judges)
			cancel()
			want := map[string]error{"cancel": context.Canceled, "error": errJudge}[cut]
			if !errors.Is(err, want) {
				t.Errorf("a replay on %d goroutines cut short by %s at decision %d: error %v, want %v", n, cut, len(one)/2, err, want)
			}
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if got, err := replayWith(cancelled, log, engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), slog.New(slog.DiscardHandler), nil, 2); err == nil || got != nil {
		t.Errorf("a cancelled replay: %d decisions, error %v; want none and an error", len(got), err)
	}
	for _, n := range []int{2, 3} {
		got, snap := replay(n)
		if diff := cmp.Diff(one, got); diff != "" {
			t.Errorf("decisions on %d goroutines (-one, +%d):\n%s", n, n, diff)
		}
		if !bytes.Equal(oneSnap, snap) {
			t.Errorf("the engine replayed on %d goroutines differs from the one replayed on one", n)
		}
	}
}

// ReplayEach hands over, one at a time and in order, the decisions
// ReplayDecisions returns, though each payload is marshalled into the
// memory of the one before; an error of the callback ends the replay with
// it, after no further decision, and so does a cancelled context.
func TestReplayEachHandsOverWhatReplayDecisionsKeeps(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	log := replayHistory(t)
	discard := slog.New(slog.DiscardHandler)
	fresh := func() *engine.Engine { return engine.New(lexicon.Default(), engine.DefaultSensitiveWords()) }
	want, err := ReplayDecisions(ctx, log, fresh(), discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 8 {
		t.Fatalf("the history makes %d decisions; the test needs several", len(want))
	}
	var got []Decision
	err = ReplayEach(ctx, log, fresh(), discard, func(d Decision) error {
		got = append(got, Decision{AlertID: d.AlertID, Version: d.Version, Payload: bytes.Clone(d.Payload)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReplayEach's decisions (-ReplayDecisions, +ReplayEach):\n%s", diff)
	}

	stopAt := len(want) / 2
	errStop := errors.New("stop here")
	calls := 0
	err = ReplayEach(ctx, log, fresh(), discard, func(Decision) error {
		calls++
		if calls == stopAt {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) || calls != stopAt {
		t.Errorf("a callback failing at decision %d: error %v after %d calls, want %v after %d", stopAt, err, calls, errStop, stopAt)
	}

	cancelled, cancel := context.WithCancel(ctx)
	calls = 0
	err = ReplayEach(cancelled, log, fresh(), discard, func(Decision) error {
		calls++
		if calls == stopAt {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a replay whose context is cancelled at decision %d: error %v, want context.Canceled", stopAt, err)
	}
}

// replayHistory is a RISK_IN of four tenants' interleaved chats
// (sensitive and not), reveals and ticks.
func replayHistory(t *testing.T) *eventlog.Log {
	t.Helper()
	_, log := testkit.StartEventLog(t)
	ctx := t.Context()
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	texts := []string{"加我私人微信，这单我们走私单", "王总您好，报价单已发邮箱，请查收", "钱直接打到我卡上就行"}
	clocks := map[string]eventlog.Position{}
	for i := range 120 {
		tenant := fmt.Sprintf("t%d", i%4)
		at := start.Add(time.Duration(i) * 7 * time.Minute)
		req := eventlog.AppendRequest{
			Ref: eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "interaction", ID: fmt.Sprintf("i%d", i)}, RequestID: fmt.Sprintf("r%d", i),
			ActorID: "e1", OccurredAt: at,
			Payload: &clientv1.InteractionLogged{InteractionId: fmt.Sprintf("i%d", i), CustomerId: "c1", EmployeeId: fmt.Sprintf("e%d", i%3), Text: texts[i%len(texts)]},
		}
		switch i % 5 {
		case 3:
			req.Ref.Type = "reveal"
			req.Payload = &clientv1.ContactRevealed{CustomerId: fmt.Sprintf("c%d", i), EmployeeId: fmt.Sprintf("e%d", i%3), Field: clientv1.ContactField_CONTACT_FIELD_PHONE, Reason: "跟进"}
		case 4:
			hour := at.Truncate(time.Hour)
			req.Ref = eventlog.AggregateRef{Context: "tick", Tenant: tenant, Type: "clock", ID: tenant}
			req.Payload = &tickv1.ClockTicked{At: timestamppb.New(hour), Mode: tickv1.ClockMode_CLOCK_MODE_EXTERNAL}
			req.After = clocks[tenant]
		}
		res, err := log.Append(ctx, req)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if i%5 == 4 {
			clocks[tenant] = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
		}
	}
	waitRiskIn(t, log, 120)
	return log
}
