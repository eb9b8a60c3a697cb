package consolesvc

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// The rules pages: every rule with its parameters and what HR made of its
// alerts, and one rule's page where an admin tries a changed parameter on
// past events (a backtest) before saving it. The console checks no role
// itself: the risk service refuses what the user may not do.

type rulesData struct {
	Rules []*riskv1.Rule
}

// rulesPage lists the tenant's rules with their effectiveness.
// backtestTimeout bounds a backtest from the console: long enough for a
// year of a large tenant, short of the risk service's own 5-minute cap.
const backtestTimeout = 2 * time.Minute

func (s *Server) rulesPage(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	resp, err := s.risk.ListRules(ctx, &riskv1.ListRulesRequest{})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	s.render(w, r, ss, http.StatusOK, "rules.html", page{Title: "rules.title", Data: rulesData{Rules: resp.GetRules()}})
}

// ruleData is one rule's page: the rule, the parameter values the forms
// show, and a backtest's result once one has run.
type ruleData struct {
	Rule *riskv1.Rule
	// Values are the forms' parameter values by name: the rule's own, or
	// the ones just backtested.
	Values map[string]string
	// Trigger and Severity are the forms' CEL expressions: the rule's own,
	// or the ones just backtested.
	Trigger, Severity string
	From, To          string
	Backtest          *riskv1.BacktestRuleResponse
}

// paramField is the form field of parameter name.
func paramField(name string) string { return "param." + name }

// rulePage shows one rule; seq (from a change just made) waits until the
// engine has applied it.
func (s *Server) rulePage(w http.ResponseWriter, r *http.Request, ss *session) {
	seq, _ := strconv.ParseUint(r.URL.Query().Get("seq"), 10, 64)
	rule, ok := s.getRule(w, r, ss, seq)
	if !ok {
		return
	}
	values := map[string]string{}
	for _, p := range rule.GetDefinition().GetParameters() {
		values[p.GetName()] = paramValue(p)
	}
	today := s.now().UTC().Truncate(24 * time.Hour)
	d := rule.GetDefinition()
	s.render(w, r, ss, http.StatusOK, "rule.html", page{Title: "rule.title", Data: ruleData{
		Rule: rule, Values: values, Trigger: d.GetTrigger(), Severity: d.GetSeverityExpression(),
		From: today.AddDate(0, 0, -30).Format(dayLayout), To: today.Format(dayLayout),
	}})
}

func (s *Server) getRule(w http.ResponseWriter, r *http.Request, ss *session, seq uint64) (*riskv1.Rule, bool) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	resp, err := s.risk.GetRule(ctx, &riskv1.GetRuleRequest{RuleId: r.PathValue("id"), MinSequence: seq})
	if err != nil {
		s.apiError(w, r, ss, err)
		return nil, false
	}
	return resp.GetRule(), true
}

// paramValue is a parameter's value as a form shows it.
func paramValue(p *riskv1.RuleParameter) string {
	switch v := p.GetValue().(type) {
	case *riskv1.RuleParameter_IntValue:
		return strconv.FormatInt(v.IntValue, 10)
	case *riskv1.RuleParameter_BoolValue:
		return strconv.FormatBool(v.BoolValue)
	case *riskv1.RuleParameter_StringValue:
		return v.StringValue
	}
	return ""
}

// formParams reads the submitted parameter values, each of its declared
// kind; a field not submitted keeps the rule's value. It returns the
// parameters, the values as submitted and the violations.
func formParams(lang string, rule *riskv1.Rule, form url.Values) ([]*riskv1.RuleParameter, map[string]string, []string) {
	var (
		out  []*riskv1.RuleParameter
		bad  []string
		vals = map[string]string{}
	)
	for _, p := range rule.GetDefinition().GetParameters() {
		np := proto.CloneOf(p)
		raw := paramValue(p)
		if _, sent := form[paramField(p.GetName())]; sent {
			raw = strings.TrimSpace(form.Get(paramField(p.GetName())))
		}
		vals[p.GetName()] = raw
		field := "parameters." + p.GetName()
		switch p.GetValue().(type) {
		case *riskv1.RuleParameter_IntValue:
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				bad = append(bad, field+": "+translate(lang, "invalid.int"))
				continue
			}
			np.Value = &riskv1.RuleParameter_IntValue{IntValue: n}
		case *riskv1.RuleParameter_BoolValue:
			b, err := strconv.ParseBool(raw)
			if err != nil {
				bad = append(bad, field+": "+translate(lang, "invalid.bool"))
				continue
			}
			np.Value = &riskv1.RuleParameter_BoolValue{BoolValue: b}
		default:
			np.Value = &riskv1.RuleParameter_StringValue{StringValue: raw}
		}
		out = append(out, np)
	}
	return out, vals, bad
}

// maxExpressionBytes bounds an expression typed into the form; the risk
// service checks the expression itself (and names the line and column of
// a mistake).
const maxExpressionBytes = 4096

// formDraft is the rule's definition with the submitted parameter values
// and expressions (a field not submitted keeps the rule's), the values as
// submitted, and the violations.
func formDraft(lang string, rule *riskv1.Rule, form url.Values) (*riskv1.RuleDefinition, map[string]string, []string) {
	params, vals, bad := formParams(lang, rule, form)
	def := proto.CloneOf(rule.GetDefinition())
	def.Parameters = params
	if _, sent := form["trigger"]; sent {
		def.Trigger = strings.TrimSpace(form.Get("trigger"))
	}
	if _, sent := form["severity_expression"]; sent {
		def.SeverityExpression = strings.TrimSpace(form.Get("severity_expression"))
	}
	if def.GetTrigger() == "" {
		bad = append(bad, "trigger: "+translate(lang, "invalid.required"))
	}
	for field, expr := range map[string]string{"trigger": def.GetTrigger(), "severity_expression": def.GetSeverityExpression()} {
		if len(expr) > maxExpressionBytes {
			bad = append(bad, field+": "+translate(lang, "invalid.toolong"))
		}
	}
	return def, vals, bad
}

// backtestRule runs the rule with the submitted parameter values and
// expressions over the chosen days (both included) and shows what it
// would have raised.
func (s *Server) backtestRule(w http.ResponseWriter, r *http.Request, ss *session) {
	rule, ok := s.getRule(w, r, ss, 0)
	if !ok {
		return
	}
	lang := s.lang(r, ss)
	def, vals, bad := formDraft(lang, rule, r.PostForm)
	fromS, toS := strings.TrimSpace(r.PostForm.Get("from")), strings.TrimSpace(r.PostForm.Get("to"))
	from, okFrom := parseDay(lang, "from", fromS, &bad)
	to, okTo := parseDay(lang, "to", toS, &bad)
	if len(bad) == 0 && (!okFrom || !okTo) {
		bad = append(bad, "from, to: "+translate(lang, "invalid.day"))
	}
	if len(bad) > 0 {
		s.invalid(w, r, ss, bad)
		return
	}
	ctx, cancel := userContextFor(r.Context(), ss, backtestTimeout)
	defer cancel()
	resp, err := s.risk.BacktestRule(ctx, &riskv1.BacktestRuleRequest{
		Definition: def, From: timestamppb.New(from), To: timestamppb.New(to.AddDate(0, 0, 1)),
	})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	s.render(w, r, ss, http.StatusOK, "rule.html", page{Title: "rule.title", Data: ruleData{
		Rule: rule, Values: vals, Trigger: def.GetTrigger(), Severity: def.GetSeverityExpression(),
		From: fromS, To: toS, Backtest: resp,
	}})
}

// saveRule writes the rule with the submitted parameter values and
// expressions as its next version, if nobody changed it since the version
// the form was shown with.
func (s *Server) saveRule(w http.ResponseWriter, r *http.Request, ss *session) {
	rule, ok := s.getRule(w, r, ss, 0)
	if !ok {
		return
	}
	lang := s.lang(r, ss)
	def, _, bad := formDraft(lang, rule, r.PostForm)
	version, err := strconv.ParseUint(r.PostForm.Get("expected_version"), 10, 32)
	if err != nil || version == 0 {
		bad = append(bad, "expected_version: "+translate(lang, "invalid.int"))
	}
	// The API takes a change without a reason; the console asks for one,
	// so every change HR later reads says why.
	if strings.TrimSpace(r.PostForm.Get("reason")) == "" {
		bad = append(bad, "reason: "+translate(lang, "invalid.required"))
	}
	if len(bad) > 0 {
		s.invalid(w, r, ss, bad)
		return
	}
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	resp, err := s.risk.UpsertRule(ctx, &riskv1.UpsertRuleRequest{
		RequestId: requestID(r), Definition: def, ExpectedVersion: uint32(version),
		Reason: strings.TrimSpace(r.PostForm.Get("reason")),
	})
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	s.redirectToRule(w, r, def.GetRuleId(), resp.GetSequence())
}

// setRuleEnabled enables or disables the rule, with the admin's reason.
func (s *Server) setRuleEnabled(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, cancel := userContext(r.Context(), ss)
	defer cancel()
	id, reason := r.PathValue("id"), strings.TrimSpace(r.PostForm.Get("reason"))
	if reason == "" {
		s.invalid(w, r, ss, []string{"reason: " + translate(s.lang(r, ss), "invalid.required")})
		return
	}
	var (
		resp interface{ GetSequence() uint64 }
		err  error
	)
	switch r.PathValue("action") {
	case "enable":
		resp, err = s.risk.EnableRule(ctx, &riskv1.EnableRuleRequest{RequestId: requestID(r), RuleId: id, Reason: reason})
	case "disable":
		resp, err = s.risk.DisableRule(ctx, &riskv1.DisableRuleRequest{RequestId: requestID(r), RuleId: id, Reason: reason})
	default:
		s.render(w, r, ss, http.StatusNotFound, "error.html", page{Problem: "error.notfound"})
		return
	}
	if err != nil {
		s.apiError(w, r, ss, err)
		return
	}
	s.redirectToRule(w, r, id, resp.GetSequence())
}

// redirectToRule sends the browser to the rule's page once the engine has
// applied the change at seq.
func (s *Server) redirectToRule(w http.ResponseWriter, r *http.Request, id string, seq uint64) {
	v := url.Values{"seq": {strconv.FormatUint(seq, 10)}}
	http.Redirect(w, r, "/rules/"+url.PathEscape(id)+"?"+v.Encode(), http.StatusSeeOther) //nolint:gosec // a local path: the rule id is path-escaped
}

// requestID is the form's request id, which makes a double submit one
// change; a fresh one when the form has none.
func requestID(r *http.Request) string {
	id := r.PostForm.Get("request_id")
	if _, err := uuid.Parse(id); err != nil {
		return uuid.NewString()
	}
	return id
}
