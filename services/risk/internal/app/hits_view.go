package app

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// The sensitive-hits view is every match of the lexicon in every
// interaction, projected from RISK_IN beside the engine and independent of
// it: no rule, alert or suppression decides what it holds. It is what the
// employee's self-view reads, so that an employee learns which of their
// phrases are on the company's list without learning whether anyone judged
// them (an alert, hence a quiet investigation).
//
// A deleted interaction keeps its hits: the employee wrote the text, and
// deletion is an InteractionDeleted event, not an erasure; the record is
// still in CLIENT and still evidence.

// interactionStream is the domain stream interactions are written to: the
// only one whose records the hits projector reads.
const interactionStream = eventlog.StreamClient

// hitsSaveEvery is how many records the hits projector reads between two
// saves of its progress when none of them has a hit. A record with hits is
// saved with its progress; the rest write nothing, so a restart reads at
// most this many again, which is harmless (a hit is recorded once) and
// cheap, while a replay of RISK_IN does not cost a transaction per record.
const hitsSaveEvery = 1000

// ProjectSensitiveHits keeps the sensitive-hits view in step with the
// partition's CLIENT records in RISK_IN, resuming after the progress the
// store saved (from the start when that was found with another lexicon),
// until ctx ends. It matches each interaction's text with the
// engine's lexicon and records every match; an interaction without one
// writes nothing.
func (a *App) ProjectSensitiveHits(ctx context.Context) error {
	saved, err := a.store.HitProgress(ctx)
	if err != nil {
		return fmt.Errorf("project sensitive hits: %w", err)
	}
	if lexicon := a.lexicon.Fingerprint(); saved.Lexicon != lexicon {
		// Found with other phrases (or never recorded with which): the
		// view starts again from RISK_IN's first record, so it lists the
		// matches of the list in force, old interactions included.
		if err := a.store.ResetHits(ctx, lexicon); err != nil {
			return fmt.Errorf("project sensitive hits: %w", err)
		}
		saved = store.HitProgress{Lexicon: lexicon}
	}
	for stream, seq := range saved.Sources {
		a.hitsProgress(stream).Advance(seq)
	}
	return a.log.Follow(ctx, eventlog.StreamRiskIn, a.recordHits, eventlog.FollowOptions{
		From:       saved.Sequence + 1,
		OnCaughtUp: func() { close(a.hitsCaughtUp) },
		OnPoison:   a.skipForHits,
		Subjects:   riskInInteractionSubjects(a.partition),
	})
}

// recordHits records the hits of one RISK_IN record.
func (a *App) recordHits(ctx context.Context, rec eventlog.Record) error {
	msg, err := rec.Payload()
	switch {
	case errors.Is(err, eventlog.ErrDecode):
		return a.skipForHits(ctx, rec, err)
	case errors.Is(err, eventlog.ErrUnknownType):
		msg = nil // a newer writer's event type: no interaction this binary knows
	case err != nil:
		return err
	}
	return a.moveHitsPast(ctx, rec, a.hitsIn(rec, msg))
}

// skipForHits moves the hits projector past a record it cannot decode. It
// parks nothing: the engine reads the same record and parks it with the
// reason (parkInput), once.
func (a *App) skipForHits(ctx context.Context, rec eventlog.Record, _ error) error {
	return a.moveHitsPast(ctx, rec, nil)
}

// moveHitsPast records rec's hits, saving the progress with them (or every
// hitsSaveEvery records), then lets waiters see rec as read.
func (a *App) moveHitsPast(ctx context.Context, rec eventlog.Record, hits []store.SensitiveHit) error {
	a.hitsUnsaved++
	if len(hits) > 0 || a.hitsUnsaved >= hitsSaveEvery {
		if err := a.store.RecordHits(ctx, a.hitProgressWith(rec), hits...); err != nil {
			return fmt.Errorf("project sensitive hits: RISK_IN %d: %w", rec.Sequence, err)
		}
		a.hitsUnsaved = 0
	}
	if rec.Source != nil {
		a.hitsProgress(rec.Source.Stream).Advance(rec.Source.Sequence)
	}
	return nil
}

// hitsIn is the lexicon's matches in rec's interaction, in text order;
// none for any other event.
func (a *App) hitsIn(rec eventlog.Record, msg proto.Message) []store.SensitiveHit {
	in, ok := msg.(*clientv1.InteractionLogged)
	if !ok {
		return nil
	}
	text := in.GetText()
	found := a.lexicon.Find(text)
	if len(found) == 0 {
		return nil
	}
	where := evidenceOf(rec)
	hits := make([]store.SensitiveHit, 0, len(found))
	for i, m := range found {
		hits = append(hits, store.SensitiveHit{
			Tenant: rec.Envelope.GetTenantId(), EmployeeID: in.GetEmployeeId(), EventID: where.EventID,
			Stream: where.Stream, Sequence: where.Sequence, OccurredAt: where.OccurredAt, Index: i,
			Match: domain.Match{Phrase: m.Phrase, Start: m.Start, End: m.End, MatchedText: text[m.Start:m.End], Quoted: m.Quoted},
		})
	}
	return hits
}

// hitProgressWith is the hits projector's progress once rec is read.
func (a *App) hitProgressWith(rec eventlog.Record) store.HitProgress {
	a.mu.Lock()
	sources := make(map[string]uint64, len(a.hitsRead)+1)
	for stream, p := range a.hitsRead {
		sources[stream] = p.Applied()
	}
	a.mu.Unlock()
	if rec.Source != nil {
		sources[rec.Source.Stream] = max(sources[rec.Source.Stream], rec.Source.Sequence)
	}
	return store.HitProgress{Sequence: rec.Sequence, Sources: sources}
}

// hitsProgress is, for one source stream, the highest source sequence
// whose hits the view holds.
func (a *App) hitsProgress(stream string) *eventlog.Progress {
	a.mu.Lock()
	defer a.mu.Unlock()
	return progressIn(a.hitsRead, stream)
}

// waitHitsRead waits until the sensitive-hits view holds the hits of the
// records at positions. Interactions are written to CLIENT only: a
// position in another stream has nothing to wait for.
func (a *App) waitHitsRead(ctx context.Context, positions []SourcePosition) error {
	if len(positions) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, maxConsistencyWait)
	defer cancel()
	for _, p := range positions {
		if p.Stream != interactionStream {
			continue
		}
		read := a.hitsProgress(p.Stream)
		if err := read.Wait(ctx, p.Sequence); err != nil {
			return fmt.Errorf("%w: sensitive-hits view at %s %d, want %d", ErrNotCaughtUp, p.Stream, read.Applied(), p.Sequence)
		}
	}
	return nil
}
