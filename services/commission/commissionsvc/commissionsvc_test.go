package commissionsvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/commission/internal/store"
)

func TestCommissionServiceMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	want, last := testAccrualFlows(t, env, svc)
	holds := testHoldFlows(t, env, svc)
	t.Run("authorisation", func(t *testing.T) { testAuthorisationMatrix(t, env, svc) })
	t.Run("invalid arguments", func(t *testing.T) { testInvalidArguments(t, env, svc) })

	// A restart with a memory read model replays ORDER from the start: the
	// worker judges every order again and must accrue nothing twice.
	svc.Stop()
	restarted := env.start(t, nil)
	assertStatement(t, env, restarted, last, want)
	assertHoldsAfterRestart(t, env, restarted, holds)
}

func TestCommissionServicePostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "commission", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	svc := env.start(t, pool)
	want, last := testAccrualFlows(t, env, svc)
	holds := testHoldFlows(t, env, svc)

	// A restart resumes from the PostgreSQL checkpoints and reads the same.
	svc.Stop()
	restarted := env.start(t, pool)
	assertStatement(t, env, restarted, last, want)
	assertHoldsAfterRestart(t, env, restarted, holds)
}

var (
	website   = clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE
	tradeShow = clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW
	personal  = clientv1.SourceChannel_SOURCE_CHANNEL_PERSONAL
)

// march is the fixtures' business time.
var march = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testAccrualFlows drives real ORDER events through every case the
// accrual worker judges and returns the e1 statement it expects, with the
// last ORDER sequence written.
func testAccrualFlows(t *testing.T, env *testEnv, svc *testkit.RunningService) (*commissionv1.GetStatementResponse, uint64) {
	t.Helper()
	const tenant = "acme"
	ctx := t.Context()
	valid := func(amount int64, claimed, recorded clientv1.SourceChannel) orderSpec {
		return orderSpec{
			seller: "e1", customer: "c1", amount: amount, claimed: claimed, recorded: recorded,
			contradiction: recorded != personal && claimed == personal, paidToCompany: amount, approve: true, ship: true, won: true,
		}
	}
	// o1: a valid company-source order at the default 5 %.
	env.drive(t, tenant, "o1", march, valid(1000000, website, website))
	// o2: a personal claim on a trade-show customer (S7): company rate, recorded contradiction.
	env.drive(t, tenant, "o2", march.Add(time.Hour), valid(333333, personal, tradeShow))
	// o3: a personal customer at 8 %, then refunded a quarter at a time, twice.
	o3 := env.drive(t, tenant, "o3", march.Add(2*time.Hour), valid(100000, personal, personal))
	o3.add(t, &orderv1.OrderRefunded{OrderId: "o3", SellerId: "e1", AmountMinor: 25000, Currency: "CNY", PaidTotalMinor: 100000, RefundedTotalMinor: 25000})
	o3.add(t, &orderv1.OrderRefunded{OrderId: "o3", SellerId: "e1", AmountMinor: 25000, Currency: "CNY", PaidTotalMinor: 100000, RefundedTotalMinor: 50000})
	// o4: paid to a personal account — never accrues.
	o4spec := valid(50000, website, website)
	o4spec.paidToCompany, o4spec.paidToPersonal = 0, 50000
	env.drive(t, tenant, "o4", march.Add(3*time.Hour), o4spec)
	// o5: won, shipped, never paid — never accrues.
	o5spec := valid(70000, website, website)
	o5spec.paidToCompany = 0
	env.drive(t, tenant, "o5", march.Add(4*time.Hour), o5spec)
	// o6: accrued, then cancelled — all clawed back.
	o6 := env.drive(t, tenant, "o6", march.Add(5*time.Hour), valid(20000, website, website))
	o6.add(t, &orderv1.OrderCancelled{OrderId: "o6", SellerId: "e1", Reason: "customer withdrew", PaidTotalMinor: 20000})
	// o8: not approved — paid and shipped, still nothing; then cancelled, nothing to claw back.
	o8spec := valid(40000, website, website)
	o8spec.approve = false
	o8 := env.drive(t, tenant, "o8", march.Add(6*time.Hour), o8spec)
	o8.add(t, &orderv1.OrderCancelled{OrderId: "o8", SellerId: "e1", Reason: "never approved", PaidTotalMinor: 40000})
	// Another seller's order stays off e1's statement.
	o9 := env.drive(t, tenant, "o9", march.Add(7*time.Hour), orderSpec{seller: "e2", customer: "c2", amount: 10000, claimed: website, recorded: website, paidToCompany: 10000, approve: true, ship: true})

	hr := env.as(t, svc, tenant, "hr-1", auth.RoleHR)
	got, err := hr.GetStatement(ctx, &commissionv1.GetStatementRequest{EmployeeId: "e1", MinOrderSequence: o9.lastSe})
	if err != nil {
		t.Fatalf("GetStatement: %v", err)
	}
	if n := len(got.GetEntries()); n != 7 || got.GetEntries()[0].GetAmountMinor() != 50000 {
		t.Fatalf("before the plan change: %d entries %v, want 7, the first an accrual of 50000", n, got.GetEntries())
	}

	// A backdated plan change never rewrites o1's accrual; o7, qualifying
	// after it, earns the new company rate.
	admin := env.as(t, svc, tenant, "ad-1", auth.RoleAdmin)
	set, err := admin.SetCommissionPlan(ctx, &commissionv1.SetCommissionPlanRequest{RequestId: "plan-1", Plan: &commissionv1.CommissionPlan{
		CompanyRateBp: 600, PersonalRateBp: 800, EffectiveFrom: "2026-01-01", Reason: "Q1 push",
	}})
	if err != nil {
		t.Fatalf("SetCommissionPlan: %v", err)
	}
	o7 := env.drive(t, tenant, "o7", march.Add(8*time.Hour), valid(10000, website, website))

	want := &commissionv1.GetStatementResponse{
		Entries: []*commissionv1.StatementEntry{
			{EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_ACCRUAL, OrderId: "o1", CustomerId: "c1", Currency: "CNY", AmountMinor: 50000, BaseAmountMinor: 1000000, RateBp: 500, CustomerSource: website},
			{
				EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_ACCRUAL, OrderId: "o2", CustomerId: "c1", Currency: "CNY", AmountMinor: 16667, BaseAmountMinor: 333333, RateBp: 500, CustomerSource: tradeShow,
				SourceContradiction: &commissionv1.SourceContradiction{ClaimedSource: personal, CustomerSource: tradeShow},
			},
			{EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_ACCRUAL, OrderId: "o3", CustomerId: "c1", Currency: "CNY", AmountMinor: 8000, BaseAmountMinor: 100000, RateBp: 800, CustomerSource: personal},
			{EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_CLAWBACK, OrderId: "o3", CustomerId: "c1", Currency: "CNY", AmountMinor: 2000, ClawbackCause: commissionv1.ClawbackCause_CLAWBACK_CAUSE_REFUNDED},
			{EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_CLAWBACK, OrderId: "o3", CustomerId: "c1", Currency: "CNY", AmountMinor: 2000, ClawbackCause: commissionv1.ClawbackCause_CLAWBACK_CAUSE_REFUNDED},
			{EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_ACCRUAL, OrderId: "o6", CustomerId: "c1", Currency: "CNY", AmountMinor: 1000, BaseAmountMinor: 20000, RateBp: 500, CustomerSource: website},
			{EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_CLAWBACK, OrderId: "o6", CustomerId: "c1", Currency: "CNY", AmountMinor: 1000, ClawbackCause: commissionv1.ClawbackCause_CLAWBACK_CAUSE_CANCELLED},
			{EmployeeId: "e1", Kind: commissionv1.EntryKind_ENTRY_KIND_ACCRUAL, OrderId: "o7", CustomerId: "c1", Currency: "CNY", AmountMinor: 600, BaseAmountMinor: 10000, RateBp: 600, CustomerSource: website, PlanVersion: set.GetSequence()},
		},
		Totals: []*commissionv1.CurrencyTotal{{Currency: "CNY", AccruedMinor: 76267, ClawedBackMinor: 5000, NetMinor: 71267}},
	}
	assertStatement(t, env, svc, o7.lastSe, want)

	// The accrual and clawback events carry the facts behind each figure.
	o2events := env.commissionEvents(t, tenant, "o2")
	if len(o2events) != 1 {
		t.Fatalf("o2: %d commission events, want 1", len(o2events))
	}
	acc, ok := o2events[0].(*commissionv1.CommissionAccrued)
	if !ok || acc.GetSourceContradiction() == nil || acc.GetRateBp() != 500 || acc.GetClaimedSource() != personal {
		t.Errorf("o2 accrual = %v, want the company rate with a recorded contradiction", o2events[0])
	}
	for _, id := range []string{"o4", "o5", "o8"} {
		if evs := env.commissionEvents(t, tenant, id); len(evs) != 0 {
			t.Errorf("%s accrued %v, want nothing", id, evs)
		}
	}
	return want, o7.lastSe
}

// assertStatement checks e1's March statement once the worker has judged
// ORDER up to last. Times and sequences are compared for order only.
func assertStatement(t *testing.T, env *testEnv, svc *testkit.RunningService, last uint64, want *commissionv1.GetStatementResponse) {
	t.Helper()
	e1 := env.as(t, svc, "acme", "e1", auth.RoleSales)
	got, err := e1.GetStatement(t.Context(), &commissionv1.GetStatementRequest{
		EmployeeId: "e1", MinOrderSequence: last,
		From: timestamppb.New(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)), To: timestamppb.New(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		t.Fatalf("GetStatement: %v", err)
	}
	for i, e := range got.GetEntries() {
		if i > 0 && e.GetOccurredAt().AsTime().Before(got.GetEntries()[i-1].GetOccurredAt().AsTime()) {
			t.Errorf("entry %d is older than the one before it", i)
		}
		if e.GetSequence() == 0 || e.GetOrderSequence() == 0 {
			t.Errorf("entry %d lacks its sequences: %v", i, e)
		}
	}
	if diff := cmp.Diff(want, got, protocmp.Transform(),
		protocmp.IgnoreFields(&commissionv1.StatementEntry{}, "occurred_at", "sequence", "order_sequence", "plan_version")); diff != "" {
		t.Errorf("statement mismatch (-want, +got):\n%s", diff)
	}
	if n := len(got.GetEntries()); n > 0 && got.GetEntries()[n-1].GetPlanVersion() != want.GetEntries()[n-1].GetPlanVersion() {
		t.Errorf("last entry's plan version = %d, want %d", got.GetEntries()[n-1].GetPlanVersion(), want.GetEntries()[n-1].GetPlanVersion())
	}
}
