package eventlog

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// spares are what a reader recycles (FollowOptions.Recycle): envelopes,
// and per payload type, payloads the handler is done with. Only the
// reader's goroutine uses the map; the handler's goroutine hands things
// back through the channels, each holding at most as many as can be
// ahead of the handler, and the one it has.
type spares struct {
	envelopes chan *envelopeBlock
	payloads  map[string]*payloadSpares
}

// payloadSpares are decoded payloads of one type to decode into again.
type payloadSpares struct {
	typ  protoreflect.MessageType
	back chan proto.Message
}

func newSpares() *spares {
	return &spares{envelopes: make(chan *envelopeBlock, readAheadRecords+2), payloads: map[string]*payloadSpares{}}
}

// envelope is a zero envelope to decode into.
func (s *spares) envelope() *envelopeBlock {
	select {
	case b := <-s.envelopes:
		*b = envelopeBlock{} // decoding into it needs it zero
		return b
	default:
		return new(envelopeBlock)
	}
}

// payload decodes env's payload as Payload does, into a payload of its
// type the handler is done with when there is one; back is where the
// handler hands it back (nil when it is not to be).
func (s *spares) payload(env *eventv1.Envelope) (m proto.Message, back chan proto.Message, err error) {
	url := env.GetPayload().GetTypeUrl()
	ps := s.payloads[url]
	if ps == nil {
		typ, err := protoregistry.GlobalTypes.FindMessageByURL(url)
		if err != nil {
			// Unknown or malformed: Payload says which, each time.
			m, err := Payload(env)
			return m, nil, err
		}
		ps = &payloadSpares{typ: typ, back: make(chan proto.Message, readAheadRecords+2)}
		s.payloads[url] = ps
	}
	select {
	case m = <-ps.back:
	default:
		m = ps.typ.New().Interface()
	}
	// Unmarshal resets m first: nothing of the payload decoded into it
	// before is left, and nothing that was is written to.
	if err := proto.Unmarshal(env.GetPayload().GetValue(), m); err != nil {
		return nil, nil, fmt.Errorf("eventlog: %w: payload: %w", ErrDecode, err)
	}
	return m, ps.back, nil
}
