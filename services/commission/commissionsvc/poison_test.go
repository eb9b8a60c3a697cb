package commissionsvc_test

import (
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestPoisonOrderEventIsSkipped: an ORDER message that is not an event is
// set aside, and the orders behind it still accrue.
func TestPoisonOrderEventIsSkipped(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	if _, err := env.Log.JetStream().Publish(t.Context(), "order.poison.order.bad", []byte("not an envelope")); err != nil {
		t.Fatalf("publish garbage: %v", err)
	}
	w := env.drive(t, "poison", "o1", time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), orderSpec{
		seller: "e1", customer: "c1", amount: 10000, claimed: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
		recorded: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, paidToCompany: 10000, approve: true, ship: true,
	})
	got, err := env.as(t, svc, "poison", "e1", auth.RoleSales).GetStatement(t.Context(), &commissionv1.GetStatementRequest{EmployeeId: "e1", MinOrderSequence: w.lastSe})
	if err != nil {
		t.Fatalf("GetStatement: %v", err)
	}
	if len(got.GetEntries()) != 1 || got.GetEntries()[0].GetAmountMinor() != 500 {
		t.Errorf("statement = %v, want one accrual of 500 after the poison event", got.GetEntries())
	}
}

// TestPoisonRiskEventIsSkipped: a RISK message that is not an event is set
// aside, and the alert after it still holds commission.
func TestPoisonRiskEventIsSkipped(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	if _, err := env.Log.JetStream().Publish(t.Context(), "risk.poison.alert.bad", []byte("not an envelope")); err != nil {
		t.Fatalf("publish garbage: %v", err)
	}
	w := env.drive(t, "poison", "o1", time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), orderSpec{
		seller: "e1", customer: "c1", amount: 10000, claimed: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
		recorded: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, paidToCompany: 10000, approve: true, ship: true,
	})
	risk := &riskWriter{env: env, tenant: "poison", at: time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)}
	last := risk.raise(t, "a1", "e1", riskv1.Severity_SEVERITY_HIGH)
	got, err := env.as(t, svc, "poison", "e1", auth.RoleSales).GetStatement(t.Context(), &commissionv1.GetStatementRequest{
		EmployeeId: "e1", MinOrderSequence: w.lastSe, MinRiskSequence: last,
	})
	if err != nil {
		t.Fatalf("GetStatement: %v", err)
	}
	if len(got.GetEntries()) != 2 || len(got.GetEntries()[0].GetHeldBy()) != 1 {
		t.Errorf("statement = %v, want the accrual held by a1 after the poison event", got.GetEntries())
	}
}
