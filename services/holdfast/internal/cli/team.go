package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/holdfast/holdfast/services/console/consolesvc"
)

// teamReportDays is the default period: four whole weeks ending today, as
// the console's /team shows.
const teamReportDays = 28

// TeamReport implements `holdfast team report`: an org unit's team report
// (the client service's activity figures beside the order funnel) as the
// console's CSV file (--csv, with its UTF-8 BOM) or an aligned table.
func TeamReport(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("team report", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	clientAddr := fs.String("client-addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	orderAddr := fs.String("order-addr", envOr(env, "HOLDFAST_ORDER_ADDR", "127.0.0.1:7102"), "OrderService address (env HOLDFAST_ORDER_ADDR)")
	unit := fs.String("org-unit", "", "the org unit (and those below it); managers default to their own")
	today := time.Now().UTC().Format(time.DateOnly)
	from := fs.String("from", time.Now().UTC().AddDate(0, 0, 1-teamReportDays).Format(time.DateOnly), "first day, YYYY-MM-DD (UTC)")
	to := fs.String("to", today, "last day included, YYYY-MM-DD (UTC)")
	asCSV := fs.Bool("csv", false, "print the CSV file HR downloads from the console")
	lang := fs.String("lang", "en", "header language: en or zh")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *lang != "en" && *lang != "zh" {
		return fmt.Errorf("%w: --lang is en or zh", ErrUsage)
	}
	clientConn, err := id.connect(*clientAddr)
	if err != nil {
		return err
	}
	defer clientConn.Close()
	orderConn, err := id.connect(*orderAddr)
	if err != nil {
		return err
	}
	defer orderConn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	file, err := consolesvc.TeamReportCSV(ctx, consolesvc.TeamReportAPIs{Client: clientConn, Order: orderConn}, *lang, *unit, *from, *to)
	if err != nil {
		return err
	}
	if *asCSV {
		_, err := env.Stdout.Write(file)
		return err
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\ufeff")))).ReadAll()
	if err != nil {
		return fmt.Errorf("team report: %w", err)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		for i, cell := range r {
			if cell == "" {
				r[i] = "-"
			}
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}
