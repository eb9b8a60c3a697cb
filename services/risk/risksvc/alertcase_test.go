package risksvc_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/holdfast/holdfast/pkg/auth"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestHRWalksAnAlertToAResolvedCase: HR acknowledges an S1 alert, confirms
// it (opening its case), notes and resolves the case; the alert view
// follows each step, wrong steps and callers are refused, and the engine's
// own alert aggregate is untouched (a restart appends nothing).
func TestHRWalksAnAlertToAResolvedCase(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	rc, alert, seq := env.privateDealAlert(t, stack)
	id := alert.GetAlertId()

	statusAfter := func(seq uint64) riskv1.AlertStatus {
		t.Helper()
		resp, err := rc.GetAlert(t.Context(), &riskv1.GetAlertRequest{AlertId: id, MinSequence: seq})
		if err != nil {
			t.Fatalf("get alert: %v", err)
		}
		return resp.GetAlert().GetStatus()
	}

	ack, err := rc.AcknowledgeAlert(t.Context(), &riskv1.AcknowledgeAlertRequest{RequestId: "ack", AlertId: id, Note: "looking"})
	if err != nil {
		t.Fatalf("acknowledge: %v", err)
	}
	if got := statusAfter(ack.GetSequence()); got != riskv1.AlertStatus_ALERT_STATUS_ACKNOWLEDGED {
		t.Errorf("status after acknowledge = %s", got)
	}
	again, err := rc.AcknowledgeAlert(t.Context(), &riskv1.AcknowledgeAlertRequest{RequestId: "ack", AlertId: id, Note: "looking"})
	if err != nil || again.GetSequence() != ack.GetSequence() {
		t.Errorf("retried acknowledge: sequence %d (%v), want %d", again.GetSequence(), err, ack.GetSequence())
	}
	_, err = rc.AcknowledgeAlert(t.Context(), &riskv1.AcknowledgeAlertRequest{RequestId: "ack-2", AlertId: id})
	wantCode(t, err, codes.FailedPrecondition)

	conf, err := rc.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: "confirm", AlertId: id, Note: "customer confirmed the private account"})
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if got := statusAfter(conf.GetSequence()); got != riskv1.AlertStatus_ALERT_STATUS_CONFIRMED {
		t.Errorf("status after confirm = %s", got)
	}
	_, err = rc.DismissAlert(t.Context(), &riskv1.DismissAlertRequest{RequestId: "dismiss", AlertId: id, Reason: "too late"})
	wantCode(t, err, codes.FailedPrecondition)
	if _, err := rc.AddCaseNote(t.Context(), &riskv1.AddCaseNoteRequest{RequestId: "note", AlertId: id, Note: "interviewed"}); err != nil {
		t.Fatalf("note: %v", err)
	}
	_, err = rc.ResolveCase(t.Context(), &riskv1.ResolveCaseRequest{RequestId: "resolve", AlertId: id})
	if diff := cmp.Diff([]string{"outcome"}, violatedFields(t, err)); diff != "" {
		t.Errorf("violated fields mismatch (-want, +got):\n%s", diff)
	}
	res, err := rc.ResolveCase(t.Context(), &riskv1.ResolveCaseRequest{
		RequestId: "resolve", AlertId: id, Outcome: riskv1.CaseOutcome_CASE_OUTCOME_DIVERSION_CONFIRMED, Note: "dismissal",
	})
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if got := statusAfter(res.GetSequence()); got != riskv1.AlertStatus_ALERT_STATUS_RESOLVED {
		t.Errorf("status after resolve = %s", got)
	}

	got, err := rc.GetCase(t.Context(), &riskv1.GetCaseRequest{AlertId: id})
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, n := range got.GetCase().GetNotes() {
		steps = append(steps, n.GetKind()+" by "+n.GetAuthor()+": "+n.GetText())
	}
	wantSteps := []string{
		"acknowledged by hr-wang: looking",
		"confirmed by hr-wang: customer confirmed the private account",
		"note by hr-wang: interviewed",
		"resolved by hr-wang: dismissal",
	}
	if diff := cmp.Diff(wantSteps, steps); diff != "" {
		t.Errorf("case notes mismatch (-want, +got):\n%s", diff)
	}
	if got.GetCase().GetOutcome() != riskv1.CaseOutcome_CASE_OUTCOME_DIVERSION_CONFIRMED || got.GetCase().GetStatus() != riskv1.AlertStatus_ALERT_STATUS_RESOLVED {
		t.Errorf("case = %s %s", got.GetCase().GetStatus(), got.GetCase().GetOutcome())
	}

	// The outcome feeds the rule's effectiveness: confirmed ÷ actioned.
	want := &riskv1.RuleOutcomes{Raised: 1, Confirmed: 1, Actioned: 1, ConfirmedPermille: 1000}
	if diff := cmp.Diff(want, getRule(t, rc, "sensitive_words", 0).GetOutcomes(), protocmp.Transform()); diff != "" {
		t.Errorf("rule outcomes mismatch (-want, +got):\n%s", diff)
	}

	// Who may: hr handles, auditors read, sales do neither.
	_, err = env.riskAs(t, stack, principal("acme", "au-1", auth.RoleAuditor)).AddCaseNote(t.Context(), &riskv1.AddCaseNoteRequest{RequestId: "n2", AlertId: id, Note: "x"})
	wantCode(t, err, codes.PermissionDenied)
	if _, err := env.riskAs(t, stack, principal("acme", "au-1", auth.RoleAuditor)).GetCase(t.Context(), &riskv1.GetCaseRequest{AlertId: id}); err != nil {
		t.Errorf("auditor get case: %v", err)
	}
	_, err = env.riskAs(t, stack, sales).GetCase(t.Context(), &riskv1.GetCaseRequest{AlertId: id})
	wantCode(t, err, codes.PermissionDenied)
	// A RISK sequence not written yet is refused at once, not waited for.
	_, err = rc.GetAlert(t.Context(), &riskv1.GetAlertRequest{AlertId: id, MinSequence: 1 << 40})
	wantCode(t, err, codes.InvalidArgument)
	// Nobody handles an alert about themselves, not even with an hr token.
	_, err = env.riskAs(t, stack, principal("acme", "sales-li", auth.RoleHR)).AddCaseNote(t.Context(), &riskv1.AddCaseNoteRequest{RequestId: "self", AlertId: id, Note: "nothing to see"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = rc.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: "c2", AlertId: "0b8a3f3e-0000-4000-8000-000000000000"})
	wantCode(t, err, codes.NotFound)

	// The engine's alert aggregate is its own: a restart replays RISK_IN,
	// appends nothing, and the view keeps HR's status.
	messages := env.riskMessages(t)
	stack.stop()
	restarted := env.start(t, stackOptions{})
	after := onlyAlert(t, alertsAfter(t, env.riskAs(t, restarted, hr), seq))
	alert.Status = riskv1.AlertStatus_ALERT_STATUS_RESOLVED
	if diff := cmp.Diff(alert, after, protocmp.Transform()); diff != "" {
		t.Errorf("alert after restart mismatch (-want, +got):\n%s", diff)
	}
	if got := env.riskMessages(t); got != messages {
		t.Errorf("RISK holds %d messages after restart, want %d", got, messages)
	}
}
