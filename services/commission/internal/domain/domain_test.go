package domain_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/commission/internal/domain"
)

func TestRateFor(t *testing.T) {
	t.Parallel()
	custom := domain.Plan{CompanyRateBP: 300, PersonalRateBP: 900, ChannelRates: map[domain.SourceChannel]int32{domain.SourceTradeShow: 450}}
	tests := []struct {
		name   string
		plan   domain.Plan
		source domain.SourceChannel
		want   int32
	}{
		{"default company channel", domain.DefaultPlan(), domain.SourceWebsite, 500},
		{"default referral is the company's", domain.DefaultPlan(), domain.SourceReferral, 500},
		{"default personal", domain.DefaultPlan(), domain.SourcePersonal, 800},
		{"unspecified earns the company rate", domain.DefaultPlan(), domain.SourceUnspecified, 500},
		{"channel override", custom, domain.SourceTradeShow, 450},
		{"custom company", custom, domain.SourceImport, 300},
		{"custom personal", custom, domain.SourcePersonal, 900},
	}
	for _, tc := range tests {
		if got := tc.plan.RateFor(tc.source); got != tc.want {
			t.Errorf("%s: RateFor = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestCommissionRoundsHalfUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		amount int64
		rate   int32
		want   int64
	}{
		{"exact", 1000000, 500, 50000},
		{"below half rounds down", 10009, 500, 500}, // 500.45
		{"half rounds up", 10010, 500, 501},         // 500.5
		{"above half rounds up", 10011, 500, 501},   // 500.55
		{"one fen at 8 % is 0.08 → 0", 1, 800, 0},
		{"seven fen at 8 % is 0.56 → 1", 7, 800, 1},
		{"zero rate", 123456, 0, 0},
		{"full rate", 123456, 10000, 123456},
		{"huge amount does not overflow", math.MaxInt64, 10000, math.MaxInt64},
	}
	for _, tc := range tests {
		got, err := domain.Commission(tc.amount, tc.rate)
		if err != nil || got != tc.want {
			t.Errorf("%s: Commission(%d, %d) = %d, %v; want %d", tc.name, tc.amount, tc.rate, got, err, tc.want)
		}
	}
	if _, err := domain.Commission(-1, 500); !errors.Is(err, domain.ErrOverflow) {
		t.Errorf("negative amount: err = %v, want ErrOverflow", err)
	}
}

func TestDecideAccrualUsesRecordedSource(t *testing.T) {
	t.Parallel()
	base := domain.OrderTrack{Tenant: "acme", OrderID: "o-1", SellerID: "e-1", CustomerID: "c-1", Currency: "CNY", AmountMinor: 1000000}
	tests := []struct {
		name              string
		claimed, recorded domain.SourceChannel
		flagged           bool
		wantRate          int32
		wantContradiction bool
	}{
		{"company customer, company claim", domain.SourceWebsite, domain.SourceWebsite, false, 500, false},
		{"personal customer, personal claim", domain.SourcePersonal, domain.SourcePersonal, false, 800, false},
		{"personal claim on a company customer (S7)", domain.SourcePersonal, domain.SourceTradeShow, true, 500, true},
		{"contradiction found even if not flagged", domain.SourcePersonal, domain.SourceAssignment, false, 500, true},
		{"company claim on a personal customer earns personal, no contradiction", domain.SourceWebsite, domain.SourcePersonal, false, 800, false},
	}
	for _, tc := range tests {
		o := base
		o.ClaimedSource, o.CustomerSource, o.SourceContradiction = tc.claimed, tc.recorded, tc.flagged
		got, err := domain.DecideAccrual(o, domain.DefaultPlan())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.RateBP != tc.wantRate || got.Contradiction != tc.wantContradiction || got.CommissionMinor != 1000000*int64(tc.wantRate)/10000 {
			t.Errorf("%s: got rate %d contradiction %v commission %d; want rate %d contradiction %v",
				tc.name, got.RateBP, got.Contradiction, got.CommissionMinor, tc.wantRate, tc.wantContradiction)
		}
	}
}

func TestQualifies(t *testing.T) {
	t.Parallel()
	ok := domain.OrderTrack{AmountMinor: 100, Approved: true, Shipped: true, PaidToCompanyTotalMinor: 100, PaidTotalMinor: 100}
	tests := []struct {
		name   string
		change func(*domain.OrderTrack)
		want   bool
	}{
		{"approved, paid in full to company, shipped", func(*domain.OrderTrack) {}, true},
		{"overpaid to company", func(o *domain.OrderTrack) { o.PaidToCompanyTotalMinor = 150 }, true},
		{"not approved", func(o *domain.OrderTrack) { o.Approved = false }, false},
		{"not shipped", func(o *domain.OrderTrack) { o.Shipped = false }, false},
		{"paid partly to a personal account", func(o *domain.OrderTrack) { o.PaidToCompanyTotalMinor = 60 }, false},
		{"partly refunded before it qualified", func(o *domain.OrderTrack) { o.RefundedTotalMinor = 10 }, false},
		{"closed", func(o *domain.OrderTrack) { o.Closed = true }, false},
	}
	for _, tc := range tests {
		o := ok
		tc.change(&o)
		if got := o.Qualifies(); got != tc.want {
			t.Errorf("%s: Qualifies = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDecideClawback(t *testing.T) {
	t.Parallel()
	refund := func(amount, paidToCompany, refunded int64) domain.ClawbackTrigger {
		return domain.ClawbackTrigger{Cause: domain.CauseRefunded, AmountMinor: amount, PaidToCompanyTotalMinor: paidToCompany, RefundedTotalMinor: refunded}
	}
	tests := []struct {
		name                string
		accrued, clawedBack int64
		trigger             domain.ClawbackTrigger
		want                int64
	}{
		{"cancellation takes all", 5000, 0, domain.ClawbackTrigger{Cause: domain.CauseCancelled}, 5000},
		{"full refund takes all", 5000, 0, refund(100000, 100000, 100000), 5000},
		{"partial refund is proportional", 5000, 0, refund(100000, 100000, 25000), 1250},
		{"partial refund rounds half up", 5001, 0, refund(2, 2, 1), 2501},
		{"refunds add up: the second takes its share", 5000, 1250, refund(100000, 100000, 50000), 1250},
		{"refund of an overpayment takes nothing", 5000, 0, refund(100000, 120000, 20000), 0},
		{"refund beyond the overpayment takes the shortfall's share", 5000, 0, refund(100000, 120000, 45000), 1250},
		{"nothing left", 5000, 5000, domain.ClawbackTrigger{Cause: domain.CauseCancelled}, 0},
	}
	for _, tc := range tests {
		got, err := domain.DecideClawback(tc.accrued, tc.clawedBack, tc.trigger)
		if err != nil || got != tc.want {
			t.Errorf("%s: DecideClawback = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

func TestPlanInForce(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { d, _ := domain.ParseDate(s); return d }
	history := []domain.Plan{
		{CompanyRateBP: 400, EffectiveFrom: day("2026-03-01"), Version: 10},
		{CompanyRateBP: 600, EffectiveFrom: day("2026-01-01"), Version: 11},
		{CompanyRateBP: 450, EffectiveFrom: day("2026-03-01"), Version: 12},
	}
	tests := []struct {
		at   time.Time
		want uint64
	}{
		{day("2025-12-31"), 0},
		{day("2026-01-01"), 11},
		{day("2026-02-28").Add(23 * time.Hour), 11},
		{day("2026-03-01"), 12}, // the later-set of two on one date wins
	}
	for _, tc := range tests {
		if got := domain.PlanInForce(history, tc.at); got.Version != tc.want {
			t.Errorf("PlanInForce(%s) = version %d, want %d", tc.at, got.Version, tc.want)
		}
	}
}

func TestCheckPlan(t *testing.T) {
	t.Parallel()
	bad := domain.Plan{CompanyRateBP: -1, PersonalRateBP: 10001, ChannelRates: map[domain.SourceChannel]int32{domain.SourceUnspecified: 5}}
	err := domain.CheckPlan(bad, "2026-13-01")
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("CheckPlan = %v, want a ValidationError", err)
	}
	want := map[string]bool{"plan.company_rate_bp": true, "plan.personal_rate_bp": true, "plan.channel_rates.source": true, "plan.effective_from": true}
	for _, v := range ve.Violations {
		delete(want, v.Field)
	}
	if len(want) > 0 {
		t.Errorf("violations %v miss %v", ve.Violations, want)
	}
	if err := domain.CheckPlan(domain.DefaultPlan(), "2026-01-01"); err != nil {
		t.Errorf("default plan: %v", err)
	}
}

func TestTotals(t *testing.T) {
	t.Parallel()
	got := domain.Totals([]domain.Entry{
		{Kind: domain.EntryAccrual, Currency: "USD", AmountMinor: 300},
		{Kind: domain.EntryAccrual, Currency: "CNY", AmountMinor: 5000},
		{Kind: domain.EntryClawback, Currency: "CNY", AmountMinor: 1250},
	})
	want := []domain.Total{{Currency: "CNY", AccruedMinor: 5000, ClawedBackMinor: 1250, NetMinor: 3750}, {Currency: "USD", AccruedMinor: 300, NetMinor: 300}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Totals = %+v, want %+v", got, want)
	}
}
