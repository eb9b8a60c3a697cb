package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	"github.com/holdfast/holdfast/services/order/ordersvc"
)

// commissionCommand is the flags every `holdfast commission` subcommand shares.
type commissionCommand struct {
	fs        *flag.FlagSet
	id        identity
	addr      *string
	requestID *string
	quiet     *bool
}

func newCommissionCommand(name, quietHelp string, env Env) *commissionCommand {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	c := &commissionCommand{fs: fs}
	c.id.register(fs, env)
	c.addr = fs.String("addr", envOr(env, "HOLDFAST_COMMISSION_ADDR", "127.0.0.1:7104"), "CommissionService address (env HOLDFAST_COMMISSION_ADDR)")
	c.requestID = fs.String("request-id", "", "idempotency key (default: a new UUID)")
	c.quiet = fs.Bool("q", false, quietHelp)
	return c
}

func (c *commissionCommand) parse(args []string) error {
	if err := c.fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *c.requestID == "" {
		*c.requestID = uuid.NewString()
	}
	return nil
}

func (c *commissionCommand) call(ctx context.Context, fn func(context.Context, commissionv1.CommissionServiceClient) error) error {
	conn, err := c.id.connect(*c.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	return fn(ctx, commissionv1.NewCommissionServiceClient(conn))
}

// Commission implements `holdfast commission plan get|set`,
// `holdfast commission statement` and `holdfast commission payouts`.
func Commission(ctx context.Context, env Env, sub string, args []string) error {
	switch {
	case sub == "plan" && len(args) > 0 && args[0] == "get":
		return getCommissionPlan(ctx, env, args[1:])
	case sub == "plan" && len(args) > 0 && args[0] == "set":
		return setCommissionPlan(ctx, env, args[1:])
	case sub == "statement":
		return commissionStatement(ctx, env, args)
	case sub == "payouts":
		return commissionPayouts(ctx, env, args)
	}
	return fmt.Errorf("%w: holdfast commission plan get|set, holdfast commission statement, or holdfast commission payouts", ErrUsage)
}

// parseChannelRate reads --channel SOURCE=BP, e.g. trade_show=450.
func parseChannelRate(s string) (*commissionv1.ChannelRate, error) {
	name, bp, ok := strings.Cut(s, "=")
	src, found := clientv1.SourceChannel_value["SOURCE_CHANNEL_"+strings.ToUpper(name)]
	rate, err := strconv.ParseInt(bp, 10, 32)
	if !ok || !found || src == 0 || err != nil {
		return nil, fmt.Errorf("%w: --channel %q: want SOURCE=BASIS_POINTS, e.g. trade_show=450", ErrUsage, s)
	}
	return &commissionv1.ChannelRate{Source: clientv1.SourceChannel(src), RateBp: int32(rate)}, nil
}

func printPlan(env Env, p *commissionv1.CommissionPlan) {
	from := p.GetEffectiveFrom()
	if from == "" {
		from = "(default)"
	}
	fmt.Fprintf(env.Stdout, "version %d from %s: company %d bp, personal %d bp", p.GetVersion(), from, p.GetCompanyRateBp(), p.GetPersonalRateBp())
	for _, cr := range p.GetChannelRates() {
		fmt.Fprintf(env.Stdout, ", %s %d bp", sourceName(cr.GetSource()), cr.GetRateBp())
	}
	if p.GetReason() != "" {
		fmt.Fprintf(env.Stdout, " (%s)", p.GetReason())
	}
	fmt.Fprintln(env.Stdout)
}

func getCommissionPlan(ctx context.Context, env Env, args []string) error {
	c := newCommissionCommand("commission plan get", "print only the plan in force", env)
	date := c.fs.String("date", "", "the plan in force on this date, e.g. 2026-03-01 (default today, UTC)")
	if err := c.parse(args); err != nil {
		return err
	}
	return c.call(ctx, func(ctx context.Context, svc commissionv1.CommissionServiceClient) error {
		resp, err := svc.GetCommissionPlan(ctx, &commissionv1.GetCommissionPlanRequest{Date: *date})
		if err != nil {
			return err
		}
		printPlan(env, resp.GetPlan())
		if *c.quiet {
			return nil
		}
		if len(resp.GetHistory()) > 0 {
			fmt.Fprintln(env.Stdout, "history:")
		}
		for _, h := range resp.GetHistory() {
			fmt.Fprint(env.Stdout, "  ")
			printPlan(env, h)
		}
		return nil
	})
}

func setCommissionPlan(ctx context.Context, env Env, args []string) error {
	c := newCommissionCommand("commission plan set", "print only the stream sequence", env)
	company := c.fs.Int("company-bp", 500, "rate for company-channel customers, basis points (500 = 5 %)")
	personalBP := c.fs.Int("personal-bp", 800, "rate for the seller's own customers, basis points")
	from := c.fs.String("effective-from", "", "first day in force, e.g. 2026-04-01 (required)")
	reason := c.fs.String("reason", "", "why the plan changes")
	var channels stringList
	c.fs.Var(&channels, "channel", "SOURCE=BP override for one source channel (repeatable), e.g. trade_show=450")
	if err := c.parse(args); err != nil {
		return err
	}
	plan := &commissionv1.CommissionPlan{CompanyRateBp: clampInt32(*company), PersonalRateBp: clampInt32(*personalBP), EffectiveFrom: *from, Reason: *reason}
	for _, s := range channels {
		cr, err := parseChannelRate(s)
		if err != nil {
			return err
		}
		plan.ChannelRates = append(plan.ChannelRates, cr)
	}
	return c.call(ctx, func(ctx context.Context, svc commissionv1.CommissionServiceClient) error {
		resp, err := svc.SetCommissionPlan(ctx, &commissionv1.SetCommissionPlanRequest{RequestId: *c.requestID, Plan: plan})
		if err != nil {
			return err
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, resp.GetSequence())
			return nil
		}
		printPlan(env, resp.GetPlan())
		return nil
	})
}

// clampInt32 keeps an out-of-range flag value out of range as an int32,
// so the server's validation reports it rather than a silent wrap.
func clampInt32(v int) int32 {
	const lo, hi = -1 << 31, 1<<31 - 1
	return int32(min(max(v, lo), hi))
}

func commissionStatement(ctx context.Context, env Env, args []string) error {
	c := newCommissionCommand("commission statement", "print entries as tab-separated values, no totals", env)
	employee := c.fs.String("employee", "", "whose statement (default: yourself)")
	from := c.fs.String("from", "", "period start, e.g. 2026-03-01")
	to := c.fs.String("to", "", "period end, exclusive, e.g. 2026-04-01")
	minSeq := c.fs.Uint64("min-sequence", 0, "wait until the statement has applied this COMMISSION sequence")
	minOrderSeq := c.fs.Uint64("min-order-sequence", 0, "wait until accruals are judged up to this ORDER sequence")
	minRiskSeq := c.fs.Uint64("min-risk-sequence", 0, "wait until holds are judged up to this RISK sequence")
	if err := c.parse(args); err != nil {
		return err
	}
	f, err := parseTime("from", *from)
	if err != nil {
		return err
	}
	t, err := parseTime("to", *to)
	if err != nil {
		return err
	}
	if *employee == "" {
		*employee = c.id.subject
	}
	return c.call(ctx, func(ctx context.Context, svc commissionv1.CommissionServiceClient) error {
		resp, err := svc.GetStatement(ctx, &commissionv1.GetStatementRequest{
			EmployeeId: *employee, From: f, To: t, MinSequence: *minSeq, MinOrderSequence: *minOrderSeq,
			MinRiskSequence: *minRiskSeq,
		})
		if err != nil {
			return err
		}
		if !*c.quiet {
			fmt.Fprintln(env.Stdout, "when\tkind\torder\tcustomer\tamount\tcurrency\tbasis")
		}
		for _, e := range resp.GetEntries() {
			printStatementEntry(env, e)
		}
		if *c.quiet {
			return nil
		}
		for _, tot := range resp.GetTotals() {
			cur := tot.GetCurrency()
			fmt.Fprintf(env.Stdout, "total %s: accrued %s, clawed back %s, net %s", cur,
				ordersvc.FormatAmount(tot.GetAccruedMinor(), cur), ordersvc.FormatAmount(tot.GetClawedBackMinor(), cur),
				ordersvc.FormatAmount(tot.GetNetMinor(), cur))
			if tot.GetHeldMinor() != 0 || tot.GetForfeitedMinor() != 0 {
				fmt.Fprintf(env.Stdout, " (held %s, forfeited %s)", ordersvc.FormatAmount(tot.GetHeldMinor(), cur), ordersvc.FormatAmount(tot.GetForfeitedMinor(), cur))
			}
			fmt.Fprintln(env.Stdout)
		}
		return nil
	})
}

// printStatementEntry writes one statement line: when, kind, order,
// customer, amount, currency, and the basis that explains the figure.
func printStatementEntry(env Env, e *commissionv1.StatementEntry) {
	var kind, basis, amount string
	switch e.GetKind() {
	case commissionv1.EntryKind_ENTRY_KIND_ACCRUAL:
		kind = "accrual"
		basis = fmt.Sprintf("%d bp of %s, source %s", e.GetRateBp(), ordersvc.FormatAmount(e.GetBaseAmountMinor(), e.GetCurrency()), sourceName(e.GetCustomerSource()))
		if sc := e.GetSourceContradiction(); sc != nil {
			basis += fmt.Sprintf("; SOURCE CONTRADICTION: claimed %s", sourceName(sc.GetClaimedSource()))
		}
		switch {
		case len(e.GetHeldBy()) > 0:
			basis += "; HELD by alert " + strings.Join(e.GetHeldBy(), ", ")
		case e.GetForfeitedBy() != "":
			basis += "; FORFEITED: diversion confirmed on alert " + e.GetForfeitedBy()
		case e.GetPaidIn() != "":
			basis += "; paid in " + e.GetPaidIn()
		}
	case commissionv1.EntryKind_ENTRY_KIND_CLAWBACK:
		kind, basis = "clawback", strings.ToLower(strings.TrimPrefix(e.GetClawbackCause().String(), "CLAWBACK_CAUSE_"))
		if e.GetPaidIn() != "" {
			basis += "; deducted in " + e.GetPaidIn()
		}
	case commissionv1.EntryKind_ENTRY_KIND_HOLD:
		kind, basis = "hold", fmt.Sprintf("alert %s (rule %s) holds ", e.GetAlertId(), e.GetRuleId())
		if e.GetSellerWide() {
			basis += "all unpaid commission of " + e.GetEmployeeId()
		}
		if ids := e.GetHeldOrderIds(); len(ids) > 0 {
			if e.GetSellerWide() {
				basis += " and "
			}
			basis += "orders " + strings.Join(ids, ", ")
		}
	case commissionv1.EntryKind_ENTRY_KIND_RELEASE:
		kind = "release"
		basis = fmt.Sprintf("alert %s: %s", e.GetAlertId(), strings.ToLower(strings.TrimPrefix(e.GetReleaseCause().String(), "RELEASE_CAUSE_")))
	default:
		kind = strings.ToLower(strings.TrimPrefix(e.GetKind().String(), "ENTRY_KIND_"))
	}
	if e.GetCurrency() != "" {
		amount = ordersvc.FormatAmount(e.GetAmountMinor(), e.GetCurrency())
	}
	fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.GetOccurredAt().AsTime().Format("2006-01-02T15:04:05Z07:00"), kind,
		e.GetOrderId(), e.GetCustomerId(), amount, e.GetCurrency(), basis)
}
