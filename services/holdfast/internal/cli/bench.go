package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/holdfast/holdfast/services/holdfast/internal/bench"
)

// Bench implements `holdfast bench`: every figure beside its raw baseline,
// or only some groups of them.
func Bench(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	only := fs.String("only", "", "measure only these groups, comma-separated: "+strings.Join(bench.Groups, ", "))
	history := fs.String("risk-history", "", "keep the risk history in this directory and replay the same events in later runs "+
		"(with --only "+bench.GroupRiskReplay+"; compare risk_replay's decision digest across builds)")
	profile := fs.String("risk-replay-profile", "", "write a CPU profile of the measured risk replay to this file, and its allocations to FILE.allocs less FILE.allocs.before, for go tool pprof (needs the "+bench.GroupRiskReplay+" group)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: bench takes no arguments, got %q", ErrUsage, fs.Args())
	}
	opts := bench.DefaultOptions()
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	opts.RiskHistoryDir, opts.RiskReplayProfile = *history, *profile
	err := bench.Run(ctx, env.Stdout, opts)
	if errors.Is(err, bench.ErrOptions) {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return err
}
