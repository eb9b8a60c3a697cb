package ordersvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/ordersvc"
)

// TestMain fails the run if a test leaves an App, a projector or a gRPC
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

// start mounts the order service on a fresh App (PostgreSQL read model when
// pool is set, memory otherwise) and runs it until stop or cleanup.
func (e *testEnv) start(t *testing.T, pool *pgxpool.Pool) *testkit.RunningService {
	t.Helper()
	return e.StartService(t, pool, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return ordersvc.Mount(ctx, a, ep, rt, time.Now)
	})
}

// principal is a caller holding one role.
var principal = testkit.Principal

// dial returns a client calling svc as p.
func (e *testEnv) dial(t *testing.T, svc *testkit.RunningService, p auth.Principal) orderv1.OrderServiceClient {
	t.Helper()
	return orderv1.NewOrderServiceClient(testkit.Dial(t, svc.Addr, e.Bearer(t, p)))
}

// as dials svc as subject holding role in tenant.
func (e *testEnv) as(t *testing.T, svc *testkit.RunningService, tenant, subject string, role auth.Role) orderv1.OrderServiceClient {
	t.Helper()
	return e.dial(t, svc, principal(tenant, subject, role))
}

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	testkit.WantCode(t, err, code)
}

// appendClient writes one event to the client service's stream, as the
// client service would: the order service only reads CLIENT.
func (e *testEnv) appendClient(t *testing.T, tenant, customerID, requestID string, payload proto.Message) {
	t.Helper()
	r := eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: customerID}
	agg, err := e.Log.Load(t.Context(), r)
	if err != nil {
		t.Fatalf("load customer %s: %v", customerID, err)
	}
	if _, err := e.Log.Append(t.Context(), eventlog.AppendRequest{Ref: r, After: agg.Position, RequestID: requestID, ActorID: "client-test", Payload: payload}); err != nil {
		t.Fatalf("append %T: %v", payload, err)
	}
}

// registerCustomer registers a customer held by owner in CLIENT.
func (e *testEnv) registerCustomer(t *testing.T, tenant, id, owner string, source clientv1.SourceChannel, address string) {
	t.Helper()
	e.appendClient(t, tenant, id, "register-"+id, &clientv1.CustomerRegistered{
		CustomerId: id, PersonName: "王伟", CompanyName: "上海星海贸易有限公司", SourceChannel: source, OwnerEmployeeId: owner,
		Address: &clientv1.Address{Text: address, Location: &clientv1.GeoPoint{Latitude: 31.23, Longitude: 121.47}},
	})
}

// changeOwner moves a customer to another holder in CLIENT.
func (e *testEnv) changeOwner(t *testing.T, tenant, id, from, to, requestID string) {
	t.Helper()
	e.appendClient(t, tenant, id, requestID, &clientv1.CustomerOwnerChanged{
		CustomerId: id, PreviousOwnerId: from, NewOwnerId: to, Cause: clientv1.OwnershipCause_OWNERSHIP_CAUSE_HANDOVER, Reason: "handover",
	})
}

// events returns the payloads stored on one ORDER aggregate, oldest first.
func (e *testEnv) events(t *testing.T, tenant, typ, id string) []proto.Message {
	t.Helper()
	agg, err := e.Log.Load(t.Context(), eventlog.AggregateRef{Context: "order", Tenant: tenant, Type: typ, ID: id})
	if err != nil {
		t.Fatalf("load %s %s: %v", typ, id, err)
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

// streamMessages counts ORDER's messages on subjects matching filter.
func (e *testEnv) streamMessages(t *testing.T, filter string) uint64 {
	t.Helper()
	return e.StreamMessages(t, eventlog.StreamOrder, filter)
}

// shanghai is the fixtures' registered customer address.
const shanghai = "上海市浦东新区世纪大道100号"

// cny is an amount in yuan as minor units (fen).
func cny(yuan int64) int64 { return yuan * 100 }

// createRequest is a one-line CNY order of amount yuan for customer.
func createRequest(requestID, customer string, yuan int64, claimed clientv1.SourceChannel) *orderv1.CreateOrderRequest {
	return &orderv1.CreateOrderRequest{
		RequestId: requestID, CustomerId: customer, Currency: "CNY", ClaimedSource: claimed,
		Lines:                   []*orderv1.LineItem{{Product: "液压泵 HP-200", Quantity: 2, UnitPriceMinor: cny(yuan) / 2}},
		ExpectedDeliveryAddress: "上海市 浦东新区 世纪大道１００号",
	}
}

// orgTree writes the attendance service's org tree for tenant, as the
// attendance service would: a branch managed by m1, m2 and m-1 with a team
// of sellers (e1, e2, s-other, ss-1) under it, and m-other managing
// another branch. A manager's reach in the order service is their subtree.
func (e *testEnv) orgTree(t *testing.T, tenant string) {
	t.Helper()
	events := []testkit.AttendanceEvent{
		{Type: "orgunit", ID: "co", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "co", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_COMPANY}},
		{Type: "orgunit", ID: "branch", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "branch", ParentId: "co", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH}},
		{Type: "orgunit", ID: "team", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "team", ParentId: "branch", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_TEAM}},
		{Type: "orgunit", ID: "elsewhere", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "elsewhere", ParentId: "co", Kind: attendancev1.OrgUnitKind_ORG_UNIT_KIND_BRANCH}},
		{Type: "employee", ID: "m-other", Payload: &attendancev1.EmployeeHired{EmployeeId: "m-other", OrgUnitId: "elsewhere", Role: "manager"}},
	}
	for _, m := range []string{"m1", "m2", "m-1"} {
		events = append(events, testkit.AttendanceEvent{Type: "employee", ID: m, Payload: &attendancev1.EmployeeHired{EmployeeId: m, OrgUnitId: "branch", Role: "manager"}})
	}
	for _, s := range []string{"e1", "e2", "s-other", "ss-1"} {
		events = append(events, testkit.AttendanceEvent{Type: "employee", ID: s, Payload: &attendancev1.EmployeeHired{EmployeeId: s, OrgUnitId: "team", Role: "sales", ManagerId: "m1"}})
	}
	testkit.WriteAttendance(t, e.Log, tenant, events...)
}
