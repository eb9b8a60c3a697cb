package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// ListCases implements `holdfast cases list`.
func ListCases(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("cases list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	employee := fs.String("employee", "", "only this employee's cases")
	status := fs.String("status", "", "open (confirmed) or resolved")
	outcome := fs.String("outcome", "", "diversion_confirmed, no_diversion or inconclusive")
	after := fs.String("opened-after", "", "only cases opened at or after this time")
	before := fs.String("opened-before", "", "only cases opened before this time")
	pageSize := fs.Int("page-size", 0, "cases per page (1-500; default 50)")
	pageToken := fs.String("page-token", "", "the next page token a previous list printed")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	req := &riskv1.ListCasesRequest{EmployeeId: *employee, PageSize: int32(*pageSize), PageToken: *pageToken}
	switch strings.ToLower(*status) {
	case "":
	case "open", "confirmed":
		req.Status = riskv1.AlertStatus_ALERT_STATUS_CONFIRMED
	case "resolved":
		req.Status = riskv1.AlertStatus_ALERT_STATUS_RESOLVED
	default:
		return fmt.Errorf("%w: --status must be open or resolved", ErrUsage)
	}
	var err error
	if *outcome != "" {
		v, err := parseEnum("outcome", "CASE_OUTCOME_", *outcome, riskv1.CaseOutcome_value, "diversion_confirmed, no_diversion or inconclusive")
		if err != nil {
			return err
		}
		req.Outcome = riskv1.CaseOutcome(v)
	}
	if req.OpenedAfter, err = parseTime("opened-after", *after); err != nil {
		return err
	}
	if req.OpenedBefore, err = parseTime("opened-before", *before); err != nil {
		return err
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := riskv1.NewRiskServiceClient(conn).ListCases(ctx, req)
	if err != nil {
		return err
	}
	if len(resp.GetCases()) == 0 {
		fmt.Fprintln(env.Stdout, "no cases")
		return nil
	}
	for _, c := range resp.GetCases() {
		fmt.Fprintf(env.Stdout, "CASE %s  %s  rule %s  employee %s  severity %s  opened %s",
			c.GetAlertId(), strings.TrimPrefix(c.GetStatus().String(), "ALERT_STATUS_"), c.GetRuleId(), c.GetEmployeeId(),
			strings.TrimPrefix(c.GetSeverity().String(), "SEVERITY_"), formatTime(c.GetOpenedAt()))
		if c.GetResolvedAt() != nil {
			fmt.Fprintf(env.Stdout, "  resolved %s %s", formatTime(c.GetResolvedAt()), strings.TrimPrefix(c.GetOutcome().String(), "CASE_OUTCOME_"))
		}
		fmt.Fprintln(env.Stdout)
	}
	if t := resp.GetNextPageToken(); t != "" {
		fmt.Fprintf(env.Stdout, "next page: --page-token %s\n", t)
	}
	return nil
}

func formatTime(ts *timestamppb.Timestamp) string { return ts.AsTime().Format(time.RFC3339) }
