package risksvc_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestEngineParksPoisonEvents writes two events the engine cannot judge
// into CLIENT — bytes that are no envelope, and an envelope whose payload
// does not decode — then an honest private-deal chat: the engine parks
// and counts both and still judges the chat after them, and the
// sensitive-hits view records the chat's hits after them.
func TestEngineParksPoisonEvents(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	if _, err := env.nats.JS.Publish(t.Context(), "client.acme.customer.garbage", []byte("not an envelope")); err != nil {
		t.Fatal(err)
	}
	broken, err := eventlog.Marshal(&eventv1.Envelope{
		EventId: "0190f0a0-0000-7000-8000-000000000001", TenantId: "acme", AggregateType: "customer", AggregateId: "broken",
		AggregateVersion: 1,
		Payload:          &anypb.Any{TypeUrl: "type.googleapis.com/holdfast.client.v1.InteractionLogged", Value: []byte{0xff, 0xff, 0xff}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.nats.JS.Publish(t.Context(), "client.acme.customer.broken", broken); err != nil {
		t.Fatal(err)
	}

	cc := env.clientAs(t, stack, sales)
	seq := logChat(t, cc, "chat-1", registerCustomer(t, cc, "reg-1"), privateDeal)
	checkPrivateDealAlert(t, onlyAlert(t, alertsAfter(t, env.riskAs(t, stack, hr), seq)), seq)
	// The sensitive-hits view moves past both as well (the engine parks
	// them) and lists the chat's phrases.
	hits, err := env.riskAs(t, stack, sales).ListMySensitiveHits(t.Context(), &riskv1.ListMySensitiveHitsRequest{
		ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: seq}},
	})
	if err != nil || len(hits.GetHits()) != 2 {
		t.Errorf("sensitive hits after the poison events: %v, %v; want the chat's two", hits.GetHits(), err)
	}

	got, err := testutil.GatherAndCount(stack.metrics, "holdfast_risk_engine_parked_events_total")
	if err != nil || got != 1 {
		t.Fatalf("parked events metric: %d series, %v", got, err)
	}
	mfs, err := stack.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "holdfast_risk_engine_parked_events_total" {
			if v := mf.GetMetric()[0].GetCounter().GetValue(); v != 2 {
				t.Errorf("holdfast_risk_engine_parked_events_total = %v, want 2", v)
			}
		}
	}
}
