// Command holdfast is Holdfast's all-in-one binary and admin CLI:
//
//	holdfast dev                      every service + embedded NATS in one process
//	holdfast token --sub e1 --role hr print a dev token signed with .data/keys
//	holdfast customer register …      call ClientService.RegisterCustomer
//	holdfast interaction log …        call ClientService.LogInteraction
//	holdfast alerts list …            call RiskService.ListAlerts
//	holdfast bench                    measure the event log against plain nats.go
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/holdfast/internal/bench"
	"github.com/holdfast/holdfast/services/holdfast/internal/cli"
	"github.com/holdfast/holdfast/services/holdfast/internal/devstack"
)

const usage = `holdfast — keep the customer base with the company.

Usage:
  holdfast dev                          run every service and an embedded NATS (ports in README)
  holdfast token --sub ID --role ROLE   print a dev bearer token (roles: sales, senior_sales,
                                        manager, hr, auditor, admin, service); --backfill lets it
                                        date commands with the holdfast-event-time header
  holdfast sim --seed N --employees N --days N --tenant T [--report-json F]
                                        simulate a sales org through the APIs, print the detection report
  holdfast customer register ...        register a customer (ClientService)
  holdfast customer import --file F.csv [--dry-run]
                                        register every customer of a CSV file, or none
  holdfast customer reveal ...          show one contact detail unmasked (recorded, quota-limited)
  holdfast customer assign|reassign|release|claim ...
                                        move a customer between holders and the shared pool
  holdfast customer list [--org-unit ID] [--owner ID] [--pool] [--source S] [--idle-days N]
                                        list the customers you may see, masked
  holdfast customer history --customer ID
                                        a customer's trail, oldest first (hr, auditor, admin,
                                        manager, or its holder)
  holdfast interaction log ...          log a chat, call, e-mail, visit note or meeting, with a
                                        customer or an unregistered contact (--counterparty)
  holdfast interaction list ...         list a customer's or an employee's interactions
  holdfast interaction delete ...       hide an interaction (needs a reason; stays on record)
  holdfast interaction ingest ...       log a JSON-lines file of interactions (a feed)
  holdfast export request|approve|reject|get|download ...
                                        export customers: requested, approved by another, recorded
  holdfast order create|submit|approve|reject|won|lost|cancel|refund|pay|ship|deliver ...
                                        an order's lifecycle, payments and shipments (OrderService)
  holdfast order get|list|funnel ...    read orders; created/won/lost/cancelled per employee
  holdfast commission plan get|set ...  the tenant's commission rates by customer source (CommissionService)
  holdfast commission statement --employee ID --from D --to D
                                        an employee's accruals, clawbacks, holds and releases, with totals
  holdfast commission payouts --from D --to D [--csv]
                                        record a payroll period's payout (hr, admin); again = the same
  holdfast account add-company|add-payer ...
                                        company collection accounts; customers' payer accounts
  holdfast alerts list ...              list alerts (RiskService)
  holdfast cases list ...               list cases HR opened on alerts (RiskService)
  holdfast clock advance --to T         tick the tenant's clock up to T (admin; simulators)
  holdfast alerts ack|dismiss|confirm|resolve|note|case --alert ID ...
                                        HR's handling of an alert, up to a resolved case
  holdfast rules list|get|upsert --file rule.json|enable|disable ...
                                        the risk rules in force; admins change them
  holdfast rules backtest --rule ID [--file draft.json] [--param NAME=VALUE] --from D --to D
                                        what a draft would have raised, with precision/recall
                                        against HR's outcomes; writes nothing (hr, admin, auditor)
  holdfast risk employee --employee ID  an employee's risk score and its indicators (zh, en)
  holdfast risk list [--org-unit ID]    an org unit's employees by risk score, highest first
  holdfast orgunit create|list ...      the organisation tree: company, branches (calendar), teams
  holdfast team report [--org-unit ID] [--from D] [--to D] [--csv] [--lang en|zh]
                                        holdings, follow-ups, utilisation, lateness to register and
                                        conversion per employee and team (hr, auditor, admin, manager)
  holdfast employee hire|transfer|role|leave|resign|withdraw|depart ...
                                        an employee's lifecycle (AttendanceService)
  holdfast employee get|list|timeline|workday ...
                                        read employees, their lifecycle and working days
  holdfast checkin --at LAT,LON ...     check in at a place now (facts: distance, speed, repeats)
  holdfast checkins list ...            one employee's or customer's check-ins, newest first
  holdfast evidence verify BUNDLE.zip [--key KEY]
                                        check an evidence bundle offline: every event's bytes,
                                        their order, the signed checkpoint; says what changed
  holdfast evidence export --alert ID [--lang zh|en] [--out F]
                                        download a case's signed evidence bundle (hr, auditor, admin)
  holdfast evidence key --tenant T      print the tenant's evidence verifier key (to publish)
  holdfast bench [--only GROUP,…] [--risk-history DIR]
                                        every figure beside its raw nats.go/grpc-go baseline;
                                        a kept history lets two builds replay the same events
  holdfast ready [--addr 127.0.0.1:9100] wait until /readyz answers 200

Run a subcommand with -h for its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// `holdfast bench` starts this binary again to measure the engine's
	// heap away from its embedded server (bench.HeapChild).
	if ran, err := bench.HeapChild(ctx, os.Stdout); ran {
		if err != nil {
			fmt.Fprintln(os.Stderr, "holdfast:", err)
			os.Exit(1)
		}
		return
	}
	err := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if errors.Is(err, cli.ErrUsage) {
		fmt.Fprintln(os.Stderr, "holdfast:", err)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "holdfast:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	env := cli.Env{Stdout: stdout, Stderr: stderr, Lookup: platform.OSLookuper}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command", cli.ErrUsage)
	}
	cmd, rest := args[0], args[1:]
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	switch {
	case cmd == "dev":
		return runDev(ctx, stdout)
	case cmd == "bench":
		return cli.Bench(ctx, env, rest)
	case cmd == "ready":
		return cli.WaitReady(ctx, env, rest)
	case cmd == "token":
		return cli.Token(ctx, env, rest)
	case cmd == "sim":
		return cli.Sim(ctx, env, rest)
	case cmd == "customer" && sub == "register":
		return cli.RegisterCustomer(ctx, env, rest[1:])
	case cmd == "customer" && sub == "import":
		return cli.ImportCustomers(ctx, env, rest[1:])
	case cmd == "customer" && (sub == "assign" || sub == "reassign" || sub == "release" || sub == "claim"):
		return cli.ChangeOwner(ctx, env, sub, rest[1:])
	case cmd == "customer" && sub == "reveal":
		return cli.RevealContact(ctx, env, rest[1:])
	case cmd == "customer" && sub == "history":
		return cli.CustomerHistory(ctx, env, rest[1:])
	case cmd == "customer" && sub == "list":
		return cli.ListCustomers(ctx, env, rest[1:])
	case cmd == "interaction" && sub == "log":
		return cli.LogInteraction(ctx, env, rest[1:])
	case cmd == "interaction" && (sub == "list" || sub == "delete" || sub == "ingest"):
		return cli.Interactions(ctx, env, sub, rest[1:])
	case cmd == "export":
		return cli.Export(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "order" || cmd == "account":
		return cli.Order(ctx, env, cmd, sub, rest[min(1, len(rest)):])
	case cmd == "commission":
		return cli.Commission(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "alerts" && sub == "list":
		return cli.ListAlerts(ctx, env, rest[1:])
	case cmd == "alerts" && sub != "":
		return cli.AlertCase(ctx, env, sub, rest[1:])
	case cmd == "rules":
		return cli.Rules(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "risk":
		return cli.Risk(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "cases" && sub == "list":
		return cli.ListCases(ctx, env, rest[1:])
	case cmd == "clock":
		return cli.Clock(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "orgunit":
		return cli.OrgUnit(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "team" && sub == "report":
		return cli.TeamReport(ctx, env, rest[1:])
	case cmd == "employee":
		return cli.Employee(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "checkin":
		return cli.CheckIn(ctx, env, rest)
	case cmd == "checkins":
		return cli.CheckIns(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "evidence":
		return cli.Evidence(ctx, env, sub, rest[min(1, len(rest)):])
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", cli.ErrUsage, cmd)
}

func runDev(ctx context.Context, stdout io.Writer) error {
	var cfg devstack.Config
	if err := platform.Load(platform.OSLookuper, &cfg); err != nil {
		return err
	}
	logger := platform.NewLogger("holdfast-dev", cfg.LogLevel)
	platform.LogConfig(logger, "configuration", cfg)
	stack, err := devstack.Start(ctx, cfg, logger)
	if err != nil {
		return err
	}
	holdfastCmd := os.Getenv("HOLDFAST_CMD")
	if holdfastCmd == "" {
		holdfastCmd = "bin/holdfast"
	}
	stack.PrintWelcome(stdout, holdfastCmd)
	return stack.Run(ctx)
}
