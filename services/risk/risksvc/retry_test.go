package risksvc_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestFailedAppendIsRetriedWithoutObservingTwice makes RISK refuse the
// engine's appends for a while (a full stream that discards new
// messages): the engine has judged the record, fails to append, and is
// offered the same record again. It must append what it decided the first
// time, not observe the record a second time, so RISK ends exactly as a
// clean replay decides.
func TestFailedAppendIsRetriedWithoutObservingTwice(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	reg := prometheus.NewRegistry()
	log := eventlog.New(env.log.JetStream(), eventlog.WithRegisterer(reg))
	stack := env.start(t, stackOptions{log: log})
	hr := principal("acme", "hr-1", auth.RoleHR)
	cc := env.clientAs(t, stack, principal("acme", "sales-1", auth.RoleSales))
	customer := registerCustomer(t, cc, "reg-1")
	seq := logChat(t, cc, "chat-1", customer, privateDeal)
	alertsAfter(t, env.riskAs(t, stack, hr), seq)

	js := env.log.JetStream()
	risk, err := js.Stream(t.Context(), eventlog.StreamRisk)
	if err != nil {
		t.Fatal(err)
	}
	info, err := risk.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	full := info.Config
	full.MaxMsgs, full.Discard = int64(info.State.Msgs), jetstream.DiscardNew
	if _, err := js.UpdateStream(t.Context(), full); err != nil {
		t.Fatal(err)
	}
	seq = logChat(t, cc, "chat-2", customer, cardTalk)
	deadline := time.Now().Add(20 * time.Second)
	for handlerErrors(t, reg) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the engine never failed to append to the full RISK stream")
		}
		time.Sleep(10 * time.Millisecond) // polling a counter, not standing in for an event
	}
	if _, err := js.UpdateStream(t.Context(), info.Config); err != nil {
		t.Fatal(err)
	}
	alertsAfter(t, env.riskAs(t, stack, hr), seq)
	stack.stop()

	clean, err := app.ReplayDecisions(t.Context(), env.log, engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(clean, env.storedDecisions(t)); diff != "" {
		t.Errorf("RISK after a retried append differs from a clean replay (-clean, +stored):\n%s", diff)
	}
}

// handlerErrors is how many times a RISK_IN handler failed, from reg.
func handlerErrors(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() != "holdfast_eventlog_handler_errors_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == eventlog.StreamRiskIn {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}
