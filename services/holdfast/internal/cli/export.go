package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/google/uuid"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// Export implements `holdfast export request|approve|reject|get|download`.
func Export(ctx context.Context, env Env, verb string, args []string) error {
	switch verb {
	case "request":
		return requestExport(ctx, env, args)
	case "approve", "reject":
		return decideExport(ctx, env, verb, args)
	case "get":
		return getExport(ctx, env, args)
	case "download":
		return downloadExport(ctx, env, args)
	}
	return fmt.Errorf("%w: holdfast export request|approve|reject|get|download, not %q", ErrUsage, verb)
}

// exportFlags are the flags every export command shares.
type exportFlags struct {
	id        identity
	addr      *string
	requestID *string
}

func newExportFlags(name string, env Env) (*flag.FlagSet, *exportFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	ef := &exportFlags{}
	ef.id.register(fs, env)
	ef.addr = fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	ef.requestID = fs.String("request-id", "", "idempotency key (default: a new UUID)")
	return fs, ef
}

// call connects and calls fn with a ClientService client and the request
// id to use; parse and check the flags first.
func (ef *exportFlags) call(ctx context.Context, fn func(context.Context, clientv1.ClientServiceClient, string) error) error {
	if *ef.requestID == "" {
		*ef.requestID = uuid.NewString()
	}
	conn, err := ef.id.connect(*ef.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	return fn(ctx, clientv1.NewClientServiceClient(conn), *ef.requestID)
}

func parseExportID(fs *flag.FlagSet, args []string, exportID *string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *exportID == "" {
		return fmt.Errorf("%w: --export ID is required", ErrUsage)
	}
	return nil
}

func requestExport(ctx context.Context, env Env, args []string) error {
	fs, ef := newExportFlags("export request", env)
	owner := fs.String("filter-owner", "", "only customers this employee holds (sales: only yourself)")
	inPool := fs.Bool("in-pool", false, "only customers in the shared pool")
	source := fs.String("source", "", "only this source channel: website, trade_show, referral, assignment, import, personal")
	reason := fs.String("reason", "", "why you need the export (shown to whoever approves)")
	contacts := fs.Bool("contacts", false, "ask for unmasked phones, WeChat ids and e-mails")
	quiet := fs.Bool("q", false, "print only the export id")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	filter := &clientv1.ExportFilter{OwnerEmployeeId: *owner, InPool: *inPool}
	if *source != "" {
		src, ok := clientv1.SourceChannel_value["SOURCE_CHANNEL_"+strings.ToUpper(*source)]
		if !ok {
			return fmt.Errorf("%w: --source must be website, trade_show, referral, assignment, import or personal", ErrUsage)
		}
		filter.SourceChannel = clientv1.SourceChannel(src)
	}
	return ef.call(ctx, func(ctx context.Context, c clientv1.ClientServiceClient, rid string) error {
		resp, err := c.RequestExport(ctx, &clientv1.RequestExportRequest{
			RequestId: rid, Filter: filter, Reason: *reason, IncludeContacts: *contacts,
		})
		if err != nil {
			return err
		}
		if *quiet {
			fmt.Fprintln(env.Stdout, resp.GetExport().GetExportId())
			return nil
		}
		printExport(env, resp.GetExport())
		fmt.Fprintf(env.Stdout, "  awaiting approval by a manager or hr (CLIENT sequence %d)\n", resp.GetSequence())
		return nil
	})
}

func decideExport(ctx context.Context, env Env, verb string, args []string) error {
	fs, ef := newExportFlags("export "+verb, env)
	exportID := fs.String("export", "", "export id")
	reason := fs.String("reason", "", "why (recorded)")
	if err := parseExportID(fs, args, exportID); err != nil {
		return err
	}
	return ef.call(ctx, func(ctx context.Context, c clientv1.ClientServiceClient, rid string) error {
		var (
			e   *clientv1.Export
			seq uint64
		)
		if verb == "approve" {
			r, err := c.ApproveExport(ctx, &clientv1.ApproveExportRequest{RequestId: rid, ExportId: *exportID, Reason: *reason})
			if err != nil {
				return err
			}
			e, seq = r.GetExport(), r.GetSequence()
		} else {
			r, err := c.RejectExport(ctx, &clientv1.RejectExportRequest{RequestId: rid, ExportId: *exportID, Reason: *reason})
			if err != nil {
				return err
			}
			e, seq = r.GetExport(), r.GetSequence()
		}
		printExport(env, e)
		fmt.Fprintf(env.Stdout, "  (CLIENT sequence %d)\n", seq)
		return nil
	})
}

func getExport(ctx context.Context, env Env, args []string) error {
	fs, ef := newExportFlags("export get", env)
	exportID := fs.String("export", "", "export id")
	if err := parseExportID(fs, args, exportID); err != nil {
		return err
	}
	return ef.call(ctx, func(ctx context.Context, c clientv1.ClientServiceClient, _ string) error {
		r, err := c.GetExport(ctx, &clientv1.GetExportRequest{ExportId: *exportID})
		if err != nil {
			return err
		}
		printExport(env, r.GetExport())
		return nil
	})
}

func downloadExport(ctx context.Context, env Env, args []string) error {
	fs, ef := newExportFlags("export download", env)
	exportID := fs.String("export", "", "export id")
	out := fs.String("out", "", "file to write the CSV to")
	if err := parseExportID(fs, args, exportID); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out FILE is required", ErrUsage)
	}
	return ef.call(ctx, func(ctx context.Context, c clientv1.ClientServiceClient, rid string) error {
		r, err := c.DownloadExport(ctx, &clientv1.DownloadExportRequest{RequestId: rid, ExportId: *exportID})
		if err != nil {
			return err
		}
		// Owner-only: the file holds customers' data.
		if err := os.WriteFile(*out, r.GetCsv(), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote %s: %d rows, sha256 %s (recorded at CLIENT sequence %d)\n", *out, r.GetRows(), r.GetSha256(), r.GetSequence())
		return nil
	})
}

// printExport writes an export for a person to read.
func printExport(env Env, e *clientv1.Export) {
	f := e.GetFilter()
	var sel []string
	if o := f.GetOwnerEmployeeId(); o != "" {
		sel = append(sel, "held by "+o)
	}
	if f.GetInPool() {
		sel = append(sel, "in the shared pool")
	}
	if s := f.GetSourceChannel(); s != clientv1.SourceChannel_SOURCE_CHANNEL_UNSPECIFIED {
		sel = append(sel, "from "+strings.ToLower(strings.TrimPrefix(s.String(), "SOURCE_CHANNEL_")))
	}
	if len(sel) == 0 {
		sel = append(sel, "all customers")
	}
	contacts := "contacts masked"
	if e.GetIncludeContacts() {
		contacts = "contacts included"
	}
	fmt.Fprintf(env.Stdout, "EXPORT %s  %s  requested by %s  %d customer(s) (%s; %s)\n  reason: %s\n",
		e.GetExportId(), strings.TrimPrefix(e.GetStatus().String(), "EXPORT_STATUS_"), e.GetRequestedBy(),
		e.GetCustomerCount(), strings.Join(sel, ", "), contacts, e.GetReason())
	if e.GetDecidedBy() != "" {
		fmt.Fprintf(env.Stdout, "  decided by %s at %s: %s\n", e.GetDecidedBy(), e.GetDecidedAt().AsTime().Format("2006-01-02T15:04:05Z07:00"), e.GetDecisionReason())
	}
}
