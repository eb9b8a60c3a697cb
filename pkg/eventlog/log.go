package eventlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	eventv1 "github.com/holdfast/holdfast/proto/holdfast/event/v1"
)

// Log appends to and reads from Holdfast's streams.
type Log struct {
	js jetstream.JetStream
	// streams caches stream handles: jetstream.Stream asks the server for
	// the stream's info, a round trip every command would otherwise pay.
	streams sync.Map // name → jetstream.Stream
	logger  *slog.Logger
	now     func() time.Time
	metrics *metrics
}

// Option configures a Log.
type Option func(*Log)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(lg *Log) { lg.logger = l } }

// WithClock sets the clock stamping recorded_at (default time.Now).
func WithClock(now func() time.Time) Option { return func(lg *Log) { lg.now = now } }

// WithRegisterer registers the log's metrics (holdfast_eventlog_*) with reg.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(lg *Log) { lg.metrics = newMetrics(reg) }
}

// New returns a Log over a JetStream context.
func New(js jetstream.JetStream, opts ...Option) *Log {
	l := &Log{js: js, logger: slog.Default(), now: time.Now}
	for _, o := range opts {
		o(l)
	}
	if l.metrics == nil {
		l.metrics = newMetrics(nil)
	}
	return l
}

// JetStream exposes the underlying JetStream context (for provisioning and benchmarks).
func (l *Log) JetStream() jetstream.JetStream { return l.js }

// Position is where an aggregate stood when a decision was made on it.
type Position struct {
	// Version is the number of events in the aggregate (0 = new aggregate).
	Version uint64
	// Sequence is the stream sequence of the aggregate's last event (0 = none).
	Sequence uint64
}

// AppendRequest is one event to append to one aggregate.
type AppendRequest struct {
	Ref AggregateRef
	// After is the aggregate's position the decision was made on. The append
	// fails with a *ConflictError if another event was appended since.
	After     Position
	RequestID string
	// Index distinguishes several events written by one request to one aggregate.
	Index         int
	ActorID       string
	OccurredAt    time.Time
	CorrelationID string
	CausationID   string
	Payload       proto.Message
}

// Appended is the result of a successful append.
type Appended struct {
	EventID  string
	Stream   string
	Sequence uint64
	Version  uint64
	// Duplicate is true when JetStream had already stored this event (a
	// retried request): Sequence is then the original event's sequence.
	Duplicate bool
	// Envelope is the envelope this call stored; nil for a duplicate, whose
	// stored envelope (recorded_at) may differ: Load it if you need it.
	Envelope *eventv1.Envelope
}

// ErrConflict is wrapped by *ConflictError.
var ErrConflict = errors.New("concurrent modification")

// ConflictError means the aggregate changed after the decision was made:
// reload, decide again, and retry (bounded), else answer Aborted.
type ConflictError struct {
	Subject          string
	ExpectedSequence uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("eventlog: %s: %s moved past sequence %d", ErrConflict, e.Subject, e.ExpectedSequence)
}

// Unwrap lets errors.Is(err, ErrConflict) match.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Append writes one event with a message id derived from the request and the
// expected last subject sequence taken from req.After.
func (l *Log) Append(ctx context.Context, req AppendRequest) (Appended, error) {
	msg, env, err := l.message(ctx, req)
	if err != nil {
		return Appended{}, err
	}
	eventID := env.GetEventId()
	stream := req.Ref.Stream()
	start := time.Now()
	ack, err := l.js.PublishMsg(ctx, msg,
		jetstream.WithMsgID(eventID),
		jetstream.WithExpectStream(stream),
		jetstream.WithExpectLastSequencePerSubject(req.After.Sequence),
	)
	l.metrics.appendSeconds.WithLabelValues(stream).Observe(time.Since(start).Seconds())
	if err != nil {
		if isWrongLastSequence(err) {
			// The server checks the expected sequence before the dedup
			// window, so a retried request lands here too: look for it.
			if prior, found, err := l.findEvent(ctx, req.Ref, req.After.Sequence, eventID); err != nil {
				return Appended{}, err
			} else if found {
				l.metrics.appends.WithLabelValues(stream, "duplicate").Inc()
				return prior, nil
			}
			l.metrics.appends.WithLabelValues(stream, "conflict").Inc()
			return Appended{}, &ConflictError{Subject: req.Ref.Subject(), ExpectedSequence: req.After.Sequence}
		}
		l.metrics.appends.WithLabelValues(stream, "error").Inc()
		return Appended{}, fmt.Errorf("eventlog: append to %s: %w", req.Ref.Subject(), err)
	}
	result := "ok"
	if ack.Duplicate {
		result = "duplicate"
	}
	l.metrics.appends.WithLabelValues(stream, result).Inc()
	return Appended{
		EventID:   eventID,
		Stream:    ack.Stream,
		Sequence:  ack.Sequence,
		Version:   req.After.Version + 1,
		Duplicate: ack.Duplicate,
		Envelope:  storedEnvelope(env, ack.Duplicate),
	}, nil
}

func storedEnvelope(env *eventv1.Envelope, duplicate bool) *eventv1.Envelope {
	if duplicate {
		return nil
	}
	return env
}

// envelope validates req and wraps its payload.
func (l *Log) envelope(req AppendRequest) (*eventv1.Envelope, error) {
	if err := req.Ref.Validate(); err != nil {
		return nil, fmt.Errorf("eventlog: append: %w", err)
	}
	if err := CheckToken("request_id", req.RequestID); err != nil {
		return nil, fmt.Errorf("eventlog: append: %w", err)
	}
	if req.Payload == nil {
		return nil, errors.New("eventlog: append: nil payload")
	}
	payload, err := packPayload(req.Payload)
	if err != nil {
		return nil, err
	}
	now := l.now()
	occurred := req.OccurredAt
	if occurred.IsZero() {
		occurred = now
	}
	return &eventv1.Envelope{
		EventId:          EventID(req.Ref, req.RequestID, req.Index),
		TenantId:         req.Ref.Tenant,
		AggregateType:    req.Ref.Type,
		AggregateId:      req.Ref.ID,
		AggregateVersion: req.After.Version + 1,
		ActorId:          req.ActorID,
		OccurredAt:       timestamppb.New(occurred),
		RecordedAt:       timestamppb.New(now),
		CorrelationId:    req.CorrelationID,
		CausationId:      req.CausationID,
		RequestId:        req.RequestID,
		Payload:          payload,
	}, nil
}

// findEvent looks for eventID among ref's events stored after sequence
// after: a request that was already applied, possibly long ago (beyond the
// dedup window), returns its first result instead of a conflict.
func (l *Log) findEvent(ctx context.Context, ref AggregateRef, after uint64, eventID string) (Appended, bool, error) {
	agg, err := l.Load(ctx, ref)
	if err != nil {
		return Appended{}, false, err
	}
	for _, rec := range agg.Records {
		if rec.Sequence > after && rec.Envelope.GetEventId() == eventID {
			return Appended{
				EventID:   eventID,
				Stream:    rec.Stream,
				Sequence:  rec.Sequence,
				Version:   rec.Envelope.GetAggregateVersion(),
				Duplicate: true,
			}, true, nil
		}
	}
	return Appended{}, false, nil
}

// HeaderEventType carries the payload's full type name so consumers can
// filter without decoding.
const HeaderEventType = "holdfast-event-type"

// Record is one stored event as read back from a stream.
type Record struct {
	Stream   string
	Sequence uint64
	Subject  string
	// Data is the envelope exactly as stored: what evidence hashes. It is
	// never written to: a followed record's payload value shares it.
	Data     []byte
	Envelope *eventv1.Envelope
	Header   nats.Header
	// Source is set for records read from a sourcing stream (RISK_IN): the
	// stream and sequence the event was originally written to.
	Source *SourcePosition
	// Pending is how many messages followed this one in the stream when it
	// was delivered (0 = caught up at that moment).
	Pending uint64
	// Prepared is what FollowOptions.Prepare worked out from the record
	// ahead of the handler (nil without one).
	Prepared any
	// payload is the envelope's payload as decoded ahead by the reader
	// (see Payload).
	payload    proto.Message
	payloadErr error
	decoded    bool
}

// Payload is the record's payload message, as eventlog.Payload decodes
// it: decoded ahead of the handler by a stream reader (on the reader's
// own goroutine, so decoding overlaps the handler's work), or now.
func (r Record) Payload() (proto.Message, error) {
	if r.decoded {
		return r.payload, r.payloadErr
	}
	return Payload(r.Envelope)
}

// Aggregate is one aggregate's history.
type Aggregate struct {
	Ref      AggregateRef
	Position Position
	Records  []Record
}

// Load reads one aggregate's history in append order. A missing aggregate
// is not an error: it has Position{} and no records.
//
// It walks the subject with direct gets ("next message on this subject at
// or after sequence n"), one round trip per event and no consumer: loading
// is on every command's path, and a consumer per load exhausts the
// server's consumer limit under load.
func (l *Log) Load(ctx context.Context, ref AggregateRef) (Aggregate, error) {
	if err := ref.Validate(); err != nil {
		return Aggregate{}, fmt.Errorf("eventlog: load: %w", err)
	}
	agg := Aggregate{Ref: ref}
	stream, err := l.handle(ctx, ref.Stream())
	if err != nil {
		return agg, fmt.Errorf("eventlog: load %s: %w", ref.Subject(), err)
	}
	last, err := stream.GetLastMsgForSubject(ctx, ref.Subject())
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return agg, nil
	}
	if err != nil {
		return agg, fmt.Errorf("eventlog: load %s: %w", ref.Subject(), err)
	}
	for seq := uint64(1); seq <= last.Sequence; {
		var m *jetstream.RawStreamMsg
		if seq == last.Sequence {
			m = last
		} else if m, err = stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(ref.Subject())); err != nil {
			return agg, fmt.Errorf("eventlog: load %s: %w", ref.Subject(), err)
		}
		rec := Record{Stream: ref.Stream(), Sequence: m.Sequence, Subject: m.Subject, Data: m.Data, Header: m.Header}
		if rec.Envelope, err = Unmarshal(m.Data); err != nil {
			return agg, fmt.Errorf("eventlog: load %s: %w", ref.Subject(), &PoisonError{Record: rec, Err: err})
		}
		if v := rec.Envelope.GetAggregateVersion(); v != uint64(len(agg.Records))+1 {
			return agg, fmt.Errorf("eventlog: load %s: %w: version %d at position %d", ref.Subject(), ErrDecode, v, len(agg.Records)+1)
		}
		agg.Records = append(agg.Records, rec)
		seq = m.Sequence + 1
	}
	agg.Position = Position{Version: uint64(len(agg.Records)), Sequence: last.Sequence}
	return agg, nil
}

// ErrNoEvent is returned by Get for a sequence the stream does not hold
// (never written, or aged out under a tenant's retention policy).
var ErrNoEvent = errors.New("no event at that sequence")

// Get reads the one event stored at seq in stream, with a direct get: a
// read model that indexes sequences reads the events themselves, as
// stored, from the log.
func (l *Log) Get(ctx context.Context, stream string, seq uint64) (Record, error) {
	s, err := l.handle(ctx, stream)
	if err != nil {
		return Record{}, fmt.Errorf("eventlog: get %s/%d: %w", stream, seq, err)
	}
	m, err := s.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Record{}, fmt.Errorf("eventlog: get %s/%d: %w", stream, seq, ErrNoEvent)
	}
	if err != nil {
		return Record{}, fmt.Errorf("eventlog: get %s/%d: %w", stream, seq, err)
	}
	rec := Record{Stream: stream, Sequence: m.Sequence, Subject: m.Subject, Data: m.Data, Header: m.Header}
	if rec.Envelope, err = Unmarshal(m.Data); err != nil {
		return rec, fmt.Errorf("eventlog: get %s/%d: %w", stream, seq, &PoisonError{Record: rec, Err: err})
	}
	return rec, nil
}

// read runs an ordered consumer and hands each decoded record to fn until fn
// returns false, an error occurs, or ctx ends.
//
// When onEmpty is set it is called if the consumer starts with nothing
// pending (a filter matching nothing yet). opts.Prepare, when set, fills in
// each decoded record's Prepared ahead of fn; with opts.Recycle, a record's
// envelope is decoded into one fn is done with.
func (l *Log) read(ctx context.Context, stream string, cfg jetstream.OrderedConsumerConfig, onEmpty func(), opts FollowOptions, fn func(Record) (bool, error)) error {
	cons, err := l.js.OrderedConsumer(ctx, stream, cfg)
	if err != nil {
		return err
	}
	it, err := cons.Messages()
	if err != nil {
		return err
	}
	defer it.Stop()
	if onEmpty != nil {
		info, err := cons.Info(ctx)
		if err != nil {
			return err
		}
		if info.NumPending == 0 {
			onEmpty()
		}
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	// A reader goroutine fetches and decodes ahead (envelope and payload)
	// while fn applies the records before: a replay keeps both cores busy.
	// fn still sees every record in order, one at a time; the handoff
	// passes them over in batches when fn is behind.
	ahead := newHandoff()
	done := make(chan struct{})
	exited := make(chan struct{})
	// With Recycle, what fn is done with comes back to be decoded into
	// again.
	var sp *spares
	if opts.Recycle {
		sp = newSpares(opts.Decoders)
	}
	go func() {
		defer close(exited)
		names := names{}
		for {
			m, err := it.Next()
			var item readAhead
			if err == nil {
				if sp != nil {
					item.block = sp.envelope()
				}
				item.rec, item.err = toRecord(stream, m, names, item.block)
				if item.err == nil {
					if sp != nil {
						item.rec.payload, item.payloadBack, item.rec.payloadErr = sp.payload(item.rec.Envelope)
					} else {
						item.rec.payload, item.rec.payloadErr = Payload(item.rec.Envelope)
					}
					item.rec.decoded = true
					if opts.Prepare != nil {
						item.rec.Prepared = opts.Prepare(item.rec)
					}
				}
			} else {
				item.err, item.next = err, true
			}
			if !ahead.put(item, done) || item.err != nil {
				return
			}
		}
	}()
	defer func() {
		close(done)
		it.Stop()
		<-exited // so the reader has exited when read returns
	}()
	var batch []readAhead
	for {
		batch = ahead.take(batch)
		for i := range batch {
			item := &batch[i]
			if item.err != nil {
				if item.next && ctx.Err() != nil {
					return ctx.Err()
				}
				return item.err
			}
			more, err := fn(item.rec)
			if err != nil || !more {
				return err
			}
		}
		if sp != nil {
			// fn has returned from every record of the batch.
			sp.giveBack(batch)
		}
	}
}

// toRecord decodes m's envelope into b (a new one when nil), which must
// be zero.
func toRecord(stream string, m jetstream.Msg, names names, b *envelopeBlock) (Record, error) {
	pos, err := positionOf(m)
	if err != nil {
		return Record{}, err
	}
	if b == nil {
		b = new(envelopeBlock)
	}
	rec := Record{
		Stream:   stream,
		Sequence: pos.sequence,
		Subject:  m.Subject(),
		Data:     m.Data(),
		Header:   m.Headers(),
		Pending:  pos.pending,
	}
	if src, ok := parseSourceHeader(m.Headers().Get(headerStreamSource)); ok {
		b.source = src
		rec.Source = &b.source
	}
	env, err := unmarshalInto(rec.Data, names, b)
	if err != nil {
		// The record is still returned so the caller can park it with its bytes.
		return rec, &PoisonError{Record: rec, Err: err}
	}
	rec.Envelope = env
	return rec, nil
}

// PoisonError is a stored message that cannot be decoded. It is never
// dropped silently: followers hand it to their poison handler.
type PoisonError struct {
	Record Record
	Err    error
}

func (e *PoisonError) Error() string {
	return fmt.Sprintf("eventlog: poison message %s/%d: %v", e.Record.Stream, e.Record.Sequence, e.Err)
}

func (e *PoisonError) Unwrap() error { return e.Err }

// LastSequence is the stream's last sequence now (0 when empty): what a
// read model must have applied to answer as of this moment.
func (l *Log) LastSequence(ctx context.Context, stream string) (uint64, error) {
	s, err := l.handle(ctx, stream)
	if err != nil {
		return 0, fmt.Errorf("eventlog: stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("eventlog: stream %s: %w", stream, err)
	}
	return info.State.LastSeq, nil
}

// handle returns a cached handle for a stream. Its CachedInfo is as old as
// the first lookup: use it for direct gets, never for the stream's state.
func (l *Log) handle(ctx context.Context, name string) (jetstream.Stream, error) {
	if s, ok := l.streams.Load(name); ok {
		return s.(jetstream.Stream), nil
	}
	s, err := l.js.Stream(ctx, name)
	if err != nil {
		return nil, err
	}
	l.streams.Store(name, s)
	return s, nil
}
