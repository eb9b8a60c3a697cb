package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/natsembed"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

// riskBench measures the risk engine over a mixed history (riskhistory.go)
// written into its own embedded nats-server, so RISK_IN holds exactly that
// history and none of the other figures' events. The history is written on
// first use; the memory figures are measured once and kept, because the
// growth figure appends to the history.
type riskBench struct {
	opts   Options
	logger *slog.Logger

	once     sync.Once
	startErr error
	js       jetstream.JetStream
	url      string // the server's client URL, for the heap child
	log      *eventlog.Log
	hist     *history
	close    func()

	replayed *Figure
	// cpu is the replay's process CPU per event beside the raw read's,
	// and alloc its bytes allocated per event beside the raw read's,
	// both measured with replayed.
	cpu, alloc *Figure
	// replayer is the engine of the last round's replay, kept for the
	// snapshot figure; restored is that figure, measured once.
	replayer *risksvc.Replayer
	restored *Figure

	memOnce    sync.Once
	memErr     error
	perEmp     Figure
	perMillion Figure
}

func newRiskBench(opts Options) *riskBench {
	return &riskBench{
		opts:   opts,
		logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		close:  func() {},
	}
}

// start runs the server, provisions the streams and writes the history.
func (rb *riskBench) start(ctx context.Context) error {
	rb.once.Do(func() { rb.startErr = rb.startOnce(ctx) })
	return rb.startErr
}

func (rb *riskBench) startOnce(ctx context.Context) error {
	dir, removeDir := rb.opts.RiskHistoryDir, true
	if dir != "" {
		removeDir = false
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
	} else {
		var err error
		if dir, err = os.MkdirTemp("", "holdfast-bench-risk-*"); err != nil {
			return err
		}
	}
	remove := func() {
		if removeDir {
			_ = os.RemoveAll(dir)
		}
	}
	srv, err := natsembed.Start(natsembed.Config{StoreDir: dir})
	if err != nil {
		remove()
		return err
	}
	rb.close = func() { srv.Stop(); remove() }
	rb.url = srv.ClientURL()
	nc, err := srv.Connect("holdfast-bench-risk")
	if err != nil {
		return err
	}
	prev := rb.close
	rb.close = func() { nc.Close(); prev() }
	rb.js, err = jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(rb.opts.BatchSize*2))
	if err != nil {
		return err
	}
	if err := eventlog.Provision(ctx, rb.js, eventlog.DefaultProvisionConfig(), eventlog.AllStreams()...); err != nil {
		return err
	}
	rb.log = eventlog.New(rb.js)
	o := rb.opts
	rb.hist = newHistory(rb.log, o.BatchSize, o.RiskTenants, o.RiskEmployees, o.RiskEvents, o.RiskDays, 7)
	if o.RiskHistoryDir != "" {
		kept, err := rb.keptHistory(ctx)
		if err != nil || kept {
			return err
		}
	}
	if _, err := rb.hist.writeAtLeast(ctx, o.RiskEvents); err != nil {
		return err
	}
	if err := rb.waitSourced(ctx); err != nil {
		return err
	}
	if o.RiskHistoryDir != "" {
		return os.WriteFile(filepath.Join(o.RiskHistoryDir, historyShapeFile), []byte(rb.historyShape()), 0o600)
	}
	return nil
}

// historyShapeFile records, beside a kept history, the options it was
// written with; it is written once RISK_IN has sourced the whole history.
const historyShapeFile = "holdfast-bench-history"

// historyVersion numbers what the history writes: a change to its events
// changes it, so that a kept history of the old events is refused rather
// than measured as if it were the new one. 2: payments carry the payer's
// relation and the amount paid into company accounts, as the order
// service records them (before, every payment looked like one from an
// unregistered payer, and every order like one never paid).
const historyVersion = 2

// historyShape is the options that decide what history is written.
func (rb *riskBench) historyShape() string {
	o := rb.opts
	return fmt.Sprintf("events=%d employees=%d tenants=%d days=%d batch=%d seed=7 version=%d\n", o.RiskEvents, o.RiskEmployees, o.RiskTenants, o.RiskDays, o.BatchSize, historyVersion)
}

// keptHistory reports whether RiskHistoryDir already holds a complete
// history of this shape. One of another shape, or events without a
// complete history (a first run cut short, or a directory of other
// data), are refused rather than measured or written over.
func (rb *riskBench) keptHistory(ctx context.Context) (bool, error) {
	msgs, _, err := rb.riskIn(ctx)
	if err != nil {
		return false, err
	}
	stored, err := rb.storedEvents(ctx)
	if err != nil {
		return false, err
	}
	shape, err := os.ReadFile(filepath.Join(rb.opts.RiskHistoryDir, historyShapeFile))
	switch {
	case errors.Is(err, os.ErrNotExist) && stored == 0:
		return false, nil // a new directory: write the history
	case errors.Is(err, os.ErrNotExist):
		return false, fmt.Errorf("%w: %s holds %d events but no complete bench history (a first run cut short, or other data); use an empty directory", ErrOptions, rb.opts.RiskHistoryDir, stored)
	case err != nil:
		return false, err
	case string(shape) != rb.historyShape():
		return false, fmt.Errorf("%w: %s holds a history of %q, not of %q; use another directory", ErrOptions, rb.opts.RiskHistoryDir, strings.TrimSpace(string(shape)), strings.TrimSpace(rb.historyShape()))
	}
	rb.hist.written = int(msgs)
	return true, nil
}

// waitSourced waits until RISK_IN has sourced every event written.
func (rb *riskBench) waitSourced(ctx context.Context) error {
	s, err := rb.js.Stream(ctx, eventlog.StreamRiskIn)
	if err != nil {
		return err
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		info, err := s.Info(ctx)
		if err != nil {
			return err
		}
		if info.State.Msgs >= uint64(rb.hist.written) {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// storedEvents is how many messages every stream of the server holds.
func (rb *riskBench) storedEvents(ctx context.Context) (uint64, error) {
	var n uint64
	for _, spec := range eventlog.AllStreams() {
		s, err := rb.js.Stream(ctx, spec.Name)
		if err != nil {
			return 0, err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return 0, err
		}
		n += info.State.Msgs
	}
	return n, nil
}

// riskIn is RISK_IN's message count and stored bytes.
func (rb *riskBench) riskIn(ctx context.Context) (msgs, bytes uint64, err error) {
	s, err := rb.js.Stream(ctx, eventlog.StreamRiskIn)
	if err != nil {
		return 0, 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, 0, err
	}
	return info.State.Msgs, info.State.Bytes, nil
}

// replay is the engine judging all of RISK_IN through ReplayEach
// beside a plain ordered consumer reading the same stream. It is measured
// in replayRounds rounds, each a raw read and then a replay by a fresh
// engine, and the figures are those of the round whose replay-to-raw
// ratio is the median: the machine's speed moves by a third within
// minutes on a busy two-core machine, and a raw rate read at another time
// than the replay moved the ratio with it. Every round must decide the
// same, to the byte. The figures are measured once per run: the second
// round of the bench loop repeats the first.
func (rb *riskBench) replay(ctx context.Context) (Figure, error) {
	if rb.replayed != nil {
		return *rb.replayed, nil
	}
	if err := rb.start(ctx); err != nil {
		return Figure{}, err
	}
	msgs, _, err := rb.riskIn(ctx)
	if err != nil {
		return Figure{}, err
	}
	total := int(msgs)
	rounds := make([]replayRound, 0, replayRounds)
	for i := range replayRounds {
		var r replayRound
		r.raw, err = measured(total, func() error {
			_, err := rawRead(ctx, rb.js, eventlog.StreamRiskIn, total)
			return err
		})
		if err != nil {
			return Figure{}, err
		}
		// Only the last round is profiled, into the one file the
		// option names.
		profile := ""
		if i == replayRounds-1 {
			profile = rb.opts.RiskReplayProfile
		}
		stopProfile, profileErr := startCPUProfile(profile)
		if profileErr != nil {
			return Figure{}, profileErr
		}
		replayer := risksvc.NewReplayer()
		r.replay, err = measured(total, func() error {
			var replayErr error
			r.replayed, replayErr = replayer.Replay(ctx, rb.log, rb.logger)
			return replayErr
		})
		if joined := errors.Join(err, stopProfile()); joined != nil {
			return Figure{}, joined
		}
		if i > 0 && r.replayed != rounds[0].replayed {
			return Figure{}, fmt.Errorf("replay %d decided %d (digest %.12s), replay 1 %d (digest %.12s): the engine is not deterministic",
				i+1, r.replayed.Decisions, r.replayed.Digest, rounds[0].replayed.Decisions, rounds[0].replayed.Digest)
		}
		rounds = append(rounds, r)
		if i == replayRounds-1 {
			// The last round's engine, for the snapshot figure. An
			// earlier round's is dropped before the next round: kept,
			// it would be live heap the next round's collector marks.
			rb.replayer = replayer
		}
	}
	byRatio := slices.Clone(rounds)
	slices.SortFunc(byRatio, func(a, b replayRound) int { return cmp.Compare(a.ratio(), b.ratio()) })
	m := byRatio[len(byRatio)/2]
	var each []string
	for _, r := range rounds {
		each = append(each, fmt.Sprintf("%.0f/%.0f", r.replay.rate, r.raw.rate))
	}
	roundsNote := fmt.Sprintf("the round with the median ratio of %d, each a raw read then a replay (replay/raw events/s: %s)", len(rounds), strings.Join(each, ", "))
	rb.alloc = &Figure{
		Name: "risk_replay_alloc", Value: m.replay.allocPerEvent, Unit: "bytes/event", Baseline: m.raw.allocPerEvent,
		Note: "bytes allocated in this process (embedded server included) per RISK_IN event of the replay above vs of its raw read: it moves far less with the machine's load than the rates do, and every byte is work for the collector",
	}
	rb.cpu = &Figure{
		Name: "risk_replay_cpu", Value: m.replay.cpuPerEvent, Unit: "ns/event", Baseline: m.raw.cpuPerEvent,
		Note: fmt.Sprintf("process CPU (user + system, embedded server included) per RISK_IN event of the replay above vs of its raw read; the replay kept %.0f%% of a core busy, of the %d this machine has",
			100*m.replay.busy, runtime.NumCPU()),
	}
	rb.replayed = &Figure{
		Name: "risk_replay", Value: m.replay.rate, Unit: "events/s", Baseline: m.raw.rate,
		Note: fmt.Sprintf("ReplayEach (decode, judge, marshal each decision; %d decisions, digest %.12s) over a mixed RISK_IN of %d events, %d tenants, %d employees vs a raw ordered consumer over the same stream; %s",
			m.replayed.Decisions, m.replayed.Digest, total, rb.opts.RiskTenants, rb.hist.employees*rb.opts.RiskTenants, roundsNote),
	}
	return *rb.replayed, nil
}

// replayRounds is how many rounds of a raw read and a replay the replay
// figures are the median of. With three, the same build's median moved
// from 0.52 to 0.59 between runs on a quiet machine; five cost about 30 s
// more.
const replayRounds = 5

// replayRound is one raw read of RISK_IN and the replay after it.
type replayRound struct {
	raw, replay reading
	replayed    risksvc.Replayed
}

func (r replayRound) ratio() float64 { return r.replay.rate / r.raw.rate }

// reading is one pass over RISK_IN: events per second, and the process's
// CPU and allocation per event, and the share of one core it kept busy.
type reading struct {
	rate, cpuPerEvent, allocPerEvent, busy float64
}

// measured runs pass over total events and reads it. It collects first,
// as testing.B does before each benchmark, so that a pass does not pay
// for the garbage of the one before: without it, a raw read after a
// replay collected that replay's engine, and spent about 10% more CPU per
// event than one after a collection (the replay's ratio read ~0.025 high).
func measured(total int, pass func() error) (reading, error) {
	runtime.GC()
	cpu0, alloc0, start := processCPU(), allocated(), time.Now()
	if err := pass(); err != nil {
		return reading{}, err
	}
	took, cpu := time.Since(start), processCPU()-cpu0
	return reading{
		rate: rate(total, took), cpuPerEvent: perEvent(cpu, total),
		allocPerEvent: float64(allocated()-alloc0) / float64(total), busy: cpu.Seconds() / took.Seconds(),
	}, nil
}

// startCPUProfile starts a CPU profile written to path (none when path is
// empty); stop ends it and closes the file. Beside it go two allocation
// profiles, path+".allocs.before" now and path+".allocs" at stop, whose
// difference is what the profiled span allocated:
//
//	go tool pprof -sample_index=alloc_space -diff_base=P.allocs.before P.allocs
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	if err := writeAllocs(path + ".allocs.before"); err != nil {
		return nil, err
	}
	f, err := os.Create(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return err
		}
		return writeAllocs(path + ".allocs")
	}, nil
}

// writeAllocs writes the process's allocation profile so far to path. A
// collection first publishes the allocations since the last one.
func writeAllocs(path string) error {
	runtime.GC()
	f, err := os.Create(path) //nolint:gosec // the operator names the file
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// replayAlloc is the replay's bytes allocated per event beside the raw
// read's, from the same run as replay.
func (rb *riskBench) replayAlloc(ctx context.Context) (Figure, error) {
	if _, err := rb.replay(ctx); err != nil {
		return Figure{}, err
	}
	return *rb.alloc, nil
}

// allocated is the bytes this process has allocated on the heap so far.
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// replayCPU is the replay's CPU per event beside the raw read's, from
// the same run as replay.
func (rb *riskBench) replayCPU(ctx context.Context) (Figure, error) {
	if _, err := rb.replay(ctx); err != nil {
		return Figure{}, err
	}
	return *rb.cpu, nil
}

func perEvent(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(n) }

// snapshotRestore is how fast a restarting engine gets back the state of
// the replayed history from a snapshot (engine.Restore of what
// engine.Snapshot wrote), in RISK_IN events covered per second, beside the
// raw ordered consumer's rate over the same stream: above 1, a restart
// from a snapshot is faster than merely reading RISK_IN, let alone judging
// it.
func (rb *riskBench) snapshotRestore(ctx context.Context) (Figure, error) {
	if rb.restored != nil {
		return *rb.restored, nil
	}
	replayed, err := rb.replay(ctx)
	if err != nil {
		return Figure{}, err
	}
	msgs, _, err := rb.riskIn(ctx)
	if err != nil {
		return Figure{}, err
	}
	start := time.Now()
	snap, err := rb.replayer.Snapshot()
	if err != nil {
		return Figure{}, err
	}
	encode := time.Since(start)
	start = time.Now()
	if _, err := risksvc.RestoreReplayer(snap); err != nil {
		return Figure{}, err
	}
	restore := time.Since(start)
	rb.replayer = nil // its engine is large; the memory figures replay their own
	rb.restored = &Figure{
		Name: "risk_snapshot_restore", Value: rate(int(msgs), restore), Unit: "events/s", Baseline: replayed.Baseline,
		Note: fmt.Sprintf("restoring the engine from a snapshot of the replayed %d events (%d bytes, encoded in %s, restored in %s) vs a raw ordered consumer over the same stream; measured once",
			msgs, len(snap), encode.Round(time.Millisecond), restore.Round(time.Millisecond)),
	}
	return *rb.restored, nil
}

// heapPerEmployee is the engine's heap after replaying the history, less
// an empty engine's, per employee, beside RISK_IN's stored bytes per
// employee (what the engine would hold if it kept every event).
func (rb *riskBench) heapPerEmployee(ctx context.Context) (Figure, error) {
	if err := rb.measureMemory(ctx); err != nil {
		return Figure{}, err
	}
	return rb.perEmp, nil
}

// heapGrowth is how much the engine's heap grows per extra 1M events once
// its windows are full, beside RISK_IN's growth in stored bytes.
func (rb *riskBench) heapGrowth(ctx context.Context) (Figure, error) {
	if err := rb.measureMemory(ctx); err != nil {
		return Figure{}, err
	}
	return rb.perMillion, nil
}

func (rb *riskBench) measureMemory(ctx context.Context) error {
	rb.memOnce.Do(func() { rb.memErr = rb.measureMemoryOnce(ctx) })
	return rb.memErr
}

func (rb *riskBench) measureMemoryOnce(ctx context.Context) error {
	if err := rb.start(ctx); err != nil {
		return err
	}
	_, bytes, err := rb.riskIn(ctx)
	if err != nil {
		return err
	}
	full, err := rb.childHeap(ctx)
	if err != nil {
		return err
	}
	employees := rb.hist.employees * rb.opts.RiskTenants
	rb.perEmp = Figure{
		Name: "risk_heap_per_employee", Value: float64(full.Engine-full.Empty) / float64(employees), Unit: "bytes/employee",
		Baseline: float64(bytes) / float64(employees),
		Note: fmt.Sprintf("engine heap after replaying %d events of %d employees (%d days), less an empty engine's (%d B), measured in a child process holding only the engine, vs RISK_IN stored bytes per employee",
			full.Events, employees, rb.opts.RiskDays, full.Empty),
	}

	extra, err := rb.hist.writeAtLeast(ctx, rb.opts.RiskGrowthEvents)
	if err != nil {
		return err
	}
	if err := rb.waitSourced(ctx); err != nil {
		return err
	}
	_, bytesAfter, err := rb.riskIn(ctx)
	if err != nil {
		return err
	}
	grown, err := rb.childHeap(ctx)
	if err != nil {
		return err
	}
	diff := float64(grown.Engine) - float64(full.Engine)
	perMillion := func(d float64) float64 { return d * 1e6 / float64(extra) }
	rb.perMillion = Figure{
		Name: "risk_heap_growth", Value: max(perMillion(diff), 0), Unit: "bytes/1M-events",
		Baseline: perMillion(float64(bytesAfter - bytes)),
		Note: fmt.Sprintf("engine heap after %d more events (history now spans %s, windows already full; %+.0f B measured), scaled to 1M, vs RISK_IN's growth in stored bytes",
			extra, rb.hist.hour.Sub(historyStart).Round(time.Hour), diff),
	}
	return nil
}

// engineHeap is the live heap with r reachable less the live heap once it
// is not. Both readings come back to back after a full GC, so whatever else
// the process holds (the embedded server's caches, the generator) cancels.
func engineHeap(r *risksvc.Replayer) uint64 {
	with := liveHeap()
	runtime.KeepAlive(r)
	without := liveHeap()
	if with < without {
		return 0
	}
	return with - without
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
