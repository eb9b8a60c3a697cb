package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	"github.com/holdfast/holdfast/services/order/ordersvc"
)

// commissionPayouts implements `holdfast commission payouts --from D --to D
// [--csv]`: it records the payroll period's payout (or reads the one
// recorded before) and prints a line per employee and currency.
func commissionPayouts(ctx context.Context, env Env, args []string) error {
	c := newCommissionCommand("commission payouts", "print only the COMMISSION sequence of the recorded payout", env)
	from := c.fs.String("from", "", "first day of the payroll period, e.g. 2026-03-01 (required)")
	to := c.fs.String("to", "", "the day after the period, e.g. 2026-04-01 (required)")
	asCSV := c.fs.Bool("csv", false, "print CSV for payroll (amounts in major units and in minor units)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("%w: --from and --to are required, e.g. --from 2026-03-01 --to 2026-04-01", ErrUsage)
	}
	return c.call(ctx, func(ctx context.Context, svc commissionv1.CommissionServiceClient) error {
		resp, err := svc.ExportPayouts(ctx, &commissionv1.ExportPayoutsRequest{From: *from, To: *to})
		if err != nil {
			return err
		}
		switch {
		case *c.quiet:
			fmt.Fprintln(env.Stdout, resp.GetSequence())
			return nil
		case *asCSV:
			return writePayoutCSV(env, resp.GetLines())
		}
		note := "recorded"
		if resp.GetAlreadyExported() {
			note = "exported before; the recorded payout"
		}
		fmt.Fprintf(env.Stdout, "payout %s..%s (%s at COMMISSION %d, figures as of %d)\n", resp.GetFrom(), resp.GetTo(), note, resp.GetSequence(), resp.GetAsOfSequence())
		fmt.Fprintln(env.Stdout, "employee\tcurrency\taccrued\tclawed back\tpayable\theld\torders")
		for _, l := range resp.GetLines() {
			cur := l.GetCurrency()
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.GetEmployeeId(), cur,
				ordersvc.FormatAmount(l.GetAccruedMinor(), cur), ordersvc.FormatAmount(l.GetClawedBackMinor(), cur),
				ordersvc.FormatAmount(l.GetPayableMinor(), cur), ordersvc.FormatAmount(l.GetHeldMinor(), cur), strings.Join(l.GetOrderIds(), ","))
		}
		return nil
	})
}

// payoutCSVHeader names the CSV columns payroll reads.
var payoutCSVHeader = []string{"employee_id", "currency", "accrued", "clawed_back", "payable", "held", "payable_minor", "order_ids"}

func writePayoutCSV(env Env, lines []*commissionv1.PayoutLine) error {
	w := csv.NewWriter(env.Stdout)
	if err := w.Write(payoutCSVHeader); err != nil {
		return err
	}
	for _, l := range lines {
		cur := l.GetCurrency()
		if err := w.Write([]string{
			l.GetEmployeeId(), cur, ordersvc.FormatAmount(l.GetAccruedMinor(), cur), ordersvc.FormatAmount(l.GetClawedBackMinor(), cur),
			ordersvc.FormatAmount(l.GetPayableMinor(), cur), ordersvc.FormatAmount(l.GetHeldMinor(), cur),
			strconv.FormatInt(l.GetPayableMinor(), 10), strings.Join(l.GetOrderIds(), ";"),
		}); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
