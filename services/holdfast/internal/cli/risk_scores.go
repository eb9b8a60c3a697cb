package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// RuleBacktest implements `holdfast rules backtest`: run a draft rule (a
// file, or the rule in force with changed parameters) over a span of
// history and print what it would have raised and how HR's outcomes rate it.
func RuleBacktest(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("rules backtest", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	rule := fs.String("rule", "", "the rule in force to start from (when --file is not given)")
	file := fs.String("file", "", "a JSON file holding the draft RuleDefinition (or a Rule as `rules get` prints it)")
	from := fs.String("from", "", "start of the span (2026-03-01 or RFC 3339), required")
	to := fs.String("to", "", "end of the span, exclusive, required")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long the replay may take")
	var params stringList
	fs.Var(&params, "param", "NAME=VALUE: replace one parameter of the draft (repeatable; an integer, true/false, or text)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	req := &riskv1.BacktestRuleRequest{RuleId: *rule}
	if *file != "" {
		def, err := readRuleDefinition(*file)
		if err != nil {
			return err
		}
		req.Definition = def
	}
	if *file == "" && *rule == "" {
		return fmt.Errorf("%w: --rule ID or --file draft.json is required", ErrUsage)
	}
	var err error
	if req.From, err = parseTime("from", *from); err != nil {
		return err
	}
	if req.To, err = parseTime("to", *to); err != nil {
		return err
	}
	if req.From == nil || req.To == nil {
		return fmt.Errorf("%w: --from and --to are required", ErrUsage)
	}
	for _, p := range params {
		prm, err := parseParam(p)
		if err != nil {
			return err
		}
		req.Parameters = append(req.Parameters, prm)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	resp, err := riskv1.NewRiskServiceClient(conn).BacktestRule(ctx, req)
	if err != nil {
		return err
	}
	PrintBacktest(env.Stdout, resp)
	return nil
}

// parseParam reads NAME=VALUE: an integer, true or false, else text.
func parseParam(s string) (*riskv1.RuleParameter, error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return nil, fmt.Errorf("%w: --param %q: want NAME=VALUE", ErrUsage, s)
	}
	p := &riskv1.RuleParameter{Name: name}
	if n, err := strconv.ParseInt(value, 10, 64); err == nil {
		p.Value = &riskv1.RuleParameter_IntValue{IntValue: n}
	} else if b, err := strconv.ParseBool(value); err == nil && (value == "true" || value == "false") {
		p.Value = &riskv1.RuleParameter_BoolValue{BoolValue: b}
	} else {
		p.Value = &riskv1.RuleParameter_StringValue{StringValue: value}
	}
	return p, nil
}

// PrintBacktest writes a backtest's result for a person to read.
func PrintBacktest(w io.Writer, r *riskv1.BacktestRuleResponse) {
	fmt.Fprintf(w, "BACKTEST %s  %d alerts  (%d events replayed)\n", r.GetRule().GetRuleId(), r.GetTotal(), r.GetEventsReplayed())
	for _, p := range r.GetRule().GetParameters() {
		fmt.Fprintf(w, "  param %s = %s\n", p.GetName(), paramValue(p))
	}
	q := r.GetQuality()
	fmt.Fprintf(w, "  HR outcomes in the span: %d positive, %d negative\n", q.GetPositives(), q.GetNegatives())
	fmt.Fprintf(w, "  true positives %d, false positives %d, unlabelled %d; positives caught %d\n",
		q.GetTruePositives(), q.GetFalsePositives(), q.GetUnlabelled(), q.GetPositivesCaught())
	fmt.Fprintf(w, "  precision %s  recall %s\n",
		permille(q.GetPrecisionPermille(), q.GetTruePositives()+q.GetFalsePositives()), permille(q.GetRecallPermille(), q.GetPositives()))
	for _, c := range r.GetCounts() {
		fmt.Fprintf(w, "  %s  %s  %d\n", c.GetDay(), c.GetEmployeeId(), c.GetAlerts())
	}
	for _, a := range r.GetAlerts() {
		PrintAlert(w, a)
	}
	if r.GetTruncated() {
		fmt.Fprintf(w, "  (the first %d alerts listed of %d)\n", len(r.GetAlerts()), r.GetTotal())
	}
}

func paramValue(p *riskv1.RuleParameter) string {
	switch v := p.GetValue().(type) {
	case *riskv1.RuleParameter_IntValue:
		return strconv.FormatInt(v.IntValue, 10)
	case *riskv1.RuleParameter_BoolValue:
		return strconv.FormatBool(v.BoolValue)
	case *riskv1.RuleParameter_StringValue:
		return strconv.Quote(v.StringValue)
	}
	return "?"
}

// permille prints n‰ as a percentage, or n/a when its denominator is 0.
func permille(n, denominator int32) string {
	if denominator == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%d.%d%%", n/10, n%10)
}

// Risk implements `holdfast risk employee|list`: employees' risk scores.
func Risk(ctx context.Context, env Env, sub string, args []string) error {
	fs := flag.NewFlagSet("risk "+sub, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	employee := fs.String("employee", "", "employee: the employee to score")
	orgUnit := fs.String("org-unit", "", "list: the org unit whose subtree to list (a manager's own by default)")
	pageSize := fs.Int("page-size", 0, "list: employees per page (1-500; default 50)")
	pageToken := fs.String("page-token", "", "list: the next page token a previous list printed")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	var call func(context.Context, riskv1.RiskServiceClient) error
	switch sub {
	case "employee":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) error {
			resp, err := c.GetEmployeeRisk(ctx, &riskv1.GetEmployeeRiskRequest{EmployeeId: *employee})
			if err != nil {
				return err
			}
			PrintEmployeeRisk(env.Stdout, resp.GetRisk(), true)
			return nil
		}
	case "list":
		call = func(ctx context.Context, c riskv1.RiskServiceClient) error {
			resp, err := c.ListEmployeeRisk(ctx, &riskv1.ListEmployeeRiskRequest{
				OrgUnitId: *orgUnit, PageSize: int32(*pageSize), PageToken: *pageToken,
			})
			if err != nil {
				return err
			}
			if len(resp.GetEmployees()) == 0 {
				fmt.Fprintln(env.Stdout, "no employees")
			}
			for _, r := range resp.GetEmployees() {
				PrintEmployeeRisk(env.Stdout, r, false)
			}
			if t := resp.GetNextPageToken(); t != "" {
				fmt.Fprintf(env.Stdout, "next page: --page-token %s\n", t)
			}
			return nil
		}
	default:
		return fmt.Errorf("%w: risk employee|list, got %q", ErrUsage, sub)
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

// PrintEmployeeRisk writes one employee's score, and with detail its
// indicators in both languages.
func PrintEmployeeRisk(w io.Writer, r *riskv1.EmployeeRisk, detail bool) {
	asOf := "clock never ticked"
	if r.GetAsOf() != nil {
		asOf = r.GetAsOf().AsTime().Format(time.RFC3339)
	}
	if r.GetIndicatorsOnly() {
		fmt.Fprintf(w, "EMPLOYEE %s  your own indicators  as of %s\n", r.GetEmployeeId(), asOf)
	} else {
		fmt.Fprintf(w, "EMPLOYEE %s  score %d  %s  as of %s\n", r.GetEmployeeId(), r.GetScore(),
			strings.TrimPrefix(r.GetLevel().String(), "RISK_LEVEL_"), asOf)
	}
	if !detail {
		return
	}
	for _, ind := range r.GetIndicators() {
		if r.GetIndicatorsOnly() {
			fmt.Fprintf(w, "  %s %d\n", ind.GetName(), ind.GetValue())
		} else {
			fmt.Fprintf(w, "  %s %d  %d of %d points\n", ind.GetName(), ind.GetValue(), ind.GetPoints(), ind.GetWeight())
		}
		if ind.GetTeamSize() > 0 {
			fmt.Fprintf(w, "    team median %d over %d employees\n", ind.GetTeamMedian(), ind.GetTeamSize())
		}
		fmt.Fprintf(w, "    en: %s\n    zh: %s\n", ind.GetExplanationEn(), ind.GetExplanationZh())
	}
}
