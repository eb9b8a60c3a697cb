package risksvc_test

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestDuplicateRegistrationRaisesAlert is scenario S8 end to end: a second
// salesperson registers a held customer with the phone written another way;
// the client service refuses and records the attempt, and the risk engine
// raises duplicate_customer for the second salesperson.
func TestDuplicateRegistrationRaisesAlert(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	holder := env.clientAs(t, stack, principal("acme", "e1", auth.RoleSales))
	poacher := env.clientAs(t, stack, principal("acme", "e2", auth.RoleSales))
	if _, err := holder.RegisterCustomer(t.Context(), &clientv1.RegisterCustomerRequest{
		RequestId: "reg-held", PersonName: "王伟", Phones: []string{"13800138000"},
		SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW,
	}); err != nil {
		t.Fatal(err)
	}
	_, err := poacher.RegisterCustomer(t.Context(), &clientv1.RegisterCustomerRequest{
		RequestId: "reg-again", PersonName: "王 伟", Phones: []string{"+86 138-0013-8000"},
		SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_PERSONAL,
	})
	wantCode(t, err, codes.FailedPrecondition)

	last, err := env.log.LastSequence(t.Context(), eventlog.StreamClient)
	if err != nil {
		t.Fatal(err)
	}
	alerts := alertsAfter(t, env.riskAs(t, stack, hr), last)
	a := onlyAlert(t, alerts)
	if a.GetRuleId() != "duplicate_customer" || a.GetEmployeeId() != "e2" || a.GetSeverity() != riskv1.Severity_SEVERITY_MEDIUM {
		t.Errorf("alert = %s for %s, %s; want duplicate_customer for e2, medium", a.GetRuleId(), a.GetEmployeeId(), a.GetSeverity())
	}
	if len(a.GetEvidence()) != 1 || a.GetEvidence()[0].GetEventType() != "holdfast.client.v1.DuplicateRegistrationAttempted" ||
		a.GetEvidence()[0].GetSequence() != last {
		t.Errorf("evidence = %v, want the DuplicateRegistrationAttempted at CLIENT %d", a.GetEvidence(), last)
	}
	if !strings.Contains(a.GetExplanationEn(), "phone") {
		t.Errorf("explanation %q does not say what matched", a.GetExplanationEn())
	}
}
