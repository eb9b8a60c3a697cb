package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// runQueries is the contract of ListAlerts' filters, ListCases and the
// engine's parking of RISK_IN events.
func runQueries(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	// alerts: seq n is raised on day n-1, employee e<n%3>, severity cycling
	// low, medium, high; seq 7 belongs to another tenant.
	mk := func(tenant string, seq uint64) domain.Alert {
		raised := day.Add(time.Duration(seq-1) * 24 * time.Hour)
		return domain.Alert{
			Tenant: tenant, ID: "a" + string(rune('0'+seq)), RuleID: []string{"sensitive_words", "reveal_spike"}[seq%2],
			RuleVersion: 1, EmployeeID: "e" + string(rune('0'+seq%3)), Severity: domain.Severity(1 + seq%3),
			Status: domain.StatusRaised, RaisedAt: raised, UpdatedAt: raised, WindowStart: raised, WindowEnd: raised.Add(time.Hour),
			RaisedSequence: seq,
		}
	}
	seed := func(t *testing.T) (store.Store, []domain.Alert) {
		t.Helper()
		s := newStore(t)
		var all []domain.Alert
		for seq := uint64(1); seq <= 6; seq++ {
			all = append(all, mk("acme", seq))
		}
		if err := s.Apply(ctx, 1, append(all, mk("globex", 7))...); err != nil {
			t.Fatal(err)
		}
		return s, all
	}
	ids := func(alerts []domain.Alert) []string {
		out := []string{}
		for _, a := range alerts {
			out = append(out, a.ID)
		}
		return out
	}

	t.Run("list alerts filters", func(t *testing.T) {
		s, _ := seed(t)
		tests := []struct {
			name   string
			filter store.ListFilter
			want   []string
		}{
			{name: "all, newest first", filter: store.ListFilter{}, want: []string{"a6", "a5", "a4", "a3", "a2", "a1"}},
			{name: "min severity high", filter: store.ListFilter{MinSeverity: domain.SeverityHigh}, want: []string{"a5", "a2"}},
			{name: "min severity medium", filter: store.ListFilter{MinSeverity: domain.SeverityMedium}, want: []string{"a5", "a4", "a2", "a1"}},
			{name: "employee set", filter: store.ListFilter{Employees: []string{"e1", "e2"}}, want: []string{"a5", "a4", "a2", "a1"}},
			{name: "empty employee set matches nothing", filter: store.ListFilter{Employees: []string{}}, want: []string{}},
			{name: "employee set and employee", filter: store.ListFilter{Employees: []string{"e1", "e2"}, EmployeeID: "e0"}, want: []string{}},
			{name: "raised in [day 1, day 3)", filter: store.ListFilter{RaisedFrom: day.Add(24 * time.Hour), RaisedTo: day.Add(72 * time.Hour)}, want: []string{"a3", "a2"}},
			{name: "raised from day 4", filter: store.ListFilter{RaisedFrom: day.Add(4 * 24 * time.Hour)}, want: []string{"a6", "a5"}},
			{name: "rule and page", filter: store.ListFilter{RuleID: "sensitive_words", Before: 6}, want: []string{"a4", "a2"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.filter.Limit = 10
				got, err := s.ListAlerts(ctx, "acme", tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
					t.Errorf("alerts mismatch (-want, +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("list cases", func(t *testing.T) {
		s, all := seed(t)
		// a2 and a4 confirmed (cases at RISK 10 and 11), a4 then resolved;
		// a5 dismissed opens no case.
		a2, a4, a5 := all[1], all[3], all[4]
		a2.Status, a2.CaseOpenedAt, a2.CaseSequence = domain.StatusConfirmed, day.Add(10*24*time.Hour), 10
		a4.Status, a4.CaseOpenedAt, a4.CaseSequence = domain.StatusConfirmed, day.Add(11*24*time.Hour), 11
		a5.Status = domain.StatusDismissed
		if err := s.Apply(ctx, 2, a2, a4, a5); err != nil {
			t.Fatal(err)
		}
		a4.Status, a4.Outcome, a4.CaseResolvedAt = domain.StatusResolved, domain.OutcomeNoDiversion, day.Add(12*24*time.Hour)
		if err := s.Apply(ctx, 3, a4); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			filter store.CaseFilter
			want   []string
		}{
			{name: "all, newest case first", want: []string{"a4", "a2"}},
			{name: "open", filter: store.CaseFilter{Status: domain.StatusConfirmed}, want: []string{"a2"}},
			{name: "resolved no diversion", filter: store.CaseFilter{Outcome: domain.OutcomeNoDiversion}, want: []string{"a4"}},
			{name: "diversion confirmed", filter: store.CaseFilter{Outcome: domain.OutcomeDiversionConfirmed}, want: []string{}},
			{name: "employee", filter: store.CaseFilter{EmployeeID: "e2"}, want: []string{"a2"}},
			{name: "employee set", filter: store.CaseFilter{Employees: []string{"e1"}}, want: []string{"a4"}},
			{name: "opened before day 11", filter: store.CaseFilter{OpenedTo: day.Add(11 * 24 * time.Hour)}, want: []string{"a2"}},
			{name: "opened from day 11", filter: store.CaseFilter{OpenedFrom: day.Add(11 * 24 * time.Hour)}, want: []string{"a4"}},
			{name: "page", filter: store.CaseFilter{Before: 11}, want: []string{"a2"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.filter.Limit = 10
				got, err := s.ListCases(ctx, "acme", tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
					t.Errorf("cases mismatch (-want, +got):\n%s", diff)
				}
			})
		}
		got, err := s.ListCases(ctx, "acme", store.CaseFilter{Outcome: domain.OutcomeNoDiversion, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]domain.Alert{a4}, got); diff != "" {
			t.Errorf("case round trip mismatch (-want, +got):\n%s", diff)
		}
		if _, err := s.ListCases(ctx, "acme", store.CaseFilter{}); err == nil {
			t.Error("ListCases with no limit succeeded")
		}
	})

	t.Run("parked inputs count once per sequence", func(t *testing.T) {
		s := newStore(t)
		for _, seq := range []uint64{5, 9, 5} {
			if err := s.ParkInput(ctx, seq, "client.acme.customer.c1", "undecodable payload", []byte{0xff}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.ParkedInputs(ctx); err != nil || n != 2 {
			t.Errorf("parked inputs = %d, %v; want 2", n, err)
		}
		if cp, err := s.Checkpoint(ctx); err != nil || cp != 0 {
			t.Errorf("checkpoint = %d, %v after parking RISK_IN events; want 0 (they are not RISK's)", cp, err)
		}
	})
}
