package app

import (
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

func TestEvidenceReportSpeaksTheLanguageAndEscapes(t *testing.T) {
	t.Parallel()
	d := reportData{
		Tenant: "acme", CreatedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), CreatedBy: "hr1", VerifierKey: "holdfast-evidence/acme+1234abcd+AQID",
		Alert: domain.Alert{
			ID: "a1", RuleID: "sensitive_words", EmployeeID: "e7", Severity: domain.SeverityHigh,
			ExplanationEN: `Employee e7 wrote "<script>alert(1)</script>"`, ExplanationZH: "员工 e7 写下“私单”",
		},
		Case: domain.Case{AlertID: "a1", Status: domain.StatusConfirmed, Notes: []domain.CaseNote{{Kind: domain.StepConfirm, Author: "hr1", Text: "talked to the customer"}}},
		Rows: []reportRow{{Index: 0, Stream: "CLIENT", Sequence: 42, Type: "holdfast.client.v1.InteractionLogged", Supporting: true, Details: `{"text":"<b>"}`}},
	}
	for _, lang := range []string{"en", "zh"} {
		d.Lang = lang
		out, err := renderReport(d)
		if err != nil {
			t.Fatal(err)
		}
		html := string(out)
		if strings.Contains(html, "<script>") || strings.Contains(html, `"<b>"`) {
			t.Errorf("%s report does not escape event text:\n%s", lang, html)
		}
		wantTitle := map[string]string{"en": "Holdfast evidence report", "zh": "Holdfast 证据报告"}[lang]
		wantExplanation := map[string]string{"en": "Employee e7 wrote", "zh": "员工 e7 写下"}[lang]
		for _, want := range []string{wantTitle, wantExplanation, "CLIENT #42", `class="supporting"`, "talked to the customer", strings.ReplaceAll(d.VerifierKey, "+", "&#43;")} {
			if !strings.Contains(html, want) {
				t.Errorf("%s report lacks %q", lang, want)
			}
		}
	}
}
