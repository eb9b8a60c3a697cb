package sim

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PatternRules are the alert rules that count as catching each pattern
// (SCENARIOS.md's "default alert" column).
var PatternRules = map[string][]string{
	"S1": {"sensitive_words"}, "S2": {"assigned_neglect"}, "S3": {"departing_exfiltration"},
	"S4": {"bulk_export", "reveal_spike"}, "S5": {"unregistered_visit", "impossible_travel"},
	"S6": {"unbacked_order", "personal_collection"}, "S7": {"source_contradiction"},
	"S8": {"late_registration", "duplicate_customer"}, "S9": {"conversion_drop"}, "S10": {"customer_churn_cluster"},
}

// Severity levels as the report compares them (riskv1.Severity's numbers).
const (
	SeverityLow    = 1
	SeverityMedium = 2
	SeverityHigh   = 3
)

// FlaggedDefinition is the report's one definition of an alert that counts,
// printed in its header and written into its JSON.
const FlaggedDefinition = "an employee is flagged by an alert above low severity (medium or high); " +
	"low alerts are listed but neither detect a pattern nor count against precision"

// Flagged reports whether a counts in the report (FlaggedDefinition): a
// low alert is what the engine raises for what it judges probably honest
// (a quoted complaint, H6; a payer not on file whose money reached the
// company), so it is information for HR, not an accusation.
func Flagged(a Alert) bool { return a.Severity > SeverityLow }

// Alert is what the report needs of an alert read back from RiskService.
type Alert struct {
	ID       string    `json:"id"`
	Employee string    `json:"employee"`
	Rule     string    `json:"rule"`
	Severity int       `json:"severity"`
	RaisedAt time.Time `json:"raised_at"` // event time of the act that raised it
	Text     string    `json:"explanation,omitempty"`
	TextZh   string    `json:"explanation_zh,omitempty"`
}

// Score is recall, precision and delay for one pattern or overall, all
// over flagged employees (FlaggedDefinition).
type Score struct {
	Pattern  string `json:"pattern"`
	Labelled int    `json:"labelled"`
	Detected int    `json:"detected"` // labelled employees flagged by the pattern's rules after its first act
	Alerted  int    `json:"alerted"`  // employees flagged by the pattern's rules
	// LowOnly counts employees with alerts from the pattern's rules, all
	// of them low: shown, not scored.
	LowOnly   int      `json:"alerted_low_only"`
	Recall    float64  `json:"recall"`
	Precision float64  `json:"precision"`
	F1        float64  `json:"f1"`
	MedianH   *float64 `json:"median_delay_hours"` // nil when nothing was detected
	P90H      *float64 `json:"p90_delay_hours"`
}

// LookAlike is how one H-pattern employee fared: it passes when no alert
// above low severity was raised for them after the look-alike began.
type LookAlike struct {
	Pattern  string   `json:"pattern"`
	Employee string   `json:"employee"`
	AboveLow int      `json:"alerts_above_low"`
	LowOnly  int      `json:"alerts_low"`
	Rules    []string `json:"rules,omitempty"`
	Pass     bool     `json:"pass"`
}

// HonestFlag is an employee carrying no diversion pattern who was flagged
// anyway: a false positive, named so it can be looked into.
type HonestFlag struct {
	Employee string `json:"employee"`
	// Role is what the employee did in the run besides ordinary work:
	// a look-alike pattern (H1…H6), "leaver", "hire", or "".
	Role   string   `json:"role,omitempty"`
	Alerts int      `json:"alerts"`
	Rules  []string `json:"rules"`
}

// Report is the detection report of one run.
type Report struct {
	// Flagged states what every count below means by flagged.
	Flagged    string      `json:"flagged_definition"`
	Tenant     string      `json:"tenant"`
	Seed       uint64      `json:"seed"`
	Days       int         `json:"days"` // the whole simulated span, warm-up included
	Warmup     int         `json:"warmup_days"`
	Employees  int         `json:"employees"`
	PlanHash   string      `json:"plan_hash"`
	Alerts     int         `json:"alerts"`
	Patterns   []Score     `json:"patterns"`
	Overall    Score       `json:"overall"`
	LookAlikes []LookAlike `json:"look_alikes"`
	// HonestAlertsPerEmployeeMonth is alerts of any severity on
	// employees carrying no S pattern, per such employee per 30 simulated
	// days; HonestFlaggedPerEmployeeMonth counts only the alerts above low.
	HonestAlertsPerEmployeeMonth  float64 `json:"honest_alerts_per_employee_month"`
	HonestFlaggedPerEmployeeMonth float64 `json:"honest_flagged_alerts_per_employee_month"`
	// Leavers and Hires are the plan's background churn (Plan's fields).
	Leavers []string `json:"leavers,omitempty"`
	Hires   []string `json:"hires,omitempty"`
	// HonestFlagged are the false positives, by employee.
	HonestFlagged []HonestFlag `json:"honest_flagged"`
	Run           RunResult    `json:"run"`
	// Truth is the ground truth scored against, so a reader can check any
	// number in the report against the alerts themselves.
	Truth []Label `json:"truth"`
}

// Evaluate computes the report of plan from the alerts read back. It is pure:
// the numbers come only from the ground truth and the alerts given.
func Evaluate(plan *Plan, alerts []Alert) Report {
	rep := Report{
		Flagged: FlaggedDefinition, Tenant: plan.Tenant, Days: int(plan.End.Sub(plan.Start).Hours() / 24), Warmup: plan.Warmup, Employees: len(plan.Employees), PlanHash: plan.Hash(), Alerts: len(alerts), Truth: plan.Truth,
		Leavers: plan.Leavers, Hires: plan.Hires,
	}
	byEmployee := map[string][]Alert{}
	for _, a := range alerts {
		byEmployee[a.Employee] = append(byEmployee[a.Employee], a)
	}
	diverting := map[string]bool{}
	var allDelays []float64
	overallDetected := map[string]bool{}
	var patterns []string
	for p := range PatternRules {
		patterns = append(patterns, p)
	}
	slices.SortFunc(patterns, comparePatterns)
	for _, p := range patterns {
		rules := PatternRules[p]
		s := Score{Pattern: p}
		alerted, lowOnly := map[string]bool{}, map[string]bool{}
		for _, a := range alerts {
			if !slices.Contains(rules, a.Rule) {
				continue
			}
			if Flagged(a) {
				alerted[a.Employee] = true
			} else {
				lowOnly[a.Employee] = true
			}
		}
		for e := range alerted {
			delete(lowOnly, e)
		}
		var delays []float64
		tp := 0
		for _, l := range plan.Truth {
			if l.Pattern != p {
				continue
			}
			s.Labelled++
			diverting[l.Employee] = true
			first, ok := firstAlertAfter(byEmployee[l.Employee], rules, l.First)
			if !ok {
				continue
			}
			s.Detected++
			overallDetected[l.Employee] = true
			delays = append(delays, first.Sub(l.First).Hours())
		}
		for e := range alerted {
			if labelledWith(plan.Truth, e, p) {
				tp++
			}
		}
		s.Alerted, s.LowOnly = len(alerted), len(lowOnly)
		fill(&s, s.Detected, s.Labelled, tp, s.Alerted, delays)
		allDelays = append(allDelays, delays...)
		if s.Labelled > 0 || s.Alerted > 0 || s.LowOnly > 0 {
			rep.Patterns = append(rep.Patterns, s)
		}
	}
	// Overall: an employee is flagged by any rule's alert above low.
	flagged := map[string]bool{}
	for _, a := range alerts {
		if Flagged(a) {
			flagged[a.Employee] = true
		}
	}
	tp := 0
	for e := range flagged {
		if diverting[e] {
			tp++
		}
	}
	rep.Overall = Score{Pattern: "overall", Labelled: len(diverting), Detected: len(overallDetected), Alerted: len(flagged)}
	fill(&rep.Overall, len(overallDetected), len(diverting), tp, len(flagged), allDelays)

	honest, honestAlerts, honestFlagged := 0, 0, 0
	for _, e := range plan.Employees {
		if !diverting[e] {
			honest++
			honestAlerts += len(byEmployee[e])
		}
	}
	// False positives: anyone flagged who carries no S pattern, managers
	// (H2) included.
	for _, e := range slices.Sorted(maps.Keys(flagged)) {
		if diverting[e] {
			continue
		}
		f := HonestFlag{Employee: e, Role: roleIn(plan, e)}
		for _, a := range byEmployee[e] {
			if !Flagged(a) {
				continue
			}
			f.Alerts++
			if !slices.Contains(f.Rules, a.Rule) {
				f.Rules = append(f.Rules, a.Rule)
			}
		}
		slices.Sort(f.Rules)
		if slices.Contains(plan.Employees, e) {
			honestFlagged += f.Alerts
		}
		rep.HonestFlagged = append(rep.HonestFlagged, f)
	}
	if honest > 0 && rep.Days > 0 {
		months := float64(rep.Days) / 30
		rep.HonestAlertsPerEmployeeMonth = float64(honestAlerts) / float64(honest) / months
		rep.HonestFlaggedPerEmployeeMonth = float64(honestFlagged) / float64(honest) / months
	}
	for _, l := range plan.Truth {
		if !strings.HasPrefix(l.Pattern, "H") {
			continue
		}
		la := LookAlike{Pattern: l.Pattern, Employee: l.Employee}
		for _, a := range byEmployee[l.Employee] {
			if a.RaisedAt.Before(l.First) {
				continue
			}
			if Flagged(a) {
				la.AboveLow++
			} else {
				la.LowOnly++
			}
			if !slices.Contains(la.Rules, a.Rule) {
				la.Rules = append(la.Rules, a.Rule)
			}
		}
		slices.Sort(la.Rules)
		la.Pass = la.AboveLow == 0
		rep.LookAlikes = append(rep.LookAlikes, la)
	}
	slices.SortFunc(rep.LookAlikes, func(a, b LookAlike) int { return comparePatterns(a.Pattern, b.Pattern) })
	return rep
}

// comparePatterns orders S1 < S2 < … < S10 < H1 < … < H6.
func comparePatterns(a, b string) int {
	if a[0] != b[0] {
		// S before H.
		return -strings.Compare(a[:1], b[:1])
	}
	na, _ := strconv.Atoi(a[1:])
	nb, _ := strconv.Atoi(b[1:])
	return na - nb
}

func labelledWith(truth []Label, employee, pattern string) bool {
	return slices.ContainsFunc(truth, func(l Label) bool { return l.Employee == employee && l.Pattern == pattern })
}

// roleIn is what e did in plan besides ordinary work (HonestFlag.Role).
func roleIn(plan *Plan, e string) string {
	for _, l := range plan.Truth {
		if l.Employee == e {
			return l.Pattern
		}
	}
	switch {
	case slices.Contains(plan.Leavers, e):
		return "leaver"
	case slices.Contains(plan.Hires, e):
		return "hire"
	}
	return ""
}

// firstAlertAfter is when the first flagged alert from rules was raised at
// or after from; alerts before the first diverting act are not detections
// of it, nor are low ones.
func firstAlertAfter(alerts []Alert, rules []string, from time.Time) (time.Time, bool) {
	var first time.Time
	for _, a := range alerts {
		if Flagged(a) && slices.Contains(rules, a.Rule) && !a.RaisedAt.Before(from) && (first.IsZero() || a.RaisedAt.Before(first)) {
			first = a.RaisedAt
		}
	}
	return first, !first.IsZero()
}

func fill(s *Score, detected, labelled, tp, alerted int, delays []float64) {
	if labelled > 0 {
		s.Recall = float64(detected) / float64(labelled)
	}
	if alerted > 0 {
		s.Precision = float64(tp) / float64(alerted)
	}
	if s.Recall+s.Precision > 0 {
		s.F1 = 2 * s.Recall * s.Precision / (s.Recall + s.Precision)
	}
	if len(delays) > 0 {
		m, p := percentile(delays, 0.5), percentile(delays, 0.9)
		s.MedianH, s.P90H = &m, &p
	}
}

// percentile is the nearest-rank percentile of xs (q in (0,1]).
func percentile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Print writes the report as a table.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "detection report: tenant %s, %d employees, %d simulated days (%d of them honest warm-up), %d alerts, plan %s\n",
		r.Tenant, r.Employees, r.Days, r.Warmup, r.Alerts, r.PlanHash[:12])
	fmt.Fprintf(w, "flagged: %s.\n", r.Flagged)
	fmt.Fprintf(w, "recall = labelled employees flagged by the pattern's rules after its first act / labelled; precision = of the employees those rules flagged, the ones labelled with it;\n"+
		"delay = simulated hours from the first diverting act to the first flagging alert; \"low only\" = employees with only low alerts from those rules.\n")
	fmt.Fprintf(w, "%-8s %8s %8s %8s %8s %7s %9s %6s %12s %9s\n", "pattern", "labelled", "detected", "flagged", "low only", "recall", "precision", "F1", "median delay", "p90 delay")
	row := func(s Score) {
		fmt.Fprintf(w, "%-8s %8d %8d %8d %8d %7.2f %9.2f %6.2f %12s %9s\n", s.Pattern, s.Labelled, s.Detected, s.Alerted, s.LowOnly, s.Recall, s.Precision, s.F1, hours(s.MedianH), hours(s.P90H))
	}
	for _, s := range r.Patterns {
		row(s)
	}
	row(r.Overall)
	fmt.Fprintf(w, "alerts per honest employee per simulated month: %.2f of any severity, %.2f flagged\n", r.HonestAlertsPerEmployeeMonth, r.HonestFlaggedPerEmployeeMonth)
	for _, f := range r.HonestFlagged {
		role := f.Role
		if role == "" {
			role = "ordinary work"
		}
		fmt.Fprintf(w, "false positive: %s (%s) flagged by %d alert(s) %v\n", f.Employee, role, f.Alerts, f.Rules)
	}
	for _, la := range r.LookAlikes {
		verdict := "ok"
		if !la.Pass {
			verdict = "ALERTED above low"
		}
		fmt.Fprintf(w, "look-alike %-3s %-6s %s (above low %d, low %d %v)\n", la.Pattern, la.Employee, verdict, la.AboveLow, la.LowOnly, la.Rules)
	}
	fmt.Fprintf(w, "run: %d acts in %s, %d clock advances, failed %v\n", r.Run.Acts, r.Run.Elapsed.Round(time.Millisecond), r.Run.Ticks, r.Run.Failed)
	k := r.Run.ByKind
	fmt.Fprintf(w, "background churn: %d customers reassigned, %d released to the pool, %d claimed, %d assigned from it; %d departures %v, mid-span hires %v\n",
		k[KindReassign], k[KindRelease], k[KindClaim], k[KindAssign], k[KindDepart], r.Leavers, r.Hires)
	for _, e := range r.Run.Errors {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

func hours(h *float64) string {
	if h == nil {
		return "-"
	}
	return fmt.Sprintf("%.1fh", *h)
}
