package bench

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/holdfast/internal/devstack"
	"github.com/holdfast/holdfast/services/holdfast/internal/sim"
)

// latencyBench measures event→alert latency under a sustained load: the
// whole dev stack (every service, its own embedded nats-server) runs in
// this process on free ports, and `holdfast sim --load` drives it over
// gRPC exactly as the command does. Beside it, the raw JetStream
// publish→consume round trip at the same rate and for as long, on the
// bench's own server. Both are measured once per run and kept: a second
// round would add a minute and its better-of-two would not apply to a
// latency (lower is better) the way the loop keeps the higher value.
type latencyBench struct {
	opts Options
	js   jetstream.JetStream

	once     sync.Once
	err      error
	p50, p99 Figure
}

func newLatencyBench(opts Options, js jetstream.JetStream) *latencyBench {
	return &latencyBench{opts: opts, js: js}
}

func (lb *latencyBench) alertP50(ctx context.Context) (Figure, error) {
	lb.once.Do(func() { lb.err = lb.measure(ctx) })
	return lb.p50, lb.err
}

func (lb *latencyBench) alertP99(ctx context.Context) (Figure, error) {
	lb.once.Do(func() { lb.err = lb.measure(ctx) })
	return lb.p99, lb.err
}

func (lb *latencyBench) measure(ctx context.Context) error {
	o := lb.opts
	raw, err := rawRoundTrip(ctx, lb.js, o.LatencyRate, o.LatencyDuration)
	if err != nil {
		return fmt.Errorf("raw round trip: %w", err)
	}
	res, err := loadDevStack(ctx, o)
	if err != nil {
		return err
	}
	if res.Samples == 0 {
		return fmt.Errorf("event→alert latency: no sample had its alert (%d without one, %d calls failed): %v", res.Unalerted, res.Failed, res.Errors)
	}
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	note := fmt.Sprintf("LogInteraction→ListAlerts(consistent with its CLIENT position) through the dev stack's services over gRPC, %d private-deal samples, "+
		"offered %.0f/s for %v (%d salespeople), achieved %.0f/s, %d calls, %d failed, %d samples without an alert; vs a raw js.Publish→ordered-consumer round trip at %.0f/s on the bench server, %d messages",
		res.Samples, res.Offered, o.LatencyDuration, o.LatencyEmployees, res.Achieved, res.Sent, res.Failed, res.Unalerted, raw.achieved, raw.n)
	lb.p50 = Figure{Name: "risk_alert_latency_p50", Value: us(res.P50), Unit: "us", Baseline: us(raw.p50), Note: note}
	lb.p99 = Figure{
		Name: "risk_alert_latency_p99", Value: us(res.P99), Unit: "us", Baseline: us(raw.p99),
		Note: fmt.Sprintf("same run as p50; max %v, raw max %v", res.Max.Round(time.Millisecond), raw.max.Round(time.Microsecond)),
	}
	return nil
}

// loadDevStack starts the dev stack in a temporary directory, waits until
// it is ready, runs the load and stops the stack.
func loadDevStack(ctx context.Context, o Options) (sim.LoadResult, error) {
	dataDir, err := os.MkdirTemp("", "holdfast-bench-dev-*")
	if err != nil {
		return sim.LoadResult{}, err
	}
	defer os.RemoveAll(dataDir)
	var cfg devstack.Config
	if err := platform.Load(platform.MapLookuper(map[string]string{
		"HOLDFAST_DATA_DIR": dataDir, "HOLDFAST_DEV_NATS_PORT": "-1", "HOLDFAST_DEV_NATS_MONITOR_PORT": "0",
		"HOLDFAST_HTTP_ADDR": "127.0.0.1:0", "HOLDFAST_CLIENT_GRPC_ADDR": "127.0.0.1:0", "HOLDFAST_ORDER_GRPC_ADDR": "127.0.0.1:0",
		"HOLDFAST_ATTENDANCE_GRPC_ADDR": "127.0.0.1:0", "HOLDFAST_COMMISSION_GRPC_ADDR": "127.0.0.1:0",
		"HOLDFAST_RISK_GRPC_ADDR": "127.0.0.1:0", "HOLDFAST_CONSOLE_ADDR": "127.0.0.1:0",
	}), &cfg); err != nil {
		return sim.LoadResult{}, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	stack, err := devstack.Start(runCtx, cfg, logger)
	if err != nil {
		return sim.LoadResult{}, fmt.Errorf("dev stack: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- stack.Run(runCtx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			logger.Error("the latency bench's dev stack stopped with an error", "error", err)
		}
	}()
	if err := waitReady(runCtx, stack, done); err != nil {
		return sim.LoadResult{}, err
	}

	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		return sim.LoadResult{}, err
	}
	var conns sim.Conns
	for _, c := range []struct {
		addr string
		to   *grpc.ClientConnInterface
	}{{stack.Endpoints.ClientGRPC, &conns.Client}, {stack.Endpoints.RiskGRPC, &conns.Risk}} {
		conn, err := grpc.NewClient(c.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return sim.LoadResult{}, err
		}
		defer conn.Close()
		*c.to = conn
	}
	return sim.RunLoad(runCtx, conns, auth.NewIssuer(ed25519.PrivateKey(key)), sim.LoadConfig{
		Tenant: "bench-load", Employees: o.LatencyEmployees, Rate: o.LatencyRate, Duration: o.LatencyDuration,
		SampleEvery: o.LatencySampleEvery, Concurrency: o.LatencyConcurrency,
	})
}

// waitReady polls the stack's readiness (every service caught up with its
// streams, as /readyz reports it) until it is ready or has stopped.
func waitReady(ctx context.Context, stack *devstack.Stack, done <-chan error) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	for {
		err := stack.Ready(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-tick.C:
		case err := <-done:
			return fmt.Errorf("dev stack stopped before it was ready: %w", err)
		case <-deadline.C:
			return fmt.Errorf("dev stack not ready after a minute: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// roundTrip is the raw JetStream figure.
type roundTrip struct {
	n             int
	achieved      float64
	p50, p99, max time.Duration
}

// rawRoundTrip publishes rate messages a second for d into a stream of
// its own, each acknowledged before the next (as an append is), while an
// ordered consumer reads them; each message's latency is from just before
// its publish to its delivery. The payload is an envelope-sized body.
func rawRoundTrip(ctx context.Context, js jetstream.JetStream, rate float64, d time.Duration) (roundTrip, error) {
	const stream = "BENCH_RTT"
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: stream, Subjects: []string{"benchrtt.>"}, Storage: jetstream.FileStorage}); err != nil {
		return roundTrip{}, err
	}
	defer func() { _ = js.DeleteStream(context.WithoutCancel(ctx), stream) }()
	n := max(1, int(rate*d.Seconds()))
	// Sent times are nanoseconds since start, read by the consumer's
	// goroutine: the server between them is no happens-before Go knows of.
	sent := make([]atomic.Int64, n)
	took := make([]time.Duration, 0, n)
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return roundTrip{}, err
	}
	start := time.Now()
	all := make(chan struct{})
	var mu sync.Mutex
	var bad error
	cc, err := cons.Consume(func(m jetstream.Msg) {
		i, err := strconv.Atoi(m.Headers().Get("i"))
		at := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		if err != nil || i < 0 || i >= n {
			bad = errors.Join(bad, fmt.Errorf("message with index %q", m.Headers().Get("i")))
			return
		}
		took = append(took, at-time.Duration(sent[i].Load()))
		if len(took) == n {
			close(all)
		}
	})
	if err != nil {
		return roundTrip{}, err
	}
	defer cc.Stop()
	body := make([]byte, 512)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := range n {
		timer.Reset(time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))))
		select {
		case <-timer.C:
		case <-ctx.Done():
			return roundTrip{}, ctx.Err()
		}
		msg := &nats.Msg{Subject: "benchrtt.m", Header: nats.Header{"i": []string{strconv.Itoa(i)}}, Data: body}
		sent[i].Store(int64(time.Since(start)))
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			return roundTrip{}, err
		}
	}
	published := time.Since(start)
	select {
	case <-all:
	case <-time.After(30 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		return roundTrip{}, fmt.Errorf("consumer read %d of %d messages in 30s", len(took), n)
	case <-ctx.Done():
		return roundTrip{}, ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	if bad != nil {
		return roundTrip{}, bad
	}
	slices.Sort(took)
	// Nearest rank, as sim's percentiles are.
	at := func(q float64) time.Duration {
		return took[min(len(took)-1, max(0, int(math.Ceil(q*float64(len(took))))-1))]
	}
	return roundTrip{n: n, achieved: float64(n) / published.Seconds(), p50: at(0.5), p99: at(0.99), max: took[len(took)-1]}, nil
}
