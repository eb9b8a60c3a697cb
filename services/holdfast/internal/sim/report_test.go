package sim

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	plan := &Plan{
		Tenant: "sim", Start: t0, End: t0.AddDate(0, 0, 60),
		Employees: []string{"e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"},
		Truth: []Label{
			{Pattern: "S1", Employee: "e1", First: h(100)},
			{Pattern: "S1", Employee: "e2", First: h(200)},
			{Pattern: "S5", Employee: "e3", First: h(300)},
			{Pattern: "S5", Employee: "e4", First: h(400)},
			{Pattern: "H6", Employee: "e5", First: h(50)},
			{Pattern: "H1", Employee: "e6", First: h(0)},
			{Pattern: "S7", Employee: "e9", First: h(500)},
		},
		Leavers: []string{"e7"},
	}
	alerts := []Alert{
		{ID: "a1", Employee: "e1", Rule: "sensitive_words", Severity: SeverityHigh, RaisedAt: h(102)},
		{ID: "a2", Employee: "e2", Rule: "sensitive_words", Severity: SeverityMedium, RaisedAt: h(210)},
		// e3's only alert is before the first diverting act: not a detection.
		{ID: "a3", Employee: "e3", Rule: "unregistered_visit", Severity: SeverityMedium, RaisedAt: h(10)},
		{ID: "a4", Employee: "e4", Rule: "impossible_travel", Severity: SeverityHigh, RaisedAt: h(401)},
		{ID: "a5", Employee: "e5", Rule: "sensitive_words", Severity: SeverityLow, RaisedAt: h(50)},
		{ID: "a6", Employee: "e6", Rule: "reveal_spike", Severity: SeverityMedium, RaisedAt: h(30)},
		{ID: "a7", Employee: "e7", Rule: "unregistered_visit", Severity: SeverityMedium, RaisedAt: h(30)},
		// e9's only alert of S7's rule is low: shown, but no detection.
		{ID: "a8", Employee: "e9", Rule: "source_contradiction", Severity: SeverityLow, RaisedAt: h(501)},
		// e8 is honest; a low alert is no false positive.
		{ID: "a9", Employee: "e8", Rule: "sensitive_words", Severity: SeverityLow, RaisedAt: h(40)},
	}
	rep := Evaluate(plan, alerts)
	approx := cmpopts.EquateApprox(0, 1e-9)
	f := func(x float64) *float64 { return &x }
	want := []Score{
		// S1: both caught (2 h and 10 h); e5's (H6) and e8's low alerts
		// are shown, not counted against precision.
		{Pattern: "S1", Labelled: 2, Detected: 2, Alerted: 2, LowOnly: 2, Recall: 1, Precision: 1, F1: 1, MedianH: f(2), P90H: f(10)},
		// S4: nobody labelled, e6 (H1) alerted: precision 0.
		{Pattern: "S4", Alerted: 1},
		// S5: e4 caught after 1 h; e3 alerted only before; e7 honest.
		{Pattern: "S5", Labelled: 2, Detected: 1, Alerted: 3, Recall: 0.5, Precision: 2.0 / 3, F1: 2 * 0.5 * (2.0 / 3) / (0.5 + 2.0/3), MedianH: f(1), P90H: f(1)},
		// S7: only a low alert: not detected, nobody flagged.
		{Pattern: "S7", Labelled: 1, LowOnly: 1},
	}
	if diff := cmp.Diff(want, rep.Patterns, approx); diff != "" {
		t.Errorf("patterns mismatch (-want, +got):\n%s", diff)
	}
	// Overall: flagged above low = e1,e2,e3,e4,e6,e7; diverting = e1–e4, e9.
	wantOverall := Score{Pattern: "overall", Labelled: 5, Detected: 3, Alerted: 6, Recall: 0.6, Precision: 4.0 / 6, F1: 2 * 0.6 * (4.0 / 6) / (0.6 + 4.0/6), MedianH: f(2), P90H: f(10)}
	if diff := cmp.Diff(wantOverall, rep.Overall, approx); diff != "" {
		t.Errorf("overall mismatch (-want, +got):\n%s", diff)
	}
	// Honest: e5–e8 with 4 alerts over 2 months, 2 of them flagged.
	if got, want := rep.HonestAlertsPerEmployeeMonth, 4.0/4/2; got != want {
		t.Errorf("honest alerts per employee month = %v, want %v", got, want)
	}
	if got, want := rep.HonestFlaggedPerEmployeeMonth, 2.0/4/2; got != want {
		t.Errorf("honest flagged alerts per employee month = %v, want %v", got, want)
	}
	wantFalse := []HonestFlag{
		{Employee: "e6", Role: "H1", Alerts: 1, Rules: []string{"reveal_spike"}},
		{Employee: "e7", Role: "leaver", Alerts: 1, Rules: []string{"unregistered_visit"}},
	}
	if diff := cmp.Diff(wantFalse, rep.HonestFlagged); diff != "" {
		t.Errorf("false positives mismatch (-want, +got):\n%s", diff)
	}
	if rep.Flagged != FlaggedDefinition {
		t.Errorf("report's flagged definition = %q", rep.Flagged)
	}
	wantLook := []LookAlike{
		{Pattern: "H1", Employee: "e6", AboveLow: 1, Rules: []string{"reveal_spike"}},
		{Pattern: "H6", Employee: "e5", LowOnly: 1, Rules: []string{"sensitive_words"}, Pass: true},
	}
	if diff := cmp.Diff(wantLook, rep.LookAlikes); diff != "" {
		t.Errorf("look-alikes mismatch (-want, +got):\n%s", diff)
	}
	var out bytes.Buffer
	rep.Print(&out)
	for _, s := range []string{"S1", "1.00", "overall", "H1  e6", "ALERTED above low", "flagged: " + FlaggedDefinition, "false positive: e7 (leaver) flagged by 1 alert(s) [unregistered_visit]"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("printed report lacks %q:\n%s", s, out.String())
		}
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	xs := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for q, want := range map[float64]float64{0.5: 5, 0.9: 9, 1: 10, 0.01: 1} {
		if got := percentile(xs, q); got != want {
			t.Errorf("percentile(%v) = %v, want %v", q, got, want)
		}
	}
}

func TestComparePatterns(t *testing.T) {
	t.Parallel()
	got := []string{"H2", "S10", "S2", "H1", "S1"}
	slices.SortFunc(got, comparePatterns)
	if diff := cmp.Diff([]string{"S1", "S2", "S10", "H1", "H2"}, got); diff != "" {
		t.Errorf("order mismatch (-want, +got):\n%s", diff)
	}
}
