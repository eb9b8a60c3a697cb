package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// importTimeout is longer than other calls': a file of 5,000 customers is
// checked row by row against the registry before anything is written.
const importTimeout = 2 * time.Minute

// ErrImportRejected means the file was checked and has errors; the report
// lists them and nothing was imported.
var ErrImportRejected = errors.New("nothing imported: the file has errors")

// ImportCustomers implements `holdfast customer import`.
func ImportCustomers(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("customer import", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	path := fs.String("file", "", "CSV file (UTF-8) with a header row: person_name, company_name, phones, wechat_id, email, address, latitude, longitude, tax_id, source_channel")
	dryRun := fs.Bool("dry-run", false, "check the file and report, import nothing")
	requestID := fs.String("request-id", "", "idempotency key (default: a new UUID); reuse it to finish an interrupted import")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *path == "" {
		return fmt.Errorf("%w: --file CUSTOMERS.csv is required", ErrUsage)
	}
	data, err := os.ReadFile(filepath.Clean(*path))
	if err != nil {
		return err
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if *requestID == "" {
		*requestID = uuid.NewString()
	}
	ctx, cancel := context.WithTimeout(ctx, importTimeout)
	defer cancel()
	resp, err := clientv1.NewClientServiceClient(conn).ImportCustomers(ctx, &clientv1.ImportCustomersRequest{
		RequestId: *requestID, Csv: data, DryRun: *dryRun,
	})
	switch status.Code(err) {
	case codes.OK:
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.Aborted, codes.Internal:
		// Rows may be written already: the same request id finishes the import.
		return fmt.Errorf("%w\nto retry or finish this import, run it again with --request-id %s", err, *requestID)
	default:
		return err
	}
	return printImportReport(env, *path, *requestID, *dryRun, resp)
}

// printImportReport prints what the service answered: the count imported,
// or every error row by row.
func printImportReport(env Env, path, requestID string, dryRun bool, resp *clientv1.ImportCustomersResponse) error {
	name := filepath.Base(path)
	switch {
	case resp.GetImported():
		fmt.Fprintf(env.Stdout, "%s: %s imported (CLIENT sequence %d)\n", name, importCount(len(resp.GetCustomerIds()), "customer"), resp.GetSequence())
		return nil
	case len(resp.GetErrors()) == 0 && dryRun:
		fmt.Fprintf(env.Stdout, "%s: %s, no errors; a dry run imports nothing\n", name, importCount(int(resp.GetRows()), "row"))
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s: %s, %s; nothing imported\n", name, importCount(int(resp.GetRows()), "row"), importCount(len(resp.GetErrors()), "error"))
	for _, e := range resp.GetErrors() {
		where := fmt.Sprintf("row %d", e.GetRow())
		if e.GetColumn() != "" {
			where += " " + e.GetColumn()
		}
		fmt.Fprintf(env.Stdout, "  %-24s %s\n", where+":", e.GetMessage())
	}
	if n := len(resp.GetCustomerIds()); n > 0 {
		// Some rows went in before the log refused others: say how to finish.
		fmt.Fprintf(env.Stdout, "%d of the customers were written; run the import again with --request-id %s to finish it\n", n, requestID)
	}
	return ErrImportRejected
}

// importCount is "1 row", "3 rows".
func importCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
