package eventlog

import (
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// decodeEnvelope decodes an envelope as every Holdfast writer encodes
// one (Marshal: each field at most once, no unknown fields), without
// proto.Unmarshal's reflection: every record a follower reads is decoded,
// and in a replay that was about 6% of the CPU. The envelope, its two
// timestamps and its payload are one allocation, and the payload's value
// is data's own bytes, not a copy: a record's bytes are never written to
// once read.
//
// ok is false for anything else (a field repeated, a field number or wire
// type the envelope does not define, invalid UTF-8, a malformed varint or
// length); proto.Unmarshal then decides, so what it accepts, keeps or
// rejects is unchanged. FuzzDecodeEnvelope holds the two to the same
// result.
//
// names, when not nil, gives the strings that take few values (tenant,
// aggregate type, actor, payload type) once each instead of once per
// envelope.
func decodeEnvelope(data []byte, names names) (env *eventv1.Envelope, ok bool) {
	return decodeEnvelopeInto(data, names, new(envelopeBlock))
}

// envelopeBlock is the one allocation an envelope decodes into, with the
// record's source position beside it.
type envelopeBlock struct {
	env                eventv1.Envelope
	occurred, recorded timestamppb.Timestamp
	payload            anypb.Any
	source             SourcePosition
}

// decodeEnvelopeInto is decodeEnvelope into b, which must be zero.
func decodeEnvelopeInto(data []byte, names names, b *envelopeBlock) (env *eventv1.Envelope, ok bool) {
	env = &b.env
	var seen uint16
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 || num > 12 || seen&(1<<num) != 0 {
			return nil, false
		}
		seen |= 1 << num
		data = data[n:]
		if num == 5 {
			if typ != protowire.VarintType {
				return nil, false
			}
			v, n := protowire.ConsumeVarint(data)
			if n < 0 {
				return nil, false
			}
			env.AggregateVersion, data = v, data[n:]
			continue
		}
		if typ != protowire.BytesType {
			return nil, false
		}
		field, n := protowire.ConsumeBytes(data)
		if n < 0 {
			return nil, false
		}
		data = data[n:]
		var s *string
		few := false
		switch num {
		case 1:
			s = &env.EventId
		case 2:
			s, few = &env.TenantId, true
		case 3:
			s, few = &env.AggregateType, true
		case 4:
			s = &env.AggregateId
		case 6:
			s, few = &env.ActorId, true
		case 9:
			s = &env.CorrelationId
		case 10:
			s = &env.CausationId
		case 11:
			s = &env.RequestId
		case 7:
			if !decodeTimestamp(field, &b.occurred) {
				return nil, false
			}
			env.OccurredAt = &b.occurred
		case 8:
			if !decodeTimestamp(field, &b.recorded) {
				return nil, false
			}
			env.RecordedAt = &b.recorded
		case 12:
			if !decodeAny(field, &b.payload, names) {
				return nil, false
			}
			env.Payload = &b.payload
		default: // field number 0
			return nil, false
		}
		if s != nil {
			if !utf8.Valid(field) {
				return nil, false
			}
			if few {
				*s = names.of(field)
			} else {
				*s = string(field)
			}
		}
	}
	return env, true
}

// decodeTimestamp decodes a google.protobuf.Timestamp as decodeEnvelope
// does an envelope.
func decodeTimestamp(data []byte, ts *timestamppb.Timestamp) (ok bool) {
	ts.Seconds, ts.Nanos, ok = secondsNanos(data)
	return ok
}

// DecodeDuration decodes a google.protobuf.Duration into d (zero) as
// decodeEnvelope does an envelope, for a PayloadDecoder of a payload
// that holds one: ok is false for anything proto.Unmarshal is to decide.
func DecodeDuration(data []byte, d *durationpb.Duration) (ok bool) {
	d.Seconds, d.Nanos, ok = secondsNanos(data)
	return ok
}

// secondsNanos decodes the two fields a Timestamp and a Duration both
// are: seconds (1) and nanos (2), each a varint at most once.
func secondsNanos(data []byte) (seconds int64, nanos int32, ok bool) {
	var seen uint8
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 || (num != 1 && num != 2) || typ != protowire.VarintType || seen&(1<<num) != 0 {
			return 0, 0, false
		}
		seen |= 1 << num
		data = data[n:]
		v, n := protowire.ConsumeVarint(data)
		if n < 0 {
			return 0, 0, false
		}
		data = data[n:]
		if num == 1 {
			seconds = int64(v) //nolint:gosec // protobuf's int64 decoding is this cast
		} else {
			nanos = int32(v) //nolint:gosec // protobuf's int32 decoding keeps the low 32 bits too
		}
	}
	return seconds, nanos, true
}

// decodeAny decodes a google.protobuf.Any as decodeEnvelope does an
// envelope; its value is data's bytes.
func decodeAny(data []byte, a *anypb.Any, names names) bool {
	var seen uint8
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 || (num != 1 && num != 2) || typ != protowire.BytesType || seen&(1<<num) != 0 {
			return false
		}
		seen |= 1 << num
		data = data[n:]
		field, n := protowire.ConsumeBytes(data)
		if n < 0 {
			return false
		}
		data = data[n:]
		if num == 1 {
			if !utf8.Valid(field) {
				return false
			}
			a.TypeUrl = names.of(field)
		} else if len(field) > 0 { // protobuf leaves an empty value nil
			a.Value = field[:len(field):len(field)] // appending must not write over data
		}
	}
	return true
}

// names are strings a reader has decoded, each kept once: a stream's
// envelopes name a few tenants, aggregate types, actors and payload
// types over and over. Each reader goroutine has its own, so it needs no
// lock; it stops growing at maxNames.
type names map[string]string

// maxNames and maxNameLen bound a reader's names (at most 1 MiB; in
// practice tens of KiB): an actor id, unlike a tenant, has no length
// limit.
const (
	maxNames   = 4096
	maxNameLen = 256
)

// of is b as a string, the one kept when there is one.
func (n names) of(b []byte) string {
	if s, ok := n[string(b)]; ok {
		return s
	}
	s := string(b)
	if n != nil && len(n) < maxNames && len(b) <= maxNameLen {
		n[s] = s
	}
	return s
}
