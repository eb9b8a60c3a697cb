package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// SensitiveHit is one sensitive phrase matched in one of an employee's
// interactions, as the engine recorded it in an alert's evidence. It keeps
// nothing of the alert itself: the employee's self-view reads it.
type SensitiveHit struct {
	EventID    string
	Stream     string
	Sequence   uint64
	OccurredAt time.Time
	// Index is the match's place among the event's matches (text order).
	Index int
	Match domain.Match
}

// HitCursor is where the previous page of hits ended: its last hit's
// stream position and index.
type HitCursor struct {
	Sequence uint64
	Stream   string
	Index    int
}

// HitFilter selects and pages sensitive-word hits.
type HitFilter struct {
	// OccurredFrom and OccurredTo keep hits of events that occurred in
	// [from, to) (PostgreSQL compares to the microsecond); zero is open.
	OccurredFrom, OccurredTo time.Time
	// After is the last hit of the previous page (nil: from the first).
	After *HitCursor
	Limit int
}

// HitOrder orders hits newest event first (by source sequence: the order
// the events were written, which an employee's backdated occurred_at
// cannot reshuffle), then by stream, then in the text's order.
func HitOrder(a, b HitCursor) int {
	return cmp.Or(cmp.Compare(b.Sequence, a.Sequence), cmp.Compare(a.Stream, b.Stream), cmp.Compare(a.Index, b.Index))
}

// Cursor is the position of h in HitOrder.
func (h SensitiveHit) Cursor() HitCursor {
	return HitCursor{Sequence: h.Sequence, Stream: h.Stream, Index: h.Index}
}

func (f HitFilter) matches(h SensitiveHit) bool {
	return within(h.OccurredAt, f.OccurredFrom, f.OccurredTo) && (f.After == nil || HitOrder(h.Cursor(), *f.After) > 0)
}

// ListSensitiveHits implements Store.
func (m *Memory) ListSensitiveHits(_ context.Context, tenant, employee string, f HitFilter) ([]SensitiveHit, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var alerts []domain.Alert
	for _, a := range m.alerts[tenant] {
		if a.EmployeeID == employee {
			alerts = append(alerts, a)
		}
	}
	// The oldest alert's copy of an event wins, as in PostgreSQL (every
	// copy is the same observation of the event).
	slices.SortFunc(alerts, func(a, b domain.Alert) int { return cmp.Compare(a.RaisedSequence, b.RaisedSequence) })
	type position struct {
		stream string
		seq    uint64
	}
	seen := map[position]bool{}
	var out []SensitiveHit
	for _, a := range alerts {
		for _, ev := range a.Evidence {
			if len(ev.Matches) == 0 || seen[position{ev.Stream, ev.Sequence}] {
				continue
			}
			seen[position{ev.Stream, ev.Sequence}] = true
			for i, mt := range ev.Matches {
				h := SensitiveHit{EventID: ev.EventID, Stream: ev.Stream, Sequence: ev.Sequence, OccurredAt: ev.OccurredAt, Index: i, Match: mt}
				if f.matches(h) {
					out = append(out, h)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b SensitiveHit) int { return HitOrder(a.Cursor(), b.Cursor()) })
	return out[:min(f.Limit, len(out))], nil
}
