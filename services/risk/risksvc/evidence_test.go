package risksvc_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/evidence"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// TestEvidenceBundleOfACase: HR confirms an S1 alert into a case and
// exports its evidence bundle. The bundle verifies offline against the
// tenant's published key; it holds the chat exactly as CLIENT stored it,
// then the alert's and the case's own events; and the report is in the
// language asked for.
func TestEvidenceBundleOfACase(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	rc, alert, seq := env.privateDealAlert(t, stack)
	id := alert.GetAlertId()
	confirmed, err := rc.ConfirmAlert(t.Context(), &riskv1.ConfirmAlertRequest{RequestId: "c", AlertId: id, Note: "客户证实收到私人账户"})
	if err != nil {
		t.Fatal(err)
	}

	key, err := rc.GetEvidenceKey(t.Context(), &riskv1.GetEvidenceKeyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rc.ExportEvidence(t.Context(), &riskv1.ExportEvidenceRequest{AlertId: id, Language: "zh", MinSequence: confirmed.GetSequence()})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := evidence.Verify(resp.GetBundle(), key.GetVerifierKey())
	if err != nil {
		t.Fatalf("the exported bundle does not verify: %v", err)
	}
	if !rep.KeyTrusted || rep.Tenant != "acme" || rep.CaseID != id || rep.Root != resp.GetMerkleRoot() || int(resp.GetEvents()) != len(rep.Events) {
		t.Errorf("report = %+v, response root %s events %d", rep, resp.GetMerkleRoot(), resp.GetEvents())
	}

	// The supporting chat, byte for byte as stored, then RISK's events.
	chat, err := env.log.Get(t.Context(), eventlog.StreamClient, seq)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Events) < 3 || rep.Events[0].Stream != eventlog.StreamClient || rep.Events[0].Sequence != seq || !bytes.Equal(rep.Events[0].Data, chat.Data) {
		t.Fatalf("first event = %s #%d, want the chat CLIENT #%d as stored", rep.Events[0].Stream, rep.Events[0].Sequence, seq)
	}
	var types []string
	for _, e := range rep.Events[1:] {
		if e.Stream != eventlog.StreamRisk {
			t.Errorf("event %d is on %s, want RISK", e.Index, e.Stream)
		}
		types = append(types, e.EventType)
	}
	if !slices.Contains(types, "holdfast.risk.v1.AlertRaised") || !slices.Contains(types, "holdfast.risk.v1.AlertConfirmed") {
		t.Errorf("RISK events in the bundle: %v, want the alert raised and confirmed", types)
	}
	if len(rep.Documents) != 1 || rep.Documents[0] != "documents/report.zh.html" {
		t.Errorf("documents = %v, want the Chinese report", rep.Documents)
	}
	if !strings.HasPrefix(resp.GetFileName(), "holdfast-evidence-acme-") {
		t.Errorf("file name = %q", resp.GetFileName())
	}

	// The export is itself on the case's record: who took which bundle.
	c, err := rc.GetCase(t.Context(), &riskv1.GetCaseRequest{AlertId: id})
	if err != nil {
		t.Fatal(err)
	}
	notes := c.GetCase().GetNotes()
	last := notes[len(notes)-1]
	if last.GetKind() != "evidence_exported" || last.GetAuthor() != hr.Subject || !strings.Contains(last.GetText(), resp.GetMerkleRoot()) ||
		!strings.Contains(last.GetText(), fmt.Sprintf("%d events", resp.GetEvents())) {
		t.Errorf("last case note = %v, want the export by %s of root %s", last, hr.Subject, resp.GetMerkleRoot())
	}
	if c.GetCase().GetStatus() != riskv1.AlertStatus_ALERT_STATUS_CONFIRMED {
		t.Errorf("status after an export = %v, want it unchanged (confirmed)", c.GetCase().GetStatus())
	}

	// Bad input, and callers who may not take evidence out.
	_, err = rc.ExportEvidence(t.Context(), &riskv1.ExportEvidenceRequest{AlertId: id, Language: "fr"})
	wantCode(t, err, codes.InvalidArgument)
	if got := violatedFields(t, err); !slices.Equal(got, []string{"language"}) {
		t.Errorf("violations = %v, want language", got)
	}
	_, err = rc.ExportEvidence(t.Context(), &riskv1.ExportEvidenceRequest{AlertId: "no-such-alert"})
	wantCode(t, err, codes.NotFound)
	_, err = env.riskAs(t, stack, sales).ExportEvidence(t.Context(), &riskv1.ExportEvidenceRequest{AlertId: id})
	wantCode(t, err, codes.PermissionDenied)
}

// TestEvidenceExportRetriedIsRecordedOnce: an export retried with its
// request_id (a lost response, a double click) is on the case once; a
// new id is a new export; the same id once the case has moved on, when the
// bundle would differ from the one recorded, is refused rather than handed
// out unrecorded; a malformed id is a field violation.
func TestEvidenceExportRetriedIsRecordedOnce(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	stack := env.start(t, stackOptions{})
	rc, alert, _ := env.privateDealAlert(t, stack)
	id := alert.GetAlertId()
	exports := func() int {
		t.Helper()
		c, err := rc.GetCase(t.Context(), &riskv1.GetCaseRequest{AlertId: id})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, note := range c.GetCase().GetNotes() {
			if note.GetKind() == "evidence_exported" {
				n++
			}
		}
		return n
	}
	export := func(requestID string) (*riskv1.ExportEvidenceResponse, error) {
		return rc.ExportEvidence(t.Context(), &riskv1.ExportEvidenceRequest{AlertId: id, Language: "en", RequestId: requestID})
	}

	first, err := export("dl-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := export("dl-1")
	if err != nil {
		t.Fatalf("retry with the same request_id: %v", err)
	}
	if again.GetMerkleRoot() != first.GetMerkleRoot() {
		t.Errorf("retry's root %s, first %s: want the same bundle content", again.GetMerkleRoot(), first.GetMerkleRoot())
	}
	if n := exports(); n != 1 {
		t.Errorf("%d exports recorded after a retry, want 1", n)
	}
	if _, err := export("dl-2"); err != nil {
		t.Fatal(err)
	}
	if n := exports(); n != 2 {
		t.Errorf("%d exports recorded after a second request, want 2", n)
	}

	// The case moves on: the bundle now holds one more event, so the old
	// id no longer names the bundle it recorded.
	if _, err := rc.AcknowledgeAlert(t.Context(), &riskv1.AcknowledgeAlertRequest{RequestId: "ack", AlertId: id, Note: "looking into it"}); err != nil {
		t.Fatal(err)
	}
	_, err = export("dl-1")
	wantCode(t, err, codes.FailedPrecondition)
	if n := exports(); n != 2 {
		t.Errorf("%d exports recorded after a refused reuse, want 2", n)
	}

	_, err = export("not a token!")
	wantCode(t, err, codes.InvalidArgument)
	if got := violatedFields(t, err); !slices.Equal(got, []string{"request_id"}) {
		t.Errorf("violations = %v, want request_id", got)
	}
}
