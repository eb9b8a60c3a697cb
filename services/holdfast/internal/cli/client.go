package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/durationpb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// RegisterCustomer implements `holdfast customer register`.
func RegisterCustomer(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("customer register", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	name := fs.String("name", "", "person name")
	company := fs.String("company", "", "company name")
	var phones stringList
	fs.Var(&phones, "phone", "phone number (repeatable)")
	wechat := fs.String("wechat", "", "WeChat id")
	email := fs.String("email", "", "e-mail address")
	source := fs.String("source", "", "source channel: website, trade_show, referral, assignment, import, personal")
	address := fs.String("address", "", "postal address")
	lat := fs.Float64("lat", 0, "address latitude (with --lng)")
	lng := fs.Float64("lng", 0, "address longitude (with --lat)")
	taxID := fs.String("tax-id", "", "tax id / unified social credit code")
	requestID := fs.String("request-id", "", "idempotency key (default: a new UUID)")
	quiet := fs.Bool("q", false, "print only the customer id")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	src, ok := clientv1.SourceChannel_value["SOURCE_CHANNEL_"+strings.ToUpper(*source)]
	if !ok || *source == "" {
		return fmt.Errorf("%w: --source must be website, trade_show, referral, assignment, import or personal", ErrUsage)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if *requestID == "" {
		*requestID = uuid.NewString()
	}
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := clientv1.NewClientServiceClient(conn).RegisterCustomer(ctx, &clientv1.RegisterCustomerRequest{
		RequestId: *requestID, PersonName: *name, CompanyName: *company, Phones: phones,
		WechatId: *wechat, Email: *email, SourceChannel: clientv1.SourceChannel(src),
		Address: addressFlag(*address, *lat, *lng), TaxId: *taxID,
	})
	if err != nil {
		return err
	}
	c := resp.GetCustomer()
	if *quiet {
		fmt.Fprintln(env.Stdout, c.GetCustomerId())
		return nil
	}
	fmt.Fprintf(env.Stdout, "customer %s registered (CLIENT sequence %d)\n  name %s  company %s  phones %s  held by %s\n",
		c.GetCustomerId(), resp.GetSequence(), c.GetPersonName(), c.GetCompanyName(), strings.Join(c.GetMaskedPhones(), ", "), c.GetOwnerEmployeeId())
	return nil
}

// ListCustomers implements `holdfast customer list`: one page of the
// customers the caller may see, filtered by holder, org unit (and below),
// the pool, source or idle days.
func ListCustomers(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("customer list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	owner := fs.String("owner", "", "only this employee's customers")
	orgUnit := fs.String("org-unit", "", "only customers held in this org unit or below it")
	pool := fs.Bool("pool", false, "only the shared pool")
	source := fs.String("source", "", "only this source channel: website, trade_show, referral, assignment, import, personal")
	idleDays := fs.Int("idle-days", 0, "only held customers without follow-up for at least this many days (1-3650)")
	pageSize := fs.Int("page-size", 0, "customers per page (default 50, at most 500)")
	pageToken := fs.String("page-token", "", "the next page, as printed after the previous one")
	minSeq := fs.Uint64("min-sequence", 0, "wait until the read model has applied this CLIENT sequence")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	var src int32
	if *source != "" {
		v, ok := clientv1.SourceChannel_value["SOURCE_CHANNEL_"+strings.ToUpper(*source)]
		if !ok {
			return fmt.Errorf("%w: --source must be website, trade_show, referral, assignment, import or personal", ErrUsage)
		}
		src = v
	}
	if *pageSize < 0 || *pageSize > 500 {
		return fmt.Errorf("%w: --page-size is 1 to 500 (0 for the default)", ErrUsage)
	}
	if *idleDays < 0 || *idleDays > 3650 {
		return fmt.Errorf("%w: --idle-days is 1 to 3650 (0 for no filter)", ErrUsage)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := clientv1.NewClientServiceClient(conn).ListCustomers(ctx, &clientv1.ListCustomersRequest{
		OwnerEmployeeId: *owner, OrgUnitId: *orgUnit, InPool: *pool, SourceChannel: clientv1.SourceChannel(src),
		IdleDays: int32(*idleDays), PageSize: int32(*pageSize), PageToken: *pageToken, MinSequence: *minSeq, //nolint:gosec // checked above
	})
	if err != nil {
		return err
	}
	if len(resp.GetCustomers()) == 0 {
		fmt.Fprintln(env.Stdout, "no customers")
	}
	for _, c := range resp.GetCustomers() {
		holder := "held by " + c.GetOwnerEmployeeId()
		if c.GetInPool() {
			holder = "in the pool"
		}
		fmt.Fprintf(env.Stdout, "%s  %s  %s  %s  %s\n", c.GetCustomerId(), c.GetPersonName(), c.GetCompanyName(),
			strings.Join(c.GetMaskedPhones(), ", "), holder)
	}
	if tok := resp.GetNextPageToken(); tok != "" {
		fmt.Fprintf(env.Stdout, "more: --page-token %s\n", tok)
	}
	return nil
}

// LogInteraction implements `holdfast interaction log`.
func LogInteraction(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("interaction log", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_CLIENT_ADDR", "127.0.0.1:7101"), "ClientService address (env HOLDFAST_CLIENT_ADDR)")
	customer := fs.String("customer", "", "customer id (or --counterparty)")
	counterparty := fs.String("counterparty", "", "phone or WeChat id of a contact who is not a registered customer (or --customer)")
	kind := fs.String("kind", "chat", "chat, call, email, visit_note or meeting")
	direction := fs.String("direction", "outbound", "inbound, outbound or note")
	text := fs.String("text", "", "what was said or written")
	duration := fs.Duration("duration", 0, "call or meeting length, e.g. 12m")
	requestID := fs.String("request-id", "", "idempotency key (default: a new UUID)")
	quiet := fs.Bool("q", false, "print only the CLIENT sequence written")
	printID := fs.Bool("print-id", false, "print only the interaction id")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if (*customer == "") == (*counterparty == "") {
		return fmt.Errorf("%w: give --customer ID or --counterparty PHONE_OR_WECHAT", ErrUsage)
	}
	k, ok := clientv1.InteractionKind_value["INTERACTION_KIND_"+strings.ToUpper(*kind)]
	if !ok {
		return fmt.Errorf("%w: --kind must be chat, call, email, visit_note or meeting", ErrUsage)
	}
	d, ok := clientv1.Direction_value["DIRECTION_"+strings.ToUpper(*direction)]
	if !ok {
		return fmt.Errorf("%w: --direction must be inbound, outbound or note", ErrUsage)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if *requestID == "" {
		*requestID = uuid.NewString()
	}
	req := &clientv1.LogInteractionRequest{
		RequestId: *requestID, CustomerId: *customer, CounterpartyContact: *counterparty,
		Kind: clientv1.InteractionKind(k), Direction: clientv1.Direction(d), Text: *text,
	}
	if *duration > 0 {
		req.Duration = durationpb.New(*duration)
	}
	ctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := clientv1.NewClientServiceClient(conn).LogInteraction(ctx, req)
	if err != nil {
		return err
	}
	switch {
	case *printID:
		fmt.Fprintln(env.Stdout, resp.GetInteractionId())
		return nil
	case *quiet:
		fmt.Fprintln(env.Stdout, resp.GetSequence())
		return nil
	}
	fmt.Fprintf(env.Stdout, "interaction %s logged (CLIENT sequence %d)\n", resp.GetInteractionId(), resp.GetSequence())
	return nil
}

func addressFlag(text string, lat, lng float64) *clientv1.Address {
	if text == "" && lat == 0 && lng == 0 {
		return nil
	}
	a := &clientv1.Address{Text: text}
	if lat != 0 || lng != 0 {
		a.Location = &clientv1.GeoPoint{Latitude: lat, Longitude: lng}
	}
	return a
}
