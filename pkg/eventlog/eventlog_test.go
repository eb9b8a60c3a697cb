package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

func customerRef(id string) eventlog.AggregateRef {
	return eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: id}
}

func note(text string) proto.Message {
	return &clientv1.InteractionLogged{InteractionId: "i1", CustomerId: "c1", EmployeeId: "e1", Text: text}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAppendDuplicateRequestWritesOneEvent(t *testing.T) {
	t.Parallel()
	n, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	req := eventlog.AppendRequest{Ref: customerRef("c1"), RequestID: "req-1", ActorID: "e1", Payload: note("hello")}

	first, err := log.Append(ctx, req)
	if err != nil {
		t.Fatalf("first append: %v", err)
	}
	again, err := log.Append(ctx, req)
	if err != nil {
		t.Fatalf("retried append: %v", err)
	}
	if !again.Duplicate || again.Sequence != first.Sequence || again.EventID != first.EventID {
		t.Errorf("retry = %+v, want duplicate of %+v", again, first)
	}
	if first.Envelope.GetEventId() != first.EventID || first.Envelope.GetAggregateVersion() != 1 {
		t.Errorf("first append's envelope = %v, want the stored event (id %s, version 1)", first.Envelope, first.EventID)
	}
	if again.Envelope != nil {
		t.Errorf("duplicate append returned an envelope it did not store: %v", again.Envelope)
	}
	s, err := n.JS.Stream(ctx, eventlog.StreamClient)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("stream holds %d messages, want 1", info.State.Msgs)
	}
}

func TestAppendStaleVersionConflicts(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	ref := customerRef("c1")
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: ref, RequestID: "a", Payload: note("1")}); err != nil {
		t.Fatal(err)
	}
	_, err := log.Append(ctx, eventlog.AppendRequest{Ref: ref, RequestID: "b", Payload: note("2")})
	var conflict *eventlog.ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, eventlog.ErrConflict) {
		t.Fatalf("append on stale position: err = %v, want *ConflictError", err)
	}
	if conflict.Subject != ref.Subject() {
		t.Errorf("conflict subject = %q, want %q", conflict.Subject, ref.Subject())
	}
}

// Eight writers increment one aggregate concurrently, each with the
// load → decide → append-with-expected-sequence loop services use.
func TestParallelWritersKeepVersionsGapFree(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	ref := customerRef("busy")
	const writers, perWriter = 8, 10

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				for {
					agg, err := log.Load(ctx, ref)
					if err != nil {
						errs <- err
						return
					}
					_, err = log.Append(ctx, eventlog.AppendRequest{
						Ref: ref, After: agg.Position, RequestID: fmt.Sprintf("w%d-%d", w, i), Payload: note("x"),
					})
					if errors.Is(err, eventlog.ErrConflict) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	agg, err := log.Load(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(agg.Records), writers*perWriter; got != want {
		t.Fatalf("aggregate has %d events, want %d (lost update)", got, want)
	}
	seen := map[string]bool{}
	for i, rec := range agg.Records {
		if v := rec.Envelope.GetAggregateVersion(); v != uint64(i+1) {
			t.Errorf("event %d has version %d, want %d", i, v, i+1)
		}
		seen[rec.Envelope.GetRequestId()] = true
	}
	if len(seen) != writers*perWriter {
		t.Errorf("%d distinct requests stored, want %d", len(seen), writers*perWriter)
	}
	if agg.Position.Version != writers*perWriter {
		t.Errorf("position version = %d, want %d", agg.Position.Version, writers*perWriter)
	}
}

func TestFollowReplaysInAppendOrder(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	var want []string
	positions := map[string]eventlog.Position{}
	for i := range 30 {
		id := fmt.Sprintf("c%d", i%4)
		res, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef(id), After: positions[id], RequestID: fmt.Sprintf("r%d", i), Payload: note(fmt.Sprint(i))})
		if err != nil {
			t.Fatal(err)
		}
		positions[id] = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
		want = append(want, res.EventID)
	}

	got := followN(t, log, eventlog.StreamClient, 1, len(want))
	if diff := cmp.Diff(want, eventIDs(got)); diff != "" {
		t.Errorf("replay order mismatch (-want, +got):\n%s", diff)
	}
	// Each record knows its place in the stream from its ack reply
	// subject: its sequence, and how many followed it then.
	for i, rec := range got {
		if wantSeq, wantPending := uint64(i+1), uint64(len(want)-i-1); rec.Sequence != wantSeq || rec.Pending != wantPending {
			t.Errorf("record %d: sequence %d, pending %d; want %d, %d", i, rec.Sequence, rec.Pending, wantSeq, wantPending)
		}
	}
	// Resuming from a checkpoint delivers exactly the rest.
	rest := followN(t, log, eventlog.StreamClient, 21, 10)
	if diff := cmp.Diff(want[20:], eventIDs(rest)); diff != "" {
		t.Errorf("resume from checkpoint mismatch (-want, +got):\n%s", diff)
	}
}

func eventIDs(recs []eventlog.Record) []string {
	ids := make([]string, 0, len(recs))
	for _, r := range recs {
		ids = append(ids, r.Envelope.GetEventId())
	}
	return ids
}

// followN follows stream from seq until n records arrived.
func followN(t *testing.T, log *eventlog.Log, stream string, from uint64, n int) []eventlog.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var got []eventlog.Record
	err := log.Follow(ctx, stream, func(_ context.Context, rec eventlog.Record) error {
		got = append(got, rec)
		if len(got) == n {
			cancel()
		}
		return nil
	}, eventlog.FollowOptions{From: from})
	if err != nil {
		t.Fatalf("follow %s: %v", stream, err)
	}
	if len(got) != n {
		t.Fatalf("followed %d records of %s, want %d", len(got), stream, n)
	}
	return got
}

func TestStreamsRefuseDeleteAndPurge(t *testing.T) {
	t.Parallel()
	n, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	res, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef("c1"), RequestID: "r", Payload: note("keep me")})
	if err != nil {
		t.Fatal(err)
	}
	s, err := n.JS.Stream(ctx, eventlog.StreamClient)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMsg(ctx, res.Sequence); err == nil {
		t.Error("DeleteMsg succeeded on an immutable stream")
	}
	if err := s.SecureDeleteMsg(ctx, res.Sequence); err == nil {
		t.Error("SecureDeleteMsg succeeded on an immutable stream")
	}
	if err := s.Purge(ctx); err == nil {
		t.Error("Purge succeeded on an immutable stream")
	}
	if err := n.JS.DeleteStream(ctx, eventlog.StreamClient); err == nil {
		// Deleting a whole stream is an operator's act with server credentials;
		// production accounts deny it (deploy/nats). Here we only note it.
		t.Log("DeleteStream is possible with full account permissions")
	}
}

func TestAppendRejectsBadTokens(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	tests := []struct {
		name string
		ref  eventlog.AggregateRef
		req  string
	}{
		{"dot in tenant", eventlog.AggregateRef{Context: "client", Tenant: "ac.me", Type: "customer", ID: "c1"}, "r"},
		{"wildcard id", eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: "*"}, "r"},
		{"gt id", eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: ">"}, "r"},
		{"space in type", eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "cus tomer", ID: "c1"}, "r"},
		{"empty tenant", eventlog.AggregateRef{Context: "client", Tenant: "", Type: "customer", ID: "c1"}, "r"},
		{"unknown context", eventlog.AggregateRef{Context: "hr", Tenant: "acme", Type: "customer", ID: "c1"}, "r"},
		{"unicode id", eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: "客户"}, "r"},
		{"long id", eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: string(make([]byte, 129))}, "r"},
		{"bad request id", customerRef("c1"), "a b"},
		{"empty request id", customerRef("c1"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := log.Append(ctx, eventlog.AppendRequest{Ref: tt.ref, RequestID: tt.req, Payload: note("x")})
			if !errors.Is(err, eventlog.ErrInvalidToken) {
				t.Errorf("Append err = %v, want ErrInvalidToken", err)
			}
		})
	}
	if _, err := log.Load(ctx, eventlog.AggregateRef{Context: "client", Tenant: "acme", Type: "customer", ID: "a.b"}); !errors.Is(err, eventlog.ErrInvalidToken) {
		t.Errorf("Load err = %v, want ErrInvalidToken", err)
	}
}

func TestLoadMissingAggregateIsEmpty(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	agg, err := log.Load(ctxT(t), customerRef("nobody"))
	if err != nil {
		t.Fatal(err)
	}
	if agg.Position != (eventlog.Position{}) || len(agg.Records) != 0 {
		t.Errorf("missing aggregate = %+v, want empty", agg)
	}
}

func TestGetReadsOneEventAsStored(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	var after eventlog.Position
	for i, text := range []string{"first", "second"} {
		res, err := log.Append(ctx, eventlog.AppendRequest{
			Ref: customerRef("c1"), After: after, RequestID: fmt.Sprintf("r%d", i), ActorID: "e1", Payload: note(text),
		})
		if err != nil {
			t.Fatal(err)
		}
		after = eventlog.Position{Version: res.Version, Sequence: res.Sequence}
	}
	agg, err := log.Load(ctx, customerRef("c1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range agg.Records {
		got, err := log.Get(ctx, eventlog.StreamClient, want.Sequence)
		if err != nil {
			t.Fatalf("Get(%d): %v", want.Sequence, err)
		}
		if got.Stream != eventlog.StreamClient || got.Sequence != want.Sequence || got.Subject != want.Subject ||
			string(got.Data) != string(want.Data) || got.Envelope.GetEventId() != want.Envelope.GetEventId() {
			t.Errorf("Get(%d) = %s/%d %s %s, want the record Load read", want.Sequence, got.Stream, got.Sequence, got.Subject, got.Envelope.GetEventId())
		}
	}
	if _, err := log.Get(ctx, eventlog.StreamClient, after.Sequence+1); !errors.Is(err, eventlog.ErrNoEvent) {
		t.Errorf("Get past the end: err = %v, want ErrNoEvent", err)
	}
}

func TestProvisionIsIdempotentAndReportsDrift(t *testing.T) {
	t.Parallel()
	n := testkit.StartNATS(t)
	ctx := ctxT(t)
	cfg := eventlog.DefaultProvisionConfig()
	for i := range 2 {
		if err := eventlog.Provision(ctx, n.JS, cfg, eventlog.AllStreams()...); err != nil {
			t.Fatalf("provision run %d: %v", i+1, err)
		}
	}
	// A stream someone created by hand without the immutability flags.
	loose := cfg.StreamConfig(eventlog.StreamSpec{Name: "LOOSE", Subjects: []string{"loose.>"}})
	loose.DenyPurge, loose.DenyDelete = false, false
	if _, err := n.JS.CreateStream(ctx, loose); err != nil {
		t.Fatal(err)
	}
	err := eventlog.Provision(ctx, n.JS, cfg, eventlog.StreamSpec{Name: "LOOSE", Subjects: []string{"loose.>"}})
	var drift *eventlog.DriftError
	if !errors.As(err, &drift) {
		t.Fatalf("provision over a loose stream: err = %v, want *DriftError", err)
	}
	if want := []string{"deny_delete is false", "deny_purge is false"}; !cmp.Equal(drift.Differences, want) {
		t.Errorf("differences = %q, want %q", drift.Differences, want)
	}
	s, err := n.JS.Stream(ctx, "LOOSE")
	if err != nil {
		t.Fatal(err)
	}
	if s.CachedInfo().Config.DenyPurge {
		t.Error("provision changed a drifted stream; it must only report")
	}
	if err := eventlog.Provision(ctx, n.JS, eventlog.ProvisionConfig{Replicas: 1, Duplicates: time.Minute}); err == nil {
		t.Error("provision accepted a duplicate window under the minimum")
	}
}

// Two services given the same request id must both reach RISK_IN: their
// event ids differ because the context is part of the id.
func TestRiskInReceivesSameRequestIDFromTwoStreams(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	refs := []eventlog.AggregateRef{
		{Context: "client", Tenant: "acme", Type: "customer", ID: "x1"},
		{Context: "order", Tenant: "acme", Type: "order", ID: "x1"},
	}
	for _, ref := range refs {
		if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: ref, RequestID: "same", Payload: note("x")}); err != nil {
			t.Fatal(err)
		}
	}
	got := followN(t, log, eventlog.StreamRiskIn, 1, 2)
	var sources []string
	for _, rec := range got {
		if rec.Source == nil {
			t.Fatalf("RISK_IN record %d has no source position", rec.Sequence)
		}
		sources = append(sources, fmt.Sprintf("%s/%d", rec.Source.Stream, rec.Source.Sequence))
	}
	slices.Sort(sources)
	if diff := cmp.Diff([]string{"CLIENT/1", "ORDER/1"}, sources); diff != "" {
		t.Errorf("RISK_IN sources mismatch (-want, +got):\n%s", diff)
	}
}

func TestFollowParksPoisonAndContinues(t *testing.T) {
	t.Parallel()
	n, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef("c1"), RequestID: "r1", Payload: note("a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.JS.Publish(ctx, "client.acme.customer.junk", []byte("not an envelope")); err != nil {
		t.Fatal(err)
	}
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef("c2"), RequestID: "r2", Payload: note("b")}); err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var applied, parked []uint64
	var prepared []any
	err := log.Follow(fctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
		applied = append(applied, rec.Sequence)
		prepared = append(prepared, rec.Prepared)
		if rec.Sequence == 3 {
			cancel()
		}
		return nil
	}, eventlog.FollowOptions{OnPoison: func(_ context.Context, rec eventlog.Record, reason error) error {
		if !errors.Is(reason, eventlog.ErrDecode) {
			t.Errorf("poison reason = %v, want ErrDecode", reason)
		}
		if rec.Prepared != nil {
			t.Errorf("poison record prepared as %v, want nothing", rec.Prepared)
		}
		parked = append(parked, rec.Sequence)
		return nil
	}, Prepare: func(rec eventlog.Record) any {
		// Ahead of the handler, from the decoded record alone.
		msg, err := rec.Payload()
		if err != nil {
			return err
		}
		return fmt.Sprintf("%d %s", rec.Sequence, msg.(*clientv1.InteractionLogged).GetText())
	}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{1, 3}, applied); diff != "" {
		t.Errorf("applied mismatch (-want, +got):\n%s", diff)
	}
	if diff := cmp.Diff([]uint64{2}, parked); diff != "" {
		t.Errorf("parked mismatch (-want, +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"1 a", "3 b"}, prepared); diff != "" {
		t.Errorf("prepared mismatch (-want, +got):\n%s", diff)
	}
}

func TestFollowRetriesFailingHandler(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef("c1"), RequestID: "r1", Payload: note("a")}); err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	attempts := 0
	caughtUp := false
	err := log.Follow(fctx, eventlog.StreamClient, func(context.Context, eventlog.Record) error {
		attempts++
		if attempts < 3 {
			return errors.New("database briefly away")
		}
		cancel()
		return nil
	}, eventlog.FollowOptions{OnCaughtUp: func() { caughtUp = true }})
	if err != nil {
		t.Fatal(err)
	}
	if attempts != 3 {
		t.Errorf("handler called %d times, want 3 (two failures, one success)", attempts)
	}
	if !caughtUp {
		t.Error("OnCaughtUp not called after the last record")
	}
}

// appendTraced appends one record of customer c1 from within a known
// trace and returns the trace's id.
func appendTraced(t *testing.T, log *eventlog.Log) trace.TraceID {
	t.Helper()
	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled, Remote: true})
	if _, err := log.Append(trace.ContextWithSpanContext(ctxT(t), sc), eventlog.AppendRequest{Ref: customerRef("c1"), RequestID: "r1", Payload: note("a")}); err != nil {
		t.Fatal(err)
	}
	return traceID
}

func TestTraceContextTravelsInHeaders(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	traceID := appendTraced(t, log)
	rec := followN(t, log, eventlog.StreamClient, 1, 1)[0]
	if got, want := rec.Header.Get("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"; got != want {
		t.Errorf("traceparent header = %q, want %q", got, want)
	}
	got := trace.SpanContextFromContext(eventlog.ExtractTrace(context.Background(), rec.Header))
	if got.TraceID() != traceID {
		t.Errorf("extracted trace id = %s, want %s", got.TraceID(), traceID)
	}
	if rec.Header.Get(eventlog.HeaderEventType) != "holdfast.client.v1.InteractionLogged" {
		t.Errorf("event type header = %q", rec.Header.Get(eventlog.HeaderEventType))
	}
}

// A follower's handler runs in a consume span that continues the trace
// the record was written in; an untraced one (a replay of history) in
// none.
func TestFollowTracesEachRecordUnlessUntraced(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	traceID := appendTraced(t, log)
	for _, untraced := range []bool{false, true} {
		var seen []trace.SpanContext
		err := log.Follow(ctx, eventlog.StreamClient, func(hctx context.Context, _ eventlog.Record) error {
			seen = append(seen, trace.SpanContextFromContext(hctx))
			return nil
		}, eventlog.FollowOptions{StopAtEnd: true, Untraced: untraced})
		if err != nil || len(seen) != 1 {
			t.Fatalf("untraced=%v: follow saw %d records, %v; want 1", untraced, len(seen), err)
		}
		if got := seen[0]; untraced == got.IsValid() || (!untraced && got.TraceID() != traceID) {
			t.Errorf("untraced=%v: handler's span context %v valid=%v, want the record's trace %s only when traced", untraced, got.TraceID(), got.IsValid(), traceID)
		}
	}
}

func TestAppendBatchAppendsEachAndReportsConflicts(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	taken := customerRef("taken")
	if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: taken, RequestID: "first", Payload: note("x")}); err != nil {
		t.Fatal(err)
	}
	reqs := []eventlog.AppendRequest{
		{Ref: customerRef("b1"), RequestID: "r", Payload: note("1")},
		{Ref: taken, RequestID: "second", Payload: note("2")}, // stale position
		{Ref: customerRef("b2"), RequestID: "r", Payload: note("3")},
		{Ref: customerRef("b.3"), RequestID: "r", Payload: note("4")}, // bad token
	}
	results, err := log.AppendBatch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Err != nil || results[2].Err != nil {
		t.Fatalf("valid requests failed: %v, %v", results[0].Err, results[2].Err)
	}
	if results[0].Appended.Version != 1 || results[0].Appended.Sequence == 0 {
		t.Errorf("result 0 = %+v, want version 1 with a sequence", results[0].Appended)
	}
	if !errors.Is(results[1].Err, eventlog.ErrConflict) {
		t.Errorf("stale request err = %v, want ErrConflict", results[1].Err)
	}
	if !errors.Is(results[3].Err, eventlog.ErrInvalidToken) {
		t.Errorf("bad token err = %v, want ErrInvalidToken", results[3].Err)
	}
	agg, err := log.Load(ctx, taken)
	if err != nil {
		t.Fatal(err)
	}
	if len(agg.Records) != 1 {
		t.Errorf("conflicting batch item was written: %d events", len(agg.Records))
	}
}
