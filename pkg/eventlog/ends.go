package eventlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// First reads an aggregate's first event with one direct get ("first
// message on this subject"), without walking its history: enough for a
// fact the first event fixes, such as a customer's registered address.
// found is false for an aggregate with no events.
func (l *Log) First(ctx context.Context, ref AggregateRef) (rec Record, found bool, err error) {
	return l.end(ctx, ref, "first", func(s jetstream.Stream) (*jetstream.RawStreamMsg, error) {
		return s.GetMsg(ctx, 1, jetstream.WithGetMsgSubject(ref.Subject()))
	})
}

// Last reads an aggregate's last event with one direct get. Its position
// is what to append after: Position{Version: the event's aggregate
// version, Sequence: its stream sequence}. Long append-only aggregates (an
// employee's check-ins) decide on their last event instead of loading
// everything. found is false for an aggregate with no events.
func (l *Log) Last(ctx context.Context, ref AggregateRef) (rec Record, found bool, err error) {
	return l.end(ctx, ref, "last", func(s jetstream.Stream) (*jetstream.RawStreamMsg, error) {
		return s.GetLastMsgForSubject(ctx, ref.Subject())
	})
}

// PositionOf is the aggregate position right after rec.
func PositionOf(rec Record) Position {
	return Position{Version: rec.Envelope.GetAggregateVersion(), Sequence: rec.Sequence}
}

func (l *Log) end(ctx context.Context, ref AggregateRef, which string, get func(jetstream.Stream) (*jetstream.RawStreamMsg, error)) (Record, bool, error) {
	if err := ref.Validate(); err != nil {
		return Record{}, false, fmt.Errorf("eventlog: %s of %s: %w", which, ref.Subject(), err)
	}
	s, err := l.handle(ctx, ref.Stream())
	if err != nil {
		return Record{}, false, fmt.Errorf("eventlog: %s of %s: %w", which, ref.Subject(), err)
	}
	m, err := get(s)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("eventlog: %s of %s: %w", which, ref.Subject(), err)
	}
	rec := Record{Stream: ref.Stream(), Sequence: m.Sequence, Subject: m.Subject, Data: m.Data, Header: m.Header}
	if rec.Envelope, err = Unmarshal(m.Data); err != nil {
		return rec, false, fmt.Errorf("eventlog: %s of %s: %w", which, ref.Subject(), &PoisonError{Record: rec, Err: err})
	}
	return rec, true, nil
}
