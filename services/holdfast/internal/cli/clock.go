package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// Clock implements `holdfast clock advance --to T [--from T]`: it moves the
// caller's tenant's clock (RiskService.AdvanceClock, admin or service),
// which makes the clock external so the live scheduler leaves it alone.
func Clock(ctx context.Context, env Env, sub string, args []string) error {
	if sub != "advance" {
		return fmt.Errorf("%w: clock advance, got %q", ErrUsage, sub)
	}
	fs := flag.NewFlagSet("clock advance", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	to := fs.String("to", "", "tick every hour boundary up to this time (RFC 3339 or 2026-05-01; required)")
	from := fs.String("from", "", "where a clock that never ticked starts (default: the hour of --to)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *to == "" {
		return fmt.Errorf("%w: --to is required", ErrUsage)
	}
	req := &riskv1.AdvanceClockRequest{}
	var err error
	if req.To, err = parseTime("to", *to); err != nil {
		return err
	}
	if req.From, err = parseTime("from", *from); err != nil {
		return err
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := riskv1.NewRiskServiceClient(conn).AdvanceClock(ctx, req)
	if err != nil {
		return err
	}
	if resp.GetLastTickAt() == nil {
		fmt.Fprintln(env.Stdout, "clock has not ticked: --from rounds up past --to")
		return nil
	}
	fmt.Fprintf(env.Stdout, "clock at %s (%d ticks appended); wait for the engine with --consistent-with %s:%d\n",
		resp.GetLastTickAt().AsTime().Format(time.RFC3339), resp.GetTicks(),
		resp.GetConsistentWith().GetStream(), resp.GetConsistentWith().GetSequence())
	return nil
}
