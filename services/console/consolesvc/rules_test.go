package consolesvc

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// Every key a template translates has both languages.
func TestTemplatesKeysAreTranslated(t *testing.T) {
	key := regexp.MustCompile(`\.T "([a-z0-9.]+)"`)
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := templateFS.ReadFile("templates/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			if msg, ok := messages[m[1]]; !ok || msg[0] == "" || msg[1] == "" {
				t.Errorf("%s: %q has no English and Chinese text", e.Name(), m[1])
			}
		}
	}
}

// The paging link carries every filter, encoded.
func TestQueueFilterValuesCarryEveryFilter(t *testing.T) {
	f := queueFilter{
		Status: "raised", Rule: "sensitive_words", Employee: "e 1&x=y", MinSeverity: "medium",
		OrgUnit: "team-1", From: "2026-11-01", To: "2026-11-23", Sort: "risk",
	}
	got, err := url.ParseQuery(f.values().Encode())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"status": f.Status, "rule": f.Rule, "employee": f.Employee, "min_severity": f.MinSeverity,
		"org_unit": f.OrgUnit, "from": f.From, "to": f.To, "sort": f.Sort,
	}
	if len(got) != len(want) {
		t.Errorf("query %v has %d keys, want %d", got, len(got), len(want))
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
	if (queueFilter{Status: "raised"}).values().Encode() != "status=raised" {
		t.Error("empty filters appear in the link")
	}
}

func testRule() *riskv1.Rule {
	return &riskv1.Rule{Version: 1, Definition: &riskv1.RuleDefinition{RuleId: "r", Parameters: []*riskv1.RuleParameter{
		{Name: "n", Value: &riskv1.RuleParameter_IntValue{IntValue: 3}},
		{Name: "b", Value: &riskv1.RuleParameter_BoolValue{BoolValue: true}},
		{Name: "s", Value: &riskv1.RuleParameter_StringValue{StringValue: "x"}},
	}}}
}

func TestFormParamsKeepKindsAndNameViolations(t *testing.T) {
	rule := testRule()
	params, _, bad := formParams(langEN, rule, url.Values{"param.n": {" 7 "}, "param.b": {"false"}})
	if len(bad) != 0 || len(params) != 3 || params[0].GetIntValue() != 7 || params[1].GetBoolValue() || params[2].GetStringValue() != "x" {
		t.Errorf("params %v, violations %v", params, bad)
	}
	if rule.GetDefinition().GetParameters()[0].GetIntValue() != 3 {
		t.Error("formParams changed the rule it read")
	}
	_, _, bad = formParams(langEN, rule, url.Values{"param.n": {"3.5"}, "param.b": {"maybe"}})
	if strings.Join(bad, "|") != "parameters.n: a whole number|parameters.b: true or false" {
		t.Errorf("violations %q", bad)
	}
}

// FuzzFormParams: any submitted value gives a parameter of the declared
// kind or a violation naming it, never both and never a panic.
func FuzzFormParams(f *testing.F) {
	for _, s := range []string{"3", "-1", "abc", "true", "", "9223372036854775808", " 1 "} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, n, b string) {
		params, vals, bad := formParams(langEN, testRule(), url.Values{"param.n": {n}, "param.b": {b}})
		if len(params)+len(bad) != 3 {
			t.Fatalf("%d params and %d violations for 3 parameters", len(params), len(bad))
		}
		if _, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil && vals["n"] != strings.TrimSpace(n) {
			t.Errorf("value shown %q, submitted %q", vals["n"], n)
		}
		for _, p := range params {
			if p.GetName() == "n" {
				if _, ok := p.GetValue().(*riskv1.RuleParameter_IntValue); !ok {
					t.Errorf("n became %T", p.GetValue())
				}
			}
		}
	})
}

func FuzzParseDay(f *testing.F) {
	for _, s := range []string{"2026-11-23", "", "2026-13-01", "23/11/2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var bad []string
		d, ok := parseDay(langEN, "from", s, &bad)
		if ok == (len(bad) > 0) && s != "" {
			t.Fatalf("parseDay(%q) ok=%v violations=%v", s, ok, bad)
		}
		if ok && d.Format(dayLayout) != s {
			t.Errorf("parseDay(%q) = %s", s, d)
		}
	})
}

func TestFormDraftTakesTheExpressions(t *testing.T) {
	rule := testRule()
	rule.Definition.Trigger, rule.Definition.SeverityExpression = `event.type == "x"`, `"high"`
	def, _, bad := formDraft(langEN, rule, url.Values{"param.n": {"4"}})
	if len(bad) != 0 || def.GetTrigger() != `event.type == "x"` || def.GetSeverityExpression() != `"high"` || def.GetParameters()[0].GetIntValue() != 4 {
		t.Errorf("nothing sent but a parameter: %v, %v", def, bad)
	}
	def, _, bad = formDraft(langEN, rule, url.Values{"trigger": {" event.type == \"y\" "}, "severity_expression": {""}})
	if len(bad) != 0 || def.GetTrigger() != `event.type == "y"` || def.GetSeverityExpression() != "" {
		t.Errorf("expressions sent: %v, %v", def, bad)
	}
	if rule.GetDefinition().GetTrigger() != `event.type == "x"` {
		t.Error("formDraft changed the rule it read")
	}
	_, _, bad = formDraft(langEN, rule, url.Values{"trigger": {"  "}, "severity_expression": {strings.Repeat("x", maxExpressionBytes+1)}})
	if got := strings.Join(bad, "|"); !strings.Contains(got, "trigger: required") || !strings.Contains(got, "severity_expression: too long") {
		t.Errorf("violations %q", bad)
	}
}

func TestIndicatorNamesAreForPeople(t *testing.T) {
	zh, en := page{Lang: langZH}, page{Lang: langEN}
	if got := zh.IndicatorName("neglect_days"); got != "未跟进名下客户的工作日数" {
		t.Errorf("zh neglect_days = %q", got)
	}
	if got := en.IndicatorName("unbacked_orders"); !strings.HasPrefix(got, "Won orders") {
		t.Errorf("en unbacked_orders = %q", got)
	}
	if got := en.IndicatorName("new_indicator"); got != "new_indicator" {
		t.Errorf("an indicator the console does not know = %q, want its API name", got)
	}
}
