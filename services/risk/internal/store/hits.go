package store

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// SensitiveHit is one phrase of the sensitive-word lexicon matched in one
// of an employee's interactions. The hits projector records every match in
// every interaction, whatever the rules made of it: it keeps nothing of
// rules or alerts, so the employee's self-view reading it cannot tell
// whether anyone judged the record.
type SensitiveHit struct {
	Tenant     string
	EmployeeID string
	EventID    string
	// Stream and Sequence are the interaction's position in its domain
	// stream (CLIENT), not in RISK_IN.
	Stream     string
	Sequence   uint64
	OccurredAt time.Time
	// Index is the match's place among the event's matches (text order).
	Index int
	Match domain.Match
}

// HitProgress is how far the hits projector has read RISK_IN: where it
// resumes after a restart and what a consistency wait compares against.
type HitProgress struct {
	// Sequence is the RISK_IN sequence of the last record read (0: none).
	Sequence uint64
	// Sources is, per domain stream, the highest source sequence among
	// the records read.
	Sources map[string]uint64
	// Lexicon is the fingerprint of the lexicon the hits were found with
	// (lexicon.Lexicon.Fingerprint), as ResetHits recorded it; empty for a
	// view never reset.
	Lexicon string
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

// hitKey identifies a hit: the same match of the same event is one hit,
// however often RISK_IN delivers the event.
type hitKey struct {
	tenant, eventID string
	index           int
}

type employeeKey struct{ tenant, employee string }

// memoryHits is Memory's sensitive-hits view. It keeps every hit, as the
// PostgreSQL table does: hits are small and rare (about one interaction in
// hundreds has any), and an employee's record must not lose old ones.
type memoryHits struct {
	progress HitProgress
	keys     map[hitKey]bool
	byOwner  map[employeeKey][]SensitiveHit
}

func newMemoryHits() memoryHits {
	return memoryHits{keys: map[hitKey]bool{}, byOwner: map[employeeKey][]SensitiveHit{}}
}

// RecordHits implements Store.
func (m *Memory) RecordHits(_ context.Context, p HitProgress, hits ...SensitiveHit) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p.Sequence <= m.hits.progress.Sequence {
		return nil
	}
	for _, h := range hits {
		key := hitKey{h.Tenant, h.EventID, h.Index}
		if m.hits.keys[key] {
			continue
		}
		m.hits.keys[key] = true
		owner := employeeKey{h.Tenant, h.EmployeeID}
		m.hits.byOwner[owner] = append(m.hits.byOwner[owner], h)
	}
	m.hits.progress = HitProgress{Sequence: p.Sequence, Sources: maps.Clone(p.Sources), Lexicon: m.hits.progress.Lexicon}
	return nil
}

// ResetHits implements Store.
func (m *Memory) ResetHits(_ context.Context, lexicon string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hits = newMemoryHits()
	m.hits.progress.Lexicon = lexicon
	return nil
}

// HitProgress implements Store.
func (m *Memory) HitProgress(context.Context) (HitProgress, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.hits.progress
	p.Sources = maps.Clone(p.Sources)
	return p, nil
}

// ListSensitiveHits implements Store.
func (m *Memory) ListSensitiveHits(_ context.Context, tenant, employee string, f HitFilter) ([]SensitiveHit, error) {
	if f.Limit <= 0 {
		return nil, ErrBadFilter
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []SensitiveHit
	for _, h := range m.hits.byOwner[employeeKey{tenant, employee}] {
		if f.matches(h) {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b SensitiveHit) int { return HitOrder(a.Cursor(), b.Cursor()) })
	return out[:min(f.Limit, len(out))], nil
}
