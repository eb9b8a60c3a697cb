package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/encoding/protojson"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// ingestBatch is how many records `interaction ingest` sends per call: the
// service takes at most 5,000 per IngestInteractions call.
const ingestBatch = 5000

// maxIngestLine bounds one line of an ingest file: a record's text is at
// most 16 KiB, which JSON escaping can grow sixfold.
const maxIngestLine = 1 << 20

// Interactions implements `holdfast interaction list|delete|ingest`.
func Interactions(ctx context.Context, env Env, verb string, args []string) error {
	switch verb {
	case "list":
		return listInteractions(ctx, env, args)
	case "delete":
		return deleteInteraction(ctx, env, args)
	case "ingest":
		return ingestInteractions(ctx, env, args)
	}
	return fmt.Errorf("%w: unknown interaction command %q", ErrUsage, verb)
}

// interactionFlags are the flags every interaction command shares.
func interactionFlags(name string, env Env) (*flag.FlagSet, *identity, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	id := &identity{}
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	return fs, id, addr
}

func listInteractions(ctx context.Context, env Env, args []string) error {
	fs, id, addr := interactionFlags("interaction list", env)
	customer := fs.String("customer", "", "list this customer's interactions (or --employee)")
	employee := fs.String("employee", "", "list this employee's interactions (or --customer)")
	deleted := fs.Bool("deleted", false, "include deleted interactions (hr, auditor, admin)")
	pageSize := fs.Int("page-size", 0, "interactions per page (default 50, at most 500)")
	pageToken := fs.String("page-token", "", "the next page, as printed after the previous one")
	minSeq := fs.Uint64("min-sequence", 0, "wait until the read model has applied this CLIENT sequence")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if (*customer == "") == (*employee == "") {
		return fmt.Errorf("%w: give --customer ID or --employee ID", ErrUsage)
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
	resp, err := clientv1.NewClientServiceClient(conn).ListInteractions(ctx, &clientv1.ListInteractionsRequest{
		CustomerId: *customer, EmployeeId: *employee, IncludeDeleted: *deleted,
		PageSize: int32(*pageSize), PageToken: *pageToken, MinSequence: *minSeq, //nolint:gosec // checked above
	})
	if err != nil {
		return err
	}
	if len(resp.GetInteractions()) == 0 {
		fmt.Fprintln(env.Stdout, "no interactions")
	}
	for _, in := range resp.GetInteractions() {
		printInteraction(env.Stdout, in)
	}
	if tok := resp.GetNextPageToken(); tok != "" {
		fmt.Fprintf(env.Stdout, "more: --page-token %s\n", tok)
	}
	return nil
}

// printInteraction writes one interaction for a person to read.
func printInteraction(w io.Writer, in *clientv1.Interaction) {
	with := "customer " + in.GetCustomerId()
	if in.GetCustomerId() == "" {
		with = "counterparty " + in.GetMaskedCounterparty()
	}
	extra := ""
	if d := in.GetDuration(); d != nil {
		extra += "  " + d.AsDuration().String()
	}
	if in.GetDeleted() {
		extra += "  DELETED"
	}
	fmt.Fprintf(w, "INTERACTION %s  %s  %s %s  employee %s  %s%s\n",
		in.GetInteractionId(), in.GetOccurredAt().AsTime().Format(time.RFC3339),
		strings.TrimPrefix(in.GetKind().String(), "INTERACTION_KIND_"), strings.TrimPrefix(in.GetDirection().String(), "DIRECTION_"),
		in.GetEmployeeId(), with, extra)
	if t := in.GetText(); t != "" {
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(t, "\n", "\n  "))
	}
}

func deleteInteraction(ctx context.Context, env Env, args []string) error {
	fs, id, addr := interactionFlags("interaction delete", env)
	interaction := fs.String("interaction", "", "interaction id")
	reason := fs.String("reason", "", "why (recorded)")
	requestID := fs.String("request-id", "", "idempotency key (default: a new UUID)")
	quiet := fs.Bool("q", false, "print only the CLIENT sequence written")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *interaction == "" {
		return fmt.Errorf("%w: --interaction ID is required", ErrUsage)
	}
	if *requestID == "" {
		*requestID = uuid.NewString()
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := clientv1.NewClientServiceClient(conn).DeleteInteraction(ctx, &clientv1.DeleteInteractionRequest{
		RequestId: *requestID, InteractionId: *interaction, Reason: *reason,
	})
	if err != nil {
		return err
	}
	if *quiet {
		fmt.Fprintln(env.Stdout, resp.GetSequence())
		return nil
	}
	fmt.Fprintf(env.Stdout, "interaction %s deleted (CLIENT sequence %d); the original stays on record\n", *interaction, resp.GetSequence())
	return nil
}

// ingestInteractions sends a JSON-lines file of LogInteractionRequests
// (protojson, one per line; blank lines are skipped), in calls of at most
// ingestBatch records. The whole file is read and parsed first, so a
// malformed line sends nothing.
func ingestInteractions(ctx context.Context, env Env, args []string) error {
	fs, id, addr := interactionFlags("interaction ingest", env)
	file := fs.String("file", "", "JSON lines: one LogInteractionRequest per line (- for stdin)")
	employee := fs.String("employee", "", "whose interactions these are (a feed: role service or admin)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *file == "" {
		return fmt.Errorf("%w: --file FILE is required", ErrUsage)
	}
	records, err := readIngestFile(*file, *employee)
	if err != nil {
		return err
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := clientv1.NewClientServiceClient(conn)
	var accepted, rejected int
	var rejections []*clientv1.IngestResult
	for start := 0; start < len(records); start += ingestBatch {
		batch := records[start:min(start+ingestBatch, len(records))]
		resp, err := sendIngestBatch(ctx, client, batch)
		if err != nil {
			return fmt.Errorf("records %d-%d: %w", start+1, start+len(batch), err)
		}
		accepted += int(resp.GetAccepted())
		rejected += int(resp.GetRejected())
		for _, r := range resp.GetResults() {
			if !r.GetAccepted() {
				r.Index += int32(start) //nolint:gosec // a file of more than 2^31 records is not read into memory
				rejections = append(rejections, r)
			}
		}
	}
	fmt.Fprintf(env.Stdout, "%d accepted, %d rejected\n", accepted, rejected)
	for _, r := range rejections {
		fmt.Fprintf(env.Stdout, "  record %d (request_id %q): %s: %s\n", r.GetIndex()+1, r.GetRequestId(), r.GetCode(), r.GetMessage())
	}
	return nil
}

// readIngestFile parses the records of an ingest file.
func readIngestFile(name, employee string) ([]*clientv1.IngestInteractionsRequest, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name) //nolint:gosec // the operator names the file to read
		if err != nil {
			return nil, err
		}
		defer func() { _ = f.Close() }() // read only: nothing to lose on close
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxIngestLine)
	var records []*clientv1.IngestInteractionsRequest
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		req := &clientv1.LogInteractionRequest{}
		if err := protojson.Unmarshal(b, req); err != nil {
			return nil, fmt.Errorf("%w: %s line %d: not a LogInteractionRequest: %w", ErrUsage, name, line, err)
		}
		records = append(records, &clientv1.IngestInteractionsRequest{Interaction: req, EmployeeId: employee})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("%w: %s holds no records", ErrUsage, name)
	}
	return records, nil
}

// sendIngestBatch sends one IngestInteractions call.
func sendIngestBatch(ctx context.Context, client clientv1.ClientServiceClient, batch []*clientv1.IngestInteractionsRequest) (*clientv1.IngestInteractionsResponse, error) {
	// A feed takes longer than one call: give it a minute plus a little per record.
	ctx, cancel := context.WithTimeout(ctx, time.Minute+time.Duration(len(batch))*20*time.Millisecond)
	defer cancel()
	stream, err := client.IngestInteractions(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range batch {
		if err := stream.Send(r); errors.Is(err, io.EOF) {
			break // the server ended the call; CloseAndRecv says why
		} else if err != nil {
			return nil, err
		}
	}
	return stream.CloseAndRecv()
}
