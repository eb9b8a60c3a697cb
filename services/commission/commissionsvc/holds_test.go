package commissionsvc_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/testkit"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// riskWriter appends to RISK as the risk service would: the engine's
// alert aggregate and HR's alertcase aggregate.
type riskWriter struct {
	env    *testEnv
	tenant string
	at     time.Time
	n      int
	last   uint64
}

func (w *riskWriter) add(t *testing.T, typ, id string, payload proto.Message) uint64 {
	t.Helper()
	ref := eventlog.AggregateRef{Context: "risk", Tenant: w.tenant, Type: typ, ID: id}
	agg, err := w.env.Log.Load(t.Context(), ref)
	if err != nil {
		t.Fatalf("load %s: %v", id, err)
	}
	w.n++
	res, err := w.env.Log.Append(t.Context(), eventlog.AppendRequest{
		Ref: ref, After: agg.Position, RequestID: fmt.Sprintf("risk-%d", w.n), ActorID: "risk-test",
		OccurredAt: w.at.Add(time.Duration(w.n) * time.Minute), Payload: payload,
	})
	if err != nil {
		t.Fatalf("append %T: %v", payload, err)
	}
	w.last = res.Sequence
	return res.Sequence
}

func (w *riskWriter) raise(t *testing.T, alertID, employee string, sev riskv1.Severity, evidence ...*riskv1.Evidence) uint64 {
	t.Helper()
	return w.add(t, "alert", alertID, &riskv1.AlertRaised{AlertId: alertID, RuleId: "rule-" + alertID, RuleVersion: 1, EmployeeId: employee, Severity: sev, Evidence: evidence})
}

func (w *riskWriter) step(t *testing.T, alertID string, payload proto.Message) uint64 {
	t.Helper()
	return w.add(t, "alertcase", alertID, payload)
}

// orderEvidence names an ORDER event as the engine would.
func orderEvidence(seq uint64) *riskv1.Evidence {
	return &riskv1.Evidence{Stream: "ORDER", Sequence: seq, EventType: "holdfast.order.v1.PaymentRecorded"}
}

// testHoldFlows drives RISK alerts over accrued orders and checks the
// statement and payouts follow them: a medium alert on the seller holds
// their commission until dismissed; a low alert naming an order holds that
// order (sold by someone else) through confirmation, and a confirmed
// diversion forfeits it; an unrelated low alert holds nothing; a refund
// after payout is deducted from the next one. It returns the hold
// aggregates' event counts for the restart check.
func testHoldFlows(t *testing.T, env *testEnv, svc *testkit.RunningService) map[string]int {
	t.Helper()
	const tenant = "holds"
	ctx := t.Context()
	spec := func(seller string, amount int64) orderSpec {
		return orderSpec{seller: seller, customer: "c-" + seller, amount: amount, claimed: website, recorded: website, paidToCompany: amount, approve: true, ship: true, won: true}
	}
	h1 := env.drive(t, tenant, "h1", march, spec("e1", 100000))               // 5000
	h2 := env.drive(t, tenant, "h2", march.Add(time.Hour), spec("e2", 40000)) // 2000
	risk := &riskWriter{env: env, tenant: tenant, at: march.Add(24 * time.Hour)}
	risk.raise(t, "a1", "e1", riskv1.Severity_SEVERITY_MEDIUM)
	risk.raise(t, "a2", "e9", riskv1.Severity_SEVERITY_LOW, orderEvidence(h2.lastSe))
	risk.raise(t, "a3", "e1", riskv1.Severity_SEVERITY_LOW, &riskv1.Evidence{Stream: "CLIENT", Sequence: 1})

	hr := env.as(t, svc, tenant, "hr-1", auth.RoleHR)
	statement := func(employee string) *commissionv1.GetStatementResponse {
		t.Helper()
		got, err := hr.GetStatement(ctx, &commissionv1.GetStatementRequest{EmployeeId: employee, MinOrderSequence: h2.lastSe, MinRiskSequence: risk.last})
		if err != nil {
			t.Fatalf("GetStatement %s: %v", employee, err)
		}
		return got
	}
	kinds := func(st *commissionv1.GetStatementResponse) []string {
		var out []string
		for _, e := range st.GetEntries() {
			out = append(out, fmt.Sprintf("%s %s%s held=%v forfeited=%s paid=%s cause=%s", e.GetKind(), e.GetOrderId(), e.GetAlertId(),
				e.GetHeldBy(), e.GetForfeitedBy(), e.GetPaidIn(), e.GetReleaseCause()))
		}
		return out
	}
	assertKinds := func(what string, st *commissionv1.GetStatementResponse, want ...string) {
		t.Helper()
		if diff := cmp.Diff(want, kinds(st)); diff != "" {
			t.Errorf("%s: statement mismatch (-want, +got):\n%s", what, diff)
		}
	}

	e1 := statement("e1")
	assertKinds("e1 held", e1,
		"ENTRY_KIND_ACCRUAL h1 held=[a1] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_HOLD a1 held=[] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED")
	if tot := e1.GetTotals(); len(tot) != 1 || tot[0].GetHeldMinor() != 5000 || tot[0].GetNetMinor() != 5000 {
		t.Errorf("e1 totals = %v, want 5000 net, all held", tot)
	}
	if hold := e1.GetEntries()[1]; !hold.GetSellerWide() || hold.GetRuleId() != "rule-a1" || hold.GetRiskSequence() == 0 {
		t.Errorf("a1 hold = %v, want seller-wide, its rule and RISK sequence", hold)
	}
	e2 := statement("e2")
	assertKinds("e2 held by an alert on its order", e2,
		"ENTRY_KIND_ACCRUAL h2 held=[a2] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_HOLD a2 held=[] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED")
	if got := e2.GetEntries()[1].GetHeldOrderIds(); !slices.Equal(got, []string{"h2"}) || e2.GetEntries()[1].GetSellerWide() {
		t.Errorf("a2 holds %v (seller-wide %v), want only h2", got, e2.GetEntries()[1].GetSellerWide())
	}

	// March pays nothing: both accruals are held.
	march31 := &commissionv1.ExportPayoutsRequest{From: "2026-03-01", To: "2026-04-01"}
	first, err := hr.ExportPayouts(ctx, march31)
	if err != nil {
		t.Fatalf("ExportPayouts: %v", err)
	}
	wantMarch := []*commissionv1.PayoutLine{
		{EmployeeId: "e1", Currency: "CNY", HeldMinor: 5000},
		{EmployeeId: "e2", Currency: "CNY", HeldMinor: 2000},
	}
	if diff := cmp.Diff(wantMarch, first.GetLines(), protocmp.Transform()); diff != "" || first.GetAlreadyExported() {
		t.Errorf("march payout (already %v) mismatch (-want, +got):\n%s", first.GetAlreadyExported(), diff)
	}

	// a1 dismissed: released. a2 confirmed: still held; then the case
	// confirms the diversion: h2 is forfeited.
	risk.step(t, "a1", &riskv1.AlertDismissed{AlertId: "a1", Reason: "checked"})
	risk.step(t, "a3", &riskv1.AlertDismissed{AlertId: "a3", Reason: "nothing held"})
	risk.step(t, "a2", &riskv1.AlertConfirmed{AlertId: "a2"})
	assertKinds("e2 confirmed", statement("e2"),
		"ENTRY_KIND_ACCRUAL h2 held=[a2] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_HOLD a2 held=[] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED")
	risk.step(t, "a2", &riskv1.CaseResolved{AlertId: "a2", Outcome: riskv1.CaseOutcome_CASE_OUTCOME_DIVERSION_CONFIRMED})
	assertKinds("e1 released", statement("e1"),
		"ENTRY_KIND_ACCRUAL h1 held=[] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_HOLD a1 held=[] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_RELEASE a1 held=[] forfeited= paid= cause=RELEASE_CAUSE_DISMISSED")
	assertKinds("e2 forfeited", statement("e2"),
		"ENTRY_KIND_ACCRUAL h2 held=[] forfeited=a2 paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_HOLD a2 held=[] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_RELEASE a2 held=[] forfeited= paid= cause=RELEASE_CAUSE_DIVERSION_CONFIRMED")

	// Exporting March again answers the recorded payout, not a new one.
	again, err := hr.ExportPayouts(ctx, march31)
	if err != nil {
		t.Fatalf("ExportPayouts again: %v", err)
	}
	if !again.GetAlreadyExported() || again.GetSequence() != first.GetSequence() || !proto.Equal(&commissionv1.ExportPayoutsResponse{Lines: again.GetLines()}, &commissionv1.ExportPayoutsResponse{Lines: first.GetLines()}) {
		t.Errorf("second export of march = %v, want the first (%v)", again, first)
	}
	if _, err := hr.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: "2026-03-15", To: "2026-04-15"}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("overlapping export: %v, want FailedPrecondition", err)
	}

	// April pays the released h1; the forfeited h2 is never paid.
	april, err := hr.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: "2026-04-01", To: "2026-05-01"})
	if err != nil {
		t.Fatalf("ExportPayouts april: %v", err)
	}
	wantApril := []*commissionv1.PayoutLine{{EmployeeId: "e1", Currency: "CNY", AccruedMinor: 5000, PayableMinor: 5000, OrderIds: []string{"h1"}}}
	if diff := cmp.Diff(wantApril, april.GetLines(), protocmp.Transform()); diff != "" {
		t.Errorf("april payout mismatch (-want, +got):\n%s", diff)
	}

	// A refund of half of h1 on 20 April, after it was paid: May deducts 2500.
	h1.at = time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC)
	h1.add(t, &orderv1.OrderRefunded{OrderId: "h1", SellerId: "e1", AmountMinor: 50000, Currency: "CNY", PaidTotalMinor: 100000, RefundedTotalMinor: 50000})
	if st, err := hr.GetStatement(ctx, &commissionv1.GetStatementRequest{EmployeeId: "e1", MinOrderSequence: h1.lastSe}); err != nil || len(st.GetEntries()) != 4 {
		t.Fatalf("statement after the refund: %v, %v; want 4 entries", st, err)
	}
	mayRes, err := hr.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: "2026-05-01", To: "2026-06-01"})
	if err != nil {
		t.Fatalf("ExportPayouts may: %v", err)
	}
	lines := mayRes.GetLines()
	if len(lines) != 1 || lines[0].GetClawedBackMinor() != 2500 || lines[0].GetPayableMinor() != -2500 || len(lines[0].GetClawbackSequences()) != 1 {
		t.Errorf("may payout = %v, want e1 owing back 2500 for one clawback", lines)
	}
	assertKinds("e1 paid", statement("e1"),
		"ENTRY_KIND_ACCRUAL h1 held=[] forfeited= paid=2026-04-01..2026-05-01 cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_HOLD a1 held=[] forfeited= paid= cause=RELEASE_CAUSE_UNSPECIFIED",
		"ENTRY_KIND_RELEASE a1 held=[] forfeited= paid= cause=RELEASE_CAUSE_DISMISSED",
		"ENTRY_KIND_CLAWBACK h1 held=[] forfeited= paid=2026-05-01..2026-06-01 cause=RELEASE_CAUSE_UNSPECIFIED")

	counts := map[string]int{}
	for _, id := range []string{"a1", "a2", "a3"} {
		agg, err := env.Log.Load(ctx, eventlog.AggregateRef{Context: "commission", Tenant: tenant, Type: "hold", ID: id})
		if err != nil {
			t.Fatal(err)
		}
		counts[id] = len(agg.Records)
	}
	if want := map[string]int{"a1": 2, "a2": 2, "a3": 0}; !cmp.Equal(want, counts) {
		t.Errorf("hold events per alert = %v, want %v", counts, want)
	}
	return counts
}

// assertHoldsAfterRestart checks a restarted service appended no hold or
// release twice and reads the same e1 statement.
func assertHoldsAfterRestart(t *testing.T, env *testEnv, svc *testkit.RunningService, want map[string]int) {
	t.Helper()
	hr := env.as(t, svc, "holds", "hr-1", auth.RoleHR)
	last, err := env.Log.LastSequence(t.Context(), "RISK")
	if err != nil {
		t.Fatal(err)
	}
	st, err := hr.GetStatement(t.Context(), &commissionv1.GetStatementRequest{EmployeeId: "e1", MinRiskSequence: last})
	if err != nil {
		t.Fatalf("GetStatement after restart: %v", err)
	}
	if n := len(st.GetEntries()); n != 4 || st.GetEntries()[0].GetPaidIn() == "" {
		t.Errorf("e1 after restart = %v, want 4 entries, h1 paid", st.GetEntries())
	}
	for id, n := range want {
		agg, err := env.Log.Load(t.Context(), eventlog.AggregateRef{Context: "commission", Tenant: "holds", Type: "hold", ID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(agg.Records) != n {
			t.Errorf("hold %s has %d events after restart, want %d", id, len(agg.Records), n)
		}
	}
}

// TestEvidenceWidensHold: a low alert about other facts holds nothing;
// evidence that raises it to medium holds the seller, and evidence naming
// an order adds that order to the hold; evidence that widens nothing
// appends nothing.
func TestEvidenceWidensHold(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	const tenant = "widen"
	o1 := env.drive(t, tenant, "o1", march, orderSpec{seller: "e1", customer: "c1", amount: 10000, claimed: website, recorded: website, paidToCompany: 10000, approve: true, ship: true})
	o2 := env.drive(t, tenant, "o2", march, orderSpec{seller: "e2", customer: "c2", amount: 20000, claimed: website, recorded: website, paidToCompany: 20000, approve: true, ship: true})
	risk := &riskWriter{env: env, tenant: tenant, at: march.Add(time.Hour)}
	hr := env.as(t, svc, tenant, "hr-1", auth.RoleHR)
	holdEvents := func() []proto.Message {
		t.Helper()
		if _, err := hr.GetStatement(t.Context(), &commissionv1.GetStatementRequest{EmployeeId: "e1", MinOrderSequence: o2.lastSe, MinRiskSequence: risk.last}); err != nil {
			t.Fatalf("GetStatement: %v", err)
		}
		agg, err := env.Log.Load(t.Context(), eventlog.AggregateRef{Context: "commission", Tenant: tenant, Type: "hold", ID: "a1"})
		if err != nil {
			t.Fatal(err)
		}
		var out []proto.Message
		for _, rec := range agg.Records {
			msg, err := rec.Payload()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, msg)
		}
		return out
	}
	risk.raise(t, "a1", "e1", riskv1.Severity_SEVERITY_LOW)
	if evs := holdEvents(); len(evs) != 0 {
		t.Fatalf("a low alert about nothing held %v", evs)
	}
	medium := risk.add(t, "alert", "a1", &riskv1.AlertEvidenceAdded{AlertId: "a1", Severity: riskv1.Severity_SEVERITY_MEDIUM})
	risk.add(t, "alert", "a1", &riskv1.AlertEvidenceAdded{AlertId: "a1", Severity: riskv1.Severity_SEVERITY_MEDIUM}) // widens nothing
	named := risk.add(t, "alert", "a1", &riskv1.AlertEvidenceAdded{AlertId: "a1", Severity: riskv1.Severity_SEVERITY_MEDIUM, Evidence: []*riskv1.Evidence{orderEvidence(o2.lastSe), orderEvidence(o1.lastSe)}})
	want := []proto.Message{
		&commissionv1.CommissionHeld{AlertId: "a1", RuleId: "rule-a1", EmployeeId: "e1", Severity: riskv1.Severity_SEVERITY_MEDIUM, SellerWide: true, RiskSequence: medium},
		&commissionv1.CommissionHeld{AlertId: "a1", RuleId: "rule-a1", EmployeeId: "e1", Severity: riskv1.Severity_SEVERITY_MEDIUM, SellerWide: true, OrderIds: []string{"o1", "o2"}, RiskSequence: named},
	}
	if diff := cmp.Diff(want, holdEvents(), protocmp.Transform()); diff != "" {
		t.Errorf("hold events mismatch (-want, +got):\n%s", diff)
	}
	// Evidence that would raise an alert HR has already dismissed holds
	// nothing: no release would ever come for it.
	risk.raise(t, "a3", "e2", riskv1.Severity_SEVERITY_LOW)
	risk.step(t, "a3", &riskv1.AlertDismissed{AlertId: "a3", Reason: "noise"})
	risk.add(t, "alert", "a3", &riskv1.AlertEvidenceAdded{AlertId: "a3", Severity: riskv1.Severity_SEVERITY_HIGH})
	if _, err := hr.GetStatement(t.Context(), &commissionv1.GetStatementRequest{EmployeeId: "e2", MinRiskSequence: risk.last}); err != nil {
		t.Fatal(err)
	}
	if agg, err := env.Log.Load(t.Context(), eventlog.AggregateRef{Context: "commission", Tenant: tenant, Type: "hold", ID: "a3"}); err != nil || len(agg.Records) != 0 {
		t.Errorf("evidence on a dismissed alert: %d hold events (%v), want none", len(agg.Records), err)
	}

	e2, err := hr.GetStatement(t.Context(), &commissionv1.GetStatementRequest{EmployeeId: "e2"})
	if err != nil {
		t.Fatal(err)
	}
	// e2 sees the hold on their order, not whom the alert names nor that
	// person's orders.
	if got := e2.GetEntries(); len(got) != 2 || !slices.Equal(got[0].GetHeldBy(), []string{"a1"}) || got[1].GetEmployeeId() != "" ||
		got[1].GetSellerWide() || !slices.Equal(got[1].GetHeldOrderIds(), []string{"o2"}) {
		t.Errorf("e2 statement = %v, want o2 held by a1, and a1's hold showing only o2", got)
	}
}
