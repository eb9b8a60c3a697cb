package app

import (
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// payloadDecoders are the RISK_IN payloads the engine's reader decodes by
// hand (eventlog.FollowOptions.Decoders): interactions, half of all
// events, whose proto.Unmarshal was the reader's largest cost after the
// envelope's.
func payloadDecoders() map[protoreflect.FullName]eventlog.PayloadDecoder {
	return map[protoreflect.FullName]eventlog.PayloadDecoder{
		(*clientv1.InteractionLogged)(nil).ProtoReflect().Descriptor().FullName(): decodeInteraction,
	}
}

// decodeInteraction decodes an InteractionLogged as the client service
// encodes one (each field at most once, no unknown fields) into m, which
// must be an *InteractionLogged and may hold an earlier one: what
// proto.Unmarshal gives, without its reflection. The duration is a new
// message, as Unmarshal's is: a handler may keep nested messages
// (eventlog.FollowOptions.Recycle).
// ok is false for anything else (a field repeated, a field number or wire
// type the message does not define, invalid UTF-8, a malformed varint or
// length); proto.Unmarshal then decides. FuzzDecodeInteraction holds the
// two to the same result.
func decodeInteraction(data []byte, m proto.Message) (ok bool) {
	x, ok := m.(*clientv1.InteractionLogged)
	if !ok {
		return false
	}
	x.Reset()
	var seen uint16
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 || num < 1 || num > 9 || seen&(1<<num) != 0 {
			return false
		}
		seen |= 1 << num
		data = data[n:]
		switch num {
		case 4, 5, 9: // kind, direction, text_withheld
			if typ != protowire.VarintType {
				return false
			}
			v, n := protowire.ConsumeVarint(data)
			if n < 0 {
				return false
			}
			data = data[n:]
			switch num {
			case 4:
				x.Kind = clientv1.InteractionKind(int32(v)) //nolint:gosec // protobuf keeps an enum's low 32 bits too
			case 5:
				x.Direction = clientv1.Direction(int32(v)) //nolint:gosec // as for kind
			default:
				x.TextWithheld = protowire.DecodeBool(v)
			}
			continue
		}
		if typ != protowire.BytesType {
			return false
		}
		field, n := protowire.ConsumeBytes(data)
		if n < 0 {
			return false
		}
		data = data[n:]
		if num == 7 {
			dur := new(durationpb.Duration)
			if !eventlog.DecodeDuration(field, dur) {
				return false
			}
			x.Duration = dur
			continue
		}
		if !utf8.Valid(field) {
			return false
		}
		s := string(field)
		switch num {
		case 1:
			x.InteractionId = s
		case 2:
			x.CustomerId = s
		case 3:
			x.EmployeeId = s
		case 6:
			x.Text = s
		case 8:
			x.CounterpartyContact = s
		default:
			return false
		}
	}
	return true
}
