package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// CustomerHistory implements `holdfast customer history`: one line per
// event of a customer's trail, oldest first.
func CustomerHistory(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("customer history", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	customer := fs.String("customer", "", "customer id")
	pageSize := fs.Int("page-size", 0, "entries per page (default 50, at most 500)")
	pageToken := fs.String("page-token", "", "the next page, as printed after the previous one")
	minSeq := fs.Uint64("min-sequence", 0, "wait until the read model has applied this CLIENT sequence")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *customer == "" {
		return fmt.Errorf("%w: --customer ID is required", ErrUsage)
	}
	if *pageSize < 0 || *pageSize > 500 {
		return fmt.Errorf("%w: --page-size is 1 to 500 (0 for the default)", ErrUsage)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := clientv1.NewClientServiceClient(conn).GetCustomerHistory(ctx, &clientv1.GetCustomerHistoryRequest{
		CustomerId: *customer, PageSize: int32(*pageSize), PageToken: *pageToken, MinSequence: *minSeq, //nolint:gosec // checked above
	})
	if err != nil {
		return err
	}
	for _, e := range resp.GetEntries() {
		printHistoryEntry(env.Stdout, e)
	}
	if tok := resp.GetNextPageToken(); tok != "" {
		fmt.Fprintf(env.Stdout, "more: --page-token %s\n", tok)
	}
	return nil
}

// printHistoryEntry writes one entry on one line: where the event is
// stored, when it happened, its type and what it did.
func printHistoryEntry(w io.Writer, e *clientv1.HistoryEntry) {
	typ := e.GetEventType()
	if i := strings.LastIndexByte(typ, '.'); i >= 0 {
		typ = typ[i+1:]
	}
	fmt.Fprintf(w, "%s:%d  %s  %s  %s\n", e.GetStream(), e.GetSequence(),
		e.GetOccurredAt().AsTime().UTC().Format(time.RFC3339), typ, e.GetSummary())
}
