package eventlog_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
)

// appendN appends n records, one per customer, and returns the log.
func appendN(t *testing.T, n int) *eventlog.Log {
	t.Helper()
	_, log := testkit.StartEventLog(t)
	reqs := make([]eventlog.AppendRequest, n)
	for i := range reqs {
		reqs[i] = eventlog.AppendRequest{Ref: customerRef(fmt.Sprintf("c%d", i)), RequestID: fmt.Sprintf("r%d", i), Payload: note(fmt.Sprint(i))}
	}
	results, err := log.AppendBatch(ctxT(t), reqs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	return log
}

// heldBack is a handler held at its first record until the reader has
// decoded half the read-ahead past it, so that what follows reaches the
// handler in batches; Prepare tells how far the reader got.
type heldBack struct {
	prepared atomic.Uint64 // the last sequence prepared
	ahead    chan struct{} // closed once half the read-ahead is prepared
	once     sync.Once
}

func newHeldBack() *heldBack { return &heldBack{ahead: make(chan struct{})} }

func (h *heldBack) prepare(rec eventlog.Record) any {
	h.prepared.Store(rec.Sequence)
	if rec.Sequence > eventlog.ReadAheadRecords/2 {
		h.once.Do(func() { close(h.ahead) })
	}
	return nil
}

// hold waits at the first record until the reader is ahead; false when
// ctx ends first.
func (h *heldBack) hold(ctx context.Context, rec eventlog.Record) bool {
	if rec.Sequence != 1 {
		return true
	}
	select {
	case <-h.ahead:
		return true
	case <-ctx.Done():
		return false
	}
}

// A handler slower than the reader gets every record in order, one at a
// time, though they reach it in batches, and the reader never decodes
// more than the read-ahead past it.
func TestFollowGivesASlowHandlerEveryRecordInOrder(t *testing.T) {
	t.Parallel()
	const n = 3 * eventlog.ReadAheadRecords
	log := appendN(t, n)
	ctx := ctxT(t)
	held := newHeldBack()
	var got []uint64
	err := log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
		if !held.hold(ctx, rec) {
			t.Fatal("the reader did not get ahead of a held handler")
		}
		if ahead := held.prepared.Load() - rec.Sequence; ahead > eventlog.ReadAheadRecords {
			t.Errorf("at record %d the reader had decoded %d records ahead, want at most %d", rec.Sequence, ahead, eventlog.ReadAheadRecords)
		}
		got = append(got, rec.Sequence)
		return nil
	}, eventlog.FollowOptions{StopAtEnd: true, Prepare: held.prepare, Recycle: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("handler got %d records, want %d", len(got), n)
	}
	for i, seq := range got {
		if seq != uint64(i+1) {
			t.Fatalf("record %d of the handler is sequence %d, want %d", i, seq, i+1)
		}
	}
}

// A record appended while the handler waits reaches it with no other
// record behind it to fill a batch: following live adds no latency.
func TestFollowDeliversALiveRecordAtOnce(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	caughtUp := make(chan struct{})
	got := make(chan uint64)
	followed := make(chan error, 1)
	go func() {
		followed <- log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
			select {
			case got <- rec.Sequence:
			case <-ctx.Done():
			}
			return nil
		}, eventlog.FollowOptions{OnCaughtUp: func() { close(caughtUp) }})
	}()
	<-caughtUp
	for i := range 3 {
		if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef(fmt.Sprintf("c%d", i)), RequestID: "r", Payload: note("live")}); err != nil {
			t.Fatal(err)
		}
		// The next is appended only once this one arrived.
		select {
		case seq := <-got:
			if seq != uint64(i+1) {
				t.Errorf("live record %d arrived as sequence %d", i+1, seq)
			}
		case <-ctx.Done():
			t.Fatalf("live record %d did not reach the waiting handler: %v", i+1, ctx.Err())
		}
	}
	cancel()
	if err := <-followed; err != nil {
		t.Errorf("follow: %v", err)
	}
}

// A handler that stops part-way through a batch, with more decoded behind
// it, stops the follower there: Follow returns, no record past the stop
// is handled, and the reader goroutine is gone (TestMain checks for
// goroutines left running).
func TestFollowStopsPartWayThroughABatch(t *testing.T) {
	t.Parallel()
	const n, stopAt = 3 * eventlog.ReadAheadRecords, 10
	log := appendN(t, n)
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	held := newHeldBack()
	var got []uint64
	err := log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
		if !held.hold(ctx, rec) {
			t.Fatal("the reader did not get ahead of a held handler")
		}
		got = append(got, rec.Sequence)
		if rec.Sequence == stopAt {
			cancel()
		}
		return nil
	}, eventlog.FollowOptions{Prepare: held.prepare})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != stopAt || got[stopAt-1] != stopAt {
		t.Errorf("handler got records %v, want 1 to %d", got, stopAt)
	}
}
