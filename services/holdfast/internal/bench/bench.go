// Package bench measures Holdfast's event log against plain nats.go on the
// same embedded nats-server in the same run, and prints one line per figure:
//
//	bench: <name> value=<v> unit=<u> baseline=<b> ratio=<v/b>
//
// so the ratio holds on a noisy machine and runs can be compared.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/natsembed"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// Options sizes the run.
type Options struct {
	// SyncEvents are appended one at a time (each waits for its ack).
	SyncEvents int
	// RPCCalls are made per ClientService figure.
	RPCCalls int
	// BatchEvents are appended asynchronously in batches of BatchSize.
	BatchEvents int
	BatchSize   int
	// CommissionOrders is how many qualifying orders (four ORDER events
	// each) the commission projection accrues per round.
	CommissionOrders int
	// IngestRecords is how many records one IngestInteractions stream
	// carries (the per-call limit is 5,000). Its baseline publishes them
	// all at once through an async window of BatchSize*2: a much larger
	// count can stall the baseline on a slow machine.
	IngestRecords int
	// RiskEvents is the size of the mixed history the risk figures replay
	// (at least; whole hours are written), over RiskTenants tenants with
	// RiskEmployees employees between them, spread over RiskDays days of
	// event time (more than the engine's longest window, 91 days, so the
	// windows are full). RiskGrowthEvents more are appended for the heap
	// growth figure, which is scaled to 1M.
	RiskEvents       int
	RiskEmployees    int
	RiskTenants      int
	RiskDays         int
	RiskGrowthEvents int
	// LatencyRate interactions a second are offered to the whole dev
	// stack for LatencyDuration by LatencyEmployees salespeople, at most
	// LatencyConcurrency calls in flight; one in LatencySampleEvery is a
	// private-deal message whose alert is timed (sim's load mode). The raw
	// round trip beside it runs at the same rate for as long.
	LatencyRate        float64
	LatencyDuration    time.Duration
	LatencyEmployees   int
	LatencySampleEvery int
	LatencyConcurrency int

	// Only, when set, measures only these groups of figures (Groups).
	Only []string
	// RiskHistoryDir, when set, keeps the risk figures' history in this
	// directory: the first run writes it, later runs replay the same
	// stored events. Two builds of the engine then judge identical
	// histories, and risk_replay's decision digest says whether they
	// decided the same. It needs Only to be the risk_replay group alone:
	// the memory figures append to the history, and the other groups
	// would measure beside a server holding it.
	RiskHistoryDir string
	// RiskReplayProfile, when set, is where a CPU profile of the measured
	// risk replay (the engine judging RISK_IN, not the raw reads beside
	// it) is written, for `go tool pprof`, with its allocations beside it
	// (see startCPUProfile). It needs the risk_replay group.
	RiskReplayProfile string
}

// Groups are the groups of figures Options.Only selects from, in the
// order they run.
var Groups = []string{GroupEventlog, GroupRPC, GroupCommission, GroupLatency, GroupRiskReplay, GroupRiskMemory}

// Figure groups.
const (
	GroupEventlog   = "eventlog"    // eventlog_append_sync, eventlog_append_batch, eventlog_replay
	GroupRPC        = "rpc"         // client_*, attendance_*, order_*
	GroupCommission = "commission"  // commission_projection
	GroupLatency    = "latency"     // risk_alert_latency_p50, _p99
	GroupRiskReplay = "risk_replay" // risk_replay, risk_replay_cpu, risk_replay_alloc, risk_snapshot_restore
	GroupRiskMemory = "risk_memory" // risk_heap_per_employee, risk_heap_growth
)

// ErrOptions is a combination of options Run cannot measure.
var ErrOptions = errors.New("bench: invalid options")

// check says what is wrong with the options' selection, if anything.
func (o Options) check() error {
	for _, g := range o.Only {
		if !slices.Contains(Groups, g) {
			return fmt.Errorf("%w: unknown group %q (groups: %s)", ErrOptions, g, strings.Join(Groups, ", "))
		}
	}
	if o.RiskHistoryDir != "" && !slices.Equal(o.Only, []string{GroupRiskReplay}) {
		return fmt.Errorf("%w: a kept risk history is for the %s group alone (the %s figures append to it); use --only %s",
			ErrOptions, GroupRiskReplay, GroupRiskMemory, GroupRiskReplay)
	}
	if o.RiskReplayProfile != "" && !o.measures(GroupRiskReplay) {
		return fmt.Errorf("%w: a replay profile needs the %s group", ErrOptions, GroupRiskReplay)
	}
	return nil
}

// measures reports whether the options select the group.
func (o Options) measures(group string) bool {
	return len(o.Only) == 0 || slices.Contains(o.Only, group)
}

// DefaultOptions fit a 2-core machine in a few minutes; the risk history
// has issue 7's sizes: 1M events over 10,000 employees in 10 tenants.
func DefaultOptions() Options {
	return Options{
		SyncEvents: 5000, BatchEvents: 50000, BatchSize: 500, RPCCalls: 2000, IngestRecords: 5000, CommissionOrders: 1000,
		RiskEvents: 1_000_000, RiskEmployees: 10_000, RiskTenants: 10, RiskDays: 120, RiskGrowthEvents: 200_000,
		// Issue 7's rate. 20 s gives 400 latency samples and keeps the
		// two measurements (load, raw) and the setup under a minute.
		LatencyRate: 2000, LatencyDuration: 20 * time.Second, LatencyEmployees: 100, LatencySampleEvery: 100, LatencyConcurrency: 64,
	}
}

// Figure is one measured figure beside its baseline.
type Figure struct {
	Name     string
	Value    float64
	Unit     string
	Baseline float64
	Note     string
}

// Line renders the figure in the bench line format.
func (f Figure) Line() string {
	ratio := 0.0
	if f.Baseline > 0 {
		ratio = f.Value / f.Baseline
	}
	return fmt.Sprintf("bench: %s value=%.0f unit=%s baseline=%.0f ratio=%.2f", f.Name, f.Value, f.Unit, f.Baseline, ratio)
}

// Run measures the selected groups. The eventlog, rpc, commission and
// latency groups share an embedded nats-server in a temporary directory;
// the risk groups run their own (risk.go), so a run of only those starts
// no other.
func Run(ctx context.Context, w io.Writer, opts Options) error {
	if err := opts.check(); err != nil {
		return err
	}
	var b *bencher
	if opts.measures(GroupEventlog) || opts.measures(GroupRPC) || opts.measures(GroupCommission) || opts.measures(GroupLatency) {
		var stop func()
		var err error
		if b, stop, err = startBencher(ctx, w, opts); err != nil {
			return err
		}
		defer stop()
	}
	var steps []func(context.Context) (Figure, error)
	if opts.measures(GroupEventlog) {
		steps = append(steps, b.appendSync, b.appendBatch, b.replay)
	}
	if opts.measures(GroupRPC) {
		rpc, stopRPC, err := startRPC(ctx, b, opts.RPCCalls)
		if err != nil {
			return err
		}
		defer stopRPC()
		checkIn, stopCheckIn, err := startCheckIn(ctx, b, rpc, opts.RPCCalls)
		if err != nil {
			return err
		}
		defer stopCheckIn()
		orders := newOrderBench(b, rpc, opts.RPCCalls)
		defer orders.close()
		steps = append(steps, rpc.registerCustomer, rpc.logInteraction,
			func(ctx context.Context) (Figure, error) { return rpc.ingestInteractions(ctx, b) },
			checkIn.vsGRPC, checkIn.vsJetStream,
			orders.vsGRPC, orders.vsJetStream)
	}
	if opts.measures(GroupCommission) {
		steps = append(steps, newCommissionBench(b, opts.CommissionOrders).projection)
	}
	// The latency figures run before the risk engine's: those leave a
	// server holding a 1M-event history in this process, whose memory
	// the collector would keep working through while latency is timed.
	if opts.measures(GroupLatency) {
		latency := newLatencyBench(opts, b.js)
		steps = append(steps, latency.alertP50, latency.alertP99)
	}
	risk := newRiskBench(opts)
	defer func() { risk.close() }()
	if opts.measures(GroupRiskReplay) {
		steps = append(steps, risk.replay, risk.replayCPU, risk.replayAlloc, risk.snapshotRestore)
	}
	if opts.measures(GroupRiskMemory) {
		steps = append(steps, risk.heapPerEmployee, risk.heapGrowth)
	}
	for _, step := range steps {
		// Each step runs twice and keeps the better value and the better
		// baseline: the first round warms caches for whichever side ran second.
		var best Figure
		for round := range 2 {
			f, err := step(ctx)
			if err != nil {
				return err
			}
			if round == 0 {
				best = f
			}
			best.Value, best.Baseline = max(best.Value, f.Value), max(best.Baseline, f.Baseline)
		}
		fmt.Fprintln(w, best.Line())
		if best.Note != "" {
			fmt.Fprintf(w, "bench:   (%s)\n", best.Note)
		}
	}
	return nil
}

// startBencher starts the shared embedded nats-server in a temporary
// directory, provisions the streams and prints the setup line; stop stops
// the server and removes the directory.
func startBencher(ctx context.Context, w io.Writer, opts Options) (b *bencher, stop func(), err error) {
	dir, err := os.MkdirTemp("", "holdfast-bench-*")
	if err != nil {
		return nil, nil, err
	}
	srv, err := natsembed.Start(natsembed.Config{StoreDir: dir})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	stop = func() { srv.Stop(); _ = os.RemoveAll(dir) }
	nc, err := srv.Connect("holdfast-bench")
	if err != nil {
		stop()
		return nil, nil, err
	}
	stopServer := stop
	stop = func() { nc.Close(); stopServer() }
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(opts.BatchSize*2))
	if err == nil {
		err = eventlog.Provision(ctx, js, eventlog.DefaultProvisionConfig(), eventlog.AllStreams()...)
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	// Baselines publish the same envelope bytes into the same stream (CLIENT,
	// which RISK_IN sources), so both sides pay the server the same.
	b = &bencher{log: eventlog.New(js), js: js, nc: nc, opts: opts, payload: samplePayload()}
	fmt.Fprintf(w, "bench: setup nats-server=%s file-store sync-events=%d batch-events=%d batch-size=%d\n",
		srv.ID()[:8], opts.SyncEvents, opts.BatchEvents, opts.BatchSize)
	return b, stop, nil
}

type bencher struct {
	log     *eventlog.Log
	js      jetstream.JetStream
	nc      *nats.Conn
	opts    Options
	payload *clientv1.InteractionLogged
	seq     int
}

func samplePayload() *clientv1.InteractionLogged {
	return &clientv1.InteractionLogged{
		InteractionId: "0b6c2e0e-6a3c-5a51-9c1e-6f7b1f0d2a11",
		CustomerId:    "4e766b09-ea70-54b3-ae51-f53ca8c0991f",
		EmployeeId:    "e1042",
		Kind:          clientv1.InteractionKind_INTERACTION_KIND_CHAT,
		Direction:     clientv1.Direction_DIRECTION_OUTBOUND,
		Text:          "王总您好，上次说的报价单我已经发到您邮箱了，交期可以压到三周，您看周四下午方便来工厂看一下样品吗？" + strings.Repeat(" follow-up", 5),
	}
}

// nextRef is a fresh aggregate per event, as for interactions.
func (b *bencher) nextRef() eventlog.AggregateRef {
	b.seq++
	return eventlog.AggregateRef{Context: "client", Tenant: "bench", Type: "interaction", ID: "i" + strconv.Itoa(b.seq)}
}

// envelopeBytes is a representative stored envelope, for the baselines.
func (b *bencher) envelopeBytes(ctx context.Context) ([]byte, error) {
	res, err := b.log.Append(ctx, eventlog.AppendRequest{Ref: b.nextRef(), RequestID: "sample", Payload: b.payload})
	if err != nil {
		return nil, err
	}
	s, err := b.js.Stream(ctx, eventlog.StreamClient)
	if err != nil {
		return nil, err
	}
	m, err := s.GetMsg(ctx, res.Sequence)
	if err != nil {
		return nil, err
	}
	return m.Data, nil
}

func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

func (b *bencher) appendSync(ctx context.Context) (Figure, error) {
	data, err := b.envelopeBytes(ctx)
	if err != nil {
		return Figure{}, err
	}
	n := b.opts.SyncEvents
	start := time.Now()
	for i := range n {
		if _, err := b.js.Publish(ctx, "client.bench.rawsync.r"+strconv.Itoa(b.seq)+"-"+strconv.Itoa(i), data); err != nil {
			return Figure{}, err
		}
	}
	baseline := rate(n, time.Since(start))
	start = time.Now()
	for range n {
		if _, err := b.log.Append(ctx, eventlog.AppendRequest{Ref: b.nextRef(), RequestID: "req", ActorID: "e1042", Payload: b.payload}); err != nil {
			return Figure{}, err
		}
	}
	value := rate(n, time.Since(start))
	return Figure{
		Name: "eventlog_append_sync", Value: value, Unit: "events/s", Baseline: baseline,
		Note: "eventlog.Append (envelope, msg id, expected subject sequence) vs plain js.Publish of the same bytes, one at a time",
	}, nil
}

func (b *bencher) appendBatch(ctx context.Context) (Figure, error) {
	data, err := b.envelopeBytes(ctx)
	if err != nil {
		return Figure{}, err
	}
	n, size := b.opts.BatchEvents, b.opts.BatchSize
	start := time.Now()
	for i := 0; i < n; i += size {
		for j := i; j < min(i+size, n); j++ {
			if _, err := b.js.PublishAsync("client.bench.rawbatch.r"+strconv.Itoa(b.seq)+"-"+strconv.Itoa(j), data); err != nil {
				return Figure{}, err
			}
		}
		select {
		case <-b.js.PublishAsyncComplete():
		case <-ctx.Done():
			return Figure{}, ctx.Err()
		}
	}
	baseline := rate(n, time.Since(start))
	start = time.Now()
	reqs := make([]eventlog.AppendRequest, 0, size)
	for i := 0; i < n; i += size {
		reqs = reqs[:0]
		for j := i; j < min(i+size, n); j++ {
			reqs = append(reqs, eventlog.AppendRequest{Ref: b.nextRef(), RequestID: "req", ActorID: "e1042", Payload: b.payload})
		}
		results, err := b.log.AppendBatch(ctx, reqs)
		if err != nil {
			return Figure{}, err
		}
		for _, r := range results {
			if r.Err != nil {
				return Figure{}, r.Err
			}
		}
	}
	value := rate(n, time.Since(start))
	return Figure{
		Name: "eventlog_append_batch", Value: value, Unit: "events/s", Baseline: baseline,
		Note: fmt.Sprintf("eventlog.AppendBatch vs js.PublishAsync, batches of %d", size),
	}, nil
}

func (b *bencher) replay(ctx context.Context) (Figure, error) {
	s, err := b.js.Stream(ctx, eventlog.StreamClient)
	if err != nil {
		return Figure{}, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return Figure{}, err
	}
	total := int(info.State.Msgs)

	// Baseline: a plain ordered consumer reading every message, no decoding.
	start := time.Now()
	cons, err := b.js.OrderedConsumer(ctx, eventlog.StreamClient, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return Figure{}, err
	}
	it, err := cons.Messages()
	if err != nil {
		return Figure{}, err
	}
	for range total {
		if _, err := it.Next(); err != nil {
			it.Stop()
			return Figure{}, err
		}
	}
	it.Stop()
	baseline := rate(total, time.Since(start))

	// Holdfast: Follow decodes each envelope and hands it to a handler.
	start = time.Now()
	count := 0
	err = b.log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
		if rec.Envelope.GetEventId() != "" {
			count++
		}
		return nil
	}, eventlog.FollowOptions{StopAtEnd: true})
	if err != nil {
		return Figure{}, err
	}
	if count != total {
		return Figure{}, fmt.Errorf("replay read %d of %d events", count, total)
	}
	value := rate(total, time.Since(start))
	return Figure{
		Name: "eventlog_replay", Value: value, Unit: "events/s", Baseline: baseline,
		Note: fmt.Sprintf("eventlog.Follow decoding %d envelopes vs a raw ordered consumer over the same stream", total),
	}, nil
}
