package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
)

func exportReq(e *engine.Engine, seq int, employee string, n int, contacts bool, at time.Time) []engine.Change {
	return e.ObserveExportRequest(engine.ExportRequest{
		Tenant: "acme", EmployeeID: employee, CustomerCount: n, IncludeContacts: contacts, OccurredAt: at,
		Evidence: evidence(seq, "holdfast.client.v1.ExportRequested", at),
	})
}

func TestBulkExport(t *testing.T) {
	t.Parallel()
	e := newEngine()
	if chs := exportReq(e, 1, "e1", 10, true, day0); len(chs) != 0 {
		t.Errorf("an export of 10 customers raised %v; the threshold is more than 10", chs)
	}
	first := only(t, exportReq(e, 2, "e1", 11, false, day0.Add(time.Hour)))
	if first.Alert.RuleID != engine.RuleBulkExport || first.Alert.Severity != domain.SeverityMedium || first.Version != 1 {
		t.Errorf("11 customers: %s %s v%d, want bulk_export medium v1", first.Alert.RuleID, first.Alert.Severity, first.Version)
	}
	for _, want := range []string{"export of 11 customers", "more than 10"} {
		if !strings.Contains(first.Alert.ExplanationEN, want) {
			t.Errorf("explanation_en %q lacks %q", first.Alert.ExplanationEN, want)
		}
	}
	if !strings.Contains(first.Alert.ExplanationZH, "导出 11 个客户") {
		t.Errorf("explanation_zh %q lacks the count", first.Alert.ExplanationZH)
	}
	second := only(t, exportReq(e, 3, "e1", 500, true, day0.Add(2*time.Hour)))
	if second.Alert.ID != first.Alert.ID || second.Alert.Severity != domain.SeverityHigh || len(second.Alert.Evidence) != 2 {
		t.Errorf("second export: alert %s %s with %d evidence; want the first alert, high, 2", second.Alert.ID, second.Alert.Severity, len(second.Alert.Evidence))
	}
}

// customRule is the tenant's own version 2 of sensitive_words: high at the
// first hit.
func strictSensitiveWords() *domain.Rule {
	r, _ := newEngine().Rule("acme", engine.RuleSensitiveWords)
	r.Version = 2
	r.Builtin = false
	d := r.Definition
	d.Params = []domain.Param{{Name: "high_at", Kind: domain.ParamInt, Int: 1}}
	r.Definition = d
	return &r
}

// A rule change applies from its point in RISK_IN on: hits before it are
// judged by version 1, hits after by version 2 in an alert of its own.
func TestRuleChangeAppliesFromItsPointOn(t *testing.T) {
	t.Parallel()
	e := newEngine()
	f := &feeder{}
	v1 := only(t, e.ObserveInteraction(f.in("acme", "e1", onePhrase, day0)))
	if err := e.ApplyRuleChange(engine.RuleChange{Tenant: "acme", Upserted: strictSensitiveWords()}); err != nil {
		t.Fatal(err)
	}
	v2 := only(t, e.ObserveInteraction(f.in("acme", "e1", onePhrase, day0.Add(time.Hour))))
	if v1.Alert.RuleVersion != 1 || v1.Alert.Severity != domain.SeverityMedium {
		t.Errorf("before the change: v%d %s, want v1 medium", v1.Alert.RuleVersion, v1.Alert.Severity)
	}
	if v2.Alert.RuleVersion != 2 || v2.Alert.Severity != domain.SeverityHigh || v2.Alert.ID == v1.Alert.ID || v2.Version != 1 {
		t.Errorf("after the change: rule v%d %s alert v%d (same id %v); want a new v2 alert, high",
			v2.Alert.RuleVersion, v2.Alert.Severity, v2.Version, v2.Alert.ID == v1.Alert.ID)
	}
	if !strings.Contains(v2.Alert.ExplanationEN, "1 or more") {
		t.Errorf("explanation %q does not state the tenant's threshold", v2.Alert.ExplanationEN)
	}
	// Another tenant still runs the built-in pack.
	other := only(t, e.ObserveInteraction(f.in("globex", "e1", onePhrase, day0.Add(time.Hour))))
	if other.Alert.RuleVersion != 1 || other.Alert.Severity != domain.SeverityMedium {
		t.Errorf("globex: v%d %s, want the built-in v1, medium", other.Alert.RuleVersion, other.Alert.Severity)
	}

	if err := e.ApplyRuleChange(engine.RuleChange{Tenant: "acme", RuleID: engine.RuleSensitiveWords, Enabled: false}); err != nil {
		t.Fatal(err)
	}
	if chs := e.ObserveInteraction(f.in("acme", "e1", twoPhrases, day0.Add(2*time.Hour))); len(chs) != 0 {
		t.Errorf("a disabled rule raised %v", chs)
	}
	if r, _ := e.Rule("acme", engine.RuleSensitiveWords); r.Enabled || r.Version != 2 || r.Builtin {
		t.Errorf("rule after disable = v%d enabled %v builtin %v, want v2 disabled own", r.Version, r.Enabled, r.Builtin)
	}
	if err := e.ApplyRuleChange(engine.RuleChange{Tenant: "acme", RuleID: "no_such_rule", Enabled: true}); err == nil {
		t.Error("enabling an unknown rule was applied")
	}
}

// A suppression silences one rule for one employee until a time: events
// before it raise nothing, events after it are judged again.
func TestSuppression(t *testing.T) {
	t.Parallel()
	e := newEngine()
	f := &feeder{}
	until := day0.Add(24 * time.Hour)
	if err := e.ApplyRuleChange(engine.RuleChange{Tenant: "acme", RuleID: engine.RuleSensitiveWords, Suppress: &engine.Suppression{EmployeeID: "e1", Until: until}}); err != nil {
		t.Fatal(err)
	}
	if chs := e.ObserveInteraction(f.in("acme", "e1", twoPhrases, day0)); len(chs) != 0 {
		t.Errorf("a suppressed employee raised %v", chs)
	}
	if chs := e.ObserveInteraction(f.in("acme", "e2", twoPhrases, day0)); len(chs) != 1 {
		t.Errorf("another employee raised %d changes, want 1", len(chs))
	}
	if chs := e.ObserveInteraction(f.in("acme", "e1", twoPhrases, until)); len(chs) != 1 {
		t.Errorf("after the suppression ended: %d changes, want 1", len(chs))
	}
	if err := e.ApplyRuleChange(engine.RuleChange{Tenant: "acme", RuleID: "nope", Suppress: &engine.Suppression{EmployeeID: "e1", Until: until}}); err == nil {
		t.Error("a suppression of an unknown rule was applied")
	}
}
