package eventlog_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
)

func riskRef(typ, id string) eventlog.AggregateRef {
	return eventlog.AggregateRef{Context: "risk", Tenant: "acme", Type: typ, ID: id}
}

// riskInSources lists the source positions of RISK_IN's first n records.
func riskInSources(t *testing.T, log *eventlog.Log, n int) []string {
	t.Helper()
	var got []string
	for _, rec := range followN(t, log, eventlog.StreamRiskIn, 1, n) {
		if rec.Source == nil {
			t.Fatalf("RISK_IN record %d has no source", rec.Sequence)
		}
		got = append(got, fmt.Sprintf("%s/%d %s", rec.Source.Stream, rec.Source.Sequence, rec.Subject))
	}
	slices.Sort(got)
	return got
}

// RISK_IN copies RISK's rule changes, which the engine must replay in
// order, and never its alerts, which are the engine's own output.
func TestRiskInSourcesRuleChangesButNotAlerts(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	for _, ref := range []eventlog.AggregateRef{riskRef("alert", "a1"), riskRef("rule", "r1"), customerRef("c1")} {
		if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: ref, RequestID: "r", Payload: note("x")}); err != nil {
			t.Fatal(err)
		}
	}
	// RISK is sourced in order: had the alert (RISK 1) been copied, it
	// would have arrived before the rule change (RISK 2).
	want := []string{"CLIENT/1 client.acme.customer.c1", "RISK/2 risk.acme.rule.r1"}
	if diff := cmp.Diff(want, riskInSources(t, log, 2)); diff != "" {
		t.Errorf("RISK_IN mismatch (-want, +got):\n%s", diff)
	}
}

// A RISK_IN provisioned before it sourced RISK's rule subjects gains that
// source (history included) when Provision runs again; a RISK source
// without the filter would feed alerts back, so it is drift, left alone.
func TestProvisionAddsMissingSourcesAndRefusesOthers(t *testing.T) {
	t.Parallel()
	n := testkit.StartNATS(t)
	ctx := ctxT(t)
	cfg := eventlog.DefaultProvisionConfig()
	old := eventlog.RiskInStream()
	old.Sources = slices.DeleteFunc(slices.Clone(old.Sources), func(s string) bool { return s == eventlog.StreamRisk })
	old.SourceFilters = nil
	if err := eventlog.Provision(ctx, n.JS, cfg, append(eventlog.DomainStreams(), old)...); err != nil {
		t.Fatal(err)
	}
	log := eventlog.New(n.JS)
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: riskRef("rule", "r1"), RequestID: "r", Payload: note("x")}); err != nil {
		t.Fatal(err)
	}
	if err := eventlog.Provision(ctx, n.JS, cfg, eventlog.AllStreams()...); err != nil {
		t.Fatalf("provision over the older RISK_IN: %v", err)
	}
	s, err := n.JS.Stream(ctx, eventlog.StreamRiskIn)
	if err != nil {
		t.Fatal(err)
	}
	if dangerous, _ := eventlog.Compare(cfg.StreamConfig(eventlog.RiskInStream()), s.CachedInfo().Config); len(dangerous) > 0 {
		t.Errorf("RISK_IN after provision still differs: %v", dangerous)
	}
	if diff := cmp.Diff([]string{"RISK/1 risk.acme.rule.r1"}, riskInSources(t, log, 1)); diff != "" {
		t.Errorf("RISK_IN mismatch (-want, +got):\n%s", diff)
	}

	// A hand-made stream sourcing RISK whole: its alerts would feed back.
	feedback := cfg.StreamConfig(eventlog.StreamSpec{Name: "FEEDBACK", Sources: []string{eventlog.StreamClient}})
	feedback.Sources = append(feedback.Sources, &jetstream.StreamSource{Name: eventlog.StreamRisk})
	if _, err := n.JS.CreateStream(ctx, feedback); err != nil {
		t.Fatal(err)
	}
	err = eventlog.Provision(ctx, n.JS, cfg, eventlog.StreamSpec{
		Name: "FEEDBACK", Sources: []string{eventlog.StreamClient, eventlog.StreamRisk},
		SourceFilters: map[string]string{eventlog.StreamRisk: eventlog.RiskRuleSubjects},
	})
	var drift *eventlog.DriftError
	if !errors.As(err, &drift) {
		t.Fatalf("provision over an unfiltered RISK source: err = %v, want *DriftError", err)
	}
	want := []string{"sources [CLIENT RISK], want [CLIENT RISK(risk.*.rule.>)]"}
	if diff := cmp.Diff(want, drift.Differences); diff != "" {
		t.Errorf("differences mismatch (-want, +got):\n%s", diff)
	}
}
