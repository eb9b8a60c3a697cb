package risksvc_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestKillDuringReplayLosesAndDuplicatesNothing writes a history while the
// risk service is down, then starts it and kills it (cancels its context)
// at a random point while the engine replays RISK_IN and appends its
// decisions, twice, before a last start runs to the end. RISK must then
// hold exactly what a clean replay decides, byte for byte, each decision
// once. The seed is logged: a failure replays with HOLDFAST_KILL_SEED.
func TestKillDuringReplayLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	clientOnly := env.start(t, stackOptions{withoutRisk: true})
	const employees = 8
	var last uint64
	for i := range employees {
		cc := env.clientAs(t, clientOnly, principal("acme", fmt.Sprintf("sales-%02d", i), auth.RoleSales))
		customer := registerCustomer(t, cc, fmt.Sprintf("reg-%02d", i))
		for j, text := range []string{privateDeal, cardTalk, privateDeal} {
			last = logChat(t, cc, fmt.Sprintf("chat-%02d-%d", i, j), customer, text)
		}
	}
	clientOnly.stop()
	env.waitRiskIn(t, eventlog.StreamClient, last)

	clean, err := app.ReplayDecisions(t.Context(), env.log, engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if len(clean) < 2*employees {
		t.Fatalf("a clean replay decides %d times; the test needs a long replay to kill", len(clean))
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HOLDFAST_KILL_SEED"); s != "" {
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("HOLDFAST_KILL_SEED: %v", err)
		}
	}
	t.Logf("kill seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	for round := range 2 {
		// Kill before the last decision, so that the next start has work.
		written := env.riskMessages(t)
		if written+1 >= uint64(len(clean)) {
			break // an earlier round's kill came late
		}
		killAt := written + 1 + rng.Uint64N(uint64(len(clean))-1-written)
		stack := env.start(t, stackOptions{})
		env.stopAtRisk(t, stack, killAt)
		t.Logf("round %d: killed after RISK %d (asked for %d of %d)", round, env.riskMessages(t), killAt, len(clean))
	}

	final := env.start(t, stackOptions{})
	alertsAfter(t, env.riskAs(t, final, principal("acme", "hr-1", auth.RoleHR)), last)
	stored := env.storedDecisions(t)
	if diff := cmp.Diff(clean, stored); diff != "" {
		t.Errorf("RISK after kills differs from a clean replay (-clean, +stored):\n%s", diff)
	}
	seen := map[string]bool{}
	for _, d := range stored {
		key := fmt.Sprintf("%s/%d", d.AlertID, d.Version)
		if seen[key] {
			t.Errorf("decision %s appended twice", key)
		}
		seen[key] = true
	}
}

// stopAtRisk stops the stack as soon as RISK holds seq messages: it follows
// RISK and cancels the stack from the handler that sees message seq, while
// the engine is still appending.
func (e *testEnv) stopAtRisk(t *testing.T, stack *runningStack, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	err := e.log.Follow(ctx, eventlog.StreamRisk, func(_ context.Context, rec eventlog.Record) error {
		if rec.Sequence >= seq {
			stack.stop()
			cancel()
		}
		return nil
	}, eventlog.FollowOptions{From: seq})
	if err != nil && ctx.Err() == nil {
		t.Fatalf("follow RISK to %d: %v", seq, err)
	}
}
