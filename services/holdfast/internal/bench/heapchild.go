package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// A heap child is started with heapChildArg as its only argument and
// heapChildEnv naming the NATS server's URL: both are needed, so neither a
// stray variable in a user's shell nor the argument alone turns a command
// into a child.
const (
	heapChildArg = "__holdfast-bench-heap-child"
	heapChildEnv = "HOLDFAST_BENCH_HEAP_CHILD"
)

// heapReport is what a child measured: an empty engine's heap and the
// heap of an engine that replayed RISK_IN's events.
type heapReport struct {
	Empty  uint64 `json:"empty"`
	Engine uint64 `json:"engine"`
	Events int    `json:"events"`
}

// HeapChild runs the process as a heap-measuring child when it was
// started as one: it replays RISK_IN, writes a heapReport as JSON to
// stdout and returns true. Otherwise it does nothing and returns false.
// The holdfast binary and the bench's tests call it before anything else,
// so the bench can start its own executable as the child. Only they may
// run the bench's memory figures: another binary started as a child would
// not know it is one.
func HeapChild(ctx context.Context, stdout io.Writer) (bool, error) {
	url := os.Getenv(heapChildEnv)
	if url == "" || len(os.Args) != 2 || os.Args[1] != heapChildArg {
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
	logger := slog.New(slog.DiscardHandler)
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
	if os.Getenv(heapChildEnv) != "" {
		return heapReport{}, errors.New("heap child: a heap child may not start another")
	}
	exe, err := os.Executable()
	if err != nil {
		return heapReport{}, err
	}
	cmd := exec.CommandContext(ctx, exe, heapChildArg) //nolint:gosec // this very executable, started as a child

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
