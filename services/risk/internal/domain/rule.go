package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/holdfast/holdfast/pkg/domainerr"
)

// ParamKind is the type of a rule parameter's value.
type ParamKind int

// Parameter kinds.
const (
	ParamInt ParamKind = iota + 1
	ParamString
	ParamBool
)

// Param is one named rule parameter and its default value. Exactly one of
// Int, String, Bool is meaningful, chosen by Kind.
type Param struct {
	Name        string
	Kind        ParamKind
	Int         int64
	String      string
	Bool        bool
	Description string
}

// Value is the parameter's value as a CEL program and a template see it.
func (p Param) Value() any {
	switch p.Kind {
	case ParamString:
		return p.String
	case ParamBool:
		return p.Bool
	}
	return p.Int
}

// RuleDefinition is what an admin writes: the rule's CEL programs, its
// parameters, its window and its explanation templates.
type RuleDefinition struct {
	ID            string
	DescriptionEN string
	DescriptionZH string
	// Severity applies when SeverityExpr is empty.
	Severity Severity
	// Trigger is a CEL bool expression over event, features, params, alert.
	Trigger string
	// SeverityExpr is a CEL expression giving "low", "medium" or "high".
	SeverityExpr string
	Params       []Param
	// Window is how long an alert collects further triggers after its first.
	Window        time.Duration
	ExplanationEN string
	ExplanationZH string
	// OpeningEvidence names a windowed feature whose events become a new
	// alert's evidence; empty means the triggering event alone.
	OpeningEvidence string
}

// Rule is a rule as it stands for a tenant.
type Rule struct {
	Definition RuleDefinition
	// Version: the built-in pack's definitions are 1; each upsert adds one.
	Version uint32
	Enabled bool
	// Builtin: the tenant runs the built-in pack's definition.
	Builtin   bool
	UpdatedBy string
	UpdatedAt time.Time
	// Outcomes is what HR made of the rule's alerts.
	Outcomes RuleOutcomes
}

// RuleOutcomes measures a rule's effectiveness: confirmed ÷ actioned,
// where actioned is every alert HR has touched (acknowledged, dismissed or
// confirmed). Each alert counts once, by the status it has now.
type RuleOutcomes struct {
	// Raised counts every alert of the rule.
	Raised int
	// Open alerts are raised or acknowledged.
	Open, Acknowledged, Dismissed, Confirmed int
}

// OutcomesOf tallies a rule's alert counts by status.
func OutcomesOf(byStatus map[Status]int) RuleOutcomes {
	o := RuleOutcomes{
		Open:         byStatus[StatusRaised] + byStatus[StatusAcknowledged],
		Acknowledged: byStatus[StatusAcknowledged],
		Dismissed:    byStatus[StatusDismissed],
		Confirmed:    byStatus[StatusConfirmed] + byStatus[StatusResolved],
	}
	for _, n := range byStatus {
		o.Raised += n
	}
	return o
}

// Actioned is how many of the rule's alerts HR has acted on.
func (o RuleOutcomes) Actioned() int { return o.Acknowledged + o.Dismissed + o.Confirmed }

// ConfirmedPermille is confirmed × 1000 ÷ actioned, 0 while nothing was
// actioned. Integer permille keeps the figure exact across transports.
func (o RuleOutcomes) ConfirmedPermille() int {
	if o.Actioned() == 0 {
		return 0
	}
	return o.Confirmed * 1000 / o.Actioned()
}

// OpeningEvidenceReveals24h opens an alert with the employee's reveals of
// the last 24 hours.
const OpeningEvidenceReveals24h = "reveals_24h"

// Limits on a rule definition: a rule is configuration, not a program
// store, and every limit keeps one RISK event small.
const (
	maxExpressionBytes  = 4096
	maxTemplateBytes    = 4096
	maxDescriptionRunes = 500
	maxParams           = 32
	maxParamStringRunes = 200
	minWindow           = time.Minute
	maxWindow           = 366 * 24 * time.Hour
)

var ruleName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidRuleID reports whether id can name a rule: 1-64 of [a-z0-9_],
// starting with a letter.
func ValidRuleID(id string) bool { return ruleName.MatchString(id) }

// CheckRuleDefinition validates everything in d except the CEL programs
// and templates, which the rules package compiles; field names are those
// of holdfast.risk.v1.UpsertRuleRequest.
func CheckRuleDefinition(d RuleDefinition) error {
	var v domainerr.Violations
	if !ValidRuleID(d.ID) {
		v.Add("definition.rule_id", "required, 1-64 characters of [a-z0-9_] starting with a letter")
	}
	checkText(&v, "definition.description_en", d.DescriptionEN, maxDescriptionRunes, true)
	checkText(&v, "definition.description_zh", d.DescriptionZH, maxDescriptionRunes, true)
	if d.Severity < SeverityLow || d.Severity > SeverityHigh {
		v.Add("definition.severity", "required: low, medium or high")
	}
	if strings.TrimSpace(d.Trigger) == "" {
		v.Add("definition.trigger", "required, a CEL expression of type bool")
	}
	if len(d.Trigger) > maxExpressionBytes {
		v.Add("definition.trigger", "at most %d bytes", maxExpressionBytes)
	}
	if len(d.SeverityExpr) > maxExpressionBytes {
		v.Add("definition.severity_expression", "at most %d bytes", maxExpressionBytes)
	}
	if d.Window < minWindow || d.Window > maxWindow {
		v.Add("definition.window", "required, between %s and 366 days", minWindow)
	}
	checkText(&v, "definition.explanation_en", d.ExplanationEN, maxTemplateBytes, true)
	checkText(&v, "definition.explanation_zh", d.ExplanationZH, maxTemplateBytes, true)
	if d.OpeningEvidence != "" && d.OpeningEvidence != OpeningEvidenceReveals24h {
		v.Add("definition.opening_evidence", "empty or %q", OpeningEvidenceReveals24h)
	}
	if len(d.Params) > maxParams {
		v.Add("definition.parameters", "at most %d", maxParams)
	}
	var seen []string
	for i, p := range d.Params {
		field := fmt.Sprintf("definition.parameters[%d]", i)
		switch {
		case !ruleName.MatchString(p.Name):
			v.Add(field+".name", "required, 1-64 characters of [a-z0-9_] starting with a letter")
		case slices.Contains(seen, p.Name):
			v.Add(field+".name", "%q is declared twice", p.Name)
		}
		seen = append(seen, p.Name)
		if p.Kind < ParamInt || p.Kind > ParamBool {
			v.Add(field, "a value is required: int_value, string_value or bool_value")
		}
		checkText(&v, field+".string_value", p.String, maxParamStringRunes, false)
		checkText(&v, field+".description", p.Description, maxDescriptionRunes, false)
	}
	return v.Err()
}

func checkText(v *domainerr.Violations, field, s string, maxLen int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.Add(field, "required")
	case !utf8.ValidString(s):
		v.Add(field, "not valid UTF-8")
	case utf8.RuneCountInString(s) > maxLen:
		v.Add(field, "at most %d characters", maxLen)
	}
}

// SeverityFromName parses "low", "medium" or "high".
func SeverityFromName(s string) (Severity, bool) {
	switch s {
	case "low":
		return SeverityLow, true
	case "medium":
		return SeverityMedium, true
	case "high":
		return SeverityHigh, true
	}
	return SeverityUnspecified, false
}

// RuleDecision is the outcome of a rule command decided on the rule's
// current state.
type RuleDecision struct {
	// Next is the rule after the change.
	Next Rule
	// Changed is false when the command changes nothing (enabling an
	// enabled rule); nothing is then written.
	Changed bool
}

// DecideUpsert decides an upsert of d on current (the zero Rule when the
// tenant has neither a definition nor a built-in of that id). A rule new to
// the tenant starts disabled, so it can be reviewed before it judges
// anyone; a new definition of an existing rule keeps its enabled state.
func DecideUpsert(current Rule, d RuleDefinition, expectedVersion uint32) (RuleDecision, error) {
	if expectedVersion != 0 && expectedVersion != current.Version {
		return RuleDecision{}, fmt.Errorf("%w: rule %s is at version %d, not %d", ErrPrecondition, d.ID, current.Version, expectedVersion)
	}
	next := Rule{Definition: d, Version: current.Version + 1, Enabled: current.Version > 0 && current.Enabled}
	return RuleDecision{Next: next, Changed: true}, nil
}

// DecideEnabled decides enabling (on) or disabling a rule.
func DecideEnabled(current Rule, on bool) (RuleDecision, error) {
	if current.Version == 0 {
		return RuleDecision{}, fmt.Errorf("%w: no such rule", ErrNotFound)
	}
	next := current
	next.Enabled = on
	return RuleDecision{Next: next, Changed: current.Enabled != on}, nil
}

// ErrPrecondition is the shared precondition sentinel.
var ErrPrecondition = domainerr.ErrPrecondition
