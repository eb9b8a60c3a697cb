package eventlog

import (
	"fmt"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// spares are what a reader recycles (FollowOptions.Recycle): envelopes,
// and per payload type, payloads the handler is done with.
//
// Each kind has two lists. The handler's goroutine gives a whole batch
// back at once onto the back lists, under mu; the reader's goroutine
// takes from its own lists without locking, and only when one runs out
// swaps it for its back list. So the lock is taken about once per batch
// on each side, not once per record. Only the reader's goroutine uses
// the map and the reader's lists.
//
// A new one is made only when both lists are empty, so there are never
// more envelopes, nor payloads of a type, than records decoding or
// decoded ahead of the handler (readAheadRecords and the reader's one).
type spares struct {
	mu            sync.Mutex
	envelopes     []*envelopeBlock
	envelopesBack []*envelopeBlock // under mu
	payloads      map[string]*payloadSpares
	decoders      map[protoreflect.FullName]PayloadDecoder
}

// payloadSpares are decoded payloads of one type to decode into again.
type payloadSpares struct {
	typ    protoreflect.MessageType
	decode PayloadDecoder // nil: proto.Unmarshal
	free   []proto.Message
	back   []proto.Message // under spares.mu
}

func newSpares(decoders map[protoreflect.FullName]PayloadDecoder) *spares {
	return &spares{payloads: map[string]*payloadSpares{}, decoders: decoders}
}

// envelope is a zero envelope to decode into.
func (s *spares) envelope() *envelopeBlock {
	if len(s.envelopes) == 0 {
		s.mu.Lock()
		s.envelopes, s.envelopesBack = s.envelopesBack, s.envelopes
		s.mu.Unlock()
	}
	n := len(s.envelopes)
	if n == 0 {
		return new(envelopeBlock)
	}
	b := s.envelopes[n-1]
	s.envelopes = s.envelopes[:n-1]
	*b = envelopeBlock{} // decoding into it needs it zero
	return b
}

// payload decodes env's payload as Payload does, into a payload of its
// type the handler is done with when there is one; back is where the
// handler gives it back (nil when it is not to be).
func (s *spares) payload(env *eventv1.Envelope) (m proto.Message, back *payloadSpares, err error) {
	url := env.GetPayload().GetTypeUrl()
	ps := s.payloads[url]
	if ps == nil {
		typ, err := protoregistry.GlobalTypes.FindMessageByURL(url)
		if err != nil {
			// Unknown or malformed: Payload says which, each time.
			m, err := Payload(env)
			return m, nil, err
		}
		ps = &payloadSpares{typ: typ, decode: s.decoders[typ.Descriptor().FullName()]}
		s.payloads[url] = ps
	}
	if len(ps.free) == 0 {
		s.mu.Lock()
		ps.free, ps.back = ps.back, ps.free
		s.mu.Unlock()
	}
	if n := len(ps.free); n > 0 {
		m = ps.free[n-1]
		ps.free = ps.free[:n-1]
	} else {
		m = ps.typ.New().Interface()
	}
	// A decoder, and Unmarshal, reset m first: nothing of the payload
	// decoded into it before is left, and nothing that was is written to.
	if ps.decode != nil && ps.decode(env.GetPayload().GetValue(), m) {
		return m, ps, nil
	}
	if err := proto.Unmarshal(env.GetPayload().GetValue(), m); err != nil {
		return nil, nil, fmt.Errorf("eventlog: %w: payload: %w", ErrDecode, err)
	}
	return m, ps, nil
}

// giveBack gives back the envelopes and payloads of a batch of records the
// handler has returned from, to decode later records into. It is called
// on the handler's goroutine.
func (s *spares) giveBack(batch []readAhead) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range batch {
		item := &batch[i]
		if item.block != nil {
			s.envelopesBack = append(s.envelopesBack, item.block)
		}
		if ps := item.payloadBack; ps != nil {
			ps.back = append(ps.back, item.rec.payload)
		}
	}
}
