package platform_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
)

const (
	probeService = "holdfast.platform.test.Probe"
	probeMethod  = "/" + probeService + "/Do"

	// waitLimit bounds every wait so a broken shutdown fails the test
	// instead of hanging it; nothing waits this long when things work.
	waitLimit = 30 * time.Second
)

// probeHandler is what the Probe service's one method does; each test
// supplies its own, which may block, panic or check the caller's role.
type probeHandler func(ctx context.Context) error

// probeDesc describes the Probe service by hand, so the tests need no
// generated code: one unary method taking and returning Empty.
var probeDesc = grpc.ServiceDesc{
	ServiceName: probeService,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Do",
		Handler: func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			handle := func(ctx context.Context, _ any) (any, error) {
				if err := srv.(probeHandler)(ctx); err != nil {
					return nil, err
				}
				return &emptypb.Empty{}, nil
			}
			if interceptor == nil {
				return handle(ctx, in)
			}
			return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: probeMethod}, handle)
		},
	}},
}

// requireHR is a handler guarded like a real HR-only method.
func requireHR(ctx context.Context) error {
	_, err := auth.Require(ctx, auth.RoleHR)
	return err
}

// testApp is an App with one gRPC endpoint serving Probe and health on
// loopback, a client connection to it, and tokens for calling it.
type testApp struct {
	app     *platform.App
	ep      *platform.GRPCEndpoint
	conn    *grpc.ClientConn
	issuer  *auth.Issuer
	hrToken string

	cancel   context.CancelFunc
	done     chan error
	waitOnce sync.Once
	runErr   error
	timedOut bool
}

// newTestApp builds the App without running it, so a test can add workers
// and readiness checks first; logs go to logOut when it is not nil.
func newTestApp(t *testing.T, h probeHandler, logOut io.Writer) *testApp {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	handler := slog.DiscardHandler
	if logOut != nil {
		handler = slog.NewJSONHandler(logOut, nil)
	}
	app, err := platform.NewApp(slog.New(handler), "127.0.0.1:0", waitLimit)
	if err != nil {
		t.Fatalf("NewApp: %v", err)
	}
	ta := &testApp{app: app, issuer: auth.NewIssuer(priv), done: make(chan error, 1)}
	ta.ep, ta.conn = ta.addServer(t, h, auth.NewVerifier(pub))
	ta.hrToken = ta.token(t, auth.RoleHR)
	return ta
}

// addServer adds a gRPC endpoint serving h as Probe and connects to it.
func (ta *testApp) addServer(t *testing.T, h probeHandler, v *auth.Verifier) (*platform.GRPCEndpoint, *grpc.ClientConn) {
	t.Helper()
	ep, err := ta.app.NewGRPCServer("127.0.0.1:0", v)
	if err != nil {
		t.Fatalf("NewGRPCServer: %v", err)
	}
	ep.Server.RegisterService(&probeDesc, h)
	conn, err := grpc.NewClient(ep.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return ep, conn
}

func (ta *testApp) token(t *testing.T, roles ...auth.Role) string {
	t.Helper()
	tok, err := ta.issuer.Issue(auth.Principal{Tenant: "acme", Subject: "e-1", Roles: roles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// start runs the App until the test cancels it or ends. The listeners
// exist since NewApp and NewGRPCServer, so calls made right after start
// wait in the accept queue rather than failing.
func (ta *testApp) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ta.cancel = cancel
	go func() { ta.done <- ta.app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		ta.wait(t)
	})
}

// wait returns Run's result, failing the test if Run does not return.
func (ta *testApp) wait(t *testing.T) error {
	t.Helper()
	ta.waitOnce.Do(func() {
		select {
		case ta.runErr = <-ta.done:
		case <-time.After(waitLimit):
			ta.timedOut = true
		}
	})
	if ta.timedOut {
		t.Fatal("Run did not return")
	}
	return ta.runErr
}

// stop cancels Run's context and returns Run's result.
func (ta *testApp) stop(t *testing.T) error {
	t.Helper()
	ta.cancel()
	return ta.wait(t)
}

func callCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// callProbe calls Probe.Do, with token as bearer credentials unless empty.
func callProbe(ctx context.Context, conn *grpc.ClientConn, token string) error {
	var opts []grpc.CallOption
	if token != "" {
		opts = append(opts, grpc.PerRPCCredentials(auth.BearerToken(token)))
	}
	return conn.Invoke(ctx, probeMethod, &emptypb.Empty{}, &emptypb.Empty{}, opts...)
}

// get fetches path from the App's operator HTTP endpoint.
func (ta *testApp) get(t *testing.T, path string) (int, string) {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(callCtx(t), http.MethodGet, "http://"+ta.app.HTTPAddr()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

// metric returns the value of the sample of name whose labels include
// labels, read from Prometheus text exposition; found is false if there is
// no such sample.
func metric(t *testing.T, exposition, name string, labels map[string]string) (value float64, found bool) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(exposition))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		series, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		seriesName, seriesLabels, _ := strings.Cut(series, "{")
		if seriesName != name {
			continue
		}
		match := true
		for k, want := range labels {
			if !strings.Contains(","+seriesLabels, ","+k+"="+strconv.Quote(want)) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("metric %s: bad value in %q: %v", name, line, err)
		}
		return f, true
	}
	return 0, false
}

func probeHandled(code codes.Code) map[string]string {
	return map[string]string{"grpc_service": probeService, "grpc_method": "Do", "grpc_code": code.String()}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, requireHR, nil)
	ta.start(t)

	code, body := ta.get(t, "/healthz")
	if code != http.StatusOK || body != "ok\n" {
		t.Errorf("GET /healthz = %d %q, want 200 %q", code, body, "ok\n")
	}
	// Orchestrators probe gRPC health without a token.
	resp, err := healthpb.NewHealthClient(ta.conn).Check(callCtx(t), &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health Check without a token = %v, %v; want SERVING", resp.GetStatus(), err)
	}
}

func TestMetricsCountRPCsByCode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		token    func(*testing.T, *testApp) string
		wantCode codes.Code
	}{
		{name: "authorised call", token: func(_ *testing.T, ta *testApp) string { return ta.hrToken }, wantCode: codes.OK},
		{name: "no token", token: func(*testing.T, *testApp) string { return "" }, wantCode: codes.Unauthenticated},
		{name: "wrong role", token: func(t *testing.T, ta *testApp) string { return ta.token(t, auth.RoleSales) }, wantCode: codes.PermissionDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestApp(t, requireHR, nil)
			ta.start(t)

			err := callProbe(callCtx(t), ta.conn, tc.token(t, ta))
			if got := status.Code(err); got != tc.wantCode {
				t.Fatalf("Probe.Do = %v, want code %v", err, tc.wantCode)
			}
			_, exposition := ta.get(t, "/metrics")
			for _, code := range []codes.Code{codes.OK, codes.Unauthenticated, codes.PermissionDenied} {
				want := 0.0
				if code == tc.wantCode {
					want = 1
				}
				if got, _ := metric(t, exposition, "holdfast_grpc_server_handled_total", probeHandled(code)); got != want {
					t.Errorf("holdfast_grpc_server_handled_total{grpc_code=%q} = %v, want %v", code, got, want)
				}
			}
			if _, found := metric(t, exposition, "holdfast_grpc_server_handling_seconds_count", map[string]string{"grpc_service": probeService}); !found {
				t.Errorf("/metrics has no holdfast_grpc_server_handling_seconds for %s", probeService)
			}
		})
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, requireHR, nil)
	var caughtUp atomic.Bool
	ta.app.Ready("nats", func(context.Context) error { return nil })
	ta.app.Ready("read-model", func(context.Context) error {
		if !caughtUp.Load() {
			return errors.New("replaying")
		}
		return nil
	})
	ta.start(t)

	code, body := ta.get(t, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "read-model: not ready: replaying") {
		t.Errorf("GET /readyz while replaying = %d %q, want 503 naming read-model", code, body)
	}
	if !strings.Contains(body, "nats: ok") {
		t.Errorf("GET /readyz body %q does not report the passing check", body)
	}

	caughtUp.Store(true)
	code, body = ta.get(t, "/readyz")
	if want := "nats: ok\nread-model: ok\n"; code != http.StatusOK || body != want {
		t.Errorf("GET /readyz once caught up = %d %q, want 200 %q", code, body, want)
	}
}

func TestPanicBecomesInternal(t *testing.T) {
	t.Parallel()
	var panicked atomic.Bool
	var logs syncBuffer
	ta := newTestApp(t, func(context.Context) error {
		if panicked.CompareAndSwap(false, true) {
			panic("boom: customer 42 has no phone")
		}
		return nil
	}, &logs)
	ta.start(t)

	err := callProbe(callCtx(t), ta.conn, ta.hrToken)
	if st := status.Convert(err); st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Fatalf("panicking Probe.Do = %v, want Internal %q", err, "internal error")
	}
	if err := callProbe(callCtx(t), ta.conn, ta.hrToken); err != nil {
		t.Fatalf("Probe.Do after a panic = %v, want the server still serving", err)
	}

	_, exposition := ta.get(t, "/metrics")
	got := map[string]float64{}
	got["panics"], _ = metric(t, exposition, "holdfast_grpc_server_panics_total", nil)
	got["internal"], _ = metric(t, exposition, "holdfast_grpc_server_handled_total", probeHandled(codes.Internal))
	got["ok"], _ = metric(t, exposition, "holdfast_grpc_server_handled_total", probeHandled(codes.OK))
	if diff := cmp.Diff(map[string]float64{"panics": 1, "internal": 1, "ok": 1}, got); diff != "" {
		t.Errorf("metrics mismatch (-want, +got):\n%s", diff)
	}

	if err := ta.stop(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if !strings.Contains(logs.String(), "panic in rpc handler") || !strings.Contains(logs.String(), "customer 42") {
		t.Errorf("log does not tell the operator about the panic:\n%s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer-like writer safe to read while an App logs.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// blockingHandler blocks every call until release is closed, telling the
// test through entered that a call has arrived, and records "rpc finished"
// in events just before returning.
func blockingHandler(entered chan<- struct{}, release <-chan struct{}, events chan<- string) probeHandler {
	return func(ctx context.Context) error {
		entered <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		events <- "rpc finished"
		return nil
	}
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// watchHealth opens a health Watch stream and checks it starts SERVING.
func watchHealth(t *testing.T, conn *grpc.ClientConn) (healthpb.Health_WatchClient, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	stream, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatalf("health Watch: %v", err)
	}
	if resp, err := stream.Recv(); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health Watch first status = %v, %v; want SERVING", resp.GetStatus(), err)
	}
	return stream, cancel
}

func TestGracefulShutdownDrainsInFlightRPCsBeforeWorkers(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	events := make(chan string, 2)
	ta := newTestApp(t, blockingHandler(entered, release, events), nil)
	ta.app.Go("recorder", func(ctx context.Context) error {
		<-ctx.Done()
		events <- "worker cancelled"
		return ctx.Err()
	})
	ta.start(t)

	watch, stopWatch := watchHealth(t, ta.conn)
	rpcErr := make(chan error, 1)
	rpcCtx := callCtx(t)
	go func() { rpcErr <- callProbe(rpcCtx, ta.conn, ta.hrToken) }()
	receive(t, entered, "the RPC to reach its handler")

	ta.cancel()

	if resp, err := watch.Recv(); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("health Watch after cancel = %v, %v; want NOT_SERVING", resp.GetStatus(), err)
	}
	// An open Watch is an in-flight RPC too; a real client ends it when it
	// sees NOT_SERVING.
	stopWatch()

	// Either the call reaches the draining server and hears NOT_SERVING,
	// or the server has stopped accepting and it cannot get through; it
	// never hears SERVING.
	resp, err := healthpb.NewHealthClient(ta.conn).Check(callCtx(t), &healthpb.HealthCheckRequest{})
	switch {
	case err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING:
		t.Errorf("health Check while draining = %v, want NOT_SERVING", resp.GetStatus())
	case err != nil && status.Code(err) != codes.Unavailable:
		t.Errorf("health Check while draining = %v, want NOT_SERVING or Unavailable", err)
	}

	select {
	case err := <-rpcErr:
		t.Fatalf("in-flight RPC ended before its handler was released: %v", err)
	default:
	}
	close(release)

	if err := receive(t, rpcErr, "the in-flight RPC"); err != nil {
		t.Errorf("in-flight RPC = %v, want it to complete OK", err)
	}
	if err := ta.wait(t); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	got := []string{receive(t, events, "the first event"), receive(t, events, "the second event")}
	if diff := cmp.Diff([]string{"rpc finished", "worker cancelled"}, got); diff != "" {
		t.Errorf("shutdown order mismatch (-want, +got):\n%s", diff)
	}
}

// TestShutdownStopsEveryServerAtOnce covers an App with several gRPC
// servers, as in `holdfast dev`: while one drains a slow RPC, the others
// must already report NOT_SERVING rather than take new work.
func TestShutdownStopsEveryServerAtOnce(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	events := make(chan string, 1)
	ta := newTestApp(t, blockingHandler(entered, release, events), nil)
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, otherConn := ta.addServer(t, requireHR, auth.NewVerifier(pub))
	ta.start(t)

	watch, stopWatch := watchHealth(t, otherConn)
	rpcErr := make(chan error, 1)
	rpcCtx := callCtx(t)
	go func() { rpcErr <- callProbe(rpcCtx, ta.conn, ta.hrToken) }()
	receive(t, entered, "the RPC to reach its handler")

	ta.cancel()
	if resp, err := watch.Recv(); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("second server's health while the first drains = %v, %v; want NOT_SERVING", resp.GetStatus(), err)
	}
	stopWatch()
	close(release)

	if err := receive(t, rpcErr, "the in-flight RPC"); err != nil {
		t.Errorf("in-flight RPC = %v, want it to complete OK", err)
	}
	if err := ta.wait(t); err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

func TestRunReturnsWorkerError(t *testing.T) {
	t.Parallel()
	errBroken := errors.New("consumer broken")
	ta := newTestApp(t, requireHR, nil)
	ta.app.Go("projector", func(context.Context) error { return errBroken })
	stopped := make(chan struct{})
	ta.app.Go("scheduler", func(ctx context.Context) error {
		<-ctx.Done()
		close(stopped)
		return nil
	})
	ta.start(t)

	// Nobody cancels Run: the failing worker alone must bring it down.
	err := ta.wait(t)
	if !errors.Is(err, errBroken) || !strings.Contains(err.Error(), "worker projector") {
		t.Errorf("Run = %v, want an error naming worker projector and wrapping %v", err, errBroken)
	}
	select {
	case <-stopped:
	default:
		t.Error("Run returned before the other worker was cancelled and drained")
	}
}

func TestNewAppReportsTakenPort(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, requireHR, nil)
	_, err := platform.NewApp(slog.New(slog.DiscardHandler), ta.app.HTTPAddr(), time.Second)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("http listen %s", ta.app.HTTPAddr())) {
		t.Errorf("NewApp on a taken port = %v, want an http listen error", err)
	}
	_, err = ta.app.NewGRPCServer(ta.ep.Addr(), nil)
	if err == nil || !strings.Contains(err.Error(), "grpc listen") {
		t.Errorf("NewGRPCServer on a taken port = %v, want a grpc listen error", err)
	}
	ta.start(t)
}
