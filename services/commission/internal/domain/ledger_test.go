package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

var day = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// ledgerWriter numbers entries as COMMISSION would.
type ledgerWriter struct{ entries []domain.Entry }

func (w *ledgerWriter) add(e domain.Entry) uint64 {
	e.Tenant, e.Sequence = "acme", uint64(len(w.entries)+1)
	if e.OccurredAt.IsZero() {
		e.OccurredAt = day.Add(time.Duration(e.Sequence) * time.Minute)
	}
	if e.Currency == "" && (e.Kind == domain.EntryAccrual || e.Kind == domain.EntryClawback) {
		e.Currency = "CNY"
	}
	w.entries = append(w.entries, e)
	return e.Sequence
}

func (w *ledgerWriter) accrue(employee, order string, amount int64) uint64 {
	return w.add(domain.Entry{Kind: domain.EntryAccrual, EmployeeID: employee, OrderID: order, AmountMinor: amount})
}

func (w *ledgerWriter) clawBack(employee, order string, amount int64) uint64 {
	return w.add(domain.Entry{Kind: domain.EntryClawback, EmployeeID: employee, OrderID: order, AmountMinor: amount})
}

func (w *ledgerWriter) hold(alert, employee string, sellerWide bool, orders ...string) {
	w.add(domain.Entry{Kind: domain.EntryHold, AlertID: alert, EmployeeID: employee, SellerWide: sellerWide, HeldOrderIDs: orders})
}

func (w *ledgerWriter) release(alert, employee string, cause domain.ReleaseCause) {
	w.add(domain.Entry{Kind: domain.EntryRelease, AlertID: alert, EmployeeID: employee, ReleaseCause: cause})
}

// export records what the ledger pays up to to, as ExportPayouts does.
func (w *ledgerWriter) export(from, to time.Time) []domain.PayoutLine {
	lines := domain.NewLedger(w.entries).Payout(to)
	w.add(domain.Entry{Kind: domain.EntryPayout, Payout: &domain.Payout{From: from, To: to, Lines: lines}})
	return lines
}

var (
	march = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	april = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	may   = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
)

func TestLedgerHoldsReleasesAndPayouts(t *testing.T) {
	t.Parallel()
	w := &ledgerWriter{}
	w.accrue("e1", "o1", 1000)
	w.accrue("e2", "o2", 500)
	// A medium alert on e1 holds all of e1's unpaid commission, and o2 too
	// because its evidence names that order (sold by e2).
	w.hold("a1", "e1", true, "o2")
	w.accrue("e1", "o3", 300) // accrued while the hold is open: held as well
	w.add(domain.Entry{Kind: domain.EntryAccrual, EmployeeID: "e3", OrderID: "o4", AmountMinor: 70, OccurredAt: april.Add(time.Hour)})

	l := domain.NewLedger(w.entries)
	e1, totals := l.Statement("e1", time.Time{}, time.Time{})
	if len(e1) != 3 || e1[0].OrderID != "o1" || !cmp.Equal(e1[0].HeldBy, []string{"a1"}) || e1[1].Kind != domain.EntryHold || !cmp.Equal(e1[2].HeldBy, []string{"a1"}) {
		t.Fatalf("e1 statement = %+v, want o1 held by a1, the hold, o3 held by a1", e1)
	}
	if totals[0].HeldMinor != 1300 || totals[0].NetMinor != 1300 {
		t.Errorf("e1 totals = %+v, want 1300 net, all of it held", totals)
	}
	e2, _ := l.Statement("e2", time.Time{}, time.Time{})
	if len(e2) != 2 || !cmp.Equal(e2[0].HeldBy, []string{"a1"}) || e2[1].AlertID != "a1" || e2[1].EmployeeID != "" || e2[1].SellerWide {
		t.Errorf("e2 statement = %+v, want o2 held by a1 and a1's hold without whom it names (it names e2's order)", e2)
	}

	// March pays nothing held and nothing after its end; it reports what is held.
	got := w.export(march, april)
	want := []domain.PayoutLine{
		{EmployeeID: "e1", Currency: "CNY", HeldMinor: 1300},
		{EmployeeID: "e2", Currency: "CNY", HeldMinor: 500},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("march payout mismatch (-want, +got):\n%s", diff)
	}

	// Dismissed: the next export pays what March held, net of the o1
	// clawback made while it was unpaid.
	w.release("a1", "e1", domain.ReleaseDismissed)
	cb := w.clawBack("e1", "o1", 400)
	got = w.export(april, may)
	want = []domain.PayoutLine{
		{EmployeeID: "e1", Currency: "CNY", AccruedMinor: 1300, ClawedBackMinor: 400, PayableMinor: 900, OrderIDs: []string{"o1", "o3"}, ClawbackSequences: []uint64{cb}},
		{EmployeeID: "e2", Currency: "CNY", AccruedMinor: 500, PayableMinor: 500, OrderIDs: []string{"o2"}},
		{EmployeeID: "e3", Currency: "CNY", AccruedMinor: 70, PayableMinor: 70, OrderIDs: []string{"o4"}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("april payout mismatch (-want, +got):\n%s", diff)
	}

	// A refund after the money went out is deducted from the next payout.
	late := w.clawBack("e2", "o2", 500)
	got = w.export(may, may.AddDate(0, 1, 0))
	want = []domain.PayoutLine{{EmployeeID: "e2", Currency: "CNY", ClawedBackMinor: 500, PayableMinor: -500, ClawbackSequences: []uint64{late}}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("may payout mismatch (-want, +got):\n%s", diff)
	}
	if again := domain.NewLedger(w.entries).Payout(may.AddDate(0, 2, 0)); len(again) != 0 {
		t.Errorf("everything is settled, yet a further payout owes %+v", again)
	}
	e1, _ = domain.NewLedger(w.entries).Statement("e1", time.Time{}, time.Time{})
	for _, e := range e1 {
		if e.Kind == domain.EntryAccrual && (e.PaidIn != "2026-04-01..2026-05-01" || len(e.HeldBy) != 0) {
			t.Errorf("e1 accrual %s: paid in %q held by %v, want paid by April's payout, no longer held", e.OrderID, e.PaidIn, e.HeldBy)
		}
	}
}

func TestLedgerForfeitsOnConfirmedDiversion(t *testing.T) {
	t.Parallel()
	w := &ledgerWriter{}
	w.accrue("e1", "o1", 1000)
	w.accrue("e1", "o2", 200)
	w.hold("a1", "e1", false, "o1") // a low alert naming only o1
	w.export(march, april)          // pays o2, holds o1
	w.release("a1", "e1", domain.ReleaseDiversionConfirmed)
	w.accrue("e1", "o3", 50) // after the case: neither held nor forfeited

	l := domain.NewLedger(w.entries)
	st, totals := l.Statement("e1", time.Time{}, time.Time{})
	byOrder := map[string]domain.Entry{}
	for _, e := range st {
		if e.Kind == domain.EntryAccrual {
			byOrder[e.OrderID] = e
		}
	}
	if byOrder["o1"].ForfeitedBy != "a1" || byOrder["o2"].ForfeitedBy != "" || byOrder["o2"].PaidIn == "" || byOrder["o3"].ForfeitedBy != "" {
		t.Errorf("statement = %+v, want o1 forfeited by a1, o2 paid, o3 untouched", st)
	}
	if totals[0].ForfeitedMinor != 1000 || totals[0].HeldMinor != 0 {
		t.Errorf("totals = %+v, want 1000 forfeited, nothing held", totals)
	}
	got := l.Payout(may)
	want := []domain.PayoutLine{{EmployeeID: "e1", Currency: "CNY", AccruedMinor: 50, PayableMinor: 50, OrderIDs: []string{"o3"}}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("payout after forfeiture mismatch (-want, +got):\n%s", diff)
	}
}

func TestLedgerHoldDefersClawbacksOfHeldAccruals(t *testing.T) {
	t.Parallel()
	w := &ledgerWriter{}
	w.accrue("e1", "o1", 1000)
	w.hold("a1", "e1", true)
	w.clawBack("e1", "o1", 1000) // cancelled while held
	got := domain.NewLedger(w.entries).Payout(april)
	want := []domain.PayoutLine{{EmployeeID: "e1", Currency: "CNY"}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("payout mismatch (-want, +got):\n%s", diff)
	}
}

func TestCheckPayoutPeriod(t *testing.T) {
	t.Parallel()
	exported := []domain.Payout{{From: march, To: april}}
	tests := []struct {
		name     string
		from, to time.Time
		want     int
		wantErr  error
	}{
		{"the same period again", march, april, 0, nil},
		{"the next period", april, may, -1, nil},
		{"a gap is fine", may, may.AddDate(0, 1, 0), -1, nil},
		{"overlapping", march.AddDate(0, 0, 15), may, -1, domain.ErrPrecondition},
		{"before an exported one", march.AddDate(0, -1, 0), march, -1, domain.ErrPrecondition},
	}
	for _, tc := range tests {
		got, err := domain.CheckPayoutPeriod(exported, tc.from, tc.to)
		if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
			t.Errorf("%s: = %d, %v; want %d, %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestDecideHoldScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sev    domain.Severity
		orders []string
		want   domain.HoldScope
	}{
		{"low about other facts holds nothing", domain.SeverityLow, nil, domain.HoldScope{}},
		{"low naming orders holds them", domain.SeverityLow, []string{"o2", "o1", "o2"}, domain.HoldScope{OrderIDs: []string{"o1", "o2"}}},
		{"medium holds the seller", domain.SeverityMedium, nil, domain.HoldScope{SellerWide: true}},
		{"high holds the seller and its orders", domain.SeverityHigh, []string{"o1"}, domain.HoldScope{SellerWide: true, OrderIDs: []string{"o1"}}},
	}
	for _, tc := range tests {
		got := domain.DecideHoldScope(tc.sev, tc.orders)
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: mismatch (-want, +got):\n%s", tc.name, diff)
		}
	}
	wide := domain.HoldScope{SellerWide: true, OrderIDs: []string{"o1"}}
	if !wide.Covers(domain.HoldScope{OrderIDs: []string{"o1"}}) || wide.Covers(domain.HoldScope{OrderIDs: []string{"o2"}}) ||
		(domain.HoldScope{OrderIDs: []string{"o1"}}).Covers(domain.HoldScope{SellerWide: true}) {
		t.Error("Covers disagrees with scope inclusion")
	}
}

func TestReleaseCauseOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		outcome domain.CaseOutcome
		want    domain.ReleaseCause
		ok      bool
	}{
		{domain.OutcomeNoDiversion, domain.ReleaseNoDiversion, true},
		{domain.OutcomeInconclusive, domain.ReleaseInconclusive, true},
		{domain.OutcomeDiversionConfirmed, domain.ReleaseDiversionConfirmed, true},
		{domain.OutcomeUnspecified, domain.ReleaseUnspecified, false},
		{domain.CaseOutcome(42), domain.ReleaseUnspecified, false},
	}
	for _, tc := range tests {
		if got, ok := domain.ReleaseCauseOf(tc.outcome); got != tc.want || ok != tc.ok {
			t.Errorf("ReleaseCauseOf(%d) = %d, %v; want %d, %v", tc.outcome, got, ok, tc.want, tc.ok)
		}
	}
}
