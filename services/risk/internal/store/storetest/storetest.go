// Package storetest is the contract every risk alert read model must pass;
// the memory and PostgreSQL implementations run the same suite.
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

// Run runs the contract against stores made by newStore (one per subtest).
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	// time.Date values: no monotonic reading, and whole microseconds, which
	// every implementation keeps exactly.
	at := time.Date(2026, 3, 2, 9, 30, 15, 123456000, time.UTC)
	alert := func(tenant, id, employee string, raisedSeq uint64) domain.Alert {
		return domain.Alert{
			Tenant: tenant, ID: id, RuleID: "sensitive_words", RuleVersion: 1, EmployeeID: employee,
			Severity: domain.SeverityHigh, Status: domain.StatusRaised,
			ExplanationEN: "Employee " + employee + " used private-deal language: 「加我私人微信」, 「私单」.",
			ExplanationZH: "员工 " + employee + " 出现私单相关用语：「加我私人微信」、「私单」。",
			WindowStart:   at, WindowEnd: at.Add(7 * 24 * time.Hour), RaisedAt: at, UpdatedAt: at,
			Evidence: []domain.Evidence{{
				EventID: "evt-" + id, Stream: "CLIENT", Sequence: raisedSeq * 10, EventType: "holdfast.client.v1.InteractionLogged",
				OccurredAt: at,
				Matches: []domain.Match{
					{Phrase: "加我私人微信", Start: 0, End: 18, MatchedText: "加我私人微信"},
					{Phrase: "私单", Start: 36, End: 42, MatchedText: "私单", Quoted: true},
				},
			}},
			RaisedSequence: raisedSeq,
		}
	}
	get := func(t *testing.T, s store.Store, tenant, id string) domain.Alert {
		t.Helper()
		got, err := s.GetAlert(ctx, tenant, id)
		if err != nil {
			t.Fatalf("GetAlert(%s, %s): %v", tenant, id, err)
		}
		return got
	}
	checkpoint := func(t *testing.T, s store.Store, want uint64) {
		t.Helper()
		if cp, err := s.Checkpoint(ctx); err != nil || cp != want {
			t.Errorf("checkpoint = %d, %v; want %d", cp, err, want)
		}
	}

	t.Run("empty store has checkpoint zero", func(t *testing.T) {
		checkpoint(t, newStore(t), 0)
	})

	t.Run("apply then get round trip with evidence and matches", func(t *testing.T) {
		s := newStore(t)
		want := alert("acme", "a1", "e1", 1)
		if err := s.Apply(ctx, 1, want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, get(t, s, "acme", "a1")); diff != "" {
			t.Errorf("alert mismatch (-want, +got):\n%s", diff)
		}
		checkpoint(t, s, 1)
	})

	t.Run("unknown alert and other tenant are not found", func(t *testing.T) {
		s := newStore(t)
		if err := s.Apply(ctx, 1, alert("acme", "a1", "e1", 1)); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ tenant, id string }{{"acme", "nope"}, {"globex", "a1"}} {
			if _, err := s.GetAlert(ctx, tc.tenant, tc.id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetAlert(%s, %s) err = %v, want ErrNotFound", tc.tenant, tc.id, err)
			}
		}
	})

	t.Run("evidence added replaces the alert", func(t *testing.T) {
		s := newStore(t)
		a := alert("acme", "a1", "e1", 1)
		if err := s.Apply(ctx, 1, a); err != nil {
			t.Fatal(err)
		}
		a.Evidence = append(a.Evidence, domain.Evidence{
			EventID: "evt-2", Stream: "CLIENT", Sequence: 99, EventType: "holdfast.client.v1.InteractionLogged",
			OccurredAt: at.Add(72 * time.Hour),
			Matches:    []domain.Match{{Phrase: "打到我卡上", Start: 6, End: 21, MatchedText: "打到我卡上"}},
		})
		a.UpdatedAt = at.Add(72 * time.Hour)
		a.Status = domain.StatusAcknowledged
		if err := s.Apply(ctx, 2, a); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, get(t, s, "acme", "a1")); diff != "" {
			t.Errorf("alert mismatch (-want, +got):\n%s", diff)
		}
	})

	t.Run("redelivery at or below the checkpoint changes nothing", func(t *testing.T) {
		s := newStore(t)
		first := alert("acme", "a1", "e1", 5)
		if err := s.Apply(ctx, 5, first); err != nil {
			t.Fatal(err)
		}
		stale := first
		stale.Severity = domain.SeverityLow
		stale.Evidence = append(stale.Evidence, stale.Evidence...)
		for _, seq := range []uint64{5, 3} {
			if err := s.Apply(ctx, seq, stale); err != nil {
				t.Fatalf("Apply(%d): %v", seq, err)
			}
		}
		if err := s.Apply(ctx, 4, alert("acme", "a-late", "e1", 4)); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first, get(t, s, "acme", "a1")); diff != "" {
			t.Errorf("alert changed by a redelivery (-want, +got):\n%s", diff)
		}
		if _, err := s.GetAlert(ctx, "acme", "a-late"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("alert applied below the checkpoint: err = %v, want ErrNotFound", err)
		}
		checkpoint(t, s, 5)
	})

	t.Run("apply without alerts advances the checkpoint", func(t *testing.T) {
		s := newStore(t)
		if err := s.Apply(ctx, 3); err != nil {
			t.Fatal(err)
		}
		checkpoint(t, s, 3)
	})

	t.Run("park advances the checkpoint", func(t *testing.T) {
		s := newStore(t)
		if err := s.Apply(ctx, 1, alert("acme", "a1", "e1", 1)); err != nil {
			t.Fatal(err)
		}
		if err := s.Park(ctx, 7, "risk.acme.alert.x", "not a holdfast event", []byte{1, 2}); err != nil {
			t.Fatal(err)
		}
		checkpoint(t, s, 7)
		// A parked position is past: applying it again changes nothing.
		if err := s.Apply(ctx, 7, alert("acme", "a7", "e1", 7)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetAlert(ctx, "acme", "a7"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("alert applied at a parked sequence: err = %v, want ErrNotFound", err)
		}
		// Re-parking an old position neither fails nor moves the checkpoint back.
		if err := s.Park(ctx, 7, "risk.acme.alert.x", "again", nil); err != nil {
			t.Fatal(err)
		}
		checkpoint(t, s, 7)
	})

	t.Run("list newest first with filters and paging", func(t *testing.T) {
		s := newStore(t)
		// Raised at RISK sequences 1..8 in acme, employees alternating, one
		// alert of another rule and one acknowledged; 9 is globex's.
		var all []domain.Alert
		for i := range 8 {
			seq := uint64(i + 1)
			employee := "e1"
			if i%2 == 1 {
				employee = "e2"
			}
			a := alert("acme", fmt.Sprintf("a%d", seq), employee, seq)
			if seq == 3 {
				a.RuleID = "bulk_export"
			}
			if seq == 5 {
				a.Status = domain.StatusAcknowledged
			}
			all = append(all, a)
			if err := s.Apply(ctx, seq, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Apply(ctx, 9, alert("globex", "g9", "e1", 9)); err != nil {
			t.Fatal(err)
		}
		// An update after later raises must not move the alert in the order.
		updated := all[1]
		updated.Severity = domain.SeverityMedium
		updated.UpdatedAt = at.Add(time.Hour)
		all[1] = updated
		if err := s.Apply(ctx, 10, updated); err != nil {
			t.Fatal(err)
		}

		ids := func(as []domain.Alert) []string {
			out := make([]string, 0, len(as))
			for _, a := range as {
				out = append(out, a.ID)
			}
			return out
		}
		tests := []struct {
			name   string
			filter store.ListFilter
			want   []string
		}{
			{name: "all", filter: store.ListFilter{Limit: 100}, want: []string{"a8", "a7", "a6", "a5", "a4", "a3", "a2", "a1"}},
			{name: "limit", filter: store.ListFilter{Limit: 3}, want: []string{"a8", "a7", "a6"}},
			{name: "before", filter: store.ListFilter{Before: 6, Limit: 2}, want: []string{"a5", "a4"}},
			{name: "employee", filter: store.ListFilter{EmployeeID: "e2", Limit: 100}, want: []string{"a8", "a6", "a4", "a2"}},
			{name: "rule", filter: store.ListFilter{RuleID: "bulk_export", Limit: 100}, want: []string{"a3"}},
			{name: "status", filter: store.ListFilter{Status: domain.StatusAcknowledged, Limit: 100}, want: []string{"a5"}},
			{
				name:   "employee rule and status together",
				filter: store.ListFilter{EmployeeID: "e1", RuleID: "sensitive_words", Status: domain.StatusRaised, Limit: 100},
				want:   []string{"a7", "a1"},
			},
			{name: "nobody", filter: store.ListFilter{EmployeeID: "e9", Limit: 100}, want: []string{}},
			// a2 is the one medium alert: highest severity first, then newest.
			{name: "by severity", filter: store.ListFilter{BySeverity: true, Limit: 100}, want: []string{"a8", "a7", "a6", "a5", "a4", "a3", "a1", "a2"}},
			{
				name:   "by severity after a page",
				filter: store.ListFilter{BySeverity: true, Before: 3, BeforeSeverity: domain.SeverityHigh, Limit: 100},
				want:   []string{"a1", "a2"},
			},
			{
				name:   "by severity after a medium",
				filter: store.ListFilter{BySeverity: true, Before: 9, BeforeSeverity: domain.SeverityMedium, Limit: 100},
				want:   []string{"a2"},
			},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.ListAlerts(ctx, "acme", tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
					t.Errorf("listed ids mismatch (-want, +got):\n%s", diff)
				}
			})
		}

		t.Run("pages by before cursor return whole alerts", func(t *testing.T) {
			var got []domain.Alert
			var before uint64
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				page, err := s.ListAlerts(ctx, "acme", store.ListFilter{Before: before, Limit: 3})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page...)
				if len(page) < 3 {
					break
				}
				before = page[len(page)-1].RaisedSequence
			}
			want := make([]domain.Alert, 0, len(all))
			for i := len(all) - 1; i >= 0; i-- {
				want = append(want, all[i])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("paged alerts mismatch (-want, +got):\n%s", diff)
			}
		})

		t.Run("tenants are isolated", func(t *testing.T) {
			got, err := s.ListAlerts(ctx, "globex", store.ListFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"g9"}, ids(got)); diff != "" {
				t.Errorf("globex ids mismatch (-want, +got):\n%s", diff)
			}
			got, err = s.ListAlerts(ctx, "initech", store.ListFilter{Limit: 100})
			if err != nil || len(got) != 0 {
				t.Errorf("initech: %d alerts, %v; want none", len(got), err)
			}
		})

		t.Run("non-positive limit is a bad filter", func(t *testing.T) {
			for _, limit := range []int{0, -1} {
				if _, err := s.ListAlerts(ctx, "acme", store.ListFilter{Limit: limit}); !errors.Is(err, store.ErrBadFilter) {
					t.Errorf("limit %d: err = %v, want ErrBadFilter", limit, err)
				}
			}
		})
	})

	t.Run("returned alerts do not alias the store", func(t *testing.T) {
		s := newStore(t)
		want := alert("acme", "a1", "e1", 1)
		if err := s.Apply(ctx, 1, want); err != nil {
			t.Fatal(err)
		}
		got := get(t, s, "acme", "a1")
		got.Evidence[0].Matches[0].Phrase = "tampered"
		got.Evidence[0].Sequence = 0
		listed, err := s.ListAlerts(ctx, "acme", store.ListFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		listed[0].Evidence[0].EventID = "tampered"
		if diff := cmp.Diff(want, get(t, s, "acme", "a1")); diff != "" {
			t.Errorf("stored alert changed through a returned copy (-want, +got):\n%s", diff)
		}
	})

	t.Run("status counts per rule and tenant", func(t *testing.T) {
		s := newStore(t)
		a1, a2, a3, other := alert("acme", "a1", "e1", 1), alert("acme", "a2", "e2", 2), alert("acme", "a3", "e3", 3), alert("globex", "g1", "e1", 4)
		a2.Status, a3.RuleID, a3.Status = domain.StatusDismissed, "reveal_spike", domain.StatusConfirmed
		if err := s.Apply(ctx, 1, a1, a2, a3, other); err != nil {
			t.Fatal(err)
		}
		a1.Status = domain.StatusResolved // a later step moves the alert, not adds one
		if err := s.Apply(ctx, 2, a1); err != nil {
			t.Fatal(err)
		}
		got, err := s.StatusCounts(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]map[domain.Status]int{
			"sensitive_words": {domain.StatusResolved: 1, domain.StatusDismissed: 1},
			"reveal_spike":    {domain.StatusConfirmed: 1},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("status counts mismatch (-want, +got):\n%s", diff)
		}
	})

	runQueries(t, newStore)
	runSensitiveHits(t, newStore)
}
