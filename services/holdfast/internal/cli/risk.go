package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

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
	var positions stringList
	fs.Var(&positions, "consistent-with", "wait until the engine has judged STREAM:SEQUENCE (repeatable)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	req := &riskv1.ListAlertsRequest{EmployeeId: *employee, RuleId: *rule}
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
