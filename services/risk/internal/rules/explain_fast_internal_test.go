package rules

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"text/template"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// slowRender is text/template's rendering as render does it without a
// fastTemplate, or "error" when it fails.
func slowRender(t *template.Template, data map[string]any) string {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "error"
	}
	return buf.String()
}

// fastPath is a field a fastTemplate reads and, when it is compared,
// the kind ("int" or "string") the comparison needs.
type fastPath struct {
	path []string
	kind string
}

// fastPaths is every field path a fastTemplate reads.
func fastPaths(nodes []fastNode, out []fastPath) []fastPath {
	for _, n := range nodes {
		if n.print != nil {
			out = append(out, fastPath{path: n.print})
		}
		if n.cond != nil {
			kind := "int"
			for _, a := range n.cond.args {
				if _, ok := a.lit.(string); ok {
					kind = "string"
				}
			}
			for _, a := range n.cond.args {
				if a.path != nil && len(n.cond.args) == 2 {
					out = append(out, fastPath{path: a.path, kind: kind})
				} else if a.path != nil {
					out = append(out, fastPath{path: a.path})
				}
			}
			out = fastPaths(n.then, out)
			out = fastPaths(n.other, out)
		}
	}
	return out
}

// randomValue is a value of one of the kinds an explanation's input can
// hold, and of some it never should.
func randomValue(rng *rand.Rand) any {
	n := int64(7)
	switch rng.IntN(16) {
	case 0:
		return nil
	case 1, 2:
		return int64(rng.IntN(5)) - 1
	case 3:
		return int64(rng.Int64())
	case 4:
		return rng.IntN(4)
	case 5, 6:
		return randomString(rng)
	case 7, 8:
		return rng.IntN(2) == 0
	case 9:
		return []float64{0, 0.1, 1e21, -3.5}[rng.IntN(4)]
	case 10:
		return []string{"x", "「y」"}
	case 11:
		return map[string]any{"k": int64(1)}
	case 12:
		return &n
	case 13:
		return uint64(rng.IntN(4))
	case 14:
		return domain.SeverityHigh
	default:
		return []any{int64(1), "a"}
	}
}

func randomString(rng *rand.Rand) string {
	return []string{"", "high", "won", "approved", "cancelled", "export_rejected", "commission_accrued", "甲", "a b", "x", "m"}[rng.IntN(11)]
}

// randomData is input for a template reading paths. Hostile input holds
// values of every kind, keys missing and sometimes a value where a map
// should be; friendly input holds what the template expects (compared
// fields of the compared kind), so the fast path renders it.
func randomData(rng *rand.Rand, paths []fastPath, hostile bool) map[string]any {
	kinds := map[string]string{} // a path printed and compared is compared
	for _, p := range paths {
		if p.kind != "" {
			kinds[strings.Join(p.path, ".")] = p.kind
		}
	}
	data := map[string]any{}
	for _, p := range paths {
		p.kind = kinds[strings.Join(p.path, ".")]
		m := data
		for i, k := range p.path {
			if i == len(p.path)-1 {
				switch {
				case hostile && rng.IntN(6) == 0:
				case hostile:
					m[k] = randomValue(rng)
				case p.kind == "int":
					m[k] = int64(rng.IntN(5)) - 1
				case p.kind == "string":
					m[k] = randomString(rng)
				default:
					m[k] = []any{int64(rng.IntN(3)), randomString(rng), rng.IntN(2) == 0, nil}[rng.IntN(4)]
				}
				break
			}
			next, ok := m[k].(map[string]any)
			if !ok {
				if _, set := m[k]; set || (hostile && rng.IntN(10) == 0) {
					break // a value where a map should be, or a missing map
				}
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
	}
	return data
}

// explanationTemplates is every template of the built-in pack and some
// that exercise what the pack does not.
func explanationTemplates(t *testing.T) map[string]string {
	t.Helper()
	pack, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{
		"compare":  `{{if lt .a .b}}<{{else if eq .a .b}}={{else if le .a 3}}le{{else}}>{{end}}{{if ne .s "x"}}!{{end}}{{if gt .a 2}}g{{end}}{{if ge .t "m"}}ge{{end}}`,
		"truth":    `{{if .a}}a{{end}}{{if not .b}}!b{{end}}{{if .m.c}}c{{else}}-{{end}} {{.m.c}} {{.m.d.e}}`,
		"comments": `x{{/* note */}}y {{- .a -}} z`,
	}
	for _, r := range pack.Rules {
		out[r.Definition.ID+".en"] = r.Definition.ExplanationEN
		out[r.Definition.ID+".zh"] = r.Definition.ExplanationZH
	}
	return out
}

// callsFunc finds an action calling one of templateFuncs, which only
// text/template renders.
var callsFunc = regexp.MustCompile(`\{\{[^}]*\b(join|bracket)\b`)

// TestFastExplanationsMatchTextTemplate: over random inputs, every
// template a fastTemplate renders comes out exactly as text/template
// renders it, and the fast path does render most of them.
func TestFastExplanationsMatchTextTemplate(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 3))
	for name, text := range explanationTemplates(t) {
		tmpl, err := template.New(name).Funcs(templateFuncs).Option("missingkey=zero").Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fast := compileFast(tmpl)
		usesFuncs := callsFunc.MatchString(text)
		if (fast == nil) != usesFuncs {
			t.Errorf("%s: compiled for direct rendering = %v, want %v", name, fast != nil, !usesFuncs)
		}
		if fast == nil {
			continue
		}
		paths := fastPaths(fast.nodes, nil)
		rendered := 0
		for i := range 2000 {
			data := randomData(rng, paths, i%2 == 0)
			got, ok := fast.render(nil, data)
			if !ok {
				continue
			}
			rendered++
			if want := slowRender(tmpl, data); string(got) != want {
				t.Fatalf("%s over %v:\n fast %q\n text/template %q", name, data, got, want)
			}
		}
		if rendered < 1000 {
			t.Errorf("%s: rendered directly %d times of 2000, want at least the friendly inputs", name, rendered)
		}
	}
}

// TestExplainFallsBackPastTheCap: an explanation longer than the cap
// renders as the failed template's fallback, as text/template's does.
func TestExplainFallsBackPastTheCap(t *testing.T) {
	t.Parallel()
	tmpl := template.Must(template.New("x").Option("missingkey=zero").Parse(`{{.a}}{{.a}}`))
	fast := compileFast(tmpl)
	if fast == nil {
		t.Fatal("not compiled for direct rendering")
	}
	exact := strings.Repeat("x", maxExplanationBytes/2)
	if got := render(tmpl, fast, map[string]any{"a": exact}, "fallback"); got != exact+exact {
		t.Errorf("render of exactly the cap = %.60q…, want it whole", got)
	}
	long := strings.Repeat("x", maxExplanationBytes/2+1)
	got := render(tmpl, fast, map[string]any{"a": long}, "fallback")
	if !strings.HasPrefix(got, "fallback (explanation template failed") {
		t.Errorf("render past the cap = %.60q…, want the fallback", got)
	}
	if got := render(tmpl, fast, map[string]any{"a": "ok"}, "fallback"); got != "okok" {
		t.Errorf("render = %q, want okok", got)
	}
}

// FuzzFastExplanation: any template that compiles for direct rendering
// renders, wherever the fast path does not decline, exactly what
// text/template renders, over inputs of every kind.
func FuzzFastExplanation(f *testing.F) {
	for _, s := range []string{
		`{{.a}} and {{.m.b}}`, `{{if eq .a 1}}one{{else if .b}}b{{end}}`, `{{if not .m.c}}x{{end}}`,
		`{{if ge .a .m.b}}{{.s}}{{end}}`, `{{if lt .s "m"}}{{end}}`, `{{if eq .a 0x10}}h{{end}}`, `{{if eq .a 'a'}}r{{end}}`,
		`{{if gt .a 1.5}}f{{end}}`, `{{.a.b.c}}`, `{{- .a -}}`,
	} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, text string, seed uint64) {
		tmpl, err := template.New("f").Funcs(templateFuncs).Option("missingkey=zero").Parse(text)
		if err != nil {
			return
		}
		fast := compileFast(tmpl)
		if fast == nil {
			return
		}
		rng := rand.New(rand.NewPCG(seed, seed))
		paths := fastPaths(fast.nodes, nil)
		for i := range 20 {
			data := randomData(rng, paths, i%2 == 0)
			got, ok := fast.render(nil, data)
			if !ok {
				continue
			}
			if want := slowRender(tmpl, data); string(got) != want {
				t.Fatalf("%q over %v:\n fast %q\n text/template %q", text, data, got, want)
			}
		}
	})
}
