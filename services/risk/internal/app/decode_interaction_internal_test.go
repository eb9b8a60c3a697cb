package app

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// interactionSamples are interactions as the client service writes them,
// every field set in one of them.
func interactionSamples() []*clientv1.InteractionLogged {
	return []*clientv1.InteractionLogged{
		{
			InteractionId: "i1", CustomerId: "c1", EmployeeId: "e1", Kind: clientv1.InteractionKind_INTERACTION_KIND_CALL,
			Direction: clientv1.Direction_DIRECTION_OUTBOUND, Text: "这单你直接打到我卡上，别走公司。", Duration: durationpb.New(95*time.Second + 3),
		},
		{
			InteractionId: "i2", EmployeeId: "e2", Kind: clientv1.InteractionKind_INTERACTION_KIND_CHAT, Direction: clientv1.Direction_DIRECTION_INBOUND,
			CounterpartyContact: "+8613800000000", TextWithheld: true,
		},
		{InteractionId: "i3", EmployeeId: "e3", Duration: &durationpb.Duration{}}, // a zero duration is still set
		{},
		{InteractionId: "i4", Kind: clientv1.InteractionKind(-7), Direction: clientv1.Direction(1 << 20), Duration: &durationpb.Duration{Seconds: -5, Nanos: -1}},
	}
}

// TestDecodeInteractionIsUnmarshal decodes what the client service writes
// into a message that held another interaction, as the reader reuses them.
func TestDecodeInteractionIsUnmarshal(t *testing.T) {
	t.Parallel()
	samples := interactionSamples()
	into := proto.Clone(samples[0]).(*clientv1.InteractionLogged)
	for _, want := range append(samples, samples[0]) {
		data, err := proto.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		kept := into.GetDuration()
		if !decodeInteraction(data, into) {
			t.Fatalf("declined %v", want)
		}
		if diff := cmp.Diff(want, into, protocmp.Transform()); diff != "" {
			t.Errorf("decoded (-marshalled +decoded):\n%s", diff)
		}
		if kept != nil && kept == into.GetDuration() {
			t.Errorf("the duration of the interaction before was decoded into: a handler may keep it")
		}
	}
}

// TestDecodeInteractionDeclinesWhatItDoesNotKnow: each of these is left
// to proto.Unmarshal, which keeps unknown fields, merges a repeated
// message and rejects what is malformed.
func TestDecodeInteractionDeclinesWhatItDoesNotKnow(t *testing.T) {
	t.Parallel()
	str := func(num protowire.Number, s string) []byte {
		return protowire.AppendString(protowire.AppendTag(nil, num, protowire.BytesType), s)
	}
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
	}
	join := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"a field twice", join(str(1, "i1"), str(1, "i2"))},
		{"the duration twice", join(str(7, ""), str(7, ""))},
		{"an unknown field", join(str(1, "i1"), varint(10, 1))},
		{"an unknown string field", join(str(1, "i1"), str(10, "x"))},
		{"field number 0", []byte{0x02, 0x00}},
		{"a string as a varint", varint(3, 1)},
		{"an enum as bytes", str(4, "x")},
		{"invalid UTF-8", str(6, "\xff\xfe")},
		{"a length past the end", []byte{0x0a, 0x05, 'a'}},
		{"a truncated varint", []byte{0x20, 0x80}},
		{"a truncated tag", []byte{0x80}},
		{"a fixed64 field", protowire.AppendFixed64(protowire.AppendTag(nil, 4, protowire.Fixed64Type), 1)},
		{"a duration with an unknown field", str(7, string(varint(3, 1)))},
		{"a duration's seconds twice", str(7, string(join(varint(1, 1), varint(1, 2))))},
		{"a duration's nanos as bytes", str(7, string(str(2, "x")))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if decodeInteraction(tt.data, &clientv1.InteractionLogged{}) {
				t.Errorf("decoded %x; want it left to proto.Unmarshal", tt.data)
			}
		})
	}
	if decodeInteraction(str(1, "i1"), &clientv1.ContactRevealed{}) {
		t.Error("decoded into another message type")
	}
}

// FuzzDecodeInteraction holds decodeInteraction to proto.Unmarshal:
// whatever it decodes, Unmarshal decodes without an error to the same
// message.
func FuzzDecodeInteraction(f *testing.F) {
	for _, s := range interactionSamples() {
		data, err := proto.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{0x3a, 0x00, 0x3a, 0x00})
	f.Add([]byte{0x52, 0x01, 'x'}) // field 10, a string
	f.Add([]byte{0x48, 0x02})      // text_withheld = 2, which is true
	f.Fuzz(func(t *testing.T, data []byte) {
		got := &clientv1.InteractionLogged{InteractionId: "before", Duration: durationpb.New(time.Hour)}
		if !decodeInteraction(data, got) {
			return
		}
		want := &clientv1.InteractionLogged{}
		if err := proto.Unmarshal(data, want); err != nil {
			t.Fatalf("decoded %x, which proto.Unmarshal rejects: %v", data, err)
		}
		if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
			t.Fatalf("decoding %x (-Unmarshal +decoded):\n%s", data, diff)
		}
	})
}
