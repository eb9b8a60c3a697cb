package risksvc_test

import (
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestChurnClusterThroughTheClientService: calls logged through the client
// service set each seller's own median; three customers who had an
// unusually long call with sales-li and then fall silent until the
// tenant's clock passes silent_days raise customer_churn_cluster (S10).
// sales-zhao, whose calls are all that long (H1), stays quiet.
func TestChurnClusterThroughTheClientService(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	clock := testkit.ClaimClock(t, env.log, "acme", time.Now().Add(-time.Hour))
	var last uint64
	calls := func(seller string, lengths ...time.Duration) {
		t.Helper()
		cc := env.clientAs(t, stack, principal("acme", seller, sales.Roles[0]))
		for i, d := range lengths {
			id := fmt.Sprintf("%s-%02d", seller, i)
			resp, err := cc.LogInteraction(t.Context(), &clientv1.LogInteractionRequest{
				RequestId: "call-" + id, CustomerId: registerCustomer(t, cc, "reg-"+id),
				Kind: clientv1.InteractionKind_INTERACTION_KIND_CALL, Direction: clientv1.Direction_DIRECTION_OUTBOUND,
				Text: "电话沟通报价", Duration: durationpb.New(d),
			})
			if err != nil {
				t.Fatalf("log call %s: %v", id, err)
			}
			last = max(last, resp.GetSequence())
		}
	}
	repeat := func(n int, d time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = d
		}
		return out
	}
	calls("sales-li", append(repeat(12, 5*time.Minute), repeat(3, 30*time.Minute)...)...)
	calls("sales-zhao", repeat(15, 30*time.Minute)...)
	hr := env.riskAs(t, stack, hr)
	if got := alertsAfter(t, hr, last); len(got) != 0 {
		t.Fatalf("alerts right after the calls: %v", got)
	}

	// Fifteen days later nobody has touched those customers again.
	at := time.Now().Add(15 * 24 * time.Hour).Truncate(time.Hour).UTC()
	tick := clock.Tick(at)
	resp, err := hr.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
		ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamTick, Sequence: tick}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := onlyAlert(t, resp.GetAlerts())
	if a.GetEmployeeId() != "sales-li" || a.GetRuleId() != "customer_churn_cluster" || len(a.GetEvidence()) != 3 {
		t.Errorf("alert %s on %s with %d evidence, want customer_churn_cluster on sales-li with the 3 long calls", a.GetRuleId(), a.GetEmployeeId(), len(a.GetEvidence()))
	}
	for _, ev := range a.GetEvidence() {
		if ev.GetStream() != eventlog.StreamClient || ev.GetEventType() != "holdfast.client.v1.InteractionLogged" {
			t.Errorf("evidence %v: want the long calls", ev)
		}
	}
}
