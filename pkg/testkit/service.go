package testkit

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
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
)

// ServiceEnv is what outlives one run of a service under test: NATS with
// every stream, and the key that signs and verifies bearer tokens.
type ServiceEnv struct {
	NATS     *NATS
	Log      *eventlog.Log
	Issuer   *auth.Issuer
	Verifier *auth.Verifier
}

// NewServiceEnv starts NATS with Holdfast's streams and makes a signing key.
func NewServiceEnv(t *testing.T) *ServiceEnv {
	t.Helper()
	n, log := StartEventLog(t)
	key, err := auth.LoadOrCreateDevKey(t.TempDir())
	if err != nil {
		t.Fatalf("dev key: %v", err)
	}
	return &ServiceEnv{
		NATS:   n,
		Log:    log,
		Issuer: auth.NewIssuer(key),
		// Backfill is on, as in holdfast dev: services' event-time tests need it.
		Verifier: auth.NewVerifier(key.Public().(ed25519.PublicKey), auth.WithBackfill(true)),
	}
}

// RunningService is one service process under test: a platform.App with a
// service mounted on one gRPC server, serving until Stop (or cleanup).
type RunningService struct {
	Addr string
	Stop func()
}

// StartService mounts a service on a fresh App (PostgreSQL read models when
// pool is set, memory otherwise) and runs it until Stop or cleanup.
func (e *ServiceEnv) StartService(t *testing.T, pool *pgxpool.Pool, mount platform.MountFunc) *RunningService {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := platform.NewApp(logger, "127.0.0.1:0", 5*time.Second)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	ep, err := a.NewGRPCServer("127.0.0.1:0", e.Verifier)
	if err != nil {
		t.Fatalf("grpc server: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt := &platform.Runtime{Log: e.Log, Pool: pool, Verifier: e.Verifier}
	if err := mount(ctx, a, ep, rt); err != nil {
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
	return &RunningService{Addr: ep.Addr(), Stop: stop}
}

// Principal is a caller holding one role.
func Principal(tenant, subject string, role auth.Role) auth.Principal {
	return auth.Principal{Tenant: tenant, Subject: subject, Roles: []auth.Role{role}}
}

// Bearer is a dial option sending a token for p, signed by the env's key.
func (e *ServiceEnv) Bearer(t *testing.T, p auth.Principal) grpc.DialOption {
	t.Helper()
	token, err := e.Issuer.Issue(p, time.Hour)
	if err != nil {
		t.Fatalf("issue token: %v", err)
	}
	return grpc.WithPerRPCCredentials(auth.BearerToken(token))
}

// Dial opens a plaintext connection to addr, closed in cleanup.
func Dial(t *testing.T, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// WantCode fails t unless err carries code.
func WantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("status = %v (%v), want %v", got, err, code)
	}
}

// ViolatedFields returns the sorted, distinct fields named by err's field
// violations, after checking err is InvalidArgument.
func ViolatedFields(t *testing.T, err error) []string {
	t.Helper()
	WantCode(t, err, codes.InvalidArgument)
	var fields []string
	for _, v := range platform.Violations(err) {
		fields = append(fields, v.Field)
	}
	slices.Sort(fields)
	return slices.Compact(fields)
}

// StreamMessages counts stream's messages on subjects matching filter
// (e.g. "client.acme.>"), so parallel tests in other tenants do not disturb it.
func (e *ServiceEnv) StreamMessages(t *testing.T, stream, filter string) uint64 {
	t.Helper()
	s, err := e.NATS.JS.Stream(t.Context(), stream)
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
