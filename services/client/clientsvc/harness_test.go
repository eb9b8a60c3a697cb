package clientsvc_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/clientsvc"
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

// runningService is one service process, serving until Stop.
type runningService = testkit.RunningService

// start mounts the client service on a fresh App (PostgreSQL read model when
// pool is set, memory otherwise) and runs it until stop or cleanup.
func (e *testEnv) start(t *testing.T, pool *pgxpool.Pool) *runningService {
	t.Helper()
	return e.startWithClock(t, pool, time.Now)
}

// startWithClock is start with the service's clock set to now.
func (e *testEnv) startWithClock(t *testing.T, pool *pgxpool.Pool, now func() time.Time) *runningService {
	t.Helper()
	return e.StartService(t, pool, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return clientsvc.Mount(ctx, a, ep, rt, now)
	})
}

// testClock is a service clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// principal is a caller holding one role.
var principal = testkit.Principal

// dial returns a client calling svc as p.
func (e *testEnv) dial(t *testing.T, svc *runningService, p auth.Principal) clientv1.ClientServiceClient {
	t.Helper()
	return dialWith(t, svc, e.Bearer(t, p))
}

// grpcBearer sends token on every call.
func grpcBearer(token string) grpc.DialOption {
	return grpc.WithPerRPCCredentials(auth.BearerToken(token))
}

func dialWith(t *testing.T, svc *runningService, opts ...grpc.DialOption) clientv1.ClientServiceClient {
	t.Helper()
	return clientv1.NewClientServiceClient(testkit.Dial(t, svc.Addr, opts...))
}

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	testkit.WantCode(t, err, code)
}

// violatedFields returns the sorted, distinct fields named by err's
// field violations, after checking err is InvalidArgument.
func violatedFields(t *testing.T, err error) []string {
	t.Helper()
	return testkit.ViolatedFields(t, err)
}

// registerRequest is a valid registration with the given request id.
func registerRequest(requestID, name, phone string) *clientv1.RegisterCustomerRequest {
	return &clientv1.RegisterCustomerRequest{
		RequestId:     requestID,
		PersonName:    name,
		Phones:        []string{phone},
		SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
	}
}

// noteRequest is a valid interaction with the given request id.
func noteRequest(requestID, customerID string) *clientv1.LogInteractionRequest {
	return &clientv1.LogInteractionRequest{
		RequestId:  requestID,
		CustomerId: customerID,
		Kind:       clientv1.InteractionKind_INTERACTION_KIND_CHAT,
		Direction:  clientv1.Direction_DIRECTION_OUTBOUND,
		Text:       "发了报价单",
	}
}

// streamMessages counts CLIENT's messages on subjects matching filter
// ("client.acme.>"), so parallel tests in other tenants do not disturb it.
func (e *testEnv) streamMessages(t *testing.T, filter string) uint64 {
	t.Helper()
	return e.StreamMessages(t, eventlog.StreamClient, filter)
}
