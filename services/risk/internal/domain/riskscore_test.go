package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

var asOf = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func alert(sev domain.Severity, st domain.Status, outcome domain.Outcome, age time.Duration) domain.Alert {
	return domain.Alert{EmployeeID: "e", Severity: sev, Status: st, Outcome: outcome, UpdatedAt: asOf.Add(-age)}
}

func points(r domain.EmployeeRisk, name string) int {
	for _, ind := range r.Indicators {
		if ind.Name == name {
			return ind.Points
		}
	}
	return -1
}

// TestScoreEmployeeFormula checks each term of the formula on its own.
func TestScoreEmployeeFormula(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	for _, tc := range []struct {
		name      string
		alerts    []domain.Alert
		b         domain.BehaviourIndicators
		indicator string
		want      int
	}{
		{"no history", nil, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 0},
		{"an open high alert", []domain.Alert{alert(domain.SeverityHigh, domain.StatusRaised, 0, 0)}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 30},
		{"a confirmed medium alert counts twice", []domain.Alert{alert(domain.SeverityMedium, domain.StatusConfirmed, 0, 0)}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 30},
		{"a resolved diversion counts twice", []domain.Alert{alert(domain.SeverityLow, domain.StatusResolved, domain.OutcomeDiversionConfirmed, 0)}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 10},
		{"dismissed and cleared alerts count nothing", []domain.Alert{
			alert(domain.SeverityHigh, domain.StatusDismissed, 0, 0),
			alert(domain.SeverityHigh, domain.StatusResolved, domain.OutcomeNoDiversion, 0),
			alert(domain.SeverityHigh, domain.StatusResolved, domain.OutcomeInconclusive, 0),
		}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 0},
		{"halved after 30 days", []domain.Alert{alert(domain.SeverityHigh, domain.StatusAcknowledged, 0, 30*day)}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 15},
		{"quartered after 60 days", []domain.Alert{alert(domain.SeverityHigh, domain.StatusRaised, 0, 61*day)}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 7},
		{"gone after years", []domain.Alert{alert(domain.SeverityHigh, domain.StatusRaised, 0, 10000*day)}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 0},
		{"an alert after as_of does not decay", []domain.Alert{alert(domain.SeverityHigh, domain.StatusRaised, 0, -5*day)}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 30},
		{"alerts capped at their weight", []domain.Alert{
			alert(domain.SeverityHigh, domain.StatusConfirmed, 0, 0), alert(domain.SeverityHigh, domain.StatusConfirmed, 0, 0),
		}, domain.BehaviourIndicators{}, domain.IndicatorAlerts, 60},
		{"reveals at the baseline", nil, domain.BehaviourIndicators{UnassignedReveals: 4, UnassignedRevealsBaseline: 4}, domain.IndicatorUnassignedReveals, 0},
		{"three reveals above the baseline", nil, domain.BehaviourIndicators{UnassignedReveals: 7, UnassignedRevealsBaseline: 4}, domain.IndicatorUnassignedReveals, 6},
		{"reveals capped", nil, domain.BehaviourIndicators{UnassignedReveals: 400}, domain.IndicatorUnassignedReveals, 15},
		{"neglect within grace", nil, domain.BehaviourIndicators{NeglectWorkingDays: 3}, domain.IndicatorNeglectDays, 0},
		{"neglect beyond grace", nil, domain.BehaviourIndicators{NeglectWorkingDays: 6}, domain.IndicatorNeglectDays, 6},
		{"neglect capped", nil, domain.BehaviourIndicators{NeglectWorkingDays: 60}, domain.IndicatorNeglectDays, 15},
		{"one unbacked order", nil, domain.BehaviourIndicators{UnbackedOrders: 1}, domain.IndicatorUnbackedOrders, 5},
		{"unbacked orders capped", nil, domain.BehaviourIndicators{UnbackedOrders: 9}, domain.IndicatorUnbackedOrders, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := points(domain.ScoreEmployee("e", asOf, tc.alerts, tc.b), tc.indicator); got != tc.want {
				t.Errorf("%s points = %d, want %d", tc.indicator, got, tc.want)
			}
		})
	}
}

// TestScoreEmployeeBoundsAndDeterminism: whatever the history, the score
// is the sum of the indicators' points, within 0–100, its level follows
// the bands, and the same input gives the same answer.
func TestScoreEmployeeBoundsAndDeterminism(t *testing.T) {
	t.Parallel()
	sevs := []domain.Severity{domain.SeverityLow, domain.SeverityMedium, domain.SeverityHigh}
	statuses := []domain.Status{domain.StatusRaised, domain.StatusAcknowledged, domain.StatusDismissed, domain.StatusConfirmed, domain.StatusResolved}
	for n := range 40 {
		var alerts []domain.Alert
		for i := range n {
			alerts = append(alerts, alert(sevs[i%3], statuses[(i*7)%5], domain.Outcome(i%4), time.Duration(i*i)*time.Hour))
		}
		b := domain.BehaviourIndicators{
			UnassignedReveals: int64(n * 3), UnassignedRevealsBaseline: int64(n), NeglectWorkingDays: int64(n / 2), UnbackedOrders: int64(n / 10),
		}
		r := domain.ScoreEmployee("e", asOf, alerts, b)
		sum, weights := 0, 0
		for _, ind := range r.Indicators {
			if ind.Points < 0 || ind.Points > ind.Weight {
				t.Errorf("n=%d: %s points %d outside [0, %d]", n, ind.Name, ind.Points, ind.Weight)
			}
			sum += ind.Points
			weights += ind.Weight
		}
		if r.Score != sum || r.Score < 0 || r.Score > 100 || weights != 100 {
			t.Errorf("n=%d: score %d, points sum %d, weights %d", n, r.Score, sum, weights)
		}
		if r.Level != domain.LevelOf(r.Score) {
			t.Errorf("n=%d: level %v for score %d", n, r.Level, r.Score)
		}
		if diff := cmp.Diff(r, domain.ScoreEmployee("e", asOf, alerts, b)); diff != "" {
			t.Errorf("n=%d: a second scoring differs (-first, +second):\n%s", n, diff)
		}
	}
	top := domain.ScoreEmployee("e", asOf,
		[]domain.Alert{alert(domain.SeverityHigh, domain.StatusConfirmed, 0, 0), alert(domain.SeverityHigh, domain.StatusConfirmed, 0, 0)},
		domain.BehaviourIndicators{UnassignedReveals: 100, NeglectWorkingDays: 100, UnbackedOrders: 100})
	if top.Score != 100 || top.Level != domain.RiskLevelHigh {
		t.Errorf("everything at once: score %d level %v, want 100, high", top.Score, top.Level)
	}
	for score, want := range map[int]domain.RiskLevel{0: domain.RiskLevelLow, 39: domain.RiskLevelLow, 40: domain.RiskLevelElevated, 69: domain.RiskLevelElevated, 70: domain.RiskLevelHigh, 100: domain.RiskLevelHigh} {
		if got := domain.LevelOf(score); got != want {
			t.Errorf("LevelOf(%d) = %v, want %v", score, got, want)
		}
	}
}

// TestOwnIndicatorsHideAlertsAndPoints: an employee's own view carries
// values and explanations in both languages, nothing to rebuild a score.
func TestOwnIndicatorsHideAlertsAndPoints(t *testing.T) {
	t.Parallel()
	r := domain.OwnIndicators("e", asOf, domain.BehaviourIndicators{UnassignedReveals: 9, UnassignedRevealsBaseline: 2, RecentDays: 7, BaselineDays: 28})
	if !r.IndicatorsOnly || r.Score != 0 || r.Level != domain.RiskLevelUnspecified || len(r.Indicators) != 3 {
		t.Fatalf("own view %+v", r)
	}
	for _, ind := range r.Indicators {
		if ind.Name == domain.IndicatorAlerts || ind.Points != 0 || ind.Weight != 0 || ind.ExplanationEN == "" || ind.ExplanationZH == "" {
			t.Errorf("own indicator %+v", ind)
		}
	}
	if got := r.Indicators[0]; got.Value != 9 || got.Baseline != 2 ||
		got.ExplanationEN != fmt.Sprintf("9 reveals of customers they do not hold in the 7 days to %s, against their own baseline of 2 (from the 28 days before)", asOf.Format(time.DateOnly)) {
		t.Errorf("reveal indicator %+v", got)
	}
}

// TestMeasureBacktest: precision and recall by window overlap per employee.
func TestMeasureBacktest(t *testing.T) {
	t.Parallel()
	at := func(emp string, startH, endH int, st domain.Status, o domain.Outcome) domain.Alert {
		return domain.Alert{
			EmployeeID: emp, Status: st, Outcome: o,
			WindowStart: asOf.Add(time.Duration(startH) * time.Hour), WindowEnd: asOf.Add(time.Duration(endH) * time.Hour),
		}
	}
	labelled := []domain.Alert{
		at("a", 0, 10, domain.StatusConfirmed, 0),                               // positive
		at("b", 0, 10, domain.StatusDismissed, 0),                               // negative
		at("c", 0, 10, domain.StatusResolved, domain.OutcomeDiversionConfirmed), // positive
		at("d", 0, 10, domain.StatusResolved, domain.OutcomeNoDiversion),        // negative
		at("e", 0, 10, domain.StatusRaised, 0),                                  // unlabelled
		at("f", 0, 10, domain.StatusResolved, domain.OutcomeInconclusive),       // unlabelled
	}
	for _, tc := range []struct {
		name  string
		draft []domain.Alert
		want  domain.BacktestQuality
	}{
		{"nothing raised", nil, domain.BacktestQuality{Positives: 2, Negatives: 2}},
		{"everything", []domain.Alert{
			at("a", 5, 6, 0, 0), at("b", 5, 6, 0, 0), at("c", 9, 20, 0, 0), at("d", -5, 1, 0, 0), at("e", 0, 1, 0, 0), at("g", 0, 1, 0, 0),
		}, domain.BacktestQuality{Positives: 2, Negatives: 2, TruePositives: 2, FalsePositives: 2, Unlabelled: 2, PositivesCaught: 2, PrecisionPermille: 500, RecallPermille: 1000}},
		{
			"windows that only touch do not overlap",
			[]domain.Alert{at("a", 10, 11, 0, 0), at("c", -3, 0, 0, 0)},
			domain.BacktestQuality{Positives: 2, Negatives: 2, Unlabelled: 2},
		},
		{
			"another employee's window is no match",
			[]domain.Alert{at("z", 0, 10, 0, 0)},
			domain.BacktestQuality{Positives: 2, Negatives: 2, Unlabelled: 1},
		},
		{
			"two draft alerts on one positive",
			[]domain.Alert{at("a", 0, 1, 0, 0), at("a", 2, 3, 0, 0)},
			domain.BacktestQuality{Positives: 2, Negatives: 2, TruePositives: 2, PositivesCaught: 1, PrecisionPermille: 1000, RecallPermille: 500},
		},
	} {
		if diff := cmp.Diff(tc.want, domain.MeasureBacktest(tc.draft, labelled)); diff != "" {
			t.Errorf("%s: mismatch (-want, +got):\n%s", tc.name, diff)
		}
	}
}

// TestWithTeamMedians: behaviour indicators carry the team's median (the
// lower middle of an even count), alerts never do, and a team of two
// gives none.
func TestWithTeamMedians(t *testing.T) {
	t.Parallel()
	team := func(reveals ...int64) []domain.BehaviourIndicators {
		var out []domain.BehaviourIndicators
		for _, n := range reveals {
			out = append(out, domain.BehaviourIndicators{UnassignedReveals: n, NeglectWorkingDays: 2})
		}
		return out
	}
	r := domain.ScoreEmployee("e", asOf, []domain.Alert{alert(domain.SeverityHigh, domain.StatusRaised, 0, 0)}, domain.BehaviourIndicators{UnassignedReveals: 9})
	got := domain.WithTeamMedians(r, team(1, 5, 3, 9))
	medians := map[string][2]int64{}
	for _, ind := range got.Indicators {
		medians[ind.Name] = [2]int64{ind.TeamMedian, int64(ind.TeamSize)}
	}
	want := map[string][2]int64{
		domain.IndicatorAlerts:            {0, 0},
		domain.IndicatorUnassignedReveals: {3, 4},
		domain.IndicatorNeglectDays:       {2, 4},
		domain.IndicatorUnbackedOrders:    {0, 4},
	}
	if diff := cmp.Diff(want, medians); diff != "" {
		t.Errorf("medians mismatch (-want, +got):\n%s", diff)
	}
	if r.Indicators[1].TeamSize != 0 {
		t.Error("WithTeamMedians changed its argument")
	}
	if diff := cmp.Diff(r, domain.WithTeamMedians(r, team(1, 9))); diff != "" {
		t.Errorf("a team of two gave medians (-want, +got):\n%s", diff)
	}
}
