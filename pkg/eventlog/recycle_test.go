package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// With Recycle, a follower decodes records into the memory of envelopes
// and payloads the handler has returned from: every record is whole while
// its handler runs, and far fewer envelopes and payloads than records are
// made. Without it, every record keeps its own, whole after its handler
// returns.
func TestFollowRecyclesWhatTheHandlerIsDoneWith(t *testing.T) {
	t.Parallel()
	_, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	const n = 600 // more than a reader decodes ahead, so reuse must show
	reqs := make([]eventlog.AppendRequest, n)
	for i := range reqs {
		reqs[i] = eventlog.AppendRequest{Ref: customerRef(fmt.Sprintf("c%d", i)), RequestID: fmt.Sprintf("r%d", i), Payload: note(fmt.Sprint(i))}
		if i%5 == 0 {
			// Fields most records lack, and some lack what most have: a
			// record decoded into another's memory keeps nothing of it.
			// (Not every other record: the memory of a record comes back
			// a batch or two later, often an even number of records.)
			reqs[i].CausationID = fmt.Sprintf("cause%d", i)
			reqs[i].Payload.(*clientv1.InteractionLogged).CustomerId = ""
		}
	}
	results, err := log.AppendBatch(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]eventlog.AppendRequest{}
	wantID := map[uint64]string{}
	for i, r := range results {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		want[r.Appended.Sequence], wantID[r.Appended.Sequence] = reqs[i], r.Appended.EventID
	}
	for _, recycle := range []bool{false, true} {
		made, payloads := map[*eventv1.Envelope]bool{}, map[proto.Message]bool{}
		var kept *eventv1.Envelope
		var keptID string
		err := log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
			req := want[rec.Sequence]
			if got := rec.Envelope; got.GetEventId() != wantID[rec.Sequence] || got.GetCausationId() != req.CausationID {
				t.Errorf("recycle %v: record %d has event %q caused by %q, want %q caused by %q", recycle, rec.Sequence,
					got.GetEventId(), got.GetCausationId(), wantID[rec.Sequence], req.CausationID)
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
			payload, err := rec.Payload()
			if err != nil {
				return err
			}
			if got, want := payload.(*clientv1.InteractionLogged), req.Payload.(*clientv1.InteractionLogged); !proto.Equal(got, want) {
				t.Errorf("recycle %v: record %d's payload is %v, want %v", recycle, rec.Sequence, got, want)
			}
			payloads[payload] = true
			return nil
		}, eventlog.FollowOptions{StopAtEnd: true, Recycle: recycle})
		if err != nil {
			t.Fatalf("recycle %v: %v", recycle, err)
		}
		switch {
		case !recycle && (len(made) != n || len(payloads) != n):
			t.Errorf("without recycling, %d envelopes and %d payloads for %d records", len(made), len(payloads), n)
		case recycle && (len(made) > n/2 || len(payloads) > n/2):
			t.Errorf("recycling, %d envelopes and %d payloads for %d records: not reused", len(made), len(payloads), n)
		}
	}
}

// Recycling decodes payloads the follower cannot decode, or whose type it
// does not know, as not recycling does, and the good ones around them
// stay whole.
func TestFollowRecyclingDecodesBadPayloadsAsWithout(t *testing.T) {
	t.Parallel()
	n, log := testkit.StartEventLog(t)
	ctx := ctxT(t)
	interaction := "type.googleapis.com/holdfast.client.v1.InteractionLogged"
	payloads := []*anypb.Any{
		nil, // a good one, appended
		{TypeUrl: "type.googleapis.com/holdfast.nope.v1.Unknown", Value: []byte{}},
		{TypeUrl: interaction, Value: []byte{0xff}},
		nil,
		{TypeUrl: "type.googleapis.com/holdfast.nope.v1.Unknown", Value: []byte{}},
		{TypeUrl: interaction, Value: []byte{0x0a, 0x05, 'a'}}, // a length past the end
		nil,
	}
	for i, p := range payloads {
		if p == nil {
			if _, err := log.Append(ctx, eventlog.AppendRequest{Ref: customerRef(fmt.Sprintf("c%d", i)), RequestID: fmt.Sprintf("r%d", i), Payload: note(fmt.Sprint(i))}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := proto.Marshal(&eventv1.Envelope{EventId: fmt.Sprintf("e%d", i), TenantId: "acme", AggregateType: "customer", AggregateId: fmt.Sprintf("c%d", i), AggregateVersion: 1, Payload: p})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.JS.Publish(ctx, fmt.Sprintf("client.acme.customer.c%d", i), data); err != nil {
			t.Fatal(err)
		}
	}
	// A decoder that marks what it decodes, to tell its payloads from
	// Unmarshal's, and declines interactions other than "3" (and every
	// bad one): Unmarshal decodes those as without it.
	var offered int
	decoders := map[protoreflect.FullName]eventlog.PayloadDecoder{
		"holdfast.client.v1.InteractionLogged": func(data []byte, m proto.Message) bool {
			offered++
			if err := proto.Unmarshal(data, m); err != nil || m.(*clientv1.InteractionLogged).GetText() != "3" {
				return false
			}
			m.(*clientv1.InteractionLogged).Text = "3, decoded"
			return true
		},
	}
	decoded := func(recycle bool, decoders map[protoreflect.FullName]eventlog.PayloadDecoder) []string {
		var out []string
		err := log.Follow(ctx, eventlog.StreamClient, func(_ context.Context, rec eventlog.Record) error {
			m, err := rec.Payload()
			switch {
			case errors.Is(err, eventlog.ErrUnknownType):
				out = append(out, "unknown")
			case errors.Is(err, eventlog.ErrDecode):
				out = append(out, "undecodable")
			case err != nil:
				out = append(out, err.Error())
			default:
				out = append(out, m.(*clientv1.InteractionLogged).GetText())
			}
			return nil
		}, eventlog.FollowOptions{StopAtEnd: true, Recycle: recycle, Decoders: decoders})
		if err != nil {
			t.Fatalf("recycle %v: %v", recycle, err)
		}
		return out
	}
	want := []string{"0", "unknown", "undecodable", "3", "unknown", "undecodable", "6"}
	for _, recycle := range []bool{false, true} {
		if diff := cmp.Diff(want, decoded(recycle, nil)); diff != "" {
			t.Errorf("recycle %v: payloads (-want, +got):\n%s", recycle, diff)
		}
	}
	want[3] = "3, decoded"
	if diff := cmp.Diff(want, decoded(true, decoders)); diff != "" {
		t.Errorf("recycling with a decoder: payloads (-want, +got):\n%s", diff)
	}
	if offered != 5 {
		t.Errorf("the decoder was offered %d payloads; want the 5 interactions", offered)
	}
}
