package commissionsvc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/commission/commissionsvc"
)

// TestMain fails the run if a test leaves an App, a worker or a gRPC
// connection running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// nats-server 2.15 leaves RISK_IN's source-consumer setup waiting
		// on its own timer after Shutdown; it is the server's, not ours.
		goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*stream).trySetupSourceConsumer.func3"),
	)
}

// testEnv is what outlives one run of the service: NATS with its streams,
// and the key that signs and verifies bearer tokens.
type testEnv struct {
	*testkit.ServiceEnv
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	return &testEnv{testkit.NewServiceEnv(t)}
}

// start mounts the commission service on a fresh App (PostgreSQL read
// model when pool is set, memory otherwise).
func (e *testEnv) start(t *testing.T, pool *pgxpool.Pool) *testkit.RunningService {
	t.Helper()
	return e.StartService(t, pool, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return commissionsvc.Mount(ctx, a, ep, rt, time.Now)
	})
}

// as dials svc as subject holding role in tenant.
func (e *testEnv) as(t *testing.T, svc *testkit.RunningService, tenant, subject string, role auth.Role) commissionv1.CommissionServiceClient {
	t.Helper()
	return commissionv1.NewCommissionServiceClient(testkit.Dial(t, svc.Addr, e.Bearer(t, testkit.Principal(tenant, subject, role))))
}

// orderWriter appends one order's events to ORDER as the order service
// would: the commission service only reads ORDER.
type orderWriter struct {
	env    *testEnv
	ref    eventlog.AggregateRef
	n      int
	at     time.Time
	lastSe uint64
}

func (e *testEnv) order(tenant, id string, at time.Time) *orderWriter {
	return &orderWriter{env: e, ref: eventlog.AggregateRef{Context: "order", Tenant: tenant, Type: "order", ID: id}, at: at}
}

// add appends payload and returns its ORDER sequence.
func (w *orderWriter) add(t *testing.T, payload proto.Message) uint64 {
	t.Helper()
	agg, err := w.env.Log.Load(t.Context(), w.ref)
	if err != nil {
		t.Fatalf("load order %s: %v", w.ref.ID, err)
	}
	w.n++
	res, err := w.env.Log.Append(t.Context(), eventlog.AppendRequest{
		Ref: w.ref, After: agg.Position, RequestID: fmt.Sprintf("req-%d", w.n), ActorID: "order-test",
		OccurredAt: w.at.Add(time.Duration(w.n) * time.Minute), Payload: payload,
	})
	if err != nil {
		t.Fatalf("append %T: %v", payload, err)
	}
	w.lastSe = res.Sequence
	return res.Sequence
}

// orderSpec describes a fixture order.
type orderSpec struct {
	seller, customer   string
	amount             int64
	claimed, recorded  clientv1.SourceChannel
	contradiction      bool
	paidToCompany      int64
	paidToPersonal     int64
	approve, ship, won bool
}

// drive writes the order's events up to the stage spec says and returns
// the writer (whose lastSe is the last ORDER sequence).
func (e *testEnv) drive(t *testing.T, tenant, id string, at time.Time, s orderSpec) *orderWriter {
	t.Helper()
	w := e.order(tenant, id, at)
	w.add(t, &orderv1.OrderCreated{
		OrderId: id, CustomerId: s.customer, SellerId: s.seller, Currency: "CNY", AmountMinor: s.amount,
		ClaimedSource: s.claimed, CustomerSource: s.recorded, SourceContradiction: s.contradiction,
	})
	w.add(t, &orderv1.OrderSubmitted{OrderId: id, ApprovalChain: []string{"manager"}, AmountMinor: s.amount, Currency: "CNY"})
	if s.approve {
		w.add(t, &orderv1.OrderApproved{OrderId: id, ApproverId: "m-1", Role: "manager", Step: 1, Final: true, SellerId: s.seller})
	}
	paid, toCompany := int64(0), int64(0)
	pay := func(amount int64, company bool) {
		paid += amount
		if company {
			toCompany += amount
		}
		w.add(t, &orderv1.PaymentRecorded{
			OrderId: id, PaymentId: fmt.Sprintf("p-%d", w.n), SellerId: s.seller, CustomerId: s.customer, AmountMinor: amount,
			Currency: "CNY", PayeeIsCompanyAccount: company, CurrencyMatchesOrder: true, OrderAmountMinor: s.amount,
			PaidTotalMinor: paid, PaidInFull: paid >= s.amount, PaidToCompanyTotalMinor: toCompany,
		})
	}
	if s.paidToPersonal > 0 {
		pay(s.paidToPersonal, false)
	}
	if s.paidToCompany > 0 {
		pay(s.paidToCompany, true)
	}
	if s.won {
		w.add(t, &orderv1.OrderWon{OrderId: id, SellerId: s.seller, CustomerId: s.customer, AmountMinor: s.amount, Currency: "CNY", PaidTotalMinor: paid})
	}
	if s.ship {
		w.add(t, &orderv1.ShipmentRecorded{OrderId: id, ShipmentId: "s-" + id, SellerId: s.seller, CustomerId: s.customer, Carrier: "SF"})
	}
	return w
}

// commissionEvents returns the payloads on one accrual aggregate.
func (e *testEnv) commissionEvents(t *testing.T, tenant, orderID string) []proto.Message {
	t.Helper()
	agg, err := e.Log.Load(t.Context(), eventlog.AggregateRef{Context: "commission", Tenant: tenant, Type: "accrual", ID: orderID})
	if err != nil {
		t.Fatalf("load accrual %s: %v", orderID, err)
	}
	var out []proto.Message
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			t.Fatalf("payload: %v", err)
		}
		out = append(out, msg)
	}
	return out
}
