package eventlog

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"

	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// eventIDNamespace scopes Holdfast's name-based event ids.
var eventIDNamespace = uuid.MustParse("6f1d0c52-7a3e-4f57-9b8e-2c5d7e9a4b10")

// EventID derives the id of the index-th event a command writes to ref.
//
// The id is a name-based (SHA-1) UUID over (context, tenant, aggregate type,
// aggregate id, request id, index): a retried command yields the same id, so
// JetStream drops the copy, and two services that happen to get the same
// request id still write different ids. The latter matters because RISK_IN
// sources every stream and would drop a second message with a known id.
func EventID(ref AggregateRef, requestID string, index int) string {
	name := strings.Join([]string{ref.Context, ref.Tenant, ref.Type, ref.ID, requestID, strconv.Itoa(index)}, "\x00")
	return uuid.NewSHA1(eventIDNamespace, []byte(name)).String()
}

// DeriveID derives a stable aggregate id for an aggregate a command creates,
// so a retried create addresses the same aggregate and finds its own event.
func DeriveID(context, tenant, aggregateType, requestID string) string {
	name := strings.Join([]string{context, tenant, aggregateType, requestID}, "\x00")
	return uuid.NewSHA1(eventIDNamespace, []byte(name)).String()
}

// ErrDecode is returned for bytes that are not a Holdfast envelope.
var ErrDecode = errors.New("not a holdfast event")

// Marshal encodes an envelope deterministically: the bytes are what evidence
// bundles hash, so encoding the same envelope twice must give the same bytes.
func Marshal(env *eventv1.Envelope) ([]byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("eventlog: marshal envelope: %w", err)
	}
	return b, nil
}

// Unmarshal decodes envelope bytes and checks the fields every event must
// have. The envelope shares nothing with data (the payload value is
// copied here, once more when proto.Unmarshal decoded it: a rare path).
func Unmarshal(data []byte) (*eventv1.Envelope, error) {
	env, err := unmarshal(data, nil)
	if err == nil && env.GetPayload().GetValue() != nil {
		env.Payload.Value = bytes.Clone(env.Payload.Value)
	}
	return env, err
}

// unmarshal is Unmarshal for a stream reader, with its names (see
// decodeEnvelope): the payload's value may be data's own bytes, which a
// record never writes to.
func unmarshal(data []byte, names names) (*eventv1.Envelope, error) {
	return unmarshalInto(data, names, nil)
}

// unmarshalInto is unmarshal decoding into b when it is not nil (see
// FollowOptions.Recycle); b must be zero.
func unmarshalInto(data []byte, names names, b *envelopeBlock) (*eventv1.Envelope, error) {
	if b == nil {
		b = new(envelopeBlock)
	}
	env, ok := decodeEnvelopeInto(data, names, b)
	if !ok {
		env = &eventv1.Envelope{}
		if err := proto.Unmarshal(data, env); err != nil {
			return nil, fmt.Errorf("eventlog: %w: %w", ErrDecode, err)
		}
	}
	if env.GetEventId() == "" || env.GetTenantId() == "" || env.GetPayload() == nil || env.GetAggregateVersion() == 0 {
		return nil, fmt.Errorf("eventlog: %w: envelope lacks event id, tenant, version or payload", ErrDecode)
	}
	return env, nil
}

// TypeName is the full protobuf name of an envelope's payload, e.g.
// "holdfast.client.v1.InteractionLogged".
func TypeName(env *eventv1.Envelope) string {
	u := env.GetPayload().GetTypeUrl()
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[i+1:]
	}
	return u
}

// ErrUnknownType means the payload's type is not linked into this binary: a
// newer writer's event. Readers skip such events and count them.
var ErrUnknownType = errors.New("unknown event type")

// Payload unpacks an envelope's payload into its Go message.
func Payload(env *eventv1.Envelope) (proto.Message, error) {
	m, err := env.GetPayload().UnmarshalNew()
	if errors.Is(err, protoregistry.NotFound) {
		return nil, fmt.Errorf("eventlog: %w: %s", ErrUnknownType, TypeName(env))
	}
	if err != nil {
		return nil, fmt.Errorf("eventlog: %w: payload: %w", ErrDecode, err)
	}
	return m, nil
}

func packPayload(m proto.Message) (*anypb.Any, error) {
	a := &anypb.Any{}
	if err := anypb.MarshalFrom(a, m, proto.MarshalOptions{Deterministic: true}); err != nil {
		return nil, fmt.Errorf("eventlog: pack payload: %w", err)
	}
	return a, nil
}

// Name returns the full protobuf name of a message type.
func Name(m proto.Message) protoreflect.FullName { return m.ProtoReflect().Descriptor().FullName() }
