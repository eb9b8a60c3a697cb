// Package storetest is the contract every store.Store implementation
// passes: run it from each implementation's tests.
package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/holdfast/holdfast/services/commission/internal/domain"
	"github.com/holdfast/holdfast/services/commission/internal/store"
)

// Run runs the contract against stores made by newStore, one per subtest.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	t.Run("orders apply and get", func(t *testing.T) { t.Parallel(); testOrders(t, newStore(t)) })
	t.Run("redelivery changes nothing", func(t *testing.T) { t.Parallel(); testRedelivery(t, newStore(t)) })
	t.Run("park advances checkpoints", func(t *testing.T) { t.Parallel(); testPark(t, newStore(t)) })
	t.Run("entries by employee and period", func(t *testing.T) { t.Parallel(); testEntries(t, newStore(t)) })
	t.Run("tenant entries keep holds and payouts", func(t *testing.T) { t.Parallel(); testTenantEntries(t, newStore(t)) })
	t.Run("risk checkpoint", func(t *testing.T) { t.Parallel(); testRiskCheckpoint(t, newStore(t)) })
}

var equate = cmpopts.EquateEmpty()

func order(tenant, id string) domain.OrderTrack {
	return domain.OrderTrack{
		Tenant: tenant, OrderID: id, SellerID: "e-1", CustomerID: "c-1", Currency: "CNY", AmountMinor: 1234567,
		ClaimedSource: domain.SourcePersonal, CustomerSource: domain.SourceWebsite, SourceContradiction: true,
		Approved: true, PaidToCompanyTotalMinor: 1000, PaidTotalMinor: 2000, Shipped: true,
	}
}

func entry(tenant, employee string, seq uint64, at time.Time, kind domain.EntryKind, currency string, amount int64) domain.Entry {
	return domain.Entry{
		Tenant: tenant, EmployeeID: employee, Kind: kind, OrderID: "o-" + employee, CustomerID: "c-1", Currency: currency,
		AmountMinor: amount, BaseAmountMinor: amount * 20, RateBP: 500, CustomerSource: domain.SourceWebsite,
		ClaimedSource: domain.SourcePersonal, Contradiction: kind == domain.EntryAccrual, PlanVersion: 3,
		Cause: domain.CauseUnspecified, OccurredAt: at, Sequence: seq, OrderSequence: seq + 100,
	}
}

func testOrders(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, err := s.GetOrder(ctx, "acme", "o-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("GetOrder before apply: err = %v, want ErrNotFound", err)
	}
	o := order("acme", "o-1")
	if err := s.ApplyOrder(ctx, 3, &o); err != nil {
		t.Fatalf("ApplyOrder: %v", err)
	}
	got, err := s.GetOrder(ctx, "acme", "o-1")
	if err != nil {
		t.Fatalf("GetOrder: %v", err)
	}
	if diff := cmp.Diff(o, got, equate); diff != "" {
		t.Errorf("GetOrder mismatch (-want, +got):\n%s", diff)
	}
	o.Closed = true
	if err := s.ApplyOrder(ctx, 4, &o); err != nil {
		t.Fatalf("ApplyOrder update: %v", err)
	}
	if got, _ := s.GetOrder(ctx, "acme", "o-1"); !got.Closed {
		t.Errorf("update not applied: %+v", got)
	}
	if _, err := s.GetOrder(ctx, "globex", "o-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("other tenant: err = %v, want ErrNotFound", err)
	}
	if err := s.ApplyOrder(ctx, 5, nil); err != nil {
		t.Fatalf("ApplyOrder nil: %v", err)
	}
	if cp, _ := s.OrderCheckpoint(ctx); cp != 5 {
		t.Errorf("OrderCheckpoint = %d, want 5", cp)
	}
	if cp, _ := s.EntryCheckpoint(ctx); cp != 0 {
		t.Errorf("EntryCheckpoint = %d, want 0 (the checkpoints are apart)", cp)
	}
}

func testRedelivery(t *testing.T, s store.Store) {
	ctx := t.Context()
	o := order("acme", "o-1")
	if err := s.ApplyOrder(ctx, 7, &o); err != nil {
		t.Fatal(err)
	}
	stale := o
	stale.Shipped = false
	if err := s.ApplyOrder(ctx, 7, &stale); err != nil {
		t.Fatalf("redelivered ApplyOrder: %v", err)
	}
	if got, _ := s.GetOrder(ctx, "acme", "o-1"); !got.Shipped {
		t.Errorf("redelivery overwrote the order: %+v", got)
	}
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	e := entry("acme", "e-1", 9, at, domain.EntryAccrual, "CNY", 500)
	for range 2 {
		if err := s.ApplyEntry(ctx, 9, &e); err != nil {
			t.Fatalf("ApplyEntry: %v", err)
		}
	}
	got, err := s.ListEntries(ctx, "acme", "e-1", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Errorf("entries after redelivery = %d, want 1", len(got))
	}
}

func testPark(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.ParkOrder(ctx, 4, "order.acme.order.x", "bad", []byte("x")); err != nil {
		t.Fatalf("ParkOrder: %v", err)
	}
	if err := s.ParkEntry(ctx, 6, "commission.acme.accrual.x", "bad", []byte("y")); err != nil {
		t.Fatalf("ParkEntry: %v", err)
	}
	if cp, _ := s.OrderCheckpoint(ctx); cp != 4 {
		t.Errorf("OrderCheckpoint = %d, want 4", cp)
	}
	if cp, _ := s.EntryCheckpoint(ctx); cp != 6 {
		t.Errorf("EntryCheckpoint = %d, want 6", cp)
	}
	o := order("acme", "o-1")
	if err := s.ApplyOrder(ctx, 4, &o); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOrder(ctx, "acme", "o-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("an event at a parked sequence was applied: err = %v", err)
	}
}

func testEntries(t *testing.T, s store.Store) {
	ctx := t.Context()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 30, 0, 123000, time.UTC) }
	all := []domain.Entry{
		entry("acme", "e-1", 1, day(2), domain.EntryAccrual, "CNY", 5000),
		entry("acme", "e-2", 2, day(2), domain.EntryAccrual, "CNY", 7000),
		entry("acme", "e-1", 3, day(5), domain.EntryAccrual, "USD", 300),
		entry("acme", "e-1", 4, day(5), domain.EntryClawback, "CNY", 2500),
		entry("globex", "e-1", 5, day(5), domain.EntryAccrual, "CNY", 9),
		entry("acme", "e-1", 6, day(9), domain.EntryClawback, "USD", 300),
	}
	for i := range all {
		if err := s.ApplyEntry(ctx, all[i].Sequence, &all[i]); err != nil {
			t.Fatalf("ApplyEntry %d: %v", i, err)
		}
	}
	tests := []struct {
		name     string
		employee string
		from, to time.Time
		want     []domain.Entry
	}{
		{name: "open period", employee: "e-1", want: []domain.Entry{all[0], all[2], all[3], all[5]}},
		{name: "from inclusive, to exclusive", employee: "e-1", from: day(5), to: day(9), want: []domain.Entry{all[2], all[3]}},
		{name: "other employee", employee: "e-2", want: []domain.Entry{all[1]}},
		{name: "nobody", employee: "e-9", want: nil},
	}
	for _, tc := range tests {
		got, err := s.ListEntries(ctx, "acme", tc.employee, tc.from, tc.to)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, got, equate); diff != "" {
			t.Errorf("%s: mismatch (-want, +got):\n%s", tc.name, diff)
		}
	}
}

func testTenantEntries(t *testing.T, s store.Store) {
	ctx := t.Context()
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	all := []domain.Entry{
		entry("acme", "e-1", 1, at, domain.EntryAccrual, "CNY", 5000),
		{
			Tenant: "acme", EmployeeID: "e-1", Kind: domain.EntryHold, AlertID: "a-1", RuleID: "sensitive_words", SellerWide: true,
			HeldOrderIDs: []string{"o-1", "o-2"}, OccurredAt: at.Add(time.Hour), Sequence: 2, RiskSequence: 40,
		},
		{Tenant: "globex", EmployeeID: "e-1", Kind: domain.EntryHold, AlertID: "a-9", OccurredAt: at, Sequence: 3},
		{
			Tenant: "acme", EmployeeID: "e-1", Kind: domain.EntryRelease, AlertID: "a-1", ReleaseCause: domain.ReleaseDiversionConfirmed,
			OccurredAt: at.Add(2 * time.Hour), Sequence: 4, RiskSequence: 41,
		},
		{Tenant: "acme", Kind: domain.EntryPayout, OccurredAt: at.Add(3 * time.Hour), Sequence: 5, Payout: &domain.Payout{
			From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), AsOfSequence: 4,
			Lines: []domain.PayoutLine{{
				EmployeeID: "e-1", Currency: "CNY", AccruedMinor: 5000, ClawedBackMinor: 10, PayableMinor: 4990,
				HeldMinor: 7, OrderIDs: []string{"o-1"}, ClawbackSequences: []uint64{9},
			}},
		}},
	}
	// Every field of a hold, a release and a payout survives the store.
	for i := range all {
		if err := s.ApplyEntry(ctx, all[i].Sequence, &all[i]); err != nil {
			t.Fatalf("ApplyEntry %d: %v", i, err)
		}
	}
	got, err := s.TenantEntries(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.Entry{all[0], all[1], all[3], all[4]}
	if diff := cmp.Diff(want, got, equate); diff != "" {
		t.Errorf("TenantEntries mismatch (-want, +got):\n%s", diff)
	}
	if got, _ := s.TenantEntries(ctx, "initech"); len(got) != 0 {
		t.Errorf("an unknown tenant has %d entries", len(got))
	}
}

func testRiskCheckpoint(t *testing.T, s store.Store) {
	ctx := t.Context()
	if cp, _ := s.RiskCheckpoint(ctx); cp != 0 {
		t.Fatalf("RiskCheckpoint = %d before anything, want 0", cp)
	}
	for _, seq := range []uint64{3, 5, 4} {
		if err := s.ApplyRisk(ctx, seq); err != nil {
			t.Fatalf("ApplyRisk %d: %v", seq, err)
		}
	}
	if err := s.ParkRisk(ctx, 5, "risk.acme.alert.x", "bad", []byte("z")); err != nil {
		t.Fatalf("ParkRisk redelivered: %v", err)
	}
	if err := s.ParkRisk(ctx, 8, "risk.acme.alert.y", "bad", []byte("z")); err != nil {
		t.Fatalf("ParkRisk: %v", err)
	}
	if cp, _ := s.RiskCheckpoint(ctx); cp != 8 {
		t.Errorf("RiskCheckpoint = %d, want 8", cp)
	}
	if cp, _ := s.OrderCheckpoint(ctx); cp != 0 {
		t.Errorf("OrderCheckpoint = %d, want 0 (the checkpoints are apart)", cp)
	}
}
