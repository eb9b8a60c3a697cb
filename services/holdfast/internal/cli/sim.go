package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/holdfast/internal/sim"
)

// Sim implements `holdfast sim`: generate a synthetic sales organisation
// from a seed, drive it through the services' gRPC APIs with event times
// in simulated time, read the alerts back and print the detection report.
// Tokens are signed with the dev key under --data, so it runs against a
// stack that trusts that key (holdfast dev, or services given its public
// half).
func Sim(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	seed := fs.Uint64("seed", 1, "random seed: the same seed and flags give the same organisation and acts")
	employees := fs.Int("employees", 50, "salespeople to simulate (20-2000 for a realistic run)")
	days := fs.Int("days", 120, "simulated days the patterns are injected in")
	warmup := fs.Int("warmup", 60, "honest simulated days before them, so own baselines exist (S9 needs about 50)")
	tenant := fs.String("tenant", "sim", "tenant to write into (use a fresh one per run)")
	endFlag := fs.String("end", "", "last simulated day is the day before this date, YYYY-MM-DD (default: today, UTC)")
	patterns := fs.String("patterns", "", "comma-separated patterns to inject, e.g. S1,S5,H6 (default: all of S1-S10, H1-H6)")
	reportJSON := fs.String("report-json", "", "also write the report as JSON to this file")
	concurrency := fs.Int("concurrency", 8, "calls in flight at most")
	examples := fs.Int("examples", 3, "example alerts to print with their explanations")
	loadMode := fs.Bool("load", false, "load mode: instead of an organisation, offer --rate live interactions a second for --duration and report the achieved rate and event→alert latency")
	rate := fs.Float64("rate", 100, "load mode: interactions a second to offer")
	duration := fs.Duration("duration", 30*time.Second, "load mode: how long to offer them")
	sampleEvery := fs.Int("sample-every", 50, "load mode: one interaction in this many carries a private-deal phrase whose alert is timed")
	noClock := fs.Bool("no-clock", false, "do not advance the tenant's risk clock (for a risk service without AdvanceClock)")
	dir, ok := env.Lookup("HOLDFAST_DATA_DIR")
	if !ok || dir == "" {
		dir = ".data"
	}
	dataDir := fs.String("data", dir, "data directory holding the dev signing key")
	clientAddr := fs.String("client-addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address")
	orderAddr := fs.String("order-addr", envOr(env, "HOLDFAST_ORDER_ADDR", "127.0.0.1:7102"), "OrderService address")
	attendanceAddr := fs.String("attendance-addr", envOr(env, "HOLDFAST_ATTENDANCE_ADDR", "127.0.0.1:7103"), "AttendanceService address")
	fs.String("commission-addr", envOr(env, "HOLDFAST_COMMISSION_ADDR", "127.0.0.1:7104"), "CommissionService address (not called yet)")
	riskAddr := fs.String("risk-addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	priv, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(*dataDir))
	if err != nil {
		return err
	}
	issuer := auth.NewIssuer(ed25519.PrivateKey(priv))
	dial := func(addr string) (*grpc.ClientConn, error) {
		return grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(platform.MaxMessageBytes), grpc.MaxCallSendMsgSize(platform.MaxMessageBytes)))
	}
	var conns sim.Conns
	for _, c := range []struct {
		addr string
		to   *grpc.ClientConnInterface
	}{{*clientAddr, &conns.Client}, {*orderAddr, &conns.Order}, {*attendanceAddr, &conns.Attendance}, {*riskAddr, &conns.Risk}} {
		conn, err := dial(c.addr)
		if err != nil {
			return fmt.Errorf("sim: dial %s: %w", c.addr, err)
		}
		defer conn.Close()
		*c.to = conn
	}
	if *loadMode {
		return simLoad(ctx, env, conns, issuer, sim.LoadConfig{
			Tenant: *tenant, Employees: *employees, Rate: *rate, Duration: *duration,
			SampleEvery: *sampleEvery, Concurrency: *concurrency,
		}, *reportJSON)
	}
	end := time.Now().UTC().Truncate(24 * time.Hour)
	if *endFlag != "" {
		t, err := time.Parse(time.DateOnly, *endFlag)
		if err != nil {
			return fmt.Errorf("%w: --end: want YYYY-MM-DD", ErrUsage)
		}
		end = t
	}
	cfg := sim.Config{Seed: *seed, Tenant: *tenant, Employees: *employees, Days: *days, Warmup: *warmup, End: end}
	if *patterns != "" {
		for _, p := range strings.Split(*patterns, ",") {
			cfg.Patterns = append(cfg.Patterns, strings.ToUpper(strings.TrimSpace(p)))
		}
	}
	plan, err := sim.Generate(cfg)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	var clock sim.Clock
	if !*noClock {
		clock = sim.RiskClock{Risk: conns.Risk, Minter: issuer, Tenant: *tenant}
	}
	fmt.Fprintf(env.Stdout, "simulating %d salespeople over %d+%d warm-up days (%s to %s) in tenant %s: %d acts, %d injected patterns, plan %s\n",
		*employees, *days, *warmup, plan.Start.Format(time.DateOnly), plan.End.Format(time.DateOnly), *tenant, len(plan.Acts), len(plan.Truth), plan.Hash()[:12])
	driver := sim.NewDriver(conns, issuer, clock, *tenant, *concurrency)
	run, err := driver.Run(ctx, plan)
	if err != nil {
		return err
	}
	readCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	alerts, err := sim.ReadAlerts(readCtx, conns.Risk, issuer, *tenant, driver.Positions())
	if err != nil {
		return err
	}
	rep := sim.Evaluate(plan, alerts)
	rep.Seed, rep.Run = *seed, run
	rep.Print(env.Stdout)
	printExamples(env, plan, alerts, *examples)
	if *reportJSON != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*reportJSON, append(b, '\n'), 0o600); err != nil {
			return fmt.Errorf("sim: write report: %w", err)
		}
	}
	return nil
}

// simLoad runs load mode and prints (and optionally writes) its result.
func simLoad(ctx context.Context, env Env, conns sim.Conns, issuer sim.Minter, cfg sim.LoadConfig, reportJSON string) error {
	if err := cfg.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	fmt.Fprintf(env.Stdout, "load: %d salespeople in tenant %s, offering %.0f interactions/s for %v, one in %d timed to its alert\n",
		cfg.Employees, cfg.Tenant, cfg.Rate, cfg.Duration, cfg.SampleEvery)
	res, err := sim.RunLoad(ctx, conns, issuer, cfg)
	if err != nil {
		return err
	}
	res.Print(env.Stdout)
	if reportJSON != "" {
		b, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(reportJSON, append(b, '\n'), 0o600); err != nil {
			return fmt.Errorf("sim: write report: %w", err)
		}
	}
	return nil
}

// printExamples shows up to n alerts on employees with an injected
// diversion pattern, each from that pattern's own rules, one per pattern,
// highest severity first, with the explanations HR reads (en and zh).
func printExamples(env Env, plan *sim.Plan, alerts []sim.Alert, n int) {
	labels := map[string]string{}
	for _, l := range plan.Truth {
		if strings.HasPrefix(l.Pattern, "S") {
			labels[l.Employee] = l.Pattern
		}
	}
	picked := slices.Clone(alerts)
	slices.SortStableFunc(picked, func(a, b sim.Alert) int { return b.Severity - a.Severity })
	shown := map[string]bool{}
	for _, a := range picked {
		if n == 0 {
			return
		}
		p, ok := labels[a.Employee]
		if !ok || shown[p] || !slices.Contains(sim.PatternRules[p], a.Rule) {
			continue
		}
		shown[p] = true
		n--
		fmt.Fprintf(env.Stdout, "\nexample alert %s: rule %s on %s (injected %s), severity %s, raised %s\n  en: %s\n  zh: %s\n",
			a.ID, a.Rule, a.Employee, p, severityName(a.Severity), a.RaisedAt.Format(time.RFC3339), a.Text, a.TextZh)
	}
}

// severityName is how the report spells riskv1's severity numbers.
func severityName(s int) string {
	switch s {
	case sim.SeverityLow:
		return "low"
	case sim.SeverityMedium:
		return "medium"
	case sim.SeverityHigh:
		return "high"
	}
	return strconv.Itoa(s)
}
