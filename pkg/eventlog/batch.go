package eventlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// BatchResult is the outcome of one request of AppendBatch.
type BatchResult struct {
	Appended Appended
	Err      error
}

// AppendBatch appends many events, each to its own aggregate position,
// with asynchronous publishes: one round trip's latency for the whole batch
// instead of one per event. Each request keeps its own message id and
// expected sequence, so each succeeds or conflicts on its own; a batch is
// not atomic. Use it for imports and simulators; commands use Append.
//
// Two requests for the same aggregate in one batch would both expect the
// same position: the second conflicts. Give each request its own aggregate.
func (l *Log) AppendBatch(ctx context.Context, reqs []AppendRequest) ([]BatchResult, error) {
	results := make([]BatchResult, len(reqs))
	futures := make([]jetstream.PubAckFuture, len(reqs))
	versions := make([]uint64, len(reqs))
	envs := make([]*eventv1.Envelope, len(reqs))
	for i, req := range reqs {
		msg, env, err := l.message(ctx, req)
		if err != nil {
			results[i].Err = err
			continue
		}
		eventID := env.GetEventId()
		envs[i] = env
		results[i].Appended.EventID = eventID
		versions[i] = req.After.Version + 1
		f, err := l.js.PublishMsgAsync(msg,
			jetstream.WithMsgID(eventID),
			jetstream.WithExpectStream(req.Ref.Stream()),
			jetstream.WithExpectLastSequencePerSubject(req.After.Sequence),
		)
		if err != nil {
			results[i].Err = fmt.Errorf("eventlog: append batch: %w", err)
			continue
		}
		futures[i] = f
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			results[i].Appended.Stream = ack.Stream
			results[i].Appended.Sequence = ack.Sequence
			results[i].Appended.Version = versions[i]
			results[i].Appended.Duplicate = ack.Duplicate
			results[i].Appended.Envelope = storedEnvelope(envs[i], ack.Duplicate)
			l.metrics.appends.WithLabelValues(ack.Stream, "ok").Inc()
		case err := <-f.Err():
			if isWrongLastSequence(err) {
				results[i].Err = &ConflictError{Subject: reqs[i].Ref.Subject(), ExpectedSequence: reqs[i].After.Sequence}
			} else {
				results[i].Err = fmt.Errorf("eventlog: append batch: %w", err)
			}
		case <-ctx.Done():
			return results, ctx.Err()
		}
	}
	return results, nil
}

// message builds the NATS message for one append request.
func (l *Log) message(ctx context.Context, req AppendRequest) (*nats.Msg, *eventv1.Envelope, error) {
	env, err := l.envelope(req)
	if err != nil {
		return nil, nil, err
	}
	data, err := Marshal(env)
	if err != nil {
		return nil, nil, err
	}
	msg := nats.NewMsg(req.Ref.Subject())
	msg.Data = data
	msg.Header.Set(HeaderEventType, TypeName(env))
	injectTrace(ctx, msg.Header)
	return msg, env, nil
}

// isWrongLastSequence reports JetStream's optimistic-concurrency refusal
// (single-node and replicated forms).
func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}
