package rules_test

import (
	"errors"
	"testing"

	"github.com/holdfast/holdfast/pkg/domainerr"
	"github.com/holdfast/holdfast/services/risk/internal/rules"
)

// FuzzCompile: any trigger, severity expression or template either
// compiles or is a *ValidationError naming its field; never a panic or any
// other error. What compiles also evaluates without panicking.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`event.type == "reveal" && features.reveals_24h > params.max_customers`,
		`alert.hits >= params.max_customers ? "high" : "low"`,
		`event.x[`, `1 +`, `"\u`, `has(event.a) || size(event.phrases) > 2`,
		`[1,2,3].all(x, x > 0)`, `{{.employee}}`, `{{range .alert.phrases}}{{.}}{{end}}`,
		`{{template "x"}}`, `a.b.c.d.e.f`, "event.text.matches('(a+)+$')",
	} {
		f.Add(s, s, s)
	}
	c := compiler(f)
	f.Fuzz(func(t *testing.T, trigger, severity, template string) {
		r := validRule()
		r.Definition.Trigger, r.Definition.SeverityExpr, r.Definition.ExplanationEN = trigger, severity, template
		p, err := c.Compile(r)
		if err != nil {
			var ve *domainerr.ValidationError
			if !errors.As(err, &ve) || len(ve.Violations) == 0 {
				t.Fatalf("compile error %v is not a validation error", err)
			}
			return
		}
		in := rules.Input{
			Event:    map[string]any{"type": "export_requested", "customer_count": int64(3), "phrases": []string{"a"}},
			Features: map[string]any{"reveals_24h": int64(1)},
			Alert:    map[string]any{"count": int64(1), "hits": int64(0), "phrases": []string{}},
		}
		_, _ = p.Triggered(in)
		_, _ = p.Severity(in)
		_, _ = p.Explain(map[string]any{"employee": "e1", "event": in.Event, "alert": in.Alert, "params": p.Params()})
	})
}
