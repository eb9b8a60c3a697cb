package risksvc_test

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestRestartRestoresTheSnapshotAndJudgesOnlyTheTail runs the engine with
// a snapshot every few records, stops it, writes more history while it is
// down and starts it again: the new process must start from the latest
// snapshot (not from RISK_IN's first record), and RISK must then hold
// exactly what one clean replay of all of RISK_IN decides, each decision
// once.
func TestRestartRestoresTheSnapshotAndJudgesOnlyTheTail(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	const every = 7
	hr := principal("acme", "hr-1", auth.RoleHR)
	chats := func(stack *runningStack, round int) uint64 {
		var last uint64
		for i := range 4 {
			cc := env.clientAs(t, stack, principal("acme", fmt.Sprintf("sales-%02d", i), auth.RoleSales))
			customer := registerCustomer(t, cc, fmt.Sprintf("reg-%d-%02d", round, i))
			for j, text := range []string{privateDeal, cardTalk} {
				last = logChat(t, cc, fmt.Sprintf("chat-%d-%02d-%d", round, i, j), customer, text)
			}
		}
		return last
	}

	first := env.start(t, stackOptions{snapshotEvery: every})
	last := chats(first, 1)
	alertsAfter(t, env.riskAs(t, first, hr), last)
	first.stop() // waits for the snapshot being stored
	judged := env.riskInMessages(t)

	down := env.start(t, stackOptions{withoutRisk: true})
	last = chats(down, 2)
	down.stop()
	env.waitRiskIn(t, eventlog.StreamClient, last)

	second := env.start(t, stackOptions{snapshotEvery: every})
	alertsAfter(t, env.riskAs(t, second, hr), last)
	restored := gauge(t, second, "holdfast_risk_engine_restored_sequence")
	// Snapshots are taken every 7 records but stored one at a time, so the
	// last may lag a little behind the first run's end; it must not be the
	// start.
	if restored == 0 || restored > float64(judged) || restored < float64(judged)/2 {
		t.Errorf("restored from RISK_IN %v; want a late snapshot of the first run, which judged %d records", restored, judged)
	}

	clean, err := app.ReplayDecisions(t.Context(), env.log, engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	second.stop()
	stored := env.storedDecisions(t)
	if diff := cmp.Diff(clean, stored); diff != "" {
		t.Errorf("RISK after a restart from a snapshot differs from a clean replay (-clean, +stored):\n%s", diff)
	}

	// A damaged snapshot is not used: the engine replays from the start.
	bucket, err := env.log.JetStream().ObjectStore(t.Context(), app.SnapshotBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bucket.PutBytes(t.Context(), "engine-all", []byte("not a snapshot")); err != nil {
		t.Fatal(err)
	}
	third := env.start(t, stackOptions{snapshotEvery: every})
	alertsAfter(t, env.riskAs(t, third, hr), last)
	if restored := gauge(t, third, "holdfast_risk_engine_restored_sequence"); restored != 0 {
		t.Errorf("restored from a damaged snapshot at RISK_IN %v", restored)
	}
	third.stop()
	if diff := cmp.Diff(clean, env.storedDecisions(t)); diff != "" {
		t.Errorf("RISK after a restart with a damaged snapshot differs from a clean replay (-clean, +stored):\n%s", diff)
	}
}

// riskInMessages is how many records RISK_IN holds.
func (e *testEnv) riskInMessages(t *testing.T) uint64 {
	t.Helper()
	last, err := e.log.LastSequence(t.Context(), eventlog.StreamRiskIn)
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// gauge reads one gauge of the stack's registry.
func gauge(t *testing.T, stack *runningStack, name string) float64 {
	t.Helper()
	mfs, err := stack.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
