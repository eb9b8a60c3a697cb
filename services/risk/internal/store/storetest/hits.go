package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// runSensitiveHits is the contract of the sensitive-hits view: every hit
// recorded for an employee, whether or not any alert cites it, newest
// first, filtered by period and paged; nothing of other employees or
// tenants; recording is idempotent and saves the projector's progress.
func runSensitiveHits(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 30, 15, 123456000, time.UTC)
	privateWeChat := domain.Match{Phrase: "加我私人微信", Start: 0, End: 18, MatchedText: "加我私人微信"}
	quotedDeal := domain.Match{Phrase: "私单", Start: 36, End: 42, MatchedText: "私单", Quoted: true}
	offBooks := domain.Match{Phrase: "走私单", Start: 3, End: 12, MatchedText: "走 私单"}
	// chat is the hits of one interaction at CLIENT sequence seq.
	chat := func(tenant, employee string, seq uint64, at time.Time, matches ...domain.Match) []store.SensitiveHit {
		var out []store.SensitiveHit
		for i, m := range matches {
			out = append(out, store.SensitiveHit{
				Tenant: tenant, EmployeeID: employee, EventID: fmt.Sprintf("evt-%d", seq), Stream: "CLIENT", Sequence: seq,
				OccurredAt: at, Index: i, Match: m,
			})
		}
		return out
	}
	first := chat("acme", "e1", 10, t0, privateWeChat, quotedDeal)
	second := chat("acme", "e1", 20, t0.Add(time.Hour), offBooks)
	third := chat("acme", "e1", 30, t0.Add(2*time.Hour), privateWeChat)
	ofE2 := chat("acme", "e2", 25, t0, privateWeChat)
	ofGlobex := chat("globex", "e1", 40, t0, offBooks)
	record := func(t *testing.T, s store.Store, riskIn uint64, sources map[string]uint64, hits ...store.SensitiveHit) {
		t.Helper()
		if err := s.RecordHits(ctx, store.HitProgress{Sequence: riskIn, Sources: sources}, hits...); err != nil {
			t.Fatalf("RecordHits(%d): %v", riskIn, err)
		}
	}
	seed := func(t *testing.T) store.Store {
		t.Helper()
		s := newStore(t)
		record(t, s, 3, map[string]uint64{"CLIENT": 10}, first...)
		record(t, s, 5, map[string]uint64{"CLIENT": 20}, second...)
		record(t, s, 6, map[string]uint64{"CLIENT": 25}, ofE2...)
		record(t, s, 7, map[string]uint64{"CLIENT": 30}, third...)
		record(t, s, 9, map[string]uint64{"CLIENT": 40}, ofGlobex...)
		// An alert about e1 citing an interaction the view holds no hit of
		// (and a dismissed one citing a hit): alerts neither add nor hide hits.
		if err := s.Apply(ctx, 1,
			domain.Alert{
				Tenant: "acme", ID: "a1", RuleID: "custom_words", RuleVersion: 1, EmployeeID: "e1", Severity: domain.SeverityMedium,
				Status: domain.StatusDismissed, RaisedAt: t0, UpdatedAt: t0, WindowStart: t0, WindowEnd: t0.Add(time.Hour), RaisedSequence: 1,
				Evidence: []domain.Evidence{
					{EventID: "evt-50", Stream: "CLIENT", Sequence: 50, OccurredAt: t0, Matches: []domain.Match{offBooks}},
					{EventID: "evt-20", Stream: "CLIENT", Sequence: 20, OccurredAt: t0.Add(time.Hour), Matches: []domain.Match{offBooks}},
				},
			}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	list := func(t *testing.T, s store.Store, tenant, employee string, f store.HitFilter) []store.SensitiveHit {
		t.Helper()
		got, err := s.ListSensitiveHits(ctx, tenant, employee, f)
		if err != nil {
			t.Fatalf("ListSensitiveHits(%s, %s, %+v): %v", tenant, employee, f, err)
		}
		return got
	}
	var all []store.SensitiveHit
	all = append(append(append(all, third...), second...), first...)

	t.Run("sensitive hits of one employee, whatever the alerts, newest first", func(t *testing.T) {
		s := seed(t)
		if diff := cmp.Diff(all, list(t, s, "acme", "e1", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("hits mismatch (-want, +got):\n%s", diff)
		}
		if got := list(t, s, "acme", "e3", store.HitFilter{Limit: 10}); len(got) != 0 {
			t.Errorf("hits of an employee who wrote none = %v, want none", got)
		}
		if diff := cmp.Diff(ofE2, list(t, s, "acme", "e2", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("e2's hits mismatch (-want, +got; nothing of e1's):\n%s", diff)
		}
		if diff := cmp.Diff(ofGlobex, list(t, s, "globex", "e1", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("globex e1's hits mismatch (-want, +got; nothing of acme's e1):\n%s", diff)
		}
	})

	t.Run("sensitive hits page by cursor, within an event too", func(t *testing.T) {
		s := seed(t)
		var got []store.SensitiveHit
		f := store.HitFilter{Limit: 3}
		for range len(all) {
			page := list(t, s, "acme", "e1", f)
			got = append(got, page...)
			if len(page) < f.Limit {
				break
			}
			last := page[len(page)-1].Cursor()
			f.After = &last
			f.Limit = 1 // the next page starts inside the first event's matches
		}
		if diff := cmp.Diff(all, got); diff != "" {
			t.Errorf("paged hits mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("sensitive hits within a period", func(t *testing.T) {
		s := seed(t)
		got := list(t, s, "acme", "e1", store.HitFilter{OccurredFrom: t0.Add(time.Hour), OccurredTo: t0.Add(2 * time.Hour), Limit: 10})
		if diff := cmp.Diff(second, got); diff != "" {
			t.Errorf("hits in [t0+1h, t0+2h) mismatch (-want, +got):\n%s", diff)
		}
		got = list(t, s, "acme", "e1", store.HitFilter{OccurredFrom: t0.Add(time.Minute), Limit: 10})
		if diff := cmp.Diff(all[:2], got); diff != "" {
			t.Errorf("hits from t0+1m mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("sensitive hits recorded again are kept once, the first", func(t *testing.T) {
		s := seed(t)
		// The same records redelivered: at or below the progress, nothing.
		record(t, s, 7, map[string]uint64{"CLIENT": 30}, third...)
		// The same event delivered again later (its key, other content).
		again := chat("acme", "e1", 30, t0, offBooks)
		record(t, s, 12, map[string]uint64{"CLIENT": 45}, again...)
		if diff := cmp.Diff(all, list(t, s, "acme", "e1", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("hits after recording again mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("sensitive hits keep occurred_at to the nanosecond", func(t *testing.T) {
		s := newStore(t)
		exact := chat("acme", "e1", 10, t0.Add(789), privateWeChat)
		record(t, s, 1, nil, exact...)
		if diff := cmp.Diff(exact, list(t, s, "acme", "e1", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("hits mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("sensitive hits with a non-positive limit are a bad filter", func(t *testing.T) {
		s := seed(t)
		if _, err := s.ListSensitiveHits(ctx, "acme", "e1", store.HitFilter{}); !errors.Is(err, store.ErrBadFilter) {
			t.Errorf("limit 0: err = %v, want ErrBadFilter", err)
		}
	})

	t.Run("hit progress is saved with the hits and never goes back", func(t *testing.T) {
		s := newStore(t)
		progress := func(t *testing.T) store.HitProgress {
			t.Helper()
			p, err := s.HitProgress(ctx)
			if err != nil {
				t.Fatalf("HitProgress: %v", err)
			}
			return p
		}
		if diff := cmp.Diff(store.HitProgress{}, progress(t)); diff != "" {
			t.Errorf("empty store's progress mismatch (-want, +got):\n%s", diff)
		}
		// Records without a hit still move the progress.
		record(t, s, 4, map[string]uint64{"CLIENT": 8, "ORDER": 2})
		record(t, s, 9, map[string]uint64{"CLIENT": 12, "ORDER": 2}, first...)
		want := store.HitProgress{Sequence: 9, Sources: map[string]uint64{"CLIENT": 12, "ORDER": 2}}
		if diff := cmp.Diff(want, progress(t)); diff != "" {
			t.Errorf("progress mismatch (-want, +got):\n%s", diff)
		}
		record(t, s, 9, map[string]uint64{"CLIENT": 99}, second...)
		record(t, s, 2, map[string]uint64{"CLIENT": 1}, third...)
		if diff := cmp.Diff(want, progress(t)); diff != "" {
			t.Errorf("progress after stale records mismatch (-want, +got):\n%s", diff)
		}
		if diff := cmp.Diff(first, list(t, s, "acme", "e1", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("hits of stale records were kept (-want, +got):\n%s", diff)
		}
		// The alert view's checkpoint is another projection's.
		if err := s.Apply(ctx, 50); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, progress(t)); diff != "" {
			t.Errorf("progress after an alert checkpoint mismatch (-want, +got):\n%s", diff)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 50 {
			t.Errorf("alert checkpoint = %d, %v; want 50, untouched by hits", cp, err)
		}
	})

	t.Run("a reset empties the hits and their progress and records the lexicon", func(t *testing.T) {
		s := seed(t)
		if err := s.ResetHits(ctx, "lexicon-2"); err != nil {
			t.Fatalf("ResetHits: %v", err)
		}
		p, err := s.HitProgress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(store.HitProgress{Lexicon: "lexicon-2"}, p); diff != "" {
			t.Errorf("progress after a reset mismatch (-want, +got):\n%s", diff)
		}
		if got := list(t, s, "acme", "e1", store.HitFilter{Limit: 10}); len(got) != 0 {
			t.Errorf("hits after a reset: %v, want none", got)
		}
		// Filled again from RISK_IN's start: the same records count again,
		// and the lexicon stays recorded.
		record(t, s, 3, map[string]uint64{"CLIENT": 10}, first...)
		if diff := cmp.Diff(first, list(t, s, "acme", "e1", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("hits recorded after a reset mismatch (-want, +got):\n%s", diff)
		}
		want := store.HitProgress{Sequence: 3, Sources: map[string]uint64{"CLIENT": 10}, Lexicon: "lexicon-2"}
		if p, err := s.HitProgress(ctx); err != nil || !cmp.Equal(want, p) {
			t.Errorf("progress after refilling = %+v, %v; want %+v", p, err, want)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 1 {
			t.Errorf("alert checkpoint = %d, %v; want 1, untouched by a hits reset", cp, err)
		}
	})
}
