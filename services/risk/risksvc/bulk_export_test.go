package risksvc_test

import (
	"strings"
	"testing"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestBulkExportRaisesAlert is scenario S4's export end to end: a
// salesperson asks to export their 11 customers (more than 10), and the
// risk engine raises bulk_export for them from the ExportRequested event.
func TestBulkExportRaisesAlert(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	cc := env.clientAs(t, stack, sales)
	for i := range 11 {
		registerCustomer(t, cc, "reg-"+string(rune('a'+i)))
	}
	resp, err := cc.RequestExport(t.Context(), &clientv1.RequestExportRequest{RequestId: "export-1", Reason: "quarterly review"})
	if err != nil {
		t.Fatalf("request export: %v", err)
	}
	if n := resp.GetExport().GetCustomerCount(); n != 11 {
		t.Fatalf("export counts %d customers, want 11", n)
	}
	a := onlyAlert(t, alertsAfter(t, env.riskAs(t, stack, hr), resp.GetSequence()))
	if a.GetRuleId() != "bulk_export" || a.GetEmployeeId() != sales.Subject || a.GetSeverity() != riskv1.Severity_SEVERITY_MEDIUM {
		t.Errorf("alert %s for %s, %s; want bulk_export for %s, MEDIUM", a.GetRuleId(), a.GetEmployeeId(), a.GetSeverity(), sales.Subject)
	}
	if len(a.GetEvidence()) != 1 || a.GetEvidence()[0].GetStream() != eventlog.StreamClient || a.GetEvidence()[0].GetSequence() != resp.GetSequence() {
		t.Errorf("evidence %v, want the ExportRequested at CLIENT %d", a.GetEvidence(), resp.GetSequence())
	}
	for _, want := range []string{"export of 11 customers", "more than 10"} {
		if !strings.Contains(a.GetExplanationEn(), want) {
			t.Errorf("explanation_en %q lacks %q", a.GetExplanationEn(), want)
		}
	}
	if !strings.Contains(a.GetExplanationZh(), "超过 10 个客户") {
		t.Errorf("explanation_zh %q lacks the threshold", a.GetExplanationZh())
	}
}
