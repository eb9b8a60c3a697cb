package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/holdfast/holdfast/pkg/auth"
)

// Common is the configuration every Holdfast process shares.
type Common struct {
	LogLevel slog.Level `env:"HOLDFAST_LOG_LEVEL" default:"info"`
	// NATSURL is the NATS server or cluster; the dev stack's embedded server by default.
	NATSURL string `env:"HOLDFAST_NATS_URL" default:"nats://127.0.0.1:4322"`
	// DatabaseURL selects PostgreSQL read models; empty means in-memory read
	// models rebuilt by replay at start.
	DatabaseURL Secret `env:"HOLDFAST_DATABASE_URL"`
	// DataDir holds the dev signing key and the embedded NATS store.
	DataDir string `env:"HOLDFAST_DATA_DIR" default:".data"`
	// AuthPublicKeyFile is a PEM Ed25519 public key verifying bearer tokens;
	// empty means the dev key under DataDir.
	AuthPublicKeyFile string `env:"HOLDFAST_AUTH_PUBLIC_KEY_FILE"`
	// EvidenceKeyDir holds each tenant's Ed25519 evidence signing key
	// (<tenant>.evidence-key, mode 0600, created on first use); empty means
	// keys/evidence under DataDir. Keep it on storage that is backed up:
	// every bundle handed out was signed with these keys.
	EvidenceKeyDir string `env:"HOLDFAST_EVIDENCE_KEY_DIR"`
	// AllowBackfill makes services honour the holdfast-event-time header of
	// tokens with the backfill grant: backdated events, for an import of
	// history or a simulation. Off in production unless an operator turns
	// it on for such a job; `holdfast dev` turns it on.
	AllowBackfill bool `env:"HOLDFAST_ALLOW_BACKFILL" default:"false"`
	// StreamReplicas is 1 in dev, 3 in production.
	StreamReplicas int `env:"HOLDFAST_STREAM_REPLICAS" default:"1"`
	// ShutdownTimeout bounds the drain of in-flight RPCs and consumers.
	ShutdownTimeout time.Duration `env:"HOLDFAST_SHUTDOWN_TIMEOUT" default:"20s"`
	Tracing         Tracing
}

// Validate checks values Load cannot check by type.
func (c Common) Validate() error {
	var errs []error
	if c.NATSURL == "" {
		errs = append(errs, errors.New("HOLDFAST_NATS_URL: required"))
	}
	if c.StreamReplicas != 1 && c.StreamReplicas != 3 && c.StreamReplicas != 5 {
		errs = append(errs, fmt.Errorf("HOLDFAST_STREAM_REPLICAS: %d, want 1, 3 or 5", c.StreamReplicas))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("HOLDFAST_SHUTDOWN_TIMEOUT: must be positive"))
	}
	if r := c.Tracing.SampleRatio; r < 0 || r > 1 {
		errs = append(errs, fmt.Errorf("HOLDFAST_TRACE_SAMPLE_RATIO: %g, want 0 to 1", r))
	}
	return errors.Join(errs...)
}

// App runs gRPC servers, an HTTP server for operators, and background
// workers, and shuts them down in order on context cancellation.
type App struct {
	logger          *slog.Logger
	registry        *prometheus.Registry
	httpAddr        string
	httpLis         net.Listener
	shutdownTimeout time.Duration
	rpc             *rpcMetrics

	grpcServers []*GRPCEndpoint
	workers     []worker
	mu          sync.Mutex
	checks      []check
}

type worker struct {
	name string
	run  func(ctx context.Context) error
}

type check struct {
	name string
	fn   func(ctx context.Context) error
}

// MaxMessageBytes bounds one gRPC message each way: an 8 MiB file plus
// the envelope around it.
const MaxMessageBytes = 9 << 20

// GRPCEndpoint is a gRPC server bound to a listener.
type GRPCEndpoint struct {
	Server *grpc.Server
	Health *health.Server
	lis    net.Listener
}

// Addr is the address the server listens on (useful with port 0).
func (e *GRPCEndpoint) Addr() string { return e.lis.Addr().String() }

// NewApp creates an App whose HTTP endpoint listens on httpAddr right away,
// so a taken port is reported at start, not at the first scrape.
func NewApp(logger *slog.Logger, httpAddr string, shutdownTimeout time.Duration) (*App, error) {
	lis, err := net.Listen("tcp", httpAddr)
	if err != nil {
		return nil, fmt.Errorf("platform: http listen %s: %w", httpAddr, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &App{
		logger:          logger,
		registry:        reg,
		httpAddr:        httpAddr,
		httpLis:         lis,
		shutdownTimeout: shutdownTimeout,
		rpc:             newRPCMetrics(reg),
	}, nil
}

// Registry is the App's own Prometheus registry, served on /metrics.
func (a *App) Registry() *prometheus.Registry { return a.registry }

// Logger is the App's logger.
func (a *App) Logger() *slog.Logger { return a.logger }

// HTTPAddr is the address /metrics, /healthz and /readyz are served on.
func (a *App) HTTPAddr() string { return a.httpLis.Addr().String() }

// NewGRPCServer creates a gRPC server listening on addr with health,
// reflection and the interceptor chain: metrics, recovery,
// authentication (verifier), logging, with OpenTelemetry as a stats handler.
func (a *App) NewGRPCServer(addr string, verifier *auth.Verifier) (*GRPCEndpoint, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("platform: grpc listen %s: %w", addr, err)
	}
	srv := grpc.NewServer(
		// A CSV import or an export can carry up to 8 MiB; the default is 4.
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.ChainUnaryInterceptor(
			// Metrics outside recovery, so a recovered panic is counted
			// as the Internal it becomes; outside authentication, so
			// rejected calls are counted too.
			a.rpc.unary,
			recoverUnary(a.logger, a.rpc),
			// Authentication before logging, so the log names the caller.
			auth.UnaryServerInterceptor(verifier),
			logUnary(a.logger),
		),
		grpc.ChainStreamInterceptor(
			recoverStream(a.logger, a.rpc),
			auth.StreamServerInterceptor(verifier),
		),
	)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	reflection.Register(srv)
	ep := &GRPCEndpoint{Server: srv, Health: hs, lis: lis}
	a.grpcServers = append(a.grpcServers, ep)
	return ep, nil
}

// Go adds a background worker (a consumer, a scheduler). It runs until ctx
// is cancelled, which happens after the gRPC servers have drained.
func (a *App) Go(name string, run func(ctx context.Context) error) {
	a.workers = append(a.workers, worker{name: name, run: run})
}

// Ready adds a readiness check for /readyz (e.g. "read model caught up").
func (a *App) Ready(name string, fn func(ctx context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = append(a.checks, check{name: name, fn: fn})
}

// ReadyErr runs every readiness check and joins their errors.
func (a *App) ReadyErr(ctx context.Context) error {
	a.mu.Lock()
	checks := append([]check(nil), a.checks...)
	a.mu.Unlock()
	var errs []error
	for _, c := range checks {
		if err := c.fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.name, err))
		}
	}
	return errors.Join(errs...)
}

func (a *App) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{Registry: a.registry}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		a.mu.Lock()
		checks := append([]check(nil), a.checks...)
		a.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		failed := false
		var body []byte
		for _, c := range checks {
			if err := c.fn(ctx); err != nil {
				failed = true
				body = fmt.Appendf(body, "%s: not ready: %v\n", c.name, err)
			} else {
				body = fmt.Appendf(body, "%s: ok\n", c.name)
			}
		}
		if failed {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write(body)
	})
	return mux
}

// Run serves until ctx is cancelled (SIGTERM), then shuts down in order:
// health reports NOT_SERVING, gRPC servers stop accepting and drain
// in-flight RPCs (bounded by the shutdown timeout), workers are cancelled
// and drained, and the HTTP server closes last so /metrics stays scrapeable.
func (a *App) Run(ctx context.Context) error {
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	httpSrv := &http.Server{Handler: a.handler(), ReadHeaderTimeout: 5 * time.Second}

	g, gctx := errgroup.WithContext(ctx)
	for _, ep := range a.grpcServers {
		g.Go(func() error {
			a.logger.Info("grpc listening", "addr", ep.Addr())
			if err := ep.Server.Serve(ep.lis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				return fmt.Errorf("grpc %s: %w", ep.Addr(), err)
			}
			return nil
		})
	}
	var workers sync.WaitGroup
	for _, w := range a.workers {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			if err := w.run(workCtx); err != nil && workCtx.Err() == nil {
				return fmt.Errorf("worker %s: %w", w.name, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		a.logger.Info("http listening", "addr", a.HTTPAddr(), "paths", "/metrics /healthz /readyz")
		if err := httpSrv.Serve(a.httpLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		a.logger.Info("shutting down", "timeout", a.shutdownTimeout.String())
		deadline := time.Now().Add(a.shutdownTimeout)
		// Every server reports NOT_SERVING and stops accepting before
		// any is waited on: drained one after another, the later ones
		// would keep taking new RPCs while the first drained, and would
		// get only what was left of the shared deadline.
		for _, ep := range a.grpcServers {
			ep.Health.Shutdown()
		}
		var draining sync.WaitGroup
		for _, ep := range a.grpcServers {
			draining.Go(func() { gracefulStop(ep.Server, time.Until(deadline)) })
		}
		draining.Wait()
		stopWork()
		waitTimeout(&workers, time.Until(deadline))
		sctx, cancel := context.WithDeadline(context.Background(), deadline.Add(time.Second))
		defer cancel()
		return httpSrv.Shutdown(sctx)
	})
	err := g.Wait()
	a.logger.Info("stopped")
	return err
}

// gracefulStop drains in-flight RPCs, forcing a stop when d runs out.
func gracefulStop(s *grpc.Server, d time.Duration) {
	done := make(chan struct{})
	go func() {
		s.GracefulStop()
		close(done)
	}()
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		s.Stop()
		<-done
	}
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
