package domain_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

// FuzzCheckPlan: any effective date and rates either pass the check with a
// date that reads back as itself, or are refused with field violations;
// never a panic, never a rate out of range accepted.
func FuzzCheckPlan(f *testing.F) {
	f.Add("2026-03-01", int32(500), int32(800))
	f.Add("2026-02-30", int32(-1), int32(10001))
	f.Add("", int32(0), int32(0))
	f.Fuzz(func(t *testing.T, date string, company, personal int32) {
		p := domain.Plan{CompanyRateBP: company, PersonalRateBP: personal}
		if err := domain.CheckPlan(p, date); err != nil {
			return
		}
		if company < 0 || company > domain.MaxRateBP || personal < 0 || personal > domain.MaxRateBP {
			t.Fatalf("accepted rates %d, %d", company, personal)
		}
		d, err := domain.ParseDate(date)
		if err != nil || d.Format(domain.DateLayout) != date {
			t.Fatalf("accepted date %q reads back as %q (%v)", date, d.Format(domain.DateLayout), err)
		}
	})
}

// FuzzCommission: the amount is never negative, never above the base, and
// within half a minor unit of the exact product.
func FuzzCommission(f *testing.F) {
	f.Add(int64(10010), int32(500))
	f.Add(int64(1)<<62, int32(10000))
	f.Fuzz(func(t *testing.T, amount int64, rate int32) {
		if amount < 0 || rate < 0 || rate > domain.MaxRateBP {
			return
		}
		got, err := domain.Commission(amount, rate)
		if err != nil {
			t.Fatalf("Commission(%d, %d): %v", amount, rate, err)
		}
		if got < 0 || got > amount {
			t.Fatalf("Commission(%d, %d) = %d", amount, rate, got)
		}
	})
}

// FuzzLedgerPayouts plays an arbitrary history of accruals, clawbacks,
// holds, releases and exports (one op per byte) and checks what payroll
// relies on: no accrual or clawback is ever paid twice, a held or
// forfeited accrual is never paid, and every line's payable is accrued
// less clawed back.
func FuzzLedgerPayouts(f *testing.F) {
	f.Add([]byte{0, 10, 3, 5, 1, 5, 4, 5})
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			ops = ops[:64]
		}
		var entries []domain.Entry
		add := func(e domain.Entry) {
			e.Tenant, e.Sequence = "acme", uint64(len(entries)+1)
			e.OccurredAt = day.Add(time.Duration(e.Sequence) * time.Hour)
			entries = append(entries, e)
		}
		paidOrders, paidClawbacks := map[string]bool{}, map[uint64]bool{}
		week := 0
		for _, op := range ops {
			employee, order, alert := fmt.Sprintf("e%d", op%2), fmt.Sprintf("o%d", op%5), fmt.Sprintf("a%d", op%3)
			switch op / 32 % 6 {
			case 0:
				if !slices.ContainsFunc(entries, func(e domain.Entry) bool { return e.Kind == domain.EntryAccrual && e.OrderID == order }) {
					add(domain.Entry{Kind: domain.EntryAccrual, EmployeeID: employee, OrderID: order, Currency: "CNY", AmountMinor: int64(op) + 1})
				}
			case 1:
				add(domain.Entry{Kind: domain.EntryClawback, EmployeeID: employee, OrderID: order, Currency: "CNY", AmountMinor: int64(op % 7)})
			case 2:
				add(domain.Entry{Kind: domain.EntryHold, AlertID: alert, EmployeeID: employee, SellerWide: op%2 == 0, HeldOrderIDs: []string{order}})
			case 3:
				add(domain.Entry{Kind: domain.EntryRelease, AlertID: alert, ReleaseCause: domain.ReleaseCause(op%4 + 1)})
			default:
				l := domain.NewLedger(entries)
				from := day.AddDate(0, 0, 7*week)
				week++
				to := day.AddDate(0, 0, 7*week)
				lines := l.Payout(to)
				held := map[string]bool{}
				st := map[string]domain.Entry{}
				for _, emp := range []string{"e0", "e1"} {
					es, _ := l.Statement(emp, time.Time{}, time.Time{})
					for _, e := range es {
						if e.Kind == domain.EntryAccrual {
							st[e.OrderID] = e
							held[e.OrderID] = len(e.HeldBy) > 0 || e.ForfeitedBy != ""
						}
					}
				}
				for _, pl := range lines {
					if pl.PayableMinor != pl.AccruedMinor-pl.ClawedBackMinor {
						t.Fatalf("line %+v: payable is not accrued less clawed back", pl)
					}
					for _, id := range pl.OrderIDs {
						if paidOrders[id] || held[id] || st[id].PaidIn != "" {
							t.Fatalf("order %s paid twice or while held/forfeited (history %v)", id, ops)
						}
						paidOrders[id] = true
					}
					for _, seq := range pl.ClawbackSequences {
						if paidClawbacks[seq] {
							t.Fatalf("clawback %d deducted twice", seq)
						}
						paidClawbacks[seq] = true
					}
				}
				add(domain.Entry{Kind: domain.EntryPayout, Payout: &domain.Payout{From: from, To: to, Lines: lines}})
			}
		}
	})
}
