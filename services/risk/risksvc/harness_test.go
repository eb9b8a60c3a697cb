package risksvc_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/client/clientsvc"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

// TestMain fails the run if a test leaves an App, the engine, a projector or
// a gRPC connection running. One nats-server goroutine is exempt: the one
// RISK_IN's sourcing starts to await a source consumer's creation, which
// nothing stops at server shutdown and which ends on its own 30 s timer.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*stream).trySetupSourceConsumer.func3"))
}

// testEnv is what outlives one run of the services: NATS with every stream
// (RISK_IN included), and the key that signs and verifies bearer tokens.
type testEnv struct {
	nats     *testkit.NATS
	log      *eventlog.Log
	issuer   *auth.Issuer
	verifier *auth.Verifier
	// evidenceKeys is the directory of tenants' evidence signing keys.
	evidenceKeys string
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	n, log := testkit.StartEventLog(t)
	key, err := auth.LoadOrCreateDevKey(t.TempDir())
	if err != nil {
		t.Fatalf("dev key: %v", err)
	}
	return &testEnv{
		nats:     n,
		log:      log,
		issuer:   auth.NewIssuer(key),
		verifier: auth.NewVerifier(key.Public().(ed25519.PublicKey)),

		evidenceKeys: t.TempDir(),
	}
}

// stackOptions chooses what one process runs.
type stackOptions struct {
	// withoutRisk runs the client service alone: the risk service is down.
	withoutRisk bool
	// riskPool gives the risk service a PostgreSQL read model; nil is memory.
	riskPool *pgxpool.Pool
	// riskTenants makes the risk service one partition: only these tenants.
	riskTenants []string
	// snapshotEvery makes the engine snapshot its state every so many
	// records (0: risksvc.DefaultSnapshotEvery).
	snapshotEvery uint64
	// log replaces the environment's event log (one with metrics, say).
	log *eventlog.Log
}

// runningStack is one process: a platform.App with the client service and
// (unless withoutRisk) the risk service mounted, each on its own gRPC
// server, serving until stop.
type runningStack struct {
	clientAddr, riskAddr string
	// metrics is the process's registry: what /metrics would serve.
	metrics *prometheus.Registry
	stop    func()
}

func (e *testEnv) start(t *testing.T, opts stackOptions) *runningStack {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := platform.NewApp(logger, "127.0.0.1:0", 5*time.Second)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	running := false
	defer func() {
		if !running { // a Fatalf below: nothing will run the App
			cancel()
		}
	}()
	clientEP, err := a.NewGRPCServer("127.0.0.1:0", e.verifier)
	if err != nil {
		t.Fatalf("client grpc server: %v", err)
	}
	if err := clientsvc.Mount(ctx, a, clientEP, &platform.Runtime{Log: e.log, Verifier: e.verifier}, time.Now); err != nil {
		t.Fatalf("mount client: %v", err)
	}
	log := e.log
	if opts.log != nil {
		log = opts.log
	}
	st := &runningStack{clientAddr: clientEP.Addr(), metrics: a.Registry()}
	if !opts.withoutRisk {
		riskEP, err := a.NewGRPCServer("127.0.0.1:0", e.verifier)
		if err != nil {
			t.Fatalf("risk grpc server: %v", err)
		}
		every := opts.snapshotEvery
		if every == 0 {
			every = risksvc.DefaultSnapshotEvery
		}
		if err := risksvc.MountWith(risksvc.Options{Tenants: opts.riskTenants, SnapshotEvery: every})(ctx, a, riskEP, &platform.Runtime{Log: log, Pool: opts.riskPool, Verifier: e.verifier, EvidenceKeyDir: e.evidenceKeys}); err != nil {
			t.Fatalf("mount risk: %v", err)
		}
		st.riskAddr = riskEP.Addr()
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	running = true
	st.stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app run: %v", err)
		}
	})
	t.Cleanup(st.stop)
	return st
}

// principal is a caller holding one role.
func principal(tenant, subject string, role auth.Role) auth.Principal {
	return auth.Principal{Tenant: tenant, Subject: subject, Roles: []auth.Role{role}}
}

func (e *testEnv) bearer(t *testing.T, p auth.Principal) grpc.DialOption {
	t.Helper()
	token, err := e.issuer.Issue(p, time.Hour)
	if err != nil {
		t.Fatalf("issue token: %v", err)
	}
	return grpc.WithPerRPCCredentials(auth.BearerToken(token))
}

func dial(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// clientAs calls the stack's client service as p.
func (e *testEnv) clientAs(t *testing.T, st *runningStack, p auth.Principal) clientv1.ClientServiceClient {
	t.Helper()
	return clientv1.NewClientServiceClient(dial(t, st.clientAddr, e.bearer(t, p)))
}

// riskAs calls the stack's risk service as p.
func (e *testEnv) riskAs(t *testing.T, st *runningStack, p auth.Principal) riskv1.RiskServiceClient {
	t.Helper()
	return riskv1.NewRiskServiceClient(dial(t, st.riskAddr, e.bearer(t, p)))
}

// riskMessages is the number of messages in RISK: every decision the engine
// has ever appended.
func (e *testEnv) riskMessages(t *testing.T) uint64 {
	t.Helper()
	s, err := e.nats.JS.Stream(t.Context(), eventlog.StreamRisk)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	return info.State.Msgs
}

// waitRiskIn waits until RISK_IN has sourced stream up to seq. Sourcing is
// asynchronous: a replay that stops at RISK_IN's end right after the
// writes would otherwise miss some of them.
func (e *testEnv) waitRiskIn(t *testing.T, stream string, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	found := false
	_ = e.log.Follow(ctx, eventlog.StreamRiskIn, func(_ context.Context, rec eventlog.Record) error {
		if rec.Source != nil && rec.Source.Stream == stream && rec.Source.Sequence >= seq {
			found = true
			cancel()
		}
		return nil
	}, eventlog.FollowOptions{})
	if !found {
		t.Fatalf("RISK_IN has not sourced %s up to %d within 30 s", stream, seq)
	}
}

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("status = %v (%v), want %v", got, err, code)
	}
}

// violatedFields returns the sorted, distinct fields named by err's field
// violations, after checking err is InvalidArgument.
func violatedFields(t *testing.T, err error) []string {
	t.Helper()
	wantCode(t, err, codes.InvalidArgument)
	var fields []string
	for _, v := range platform.Violations(err) {
		fields = append(fields, v.Field)
	}
	slices.Sort(fields)
	return slices.Compact(fields)
}

// registerCustomer registers a customer held by the caller and returns its
// id. Each request id is a different customer (its own phone and company):
// the client service refuses to register one customer twice.
func registerCustomer(t *testing.T, c clientv1.ClientServiceClient, requestID string) string {
	t.Helper()
	h := fnv.New32a()
	h.Write([]byte(requestID))
	resp, err := c.RegisterCustomer(t.Context(), &clientv1.RegisterCustomerRequest{
		RequestId:     requestID,
		PersonName:    "王伟",
		CompanyName:   "上海某某有限公司 " + requestID,
		Phones:        []string{fmt.Sprintf("+86138%08d", h.Sum32()%100000000)},
		SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
	})
	if err != nil {
		t.Fatalf("register customer: %v", err)
	}
	return resp.GetCustomer().GetCustomerId()
}

// logChat logs an outbound chat with text and returns its CLIENT sequence.
func logChat(t *testing.T, c clientv1.ClientServiceClient, requestID, customerID, text string) uint64 {
	t.Helper()
	resp, err := c.LogInteraction(t.Context(), &clientv1.LogInteractionRequest{
		RequestId:  requestID,
		CustomerId: customerID,
		Kind:       clientv1.InteractionKind_INTERACTION_KIND_CHAT,
		Direction:  clientv1.Direction_DIRECTION_OUTBOUND,
		Text:       text,
	})
	if err != nil {
		t.Fatalf("log interaction %s: %v", requestID, err)
	}
	return resp.GetSequence()
}

// alertsAfter lists the caller's tenant's alerts once the risk service has
// judged CLIENT up to seq.
func alertsAfter(t *testing.T, r riskv1.RiskServiceClient, seq uint64) []*riskv1.Alert {
	t.Helper()
	resp, err := r.ListAlerts(t.Context(), &riskv1.ListAlertsRequest{
		ConsistentWith: []*riskv1.StreamPosition{{Stream: eventlog.StreamClient, Sequence: seq}},
	})
	if err != nil {
		t.Fatalf("list alerts consistent with CLIENT %d: %v", seq, err)
	}
	if resp.GetNextPageToken() != "" {
		t.Errorf("next page token %q on a short list", resp.GetNextPageToken())
	}
	return resp.GetAlerts()
}

// onlyAlert fails t unless there is exactly one alert.
// privateDealAlert has the salesperson write one private-deal chat and
// returns HR's client, the alert it raised and the chat's CLIENT sequence.
func (e *testEnv) privateDealAlert(t *testing.T, st *runningStack) (riskv1.RiskServiceClient, *riskv1.Alert, uint64) {
	t.Helper()
	cc := e.clientAs(t, st, sales)
	seq := logChat(t, cc, "chat-1", registerCustomer(t, cc, "reg-1"), privateDeal)
	rc := e.riskAs(t, st, hr)
	return rc, onlyAlert(t, alertsAfter(t, rc, seq)), seq
}

func onlyAlert(t *testing.T, alerts []*riskv1.Alert) *riskv1.Alert {
	t.Helper()
	if len(alerts) != 1 {
		t.Fatalf("got %d alerts, want 1: %v", len(alerts), alerts)
	}
	return alerts[0]
}
