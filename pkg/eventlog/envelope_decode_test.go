package eventlog

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// writtenEnvelopes are envelopes as Marshal writes them: every field set,
// the least set, text beyond ASCII, extreme times.
func writtenEnvelopes(t testing.TB) [][]byte {
	t.Helper()
	payload, err := packPayload(&clientv1.InteractionLogged{EmployeeId: "e1", CustomerId: "c1", Text: "加我微信 private deal"})
	if err != nil {
		t.Fatal(err)
	}
	full := &eventv1.Envelope{
		EventId: "0b8a3f3e-52c4-4c1f-a1c6-9d7f25e2b7a4", TenantId: "acme", AggregateType: "customer", AggregateId: "c1",
		AggregateVersion: 42, ActorId: "员工-7", OccurredAt: timestamppb.New(time.Date(2026, 3, 1, 9, 30, 0, 123, time.UTC)),
		RecordedAt: timestamppb.New(time.Date(2026, 3, 1, 9, 30, 1, 0, time.UTC)), CorrelationId: "corr", CausationId: "cause",
		RequestId: "req-1", Payload: payload,
	}
	least := &eventv1.Envelope{EventId: "e", TenantId: "t", AggregateVersion: 1, Payload: &anypb.Any{}}
	extreme := proto.Clone(full).(*eventv1.Envelope)
	extreme.AggregateVersion = math.MaxUint64
	extreme.OccurredAt = &timestamppb.Timestamp{Seconds: math.MinInt64, Nanos: -1}
	extreme.RecordedAt = &timestamppb.Timestamp{}
	var out [][]byte
	for _, env := range []*eventv1.Envelope{full, least, extreme} {
		b, err := Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestDecodeEnvelopeReadsWhatWritersWrite(t *testing.T) {
	t.Parallel()
	for i, data := range writtenEnvelopes(t) {
		got, ok := decodeEnvelope(data, nil)
		if !ok {
			t.Fatalf("envelope %d: decodeEnvelope declined an envelope Marshal wrote", i)
		}
		want := &eventv1.Envelope{}
		if err := proto.Unmarshal(data, want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got, want) {
			t.Errorf("envelope %d: decodeEnvelope = %v; proto.Unmarshal = %v", i, got, want)
		}
	}
}

func TestDecodeEnvelopeLeavesTheRestToProto(t *testing.T) {
	t.Parallel()
	data := writtenEnvelopes(t)[0]
	tag := func(num protowire.Number, typ protowire.Type) []byte { return protowire.AppendTag(nil, num, typ) }
	tests := map[string][]byte{
		"repeated string":        protowire.AppendString(append(bytes.Clone(data), tag(1, protowire.BytesType)...), "other"),
		"unknown field":          protowire.AppendVarint(append(bytes.Clone(data), tag(99, protowire.VarintType)...), 7),
		"version as fixed64":     protowire.AppendFixed64(tag(5, protowire.Fixed64Type), 3),
		"string as varint":       protowire.AppendVarint(tag(2, protowire.VarintType), 3),
		"invalid UTF-8":          protowire.AppendBytes(tag(2, protowire.BytesType), []byte{0xff, 'a'}),
		"truncated":              data[:len(data)-3],
		"field number zero":      protowire.AppendVarint([]byte{0x00}, 1),
		"timestamp extra field":  protowire.AppendBytes(tag(7, protowire.BytesType), protowire.AppendVarint(tag(3, protowire.VarintType), 1)),
		"timestamp seconds x2":   protowire.AppendBytes(tag(7, protowire.BytesType), protowire.AppendVarint(append(protowire.AppendVarint(tag(1, protowire.VarintType), 1), tag(1, protowire.VarintType)...), 2)),
		"payload type not UTF-8": protowire.AppendBytes(tag(12, protowire.BytesType), protowire.AppendBytes(tag(1, protowire.BytesType), []byte{0xc0})),
		"payload value repeated": protowire.AppendBytes(tag(12, protowire.BytesType), protowire.AppendBytes(protowire.AppendBytes(tag(2, protowire.BytesType), []byte("a")), append(tag(2, protowire.BytesType), 1, 'b'))),
		"group":                  tag(4, protowire.StartGroupType),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, ok := decodeEnvelope(data, nil); ok {
				t.Fatalf("decodeEnvelope accepted %x; it is proto.Unmarshal's to decide", data)
			}
			sameAsProto(t, data)
		})
	}
}

func TestDecodedPayloadValueCannotGrowIntoTheRecord(t *testing.T) {
	t.Parallel()
	data := writtenEnvelopes(t)[0]
	before := bytes.Clone(data)
	env, ok := decodeEnvelope(data, nil)
	if !ok {
		t.Fatal("declined")
	}
	_ = append(env.GetPayload().Value, "overwrite"...)
	if !bytes.Equal(data, before) {
		t.Error("appending to the payload's value wrote over the record's bytes")
	}
}

func TestNamesKeepEachStringOnceUpToTheirBound(t *testing.T) {
	t.Parallel()
	data := writtenEnvelopes(t)[0]
	n := names{}
	first, ok := decodeEnvelope(data, n)
	second, ok2 := decodeEnvelope(data, n)
	if !ok || !ok2 {
		t.Fatal("declined")
	}
	for _, pair := range [][2]string{
		{first.GetTenantId(), second.GetTenantId()},
		{first.GetActorId(), second.GetActorId()},
		{first.GetAggregateType(), second.GetAggregateType()},
		{first.GetPayload().GetTypeUrl(), second.GetPayload().GetTypeUrl()},
	} {
		if unsafe.StringData(pair[0]) != unsafe.StringData(pair[1]) {
			t.Errorf("%q was decoded into two strings, not kept once", pair[0])
		}
	}
	if unsafe.StringData(first.GetEventId()) == unsafe.StringData(second.GetEventId()) {
		t.Error("event ids, one per event, were kept")
	}
	for i := range 2 * maxNames {
		n.of([]byte(strconv.Itoa(i)))
	}
	if len(n) != maxNames {
		t.Errorf("names grew to %d, bound %d", len(n), maxNames)
	}
	if got := n.of([]byte("not kept")); got != "not kept" {
		t.Errorf("a full names gives %q", got)
	}
	long := names{}
	long.of(bytes.Repeat([]byte("a"), maxNameLen+1))
	long.of(bytes.Repeat([]byte("a"), maxNameLen))
	if len(long) != 1 {
		t.Errorf("names kept %d strings of %d and %d bytes; want only the one within %d", len(long), maxNameLen+1, maxNameLen, maxNameLen)
	}
}

func TestUnmarshalSharesNothingWithItsInput(t *testing.T) {
	t.Parallel()
	data := writtenEnvelopes(t)[0]
	env, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Clone(env.GetPayload().GetValue())
	for i := range data {
		data[i] = 0
	}
	if !bytes.Equal(env.GetPayload().GetValue(), want) {
		t.Error("writing to the bytes Unmarshal decoded changed the envelope's payload")
	}
}

// TestDecodeEnvelopeKnowsEveryField: an envelope with every field the
// schema has set is decoded without proto.Unmarshal. A field added to
// the envelope and not to decodeEnvelope would send every envelope to
// the slow path.
func TestDecodeEnvelopeKnowsEveryField(t *testing.T) {
	t.Parallel()
	env := &eventv1.Envelope{}
	m := env.ProtoReflect()
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		switch f.Kind() {
		case protoreflect.StringKind:
			m.Set(f, protoreflect.ValueOfString("x"))
		case protoreflect.Uint64Kind:
			m.Set(f, protoreflect.ValueOfUint64(1))
		case protoreflect.MessageKind:
			v := m.NewField(f)
			sub := v.Message()
			first := sub.Descriptor().Fields().Get(0)
			if first.Kind() == protoreflect.StringKind {
				sub.Set(first, protoreflect.ValueOfString("type.googleapis.com/x"))
			} else {
				sub.Set(first, protoreflect.ValueOfInt64(1))
			}
			m.Set(f, v)
		default:
			t.Fatalf("field %s is of kind %s, which this test (and decodeEnvelope) do not know", f.Name(), f.Kind())
		}
	}
	data, err := Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := decodeEnvelope(data, nil)
	if !ok {
		t.Fatalf("decodeEnvelope declined an envelope with all %d fields set", fields.Len())
	}
	if !proto.Equal(got, env) {
		t.Errorf("decodeEnvelope = %v; want %v", got, env)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, data := range writtenEnvelopes(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Without names, then twice with: the second finds its names kept.
		seen := names{}
		for _, n := range []names{nil, seen, seen} {
			got, ok := decodeEnvelope(data, n)
			if !ok {
				continue
			}
			want := &eventv1.Envelope{}
			if err := proto.Unmarshal(data, want); err != nil {
				t.Fatalf("decodeEnvelope accepted %x, proto.Unmarshal refuses it: %v", data, err)
			}
			if !proto.Equal(got, want) {
				t.Fatalf("decodeEnvelope(%x) = %v; proto.Unmarshal = %v", data, got, want)
			}
		}
		sameAsProto(t, data)
	})
}

// sameAsProto checks that Unmarshal decides data as proto.Unmarshal and
// its checks alone would.
func sameAsProto(t *testing.T, data []byte) {
	t.Helper()
	got, err := Unmarshal(data)
	want := &eventv1.Envelope{}
	wantErr := proto.Unmarshal(data, want)
	if wantErr == nil && (want.GetEventId() == "" || want.GetTenantId() == "" || want.GetPayload() == nil || want.GetAggregateVersion() == 0) {
		wantErr = ErrDecode
	}
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("Unmarshal(%x) error = %v; proto.Unmarshal and the checks give %v", data, err, wantErr)
	case err != nil && !errors.Is(err, ErrDecode):
		t.Fatalf("Unmarshal(%x) error %v is not ErrDecode", data, err)
	case err == nil && !proto.Equal(got, want):
		t.Fatalf("Unmarshal(%x) = %v; proto.Unmarshal = %v", data, got, want)
	}
}

func BenchmarkUnmarshalEnvelope(b *testing.B) {
	data := writtenEnvelopes(b)[0]
	b.Run("reader", func(b *testing.B) {
		b.ReportAllocs()
		n := names{}
		for b.Loop() {
			if _, err := unmarshal(data, n); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Unmarshal(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("proto.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := proto.Unmarshal(data, &eventv1.Envelope{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// DecodeDuration gives what proto.Unmarshal gives for every duration a
// writer marshals, and declines what Unmarshal would have to decide.
func TestDecodeDuration(t *testing.T) {
	t.Parallel()
	for _, want := range []*durationpb.Duration{
		{}, {Seconds: 95, Nanos: 3}, {Seconds: -5, Nanos: -1}, {Seconds: math.MaxInt64, Nanos: 999_999_999}, {Seconds: math.MinInt64},
	} {
		data, err := proto.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		got := &durationpb.Duration{}
		if !DecodeDuration(data, got) || !proto.Equal(got, want) {
			t.Errorf("DecodeDuration(%x) = %v; want %v", data, got, want)
		}
	}
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
	}
	for name, data := range map[string][]byte{
		"seconds twice":        append(varint(1, 1), varint(1, 2)...),
		"an unknown field":     varint(3, 1),
		"nanos as bytes":       protowire.AppendString(protowire.AppendTag(nil, 2, protowire.BytesType), "x"),
		"a truncated varint":   {0x08, 0x80},
		"a truncated tag":      {0x80},
		"field number 0":       {0x00, 0x01},
		"seconds as a fixed64": protowire.AppendFixed64(protowire.AppendTag(nil, 1, protowire.Fixed64Type), 1),
	} {
		if DecodeDuration(data, &durationpb.Duration{}) {
			t.Errorf("%s: decoded %x; want it left to proto.Unmarshal", name, data)
		}
	}
}
