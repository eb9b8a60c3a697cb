package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// headerStreamSource is set by the server on messages a stream sources from
// another: "<stream>[:<hash>] <sequence> <filter> <transform> <subject>".
const headerStreamSource = "Nats-Stream-Source"

// SourcePosition is where a sourced message was originally stored.
type SourcePosition struct {
	Stream   string
	Sequence uint64
}

func parseSourceHeader(h string) (SourcePosition, bool) {
	// The first two fields as strings.Fields splits them, without its
	// slice: every sourced record has this header.
	first, rest := nextField(h)
	second, _ := nextField(rest)
	if first == "" || second == "" {
		return SourcePosition{}, false
	}
	name, _, _ := strings.Cut(first, ":")
	seq, err := strconv.ParseUint(second, 10, 64)
	if err != nil || name == "" {
		return SourcePosition{}, false
	}
	return SourcePosition{Stream: name, Sequence: seq}, true
}

// nextField is the first space-separated field of s (as strings.Fields
// sees spaces) and what follows it.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		return s, ""
	}
	return s[:end], s[end:]
}

// Handler applies one record. An error is treated as transient: the same
// record is offered again after a backoff, so a handler must be idempotent
// (checkpoints make it so).
type Handler func(ctx context.Context, rec Record) error

// PoisonHandler receives records that cannot be decoded, with the reason.
// It must record them durably (parked events) and advance the checkpoint.
type PoisonHandler func(ctx context.Context, rec Record, reason error) error

// FollowOptions tunes Follow.
type FollowOptions struct {
	// From is the first stream sequence to deliver; 0 or 1 means from the start.
	From uint64
	// OnPoison receives undecodable records; nil means they are logged,
	// counted and skipped.
	OnPoison PoisonHandler
	// OnCaughtUp is called once, when the follower first reaches the end of
	// the stream (immediately if the stream is empty).
	OnCaughtUp func()
	// MaxBackoff caps the wait between retries of a failing handler (default 5s).
	MaxBackoff time.Duration
	// StopAtEnd makes Follow return once it reaches the end of the stream
	// as it stood when it got there: a one-off scan instead of a follower.
	StopAtEnd bool
	// Subjects, when set, delivers only the records whose subject matches
	// one of these filters (a JetStream consumer with filter subjects): a
	// partition of the stream, e.g. some tenants' events. The end is then
	// the end of what matches.
	Subjects []string
	// Untraced handles records without a consume span each: for a
	// replay of history (a backtest, say), where a span per stored event
	// would flood the tracing backend and cost more than the handler.
	Untraced bool
	// Prepare, when set, works out something from each decoded record
	// ahead of the handler, on the goroutine that reads and decodes: the
	// handler finds it in Record.Prepared. A handler that keeps state has
	// to apply records one at a time, so what depends on the record alone
	// (scanning a text, say) is better done here, beside its work. Prepare
	// runs concurrently with the handler: it must not touch the handler's
	// state, nor keep or change the record.
	Prepare func(Record) any
	// Recycle lets the follower decode later records into the memory of
	// the envelopes and payloads of records the handler has returned
	// from: two allocations less per record, which a replay of millions
	// notices. The handler, OnPoison and Prepare must then keep neither
	// rec.Envelope (its timestamps and Any included), rec.Source nor the
	// decoded payload message once they return; the strings, slices, values and
	// nested messages they read from them are theirs to keep, and so are
	// Data and Prepared. A record still being retried is not recycled.
	Recycle bool
	// Decoders, with Recycle, decode the payloads of their types (by
	// full name) in place of proto.Unmarshal, which still decodes what a
	// decoder declines.
	Decoders map[protoreflect.FullName]PayloadDecoder
}

// PayloadDecoder decodes data into m, a message of the decoder's type
// that may hold an earlier payload, exactly as proto.Unmarshal would (m
// reset first), or returns false, having left m in any state, for
// proto.Unmarshal to decide: a hand-written decoder of the common
// encodings of a frequent type saves a follower proto's reflection.
type PayloadDecoder func(data []byte, m proto.Message) bool

// Follow delivers the stream's records from opts.From onwards, in order, to
// h until ctx ends; then it returns nil. It uses an ordered consumer: no
// server-side state to clean up, and the checkpoint lives with the read model.
func (l *Log) Follow(ctx context.Context, stream string, h Handler, opts FollowOptions) error {
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 5 * time.Second
	}
	s, err := l.js.Stream(ctx, stream)
	if err != nil {
		return fmt.Errorf("eventlog: follow %s: %w", stream, err)
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	// The handler runs to completion even during shutdown: stopping
	// half-way through applying an event helps nobody.
	handlerCtx := context.WithoutCancel(ctx)
	var once sync.Once
	atEnd := func() {
		once.Do(func() {
			if opts.OnCaughtUp != nil {
				opts.OnCaughtUp()
			}
			if opts.StopAtEnd {
				stop()
			}
		})
	}
	if len(opts.Subjects) == 0 && s.CachedInfo().State.LastSeq < max(opts.From, 1) {
		atEnd()
	}
	// read stops at an undecodable record; it is handed over and reading
	// resumes after it.
	from := opts.From
	for ctx.Err() == nil {
		cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
		if from > 1 {
			cfg = jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from}
		}
		cfg.FilterSubjects = opts.Subjects
		var onEmpty func()
		if len(opts.Subjects) > 0 {
			// Nothing matching may ever arrive: the consumer's own pending
			// count says whether this partition is at its end already.
			onEmpty = atEnd
		}
		err = l.read(ctx, stream, cfg, onEmpty, opts, func(rec Record) (bool, error) {
			l.deliver(ctx, handlerCtx, rec, nil, h, opts)
			if rec.Pending == 0 {
				atEnd()
			}
			return ctx.Err() == nil, nil
		})
		var poison *PoisonError
		if !errors.As(err, &poison) {
			break
		}
		l.deliver(ctx, handlerCtx, poison.Record, poison.Err, h, opts)
		if poison.Record.Pending == 0 {
			atEnd()
		}
		from = poison.Record.Sequence + 1
	}
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("eventlog: follow %s: %w", stream, err)
}

// deliver hands one record to h (or a poison record to the poison handler),
// retrying with backoff until it succeeds or ctx ends. h runs with
// handlerCtx: ctx's values without its cancellation.
func (l *Log) deliver(ctx, handlerCtx context.Context, rec Record, poison error, h Handler, opts FollowOptions) {
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		var err error
		switch {
		case poison != nil && opts.OnPoison != nil:
			err = opts.OnPoison(ctx, rec, poison)
		case poison != nil:
			l.logger.ErrorContext(ctx, "skipping undecodable event", "stream", rec.Stream, "sequence", rec.Sequence, "error", poison)
		default:
			if opts.Untraced {
				err = h(handlerCtx, rec)
				break
			}
			hctx, span := startConsumeSpan(handlerCtx, rec)
			err = h(hctx, rec)
			endSpan(span, err)
		}
		if poison != nil {
			l.metrics.poison.WithLabelValues(rec.Stream).Inc()
		}
		if err == nil || ctx.Err() != nil {
			return
		}
		l.metrics.handlerErrors.WithLabelValues(rec.Stream).Inc()
		l.logger.WarnContext(ctx, "event handler failed; retrying", "stream", rec.Stream, "sequence", rec.Sequence, "attempt", attempt, "error", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, opts.MaxBackoff)
	}
}
