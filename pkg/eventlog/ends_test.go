package eventlog_test

import (
	"fmt"
	"testing"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

func TestFirstAndLastReadTheEndsOfAnAggregate(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	if _, found, err := log.Last(ctx, customerRef("none")); err != nil || found {
		t.Fatalf("Last of an empty aggregate: found %v, err %v", found, err)
	}
	if _, found, err := log.First(ctx, customerRef("none")); err != nil || found {
		t.Fatalf("First of an empty aggregate: found %v, err %v", found, err)
	}
	var pos eventlog.Position
	for i := range 3 {
		// Interleave another aggregate so sequences and versions differ.
		if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef(fmt.Sprintf("other%d", i)), RequestID: fmt.Sprintf("o%d", i), Payload: note("x")}); err != nil {
			t.Fatal(err)
		}
		res, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef("c1"), After: pos, RequestID: fmt.Sprintf("r%d", i), Payload: note(fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		pos = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
	}
	first, found, err := log.First(ctx, customerRef("c1"))
	if err != nil || !found {
		t.Fatalf("First: found %v, err %v", found, err)
	}
	if got := first.Envelope.GetAggregateVersion(); got != 1 {
		t.Errorf("First is version %d, want 1", got)
	}
	last, found, err := log.Last(ctx, customerRef("c1"))
	if err != nil || !found {
		t.Fatalf("Last: found %v, err %v", found, err)
	}
	if got := eventlog.PositionOf(last); got != pos {
		t.Errorf("PositionOf(Last) = %+v, want %+v", got, pos)
	}
	payload, err := eventlog.Payload(last.Envelope)
	if err != nil {
		t.Fatal(err)
	}
	if text := payload.(*clientv1.InteractionLogged).GetText(); text != "2" {
		t.Errorf("Last holds %q, want the third event", text)
	}
	// Appending after the position Last gives succeeds; after First's conflicts.
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef("c1"), After: eventlog.PositionOf(first), RequestID: "stale", Payload: note("s")}); err == nil {
		t.Error("append after the first event's position succeeded; want a conflict")
	}
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef("c1"), After: eventlog.PositionOf(last), RequestID: "fresh", Payload: note("f")}); err != nil {
		t.Errorf("append after Last's position: %v", err)
	}
}

func TestFirstAndLastRejectBadRefs(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	bad := eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: "a.b"}
	if _, _, err := log.Last(ctxT(t), bad); err == nil {
		t.Error("Last accepted an id with a dot")
	}
	if _, _, err := log.First(ctxT(t), bad); err == nil {
		t.Error("First accepted an id with a dot")
	}
}
