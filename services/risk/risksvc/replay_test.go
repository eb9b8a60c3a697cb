package risksvc_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// storedDecisions reads every alert event the live engine appended to RISK.
func (e *testEnv) storedDecisions(t *testing.T) []app.Decision {
	t.Helper()
	var out []app.Decision
	err := e.log.Follow(t.Context(), eventlog.StreamRisk, func(_ context.Context, rec eventlog.Record) error {
		ref, err := eventlog.ParseSubject(rec.Subject)
		if err != nil || ref.Type != "alert" {
			return err
		}
		msg, err := rec.Payload()
		if err != nil {
			return err
		}
		b, err := app.MarshalDecision(msg)
		if err != nil {
			return err
		}
		out = append(out, app.Decision{AlertID: ref.ID, Version: rec.Envelope.GetAggregateVersion(), Payload: b})
		return nil
	}, eventlog.FollowOptions{StopAtEnd: true})
	if err != nil {
		t.Fatalf("read RISK: %v", err)
	}
	return out
}

// TestReplayIsDeterministicAcrossARuleChange builds a history with a rule
// change in the middle, through the live services, then replays RISK_IN
// twice with fresh engines: both replays decide byte for byte what the live
// engine stored, each hit judged by the rule version in force at its point.
func TestReplayIsDeterministicAcrossARuleChange(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	cc := env.clientAs(t, stack, sales)
	customer := registerCustomer(t, cc, "reg-1")
	// A rule change applies from its position in RISK_IN on. RISK_IN copies
	// CLIENT and RISK independently, so chat-1 is judged before the change
	// is written, or it might reach RISK_IN after it.
	seq1 := logChat(t, cc, "chat-1", customer, cardTalk)
	alertsAfter(t, env.riskAs(t, stack, hr), seq1)

	rc := env.riskAs(t, stack, admin)
	def := getRule(t, rc, "sensitive_words", 0).GetDefinition()
	strict := proto.Clone(def).(*riskv1.RuleDefinition)
	strict.Parameters[0].Value = &riskv1.RuleParameter_IntValue{IntValue: 1}
	up, err := rc.UpsertRule(t.Context(), &riskv1.UpsertRuleRequest{RequestId: "strict", Definition: strict})
	if err != nil {
		t.Fatal(err)
	}
	getRule(t, rc, "sensitive_words", up.GetSequence()) // the engine has applied it

	logChat(t, cc, "chat-2", customer, cardTalk)
	zc := env.clientAs(t, stack, principal("acme", "sales-zhao", sales.Roles[0]))
	last := logChat(t, zc, "chat-3", registerCustomer(t, zc, "reg-2"), privateDeal)
	alerts := alertsAfter(t, env.riskAs(t, stack, hr), last)
	versions := map[uint32]int{}
	for _, a := range alerts {
		versions[a.GetRuleVersion()]++
	}
	if diff := cmp.Diff(map[uint32]int{1: 1, 2: 2}, versions); diff != "" {
		t.Errorf("alerts per rule version mismatch (-want, +got):\n%s", diff)
	}
	live := env.storedDecisions(t)
	if len(live) != 3 {
		t.Fatalf("RISK holds %d decisions, want 3", len(live))
	}

	logger := slog.New(slog.DiscardHandler)
	replay := func() []app.Decision {
		t.Helper()
		got, err := app.ReplayDecisions(t.Context(), env.log, engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), logger)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	first, second := replay(), replay()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("two replays differ (-first, +second):\n%s", diff)
	}
	if diff := cmp.Diff(live, first); diff != "" {
		t.Errorf("replay differs from what the live engine stored (-live, +replay):\n%s", diff)
	}
}
