package attendancesvc_test

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/attendancesvc"
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
	nats     *testkit.NATS
	log      *eventlog.Log
	issuer   *auth.Issuer
	verifier *auth.Verifier
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
	}
}

// runningService is one attendance service process: a platform.App with the
// service mounted, serving until stop.
type runningService struct {
	addr string
	stop func()
}

// start mounts the attendance service on a fresh App (PostgreSQL read model when
// pool is set, memory otherwise) and runs it until stop or cleanup.
func (e *testEnv) start(t *testing.T, pool *pgxpool.Pool) *runningService {
	t.Helper()
	return e.startWithClock(t, pool, time.Now)
}

// startWithClock is start with the service's clock set to now.
func (e *testEnv) startWithClock(t *testing.T, pool *pgxpool.Pool, now func() time.Time) *runningService {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := platform.NewApp(logger, "127.0.0.1:0", 5*time.Second)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	ep, err := a.NewGRPCServer("127.0.0.1:0", e.verifier)
	if err != nil {
		t.Fatalf("grpc server: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt := &platform.Runtime{Log: e.log, Pool: pool, Verifier: e.verifier}
	if err := attendancesvc.Mount(ctx, a, ep, rt, now); err != nil {
		cancel()
		t.Fatalf("mount: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stop := sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app run: %v", err)
		}
	})
	t.Cleanup(stop)
	return &runningService{addr: ep.Addr(), stop: stop}
}

// principal is a caller holding one role.
func principal(tenant, subject string, role auth.Role) auth.Principal {
	return auth.Principal{Tenant: tenant, Subject: subject, Roles: []auth.Role{role}}
}

// dial returns a client calling svc as p.
func (e *testEnv) dial(t *testing.T, svc *runningService, p auth.Principal) attendancev1.AttendanceServiceClient {
	t.Helper()
	token, err := e.issuer.Issue(p, time.Hour)
	if err != nil {
		t.Fatalf("issue token: %v", err)
	}
	return dialWith(t, svc, grpcBearer(token))
}

// grpcBearer sends token on every call.
func grpcBearer(token string) grpc.DialOption {
	return grpc.WithPerRPCCredentials(auth.BearerToken(token))
}

func dialWith(t *testing.T, svc *runningService, opts ...grpc.DialOption) attendancev1.AttendanceServiceClient {
	t.Helper()
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	conn, err := grpc.NewClient(svc.addr, opts...)
	if err != nil {
		t.Fatalf("dial %s: %v", svc.addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return attendancev1.NewAttendanceServiceClient(conn)
}

// wantCode fails t unless err carries code.
func wantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("status = %v (%v), want %v", got, err, code)
	}
}

// violatedFields returns the sorted, distinct fields named by err's
// field violations, after checking err is InvalidArgument.
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

// streamMessages counts ATTENDANCE's messages on subjects matching filter
// ("attendance.acme.>"), so parallel tests in other tenants do not disturb it.
func (e *testEnv) streamMessages(t *testing.T, filter string) uint64 {
	t.Helper()
	s, err := e.nats.JS.Stream(t.Context(), eventlog.StreamAttendance)
	if err != nil {
		t.Fatalf("stream: %v", err)
	}
	info, err := s.Info(t.Context(), jetstream.WithSubjectFilter(filter))
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	var n uint64
	for _, c := range info.State.Subjects {
		n += c
	}
	return n
}
