package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// ListAlerts implements `holdfast alerts list`.
func ListAlerts(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("alerts list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	employee := fs.String("employee", "", "only this employee's alerts")
	rule := fs.String("rule", "", "only this rule's alerts")
	status := fs.String("status", "", "only alerts in this status: raised, acknowledged, dismissed, confirmed, resolved")
	severity := fs.String("min-severity", "", "only alerts of this severity or higher: low, medium, high")
	orgUnit := fs.String("org-unit", "", "only alerts of employees of this org unit and the units below it")
	after := fs.String("raised-after", "", "only alerts raised at or after this time (2026-03-01 or RFC 3339)")
	before := fs.String("raised-before", "", "only alerts raised before this time")
	pageSize := fs.Int("page-size", 0, "alerts per page (1-500; default 50)")
	pageToken := fs.String("page-token", "", "the next page token a previous list printed")
	var positions stringList
	fs.Var(&positions, "consistent-with", "wait until the engine has judged STREAM:SEQUENCE (repeatable)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	req := &riskv1.ListAlertsRequest{
		EmployeeId: *employee, RuleId: *rule, OrgUnitId: *orgUnit, PageSize: int32(*pageSize), PageToken: *pageToken,
	}
	var err error
	if *status != "" {
		v, err := parseEnum("status", "ALERT_STATUS_", *status, riskv1.AlertStatus_value, "raised, acknowledged, dismissed, confirmed or resolved")
		if err != nil {
			return err
		}
		req.Status = riskv1.AlertStatus(v)
	}
	if *severity != "" {
		v, err := parseEnum("min-severity", "SEVERITY_", *severity, riskv1.Severity_value, "low, medium or high")
		if err != nil {
			return err
		}
		req.MinSeverity = riskv1.Severity(v)
	}
	if req.RaisedAfter, err = parseTime("raised-after", *after); err != nil {
		return err
	}
	if req.RaisedBefore, err = parseTime("raised-before", *before); err != nil {
		return err
	}
	for _, p := range positions {
		stream, seq, err := parsePosition(p)
		if err != nil {
			return err
		}
		req.ConsistentWith = append(req.ConsistentWith, &riskv1.StreamPosition{Stream: stream, Sequence: seq})
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := riskv1.NewRiskServiceClient(conn).ListAlerts(ctx, req)
	if err != nil {
		return err
	}
	if len(resp.GetAlerts()) == 0 {
		fmt.Fprintln(env.Stdout, "no alerts")
		return nil
	}
	for _, a := range resp.GetAlerts() {
		PrintAlert(env.Stdout, a)
	}
	if t := resp.GetNextPageToken(); t != "" {
		fmt.Fprintf(env.Stdout, "next page: --page-token %s\n", t)
	}
	return nil
}

// PrintAlert writes one alert for a person to read.
func PrintAlert(w io.Writer, a *riskv1.Alert) {
	sev := strings.TrimPrefix(a.GetSeverity().String(), "SEVERITY_")
	st := strings.TrimPrefix(a.GetStatus().String(), "ALERT_STATUS_")
	fmt.Fprintf(w, "ALERT %s  %s  %s  employee %s  rule %s v%d  raised %s\n",
		a.GetAlertId(), sev, st, a.GetEmployeeId(), a.GetRuleId(), a.GetRuleVersion(), a.GetRaisedAt().AsTime().Format(time.RFC3339))
	fmt.Fprintf(w, "  en: %s\n  zh: %s\n", a.GetExplanationEn(), a.GetExplanationZh())
	for _, e := range a.GetEvidence() {
		fmt.Fprintf(w, "  evidence: %s %d  %s  event %s\n", e.GetStream(), e.GetSequence(), e.GetEventType(), e.GetEventId())
		for _, m := range e.GetMatches() {
			q := ""
			if m.GetQuoted() {
				q = "  (quoted)"
			}
			fmt.Fprintf(w, "    matched 「%s」 as %q at bytes %d-%d%s\n", m.GetPhrase(), m.GetMatchedText(), m.GetStart(), m.GetEnd(), q)
		}
	}
}

// Rules implements `holdfast rules list|get|upsert|enable|disable|backtest`.
func Rules(ctx context.Context, env Env, sub string, args []string) error {
	if sub == "backtest" {
		return RuleBacktest(ctx, env, args)
	}
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	rule := fs.String("rule", "", "rule id (get, enable, disable)")
	file := fs.String("file", "", "upsert: a JSON file holding a RuleDefinition, or a Rule as `rules get` prints it")
	requestID := fs.String("request-id", "", "idempotency key of a change (default: a new UUID)")
	reason := fs.String("reason", "", "why the rule changes (required to disable)")
	expected := fs.Uint("expected-version", 0, "upsert: fail unless the rule is at this version (0: do not check)")
	minSeq := fs.Uint64("min-sequence", 0, "list, get: wait until the engine has applied the rule changes up to this RISK sequence")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *requestID == "" {
		*requestID = uuid.NewString()
	}
	var call func(context.Context, riskv1.RiskServiceClient) error
	switch sub {
	case "list":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) error {
			resp, err := c.ListRules(ctx, &riskv1.ListRulesRequest{MinSequence: *minSeq})
			if err != nil {
				return err
			}
			for _, r := range resp.GetRules() {
				PrintRule(env.Stdout, r)
			}
			return nil
		}
	case "get":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) error {
			resp, err := c.GetRule(ctx, &riskv1.GetRuleRequest{RuleId: *rule, MinSequence: *minSeq})
			if err != nil {
				return err
			}
			b, err := protojson.MarshalOptions{Multiline: true, UseProtoNames: true}.Marshal(resp.GetRule())
			if err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, string(b))
			return nil
		}
	case "upsert":
		def, err := readRuleDefinition(*file)
		if err != nil {
			return err
		}
		call = func(ctx context.Context, c riskv1.RiskServiceClient) error {
			resp, err := c.UpsertRule(ctx, &riskv1.UpsertRuleRequest{
				RequestId: *requestID, Definition: def, ExpectedVersion: uint32(*expected), Reason: *reason,
			})
			return printRuleChange(env.Stdout, resp.GetRule(), resp.GetSequence(), err)
		}
	case "enable":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) error {
			resp, err := c.EnableRule(ctx, &riskv1.EnableRuleRequest{RequestId: *requestID, RuleId: *rule, Reason: *reason})
			return printRuleChange(env.Stdout, resp.GetRule(), resp.GetSequence(), err)
		}
	case "disable":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) error {
			resp, err := c.DisableRule(ctx, &riskv1.DisableRuleRequest{RequestId: *requestID, RuleId: *rule, Reason: *reason})
			return printRuleChange(env.Stdout, resp.GetRule(), resp.GetSequence(), err)
		}
	default:
		return fmt.Errorf("%w: rules list|get|upsert|enable|disable|backtest, got %q", ErrUsage, sub)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	return call(ctx, riskv1.NewRiskServiceClient(conn))
}

// maxRuleFileBytes bounds a rule file: a definition is a few KiB.
const maxRuleFileBytes = 1 << 20

// readRuleDefinition reads a RuleDefinition, or the definition of a Rule
// (what `rules get` prints), from a JSON file.
func readRuleDefinition(path string) (*riskv1.RuleDefinition, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: --file RULE.json is required", ErrUsage)
	}
	f, err := os.Open(path) //nolint:gosec // the operator names the file to read
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxRuleFileBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if len(b) > maxRuleFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxRuleFileBytes)
	}
	var r riskv1.Rule
	if err := protojson.Unmarshal(b, &r); err == nil && r.GetDefinition() != nil {
		return r.GetDefinition(), nil
	}
	var d riskv1.RuleDefinition
	if err := protojson.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: not a RuleDefinition or Rule in JSON: %w", path, err)
	}
	return &d, nil
}

func printRuleChange(w io.Writer, r *riskv1.Rule, seq uint64, err error) error {
	if err != nil {
		return err
	}
	PrintRule(w, r)
	fmt.Fprintf(w, "  RISK sequence %d (pass --min-sequence %d to read it once the engine applied it)\n", seq, seq)
	return nil
}

// PrintRule writes one rule's summary line for a person to read.
func PrintRule(w io.Writer, r *riskv1.Rule) {
	d := r.GetDefinition()
	state := "disabled"
	if r.GetEnabled() {
		state = "enabled"
	}
	origin := "tenant"
	if r.GetBuiltin() {
		origin = "built-in"
	}
	fmt.Fprintf(w, "RULE %s v%d  %s  %s  severity %s  window %s\n  %s\n  %s\n",
		d.GetRuleId(), r.GetVersion(), state, origin, strings.TrimPrefix(d.GetSeverity().String(), "SEVERITY_"),
		d.GetWindow().AsDuration(), d.GetDescriptionEn(), d.GetDescriptionZh())
	if o := r.GetOutcomes(); o.GetRaised() > 0 {
		fmt.Fprintf(w, "  effectiveness: %d raised, %d actioned (%d acknowledged, %d dismissed, %d confirmed), confirmed ÷ actioned %d.%d%%\n",
			o.GetRaised(), o.GetActioned(), o.GetAcknowledged(), o.GetDismissed(), o.GetConfirmed(),
			o.GetConfirmedPermille()/10, o.GetConfirmedPermille()%10)
	}
}

// AlertCase implements `holdfast alerts ack|dismiss|confirm|resolve|note|case`:
// HR's handling of one alert.
func AlertCase(ctx context.Context, env Env, sub string, args []string) error {
	fs := flag.NewFlagSet("alerts "+sub, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	alert := fs.String("alert", "", "alert id (the case takes the alert's id)")
	note := fs.String("note", "", "note (required for note; the reason for dismiss)")
	outcome := fs.String("outcome", "", "resolve: diversion_confirmed, no_diversion or inconclusive")
	requestID := fs.String("request-id", "", "idempotency key (default: a new UUID)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *requestID == "" {
		*requestID = uuid.NewString()
	}
	var call func(context.Context, riskv1.RiskServiceClient) (*riskv1.Case, error)
	switch sub {
	case "ack":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) (*riskv1.Case, error) {
			r, err := c.AcknowledgeAlert(ctx, &riskv1.AcknowledgeAlertRequest{RequestId: *requestID, AlertId: *alert, Note: *note})
			return r.GetCase(), err
		}
	case "dismiss":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) (*riskv1.Case, error) {
			r, err := c.DismissAlert(ctx, &riskv1.DismissAlertRequest{RequestId: *requestID, AlertId: *alert, Reason: *note})
			return r.GetCase(), err
		}
	case "confirm":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) (*riskv1.Case, error) {
			r, err := c.ConfirmAlert(ctx, &riskv1.ConfirmAlertRequest{RequestId: *requestID, AlertId: *alert, Note: *note})
			return r.GetCase(), err
		}
	case "resolve":
		o, ok := riskv1.CaseOutcome_value["CASE_OUTCOME_"+strings.ToUpper(*outcome)]
		if !ok || o == 0 {
			return fmt.Errorf("%w: --outcome diversion_confirmed|no_diversion|inconclusive, got %q", ErrUsage, *outcome)
		}
		call = func(ctx context.Context, c riskv1.RiskServiceClient) (*riskv1.Case, error) {
			r, err := c.ResolveCase(ctx, &riskv1.ResolveCaseRequest{RequestId: *requestID, AlertId: *alert, Outcome: riskv1.CaseOutcome(o), Note: *note})
			return r.GetCase(), err
		}
	case "note":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) (*riskv1.Case, error) {
			r, err := c.AddCaseNote(ctx, &riskv1.AddCaseNoteRequest{RequestId: *requestID, AlertId: *alert, Note: *note})
			return r.GetCase(), err
		}
	case "case":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) (*riskv1.Case, error) {
			r, err := c.GetCase(ctx, &riskv1.GetCaseRequest{AlertId: *alert})
			return r.GetCase(), err
		}
	default:
		return fmt.Errorf("%w: alerts list|ack|dismiss|confirm|resolve|note|case, got %q", ErrUsage, sub)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	c, err := call(ctx, riskv1.NewRiskServiceClient(conn))
	if err != nil {
		return err
	}
	PrintCase(env.Stdout, c)
	return nil
}

// PrintCase writes an alert's handling for a person to read.
func PrintCase(w io.Writer, c *riskv1.Case) {
	fmt.Fprintf(w, "CASE %s  %s", c.GetAlertId(), strings.TrimPrefix(c.GetStatus().String(), "ALERT_STATUS_"))
	if c.GetOutcome() != riskv1.CaseOutcome_CASE_OUTCOME_UNSPECIFIED {
		fmt.Fprintf(w, "  outcome %s", strings.TrimPrefix(c.GetOutcome().String(), "CASE_OUTCOME_"))
	}
	fmt.Fprintln(w)
	for _, n := range c.GetNotes() {
		fmt.Fprintf(w, "  %s  %s by %s: %s\n", n.GetAt().AsTime().Format(time.RFC3339), n.GetKind(), n.GetAuthor(), n.GetText())
	}
}
