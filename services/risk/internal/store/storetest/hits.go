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

// runSensitiveHits is the contract of ListSensitiveHits: the matches in an
// employee's alerts' evidence, each event once, newest first, filtered by
// period and paged; nothing of other employees or tenants.
func runSensitiveHits(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 30, 15, 123456000, time.UTC)
	chat := func(seq uint64, at time.Time, matches ...domain.Match) domain.Evidence {
		return domain.Evidence{
			EventID: fmt.Sprintf("evt-%d", seq), Stream: "CLIENT", Sequence: seq,
			EventType: "holdfast.client.v1.InteractionLogged", OccurredAt: at, Matches: matches,
		}
	}
	privateWeChat := domain.Match{Phrase: "加我私人微信", Start: 0, End: 18, MatchedText: "加我私人微信"}
	quotedDeal := domain.Match{Phrase: "私单", Start: 36, End: 42, MatchedText: "私单", Quoted: true}
	offBooks := domain.Match{Phrase: "走私单", Start: 3, End: 12, MatchedText: "走 私单"}
	first := chat(10, t0, privateWeChat, quotedDeal)
	second := chat(20, t0.Add(time.Hour), offBooks)
	third := chat(30, t0.Add(2*time.Hour), privateWeChat)
	// Context evidence without matches: a registration.
	registration := domain.Evidence{EventID: "evt-reg", Stream: "CLIENT", Sequence: 15, EventType: "holdfast.client.v1.CustomerRegistered", OccurredAt: t0}
	alert := func(tenant, id, employee, rule string, raisedSeq uint64, status domain.Status, evidence ...domain.Evidence) domain.Alert {
		return domain.Alert{
			Tenant: tenant, ID: id, RuleID: rule, RuleVersion: 1, EmployeeID: employee,
			Severity: domain.SeverityMedium, Status: status, RaisedAt: t0, UpdatedAt: t0,
			WindowStart: t0, WindowEnd: t0.Add(7 * 24 * time.Hour), Evidence: evidence, RaisedSequence: raisedSeq,
		}
	}
	seed := func(t *testing.T) store.Store {
		t.Helper()
		s := newStore(t)
		if err := s.Apply(ctx, 1,
			alert("acme", "a1", "e1", "sensitive_words", 1, domain.StatusRaised, first, registration, second),
			// A second rule citing one event again; HR's dismissal hides no hit.
			alert("acme", "a2", "e1", "custom_words", 2, domain.StatusDismissed, second, third),
			// No evidence at all (a nil slice, JSON null).
			alert("acme", "a3", "e1", "reveal_spike", 3, domain.StatusRaised),
			alert("acme", "a4", "e2", "sensitive_words", 4, domain.StatusRaised, chat(25, t0, privateWeChat)),
			alert("globex", "a1", "e1", "sensitive_words", 5, domain.StatusRaised, chat(40, t0, offBooks)),
		); err != nil {
			t.Fatal(err)
		}
		return s
	}
	hit := func(ev domain.Evidence, i int) store.SensitiveHit {
		return store.SensitiveHit{EventID: ev.EventID, Stream: ev.Stream, Sequence: ev.Sequence, OccurredAt: ev.OccurredAt, Index: i, Match: ev.Matches[i]}
	}
	list := func(t *testing.T, s store.Store, employee string, f store.HitFilter) []store.SensitiveHit {
		t.Helper()
		got, err := s.ListSensitiveHits(ctx, "acme", employee, f)
		if err != nil {
			t.Fatalf("ListSensitiveHits(%s, %+v): %v", employee, f, err)
		}
		return got
	}
	all := []store.SensitiveHit{hit(third, 0), hit(second, 0), hit(first, 0), hit(first, 1)}

	t.Run("sensitive hits of one employee, each event once, newest first", func(t *testing.T) {
		s := seed(t)
		if diff := cmp.Diff(all, list(t, s, "e1", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("hits mismatch (-want, +got):\n%s", diff)
		}
		if got := list(t, s, "e3", store.HitFilter{Limit: 10}); len(got) != 0 {
			t.Errorf("hits of an employee without alerts = %v, want none", got)
		}
		want := []store.SensitiveHit{hit(chat(25, t0, privateWeChat), 0)}
		if diff := cmp.Diff(want, list(t, s, "e2", store.HitFilter{Limit: 10})); diff != "" {
			t.Errorf("e2's hits mismatch (-want, +got; nothing of e1's or of another tenant):\n%s", diff)
		}
	})

	t.Run("sensitive hits page by cursor, within an event too", func(t *testing.T) {
		s := seed(t)
		var got []store.SensitiveHit
		f := store.HitFilter{Limit: 3}
		for range len(all) {
			page := list(t, s, "e1", f)
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
		got := list(t, s, "e1", store.HitFilter{OccurredFrom: t0.Add(time.Hour), OccurredTo: t0.Add(2 * time.Hour), Limit: 10})
		if diff := cmp.Diff([]store.SensitiveHit{hit(second, 0)}, got); diff != "" {
			t.Errorf("hits in [t0+1h, t0+2h) mismatch (-want, +got):\n%s", diff)
		}
		got = list(t, s, "e1", store.HitFilter{OccurredFrom: t0.Add(time.Minute), Limit: 10})
		if diff := cmp.Diff(all[:2], got); diff != "" {
			t.Errorf("hits from t0+1m mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("sensitive hits with a non-positive limit are a bad filter", func(t *testing.T) {
		s := seed(t)
		if _, err := s.ListSensitiveHits(ctx, "acme", "e1", store.HitFilter{}); !errors.Is(err, store.ErrBadFilter) {
			t.Errorf("limit 0: err = %v, want ErrBadFilter", err)
		}
	})
}
