package rules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/services/risk/internal/domain"
	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

func compiler(t testing.TB) *rules.Compiler {
	t.Helper()
	c, err := rules.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// validRule is a small rule that compiles.
func validRule() domain.Rule {
	return domain.Rule{Version: 2, Definition: domain.RuleDefinition{
		ID: "big_export", DescriptionEN: "big export", DescriptionZH: "大量导出", Severity: domain.SeverityMedium,
		Trigger:       `event.type == "export_requested" && event.customer_count > params.max_customers`,
		SeverityExpr:  `event.customer_count > 10 * params.max_customers ? "high" : "medium"`,
		Params:        []domain.Param{{Name: "max_customers", Kind: domain.ParamInt, Int: 50}},
		Window:        24 * time.Hour,
		ExplanationEN: "{{.employee}} asked for {{.event.customer_count}} customers; more than {{.params.max_customers}} is unusual.",
		ExplanationZH: "{{.employee}} 申请导出 {{.event.customer_count}} 个客户，超过 {{.params.max_customers}} 即属异常。",
	}}
}

func violations(t *testing.T, err error) []domainerr.FieldViolation {
	t.Helper()
	var ve *domainerr.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	return ve.Violations
}

func TestCompileAndEvaluate(t *testing.T) {
	t.Parallel()
	p, err := compiler(t).Compile(validRule())
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	in := func(n int64) rules.Input {
		return rules.Input{
			Event:    map[string]any{"type": "export_requested", "customer_count": n},
			Features: map[string]any{}, Alert: map[string]any{"count": int64(1)},
		}
	}
	tests := []struct {
		count   int64
		fired   bool
		sev     domain.Severity
		wantsEN string
	}{
		{50, false, domain.SeverityMedium, "asked for 50 customers"},
		{51, true, domain.SeverityMedium, "more than 50 is unusual"},
		{501, true, domain.SeverityHigh, "asked for 501 customers"},
	}
	for _, tt := range tests {
		fired, err := p.Triggered(in(tt.count))
		if err != nil || fired != tt.fired {
			t.Errorf("count %d: triggered %v, %v; want %v", tt.count, fired, err, tt.fired)
		}
		sev, err := p.Severity(in(tt.count))
		if err != nil || sev != tt.sev {
			t.Errorf("count %d: severity %v, %v; want %v", tt.count, sev, err, tt.sev)
		}
		en, zh := p.Explain(map[string]any{"employee": "e1", "event": in(tt.count).Event, "params": p.Params()})
		if !strings.Contains(en, tt.wantsEN) || !strings.Contains(zh, "e1 申请导出") {
			t.Errorf("count %d: explanations %q / %q", tt.count, en, zh)
		}
	}
	// A fact the event lacks is an evaluation error, never a panic.
	if _, err := p.Triggered(rules.Input{Event: map[string]any{"type": "export_requested"}}); !errors.Is(err, rules.ErrEvaluation) {
		t.Errorf("missing fact: err = %v, want ErrEvaluation", err)
	}
}

func TestCompileNamesThePosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(d *domain.RuleDefinition)
		want   []domainerr.FieldViolation
		prefix bool // only the description's prefix is compared
	}{
		{
			name: "syntax error on line 2",
			edit: func(d *domain.RuleDefinition) { d.Trigger = "event.type == \"x\" &&\n  event.customer_count >" },
			want: []domainerr.FieldViolation{{Field: "definition.trigger", Description: "line 2, column 25: "}}, prefix: true,
		},
		{
			name: "trigger not bool",
			edit: func(d *domain.RuleDefinition) { d.Trigger = `event.customer_count + 1` },
			want: []domainerr.FieldViolation{{Field: "definition.trigger", Description: "line 1, column 1: evaluates to int, want bool"}},
		},
		{
			name: "undeclared parameter",
			edit: func(d *domain.RuleDefinition) { d.SeverityExpr = `params.max_customer > 1 ? "high" : "low"` },
			want: []domainerr.FieldViolation{{Field: "definition.severity_expression", Description: "line 1, column 8: params.max_customer is not a declared parameter"}},
		},
		{
			name: "undeclared variable",
			edit: func(d *domain.RuleDefinition) { d.Trigger = `evnt.type == "x"` },
			want: []domainerr.FieldViolation{{Field: "definition.trigger", Description: "line 1, column 1: undeclared reference to 'evnt'"}}, prefix: true,
		},
		{
			name: "bad template and bad window",
			edit: func(d *domain.RuleDefinition) {
				d.ExplanationZH = "{{.employee"
				d.Window = time.Second
			},
			want: []domainerr.FieldViolation{{Field: "definition.window", Description: "required, between 1m0s and 366 days"}},
		},
		{
			name: "range could loop a parameter's count of times",
			edit: func(d *domain.RuleDefinition) { d.ExplanationEN = "ok\n {{range .params.max_customers}}x{{end}}" },
			want: []domainerr.FieldViolation{{Field: "definition.explanation_en", Description: "line 2, column 9: {{range}} is not allowed"}},
		},
		{
			name: "template recursion",
			edit: func(d *domain.RuleDefinition) {
				d.ExplanationEN = `{{define "x"}}{{template "x"}}{{end}}{{template "x"}}`
			},
			want: []domainerr.FieldViolation{{Field: "definition.explanation_en", Description: "line 1: {{define}} and {{block}} are not allowed"}},
		},
		{
			name: "template only",
			edit: func(d *domain.RuleDefinition) { d.ExplanationZH = "ok\n{{.employee" },
			want: []domainerr.FieldViolation{{Field: "definition.explanation_zh", Description: "line 2: "}}, prefix: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := validRule()
			tt.edit(&r.Definition)
			_, err := compiler(t).Compile(r)
			got := violations(t, err)
			if tt.prefix {
				for i := range got {
					if i < len(tt.want) && strings.HasPrefix(got[i].Description, tt.want[i].Description) {
						got[i].Description = tt.want[i].Description
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("violations mismatch (-want, +got):\n%s", diff)
			}
		})
	}
}

// TestBuiltinPackCompiles guards the embedded pack: every rule compiles,
// is at its version (1 unless changed since) and enabled, and the pack
// holds the rules the scenarios name.
func TestBuiltinPackCompiles(t *testing.T) {
	t.Parallel()
	pack, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range pack.Rules {
		ids = append(ids, r.Definition.ID)
		if _, err := compiler(t).Compile(r); err != nil {
			t.Errorf("built-in %s: %v", r.Definition.ID, err)
		}
		// conversion_drop is at 2: pack 4 made it compare the rate's
		// upper bound.
		want := map[string]uint32{"conversion_drop": 2}[r.Definition.ID]
		if want == 0 {
			want = 1
		}
		if r.Version != want || !r.Enabled || !r.Builtin {
			t.Errorf("built-in %s: version %d enabled %v builtin %v, want version %d", r.Definition.ID, r.Version, r.Enabled, r.Builtin, want)
		}
	}
	if diff := cmp.Diff([]string{
		"assigned_neglect", "bulk_export", "conversion_drop", "customer_churn_cluster", "departing_exfiltration",
		"duplicate_customer", "impossible_travel", "late_registration", "personal_collection", "reveal_spike",
		"sensitive_words", "source_contradiction", "unbacked_order", "unregistered_visit",
	}, ids); diff != "" {
		t.Errorf("pack rules mismatch (-want, +got):\n%s", diff)
	}
	if pack.Version != 4 {
		t.Errorf("pack version %d, want 4", pack.Version)
	}
}

// Comprehensions over the fact maps see their keys in sorted order, every
// time: a Go map's random order would make replays decide differently.
func TestMapIterationIsSorted(t *testing.T) {
	t.Parallel()
	r := validRule()
	r.Definition.Trigger = `event.map(k, k) == ["a", "b", "c", "customer_count", "type", "z"] && event.exists(k, k == "z") && size(event) == 6`
	p, err := compiler(t).Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	event := map[string]any{"type": "x", "z": true, "a": int64(1), "c": "c", "b": []string{}, "customer_count": int64(3)}
	for range 50 {
		fired, err := p.Triggered(rules.Input{Event: event})
		if err != nil || !fired {
			t.Fatalf("triggered = %v, %v; want keys in sorted order", fired, err)
		}
	}
}

// A comprehension in the severity expression alone, or over features,
// alert or params, sees sorted keys too: a program that iterates anywhere
// gets every map in key order.
func TestMapIterationIsSortedInEveryVariable(t *testing.T) {
	t.Parallel()
	keys := map[string]any{"z": int64(1), "a": int64(2), "m": int64(3), "b": int64(4), "y": int64(5)}
	cases := map[string]struct{ trigger, severity string }{
		"severity only": {`event.type == "x"`, `event.map(k, k) == ["a", "b", "m", "type", "y", "z"] ? "high" : "low"`},
		"features":      {`features.map(k, k) == ["a", "b", "m", "y", "z"]`, ``},
		"alert":         {`alert.map(k, k) == ["a", "b", "m", "y", "z"]`, ``},
		"params":        {`dyn(params).map(k, k) == ["max_customers"] && event.type == "x"`, ``},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := validRule()
			r.Definition.Trigger, r.Definition.SeverityExpr = c.trigger, c.severity
			p, err := compiler(t).Compile(r)
			if err != nil {
				t.Fatal(err)
			}
			event := map[string]any{"type": "x"}
			for k, v := range keys {
				event[k] = v
			}
			for range 50 {
				in := rules.Input{Event: event, Lazy: lazyFuncs{features: func() map[string]any { return keys }}, Alert: keys}
				fired, err := p.Triggered(in)
				if err != nil || !fired {
					t.Fatalf("triggered = %v, %v; want keys in sorted order", fired, err)
				}
				if c.severity == "" {
					continue
				}
				if sev, err := p.Severity(in); err != nil || sev != domain.SeverityHigh {
					t.Fatalf("severity = %v, %v; want high (keys in sorted order)", sev, err)
				}
			}
		})
	}
}

// ExplainReads names what a rule's explanations read, so the engine can
// leave out what they do not; a template it cannot read through says it
// may read anything.
func TestExplainReadsWhatTheTemplatesName(t *testing.T) {
	t.Parallel()
	c := compiler(t)
	for _, tc := range []struct {
		name, en, zh string
		reads        []string
		notReads     []string
	}{
		{"fields", "{{.employee}} {{.event.customer_count}}", "{{.params.max_customers}}", []string{"employee", "event", "params"}, []string{"features", "alert"}},
		{"conditions", "{{if gt .features.x .params.max_customers}}{{else if .alert.count}}{{end}}", "-", []string{"features", "params", "alert"}, []string{"event"}},
		{"nested branch", "{{if .employee}}{{if not .severity}}{{.alert.count}}{{end}}{{end}}", "x", []string{"employee", "severity", "alert"}, []string{"features", "event"}},
		{"zh alone", "plain", "{{.features.y}}", []string{"features"}, []string{"event", "alert"}},
		{"with", "{{with .features}}{{.x}}{{end}}", "x", []string{"event", "features", "alert"}, nil},
		{"a function", `{{printf "%v" .employee}}`, "x", []string{"event", "features", "alert"}, nil},
		{"dot", "{{.}}", "x", []string{"event", "features", "alert"}, nil},
	} {
		r := validRule()
		r.Definition.ExplanationEN, r.Definition.ExplanationZH = tc.en, tc.zh
		p, err := c.Compile(r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, v := range tc.reads {
			if !p.ExplainReads(v) {
				t.Errorf("%s: ExplainReads(%q) = false, want true", tc.name, v)
			}
		}
		for _, v := range tc.notReads {
			if p.ExplainReads(v) {
				t.Errorf("%s: ExplainReads(%q) = true, want false", tc.name, v)
			}
		}
	}
}
