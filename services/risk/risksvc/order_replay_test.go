package risksvc_test

import (
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	tickv1 "github.com/holdfast/holdfast/proto/holdfast/tick/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
)

// TestOrderRulesReplayByteIdentical writes ORDER events and TICK clock
// ticks as their services would, lets the live engine judge them (S6, S7
// and H4), and replays RISK_IN twice: both replays decide byte for byte
// what the live engine stored.
func TestOrderRulesReplayByteIdentical(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	won := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	// Claim acme's clock (EXTERNAL) before anything of acme reaches
	// RISK_IN: else the live scheduler, catching up late on a loaded
	// machine, may tick acme first and the ticks below conflict.
	tickAt := func(after eventlog.Position, at time.Time) eventlog.Position {
		t.Helper()
		res, err := env.log.Append(t.Context(), eventlog.AppendRequest{
			Ref: eventlog.AggregateRef{Context: "tick", Tenant: "acme", Type: "clock", ID: "acme"}, After: after,
			RequestID: "tick-" + strconv.FormatInt(at.Unix(), 10), ActorID: "clock", OccurredAt: at,
			Payload: &tickv1.ClockTicked{At: timestamppb.New(at), Mode: tickv1.ClockMode_CLOCK_MODE_EXTERNAL},
		})
		if err != nil {
			t.Fatal(err)
		}
		return eventlog.Position{Version: res.Version, Sequence: res.Sequence}
	}
	tick := tickAt(eventlog.Position{}, won.Add(-2*time.Hour))
	appendOrder := func(id string, after eventlog.Position, at time.Time, payload proto.Message) eventlog.Position {
		t.Helper()
		res, err := env.log.Append(t.Context(), eventlog.AppendRequest{
			Ref: eventlog.AggregateRef{Context: "order", Tenant: "acme", Type: "order", ID: id}, After: after,
			RequestID: id + "-" + strconv.FormatUint(after.Version, 10), ActorID: "seller", OccurredAt: at, Payload: payload,
		})
		if err != nil {
			t.Fatal(err)
		}
		return eventlog.Position{Version: res.Version, Sequence: res.Sequence}
	}
	// o1: a personal source claimed for a trade-show customer, paid into a
	// personal account, never shipped. o2: paid by the customer's parent
	// company into a company account and shipped (H4).
	for _, o := range []struct {
		id, seller       string
		contradiction    bool
		company          bool
		relation         orderv1.PayerRelation
		shipped          bool
		companyPaidMinor int64
	}{
		{"o1", "sales-li", true, false, orderv1.PayerRelation_PAYER_RELATION_OWN, false, 0},
		{"o2", "sales-zhao", false, true, orderv1.PayerRelation_PAYER_RELATION_PARENT_COMPANY, true, 2_000_000},
	} {
		pos := appendOrder(o.id, eventlog.Position{}, won.Add(-time.Hour), &orderv1.OrderCreated{
			OrderId: o.id, CustomerId: "c-" + o.id, SellerId: o.seller, Currency: "CNY", AmountMinor: 2_000_000,
			ClaimedSource: clientv1.SourceChannel_SOURCE_CHANNEL_PERSONAL, CustomerSource: clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW,
			SourceContradiction: o.contradiction,
		})
		pos = appendOrder(o.id, pos, won, &orderv1.OrderWon{
			OrderId: o.id, SellerId: o.seller, CustomerId: "c-" + o.id, AmountMinor: 2_000_000, Currency: "CNY", WonAt: timestamppb.New(won),
		})
		pos = appendOrder(o.id, pos, won.Add(24*time.Hour), &orderv1.PaymentRecorded{
			OrderId: o.id, PaymentId: "p-" + o.id, SellerId: o.seller, CustomerId: "c-" + o.id, AmountMinor: 2_000_000, Currency: "CNY",
			PayeeIsCompanyAccount: o.company, PayerRelation: o.relation, CurrencyMatchesOrder: true,
			OrderAmountMinor: 2_000_000, PaidTotalMinor: 2_000_000, PaidInFull: true, PaidToCompanyTotalMinor: o.companyPaidMinor,
		})
		if o.shipped {
			appendOrder(o.id, pos, won.Add(48*time.Hour), &orderv1.ShipmentRecorded{OrderId: o.id, ShipmentId: "s-" + o.id, SellerId: o.seller})
		}
	}
	// RISK_IN copies ORDER and TICK independently: let the engine judge
	// the orders before the clock moves past their deadlines.
	rc := env.riskAs(t, stack, hr)
	orderEnd, err := env.log.LastSequence(t.Context(), eventlog.StreamOrder)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
		ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamOrder, Sequence: orderEnd}},
	}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{won.Add(16 * 24 * time.Hour), won.Add(21 * 24 * time.Hour)} {
		tick = tickAt(tick, at)
	}
	resp, err := rc.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
		ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamTick, Sequence: tick.Sequence}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range resp.GetAlerts() {
		got = append(got, a.GetEmployeeId()+"/"+a.GetRuleId())
	}
	// Newest first: unbacked_order was raised on the first tick.
	want := []string{"sales-li/unbacked_order", "sales-li/personal_collection", "sales-li/source_contradiction"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts mismatch (-want, +got):\n%s", diff)
	}

	live := env.storedDecisions(t)
	replay := func() []app.Decision {
		t.Helper()
		got, err := app.ReplayDecisions(t.Context(), env.log, engine.New(lexicon.Default(), engine.DefaultSensitiveWords()), slog.New(slog.DiscardHandler))
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
