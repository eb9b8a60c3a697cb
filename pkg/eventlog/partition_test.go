package eventlog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
)

// TestFollowSubjectsDeliversOnePartition: a follower with subject filters
// sees only the matching records, in stream order, knows when it has
// reached their end, and reaches it at once when nothing matches.
func TestFollowSubjectsDeliversOnePartition(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	var want []string
	for i := range 12 {
		tenant := []string{"acme", "globex", "initech"}[i%3]
		ref := eventlog.AggregateRef{Context: "client", Tenant: tenant, Type: "customer", ID: fmt.Sprintf("c%d", i)}
		res, err := log.Append(ctx, eventlog.AppendRequest{Ref: ref, RequestID: fmt.Sprintf("r%d", i), Payload: note(fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		if tenant != "globex" {
			want = append(want, res.EventID)
		}
	}
	scan := func(subjects ...string) ([]string, bool) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var got []string
		caughtUp := false
		err := log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
			got = append(got, rec.Envelope.GetEventId())
			return nil
		}, eventlog.FollowOptions{Subjects: subjects, StopAtEnd: true, OnCaughtUp: func() { caughtUp = true }})
		if err != nil || ctx.Err() != nil {
			t.Fatalf("follow %v: %v (%v)", subjects, err, ctx.Err())
		}
		return got, caughtUp
	}
	got, caughtUp := scan("client.acme.>", "client.initech.>")
	if diff := cmp.Diff(want, got); diff != "" || !caughtUp {
		t.Errorf("partition acme+initech mismatch (-want, +got), caught up %v:\n%s", caughtUp, diff)
	}
	if got, caughtUp := scan("client.nobody.>"); len(got) != 0 || !caughtUp {
		t.Errorf("a partition with no events delivered %v, caught up %v; want nothing and at its end", got, caughtUp)
	}
}
