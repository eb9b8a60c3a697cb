package eventlog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// With Recycle, a follower decodes envelopes into the memory of records
// the handler has returned from: every record is whole while its handler
// runs, and far fewer envelopes than records are made. Without it, every
// record keeps an envelope of its own, whole after its handler returns.
func TestFollowRecyclesEnvelopesTheHandlerIsDoneWith(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	const n = 600 // more than a reader decodes ahead, so reuse must show
	reqs := make([]eventlog.AppendRequest, n)
	for i := range reqs {
		reqs[i] = eventlog.AppendRequest{Ref: customerRef(fmt.Sprintf("c%d", i)), RequestID: fmt.Sprintf("r%d", i), Payload: note(fmt.Sprint(i))}
	}
	results, err := log.AppendBatch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]string{}
	for _, r := range results {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		want[r.Appended.Sequence] = r.Appended.EventID
	}
	for _, recycle := range []bool{false, true} {
		made := map[*eventv1.Envelope]bool{}
		var kept *eventv1.Envelope
		var keptID string
		err := log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
			if got := rec.Envelope.GetEventId(); got != want[rec.Sequence] {
				t.Errorf("recycle %v: record %d has event %q, want %q", recycle, rec.Sequence, got, want[rec.Sequence])
			}
			// A recycled envelope is not read once its handler has
			// returned (the reader may be decoding into it); one that is
			// not recycled stays its record's.
			if kept != nil && !recycle {
				if got := kept.GetEventId(); got != keptID {
					t.Errorf("the envelope kept from the record before (event %s) reads event %q", keptID, got)
				}
			}
			kept, keptID = rec.Envelope, rec.Envelope.GetEventId()
			made[rec.Envelope] = true
			return nil
		}, eventlog.FollowOptions{StopAtEnd: true, Recycle: recycle})
		if err != nil {
			t.Fatalf("recycle %v: %v", recycle, err)
		}
		switch {
		case !recycle && len(made) != n:
			t.Errorf("without recycling, %d envelopes for %d records", len(made), n)
		case recycle && len(made) > n/2:
			t.Errorf("recycling, %d envelopes for %d records: not reused", len(made), n)
		}
	}
}
