package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

// The memory figures are measured in a child process. The embedded
// nats-server's block caches live in the bench's own heap and come and go
// while a reading is taken (a replay loads every block of RISK_IN, and
// the caches expire on a timer), which made an in-process measure of the
// engine swing by hundreds of MB from run to run. The child holds a NATS
// client and the engine, nothing else.

// heapChildEnv, when set, makes this process a heap-measuring child that
// replays RISK_IN from the NATS server at the URL it names.
const heapChildEnv = "HOLDFAST_BENCH_HEAP_CHILD"

// heapReport is what a child measured: an empty engine's heap and the
// heap of an engine that replayed RISK_IN's events.
type heapReport struct {
	Empty  uint64 `json:"empty"`
	Engine uint64 `json:"engine"`
	Events int    `json:"events"`
}

// HeapChild runs the process as a heap-measuring child when the
// environment says so: it replays RISK_IN, writes a heapReport as JSON to
// stdout and returns true. Otherwise it does nothing and returns false.
// The holdfast binary and the bench's tests call it before anything else,
// so the bench can start its own executable as the child.
func HeapChild(ctx context.Context, stdout io.Writer) (bool, error) {
	url := os.Getenv(heapChildEnv)
	if url == "" {
		return false, nil
	}
	nc, err := nats.Connect(url, nats.Name("holdfast-bench-heap"))
	if err != nil {
		return true, fmt.Errorf("bench heap child: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return true, fmt.Errorf("bench heap child: %w", err)
	}
	log := eventlog.New(js)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	rep := heapReport{Empty: engineHeap(risksvc.NewReplayer())}
	r := risksvc.NewReplayer()
	if _, err := r.Replay(ctx, log, logger); err != nil {
		return true, fmt.Errorf("bench heap child: %w", err)
	}
	rep.Engine = engineHeap(r)
	s, err := js.Stream(ctx, eventlog.StreamRiskIn)
	if err != nil {
		return true, fmt.Errorf("bench heap child: %w", err)
	}
	rep.Events = int(s.CachedInfo().State.Msgs) //nolint:gosec // a stream's message count
	return true, json.NewEncoder(stdout).Encode(rep)
}

// childHeap starts this executable as a heap child against the bench's
// server and returns what it measured.
func (rb *riskBench) childHeap(ctx context.Context) (heapReport, error) {
	exe, err := os.Executable()
	if err != nil {
		return heapReport{}, err
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), heapChildEnv+"="+rb.url)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return heapReport{}, fmt.Errorf("heap child: %w: %s", err, errOut.String())
	}
	var rep heapReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return heapReport{}, fmt.Errorf("heap child said %q: %w", out.String(), err)
	}
	return rep, nil
}
