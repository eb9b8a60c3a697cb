package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/ordersvc"
)

// orderCommand is the flags every `holdfast order|account` subcommand shares.
type orderCommand struct {
	fs        *flag.FlagSet
	id        identity
	addr      *string
	requestID *string
	quiet     *bool
	env       Env
}

func newOrderCommand(name, quietHelp string, env Env) *orderCommand {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	c := &orderCommand{fs: fs, env: env}
	c.id.register(fs, env)
	c.addr = fs.String("addr", envOr(env, "HOLDFAST_ORDER_ADDR", "127.0.0.1:7102"), "OrderService address (env HOLDFAST_ORDER_ADDR)")
	c.requestID = fs.String("request-id", "", "idempotency key (default: a new UUID)")
	c.quiet = fs.Bool("q", false, quietHelp)
	return c
}

func (c *orderCommand) parse(args []string) error {
	if err := c.fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *c.requestID == "" {
		*c.requestID = uuid.NewString()
	}
	return nil
}

// call connects and runs fn with a deadline.
func (c *orderCommand) call(ctx context.Context, fn func(context.Context, orderv1.OrderServiceClient) error) error {
	conn, err := c.id.connect(*c.addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := callContext(ctx)
	defer cancel()
	return fn(ctx, orderv1.NewOrderServiceClient(conn))
}

// Order implements `holdfast order SUB` and `holdfast account SUB`.
func Order(ctx context.Context, env Env, cmd, sub string, args []string) error {
	switch cmd + " " + sub {
	case "order create":
		return createOrder(ctx, env, args)
	case "order submit", "order approve", "order reject", "order won", "order lost", "order cancel", "order refund", "order deliver":
		return orderStep(ctx, env, sub, args)
	case "order pay":
		return recordPayment(ctx, env, args)
	case "order ship":
		return recordShipment(ctx, env, args)
	case "order get", "order list":
		return readOrders(ctx, env, sub, args)
	case "order funnel":
		return salesFunnel(ctx, env, args)
	case "account add-company", "account add-payer":
		return addAccount(ctx, env, sub, args)
	}
	return fmt.Errorf("%w: holdfast order create|submit|approve|reject|won|lost|cancel|refund|pay|ship|deliver|get|list|funnel, "+
		"or holdfast account add-company|add-payer", ErrUsage)
}

// parseLine reads --line PRODUCT:QUANTITY:UNIT_PRICE (the product may hold colons).
func parseLine(s, currency string) (*orderv1.LineItem, error) {
	i := strings.LastIndexByte(s, ':')
	j := strings.LastIndexByte(s[:max(i, 0)], ':')
	if i < 0 || j <= 0 {
		return nil, fmt.Errorf("%w: --line %q: want PRODUCT:QUANTITY:UNIT_PRICE, e.g. \"液压泵 HP-200:2:12500.00\"", ErrUsage, s)
	}
	qty, err := strconv.ParseInt(s[j+1:i], 10, 64)
	if err != nil || qty <= 0 {
		return nil, fmt.Errorf("%w: --line %q: quantity must be a positive whole number", ErrUsage, s)
	}
	price, err := ordersvc.ParseAmount(s[i+1:], currency)
	if err != nil {
		return nil, fmt.Errorf("%w: --line %q: unit price: %w", ErrUsage, s, err)
	}
	return &orderv1.LineItem{Product: s[:j], Quantity: qty, UnitPriceMinor: price}, nil
}

// parseTime reads a date (2026-03-01, midnight UTC) or an RFC 3339 time;
// empty is nil.
func parseTime(flagName, s string) (*timestamppb.Timestamp, error) {
	if s == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return timestamppb.New(t), nil
		}
	}
	return nil, fmt.Errorf("%w: --%s %q: want 2026-03-01 or 2026-03-01T09:30:00+08:00", ErrUsage, flagName, s)
}

func parseEnum(flagName, prefix, s string, values map[string]int32, allowed string) (int32, error) {
	v, ok := values[prefix+strings.ToUpper(s)]
	if !ok || s == "" {
		return 0, fmt.Errorf("%w: --%s must be %s", ErrUsage, flagName, allowed)
	}
	return v, nil
}

func createOrder(ctx context.Context, env Env, args []string) error {
	c := newOrderCommand("order create", "print only the order id", env)
	customer := c.fs.String("customer", "", "customer id")
	seller := c.fs.String("seller", "", "selling employee (default: you; managers and admins may name another)")
	currency := c.fs.String("currency", "CNY", "ISO 4217 currency")
	source := c.fs.String("source", "", "claimed customer source: website, trade_show, referral, assignment, import, personal")
	address := c.fs.String("address", "", "expected delivery address")
	var lines stringList
	c.fs.Var(&lines, "line", "PRODUCT:QUANTITY:UNIT_PRICE, e.g. \"液压泵 HP-200:2:12500.00\" (repeatable)")
	if err := c.parse(args); err != nil {
		return err
	}
	src, err := parseEnum("source", "SOURCE_CHANNEL_", *source, clientv1.SourceChannel_value, "website, trade_show, referral, assignment, import or personal")
	if err != nil {
		return err
	}
	if *customer == "" || len(lines) == 0 {
		return fmt.Errorf("%w: --customer ID and at least one --line are required", ErrUsage)
	}
	req := &orderv1.CreateOrderRequest{
		RequestId: *c.requestID, CustomerId: *customer, SellerId: *seller, Currency: *currency,
		ClaimedSource: clientv1.SourceChannel(src), ExpectedDeliveryAddress: *address,
	}
	for _, l := range lines {
		item, err := parseLine(l, *currency)
		if err != nil {
			return err
		}
		req.Lines = append(req.Lines, item)
	}
	return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
		resp, err := svc.CreateOrder(ctx, req)
		if err != nil {
			return err
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, resp.GetOrder().GetOrderId())
			return nil
		}
		fmt.Fprintf(env.Stdout, "order %s created (ORDER sequence %d)\n", resp.GetOrder().GetOrderId(), resp.GetSequence())
		printOrder(env.Stdout, resp.GetOrder())
		return nil
	})
}

// orderStep runs one of the order's lifecycle commands.
func orderStep(ctx context.Context, env Env, sub string, args []string) error {
	c := newOrderCommand("order "+sub, "print only the ORDER sequence written", env)
	order := c.fs.String("order", "", "order id")
	text := c.fs.String("reason", "", "reason (reject, lost, cancel, refund)")
	comment := c.fs.String("comment", "", "approval comment (approve)")
	amount := c.fs.String("amount", "", "refund amount, e.g. 1200.00 (refund)")
	currency := c.fs.String("currency", "CNY", "refund currency (refund)")
	shipment := c.fs.String("shipment", "", "shipment id (deliver)")
	at := c.fs.String("at", "", "when it happened (won, deliver); default now")
	if err := c.parse(args); err != nil {
		return err
	}
	if *order == "" {
		return fmt.Errorf("%w: --order ID is required", ErrUsage)
	}
	when, err := parseTime("at", *at)
	if err != nil {
		return err
	}
	var minor int64
	if sub == "refund" {
		if minor, err = ordersvc.ParseAmount(*amount, *currency); err != nil {
			return fmt.Errorf("%w: --amount %q: %w", ErrUsage, *amount, err)
		}
	}
	rid, id := *c.requestID, *order
	return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
		var resp interface {
			GetOrder() *orderv1.Order
			GetSequence() uint64
		}
		var err error
		switch sub {
		case "submit":
			resp, err = svc.SubmitOrder(ctx, &orderv1.SubmitOrderRequest{RequestId: rid, OrderId: id})
		case "approve":
			resp, err = svc.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: rid, OrderId: id, Comment: *comment})
		case "reject":
			resp, err = svc.RejectOrder(ctx, &orderv1.RejectOrderRequest{RequestId: rid, OrderId: id, Reason: *text})
		case "won":
			resp, err = svc.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: rid, OrderId: id, WonAt: when})
		case "lost":
			resp, err = svc.MarkOrderLost(ctx, &orderv1.MarkOrderLostRequest{RequestId: rid, OrderId: id, Reason: *text})
		case "cancel":
			resp, err = svc.CancelOrder(ctx, &orderv1.CancelOrderRequest{RequestId: rid, OrderId: id, Reason: *text})
		case "refund":
			resp, err = svc.RefundOrder(ctx, &orderv1.RefundOrderRequest{RequestId: rid, OrderId: id, AmountMinor: minor, Currency: *currency, Reason: *text})
		case "deliver":
			resp, err = svc.RecordDelivery(ctx, &orderv1.RecordDeliveryRequest{RequestId: rid, OrderId: id, ShipmentId: *shipment, DeliveredAt: when})
		}
		if err != nil {
			return err
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, resp.GetSequence())
			return nil
		}
		fmt.Fprintf(env.Stdout, "order %s %s (ORDER sequence %d)\n", id, statusName(resp.GetOrder().GetStatus()), resp.GetSequence())
		return nil
	})
}

func recordPayment(ctx context.Context, env Env, args []string) error {
	c := newOrderCommand("order pay", "print only the ORDER sequence written", env)
	order := c.fs.String("order", "", "order id")
	amount := c.fs.String("amount", "", "amount paid, e.g. 15000.00")
	currency := c.fs.String("currency", "CNY", "ISO 4217 currency")
	payer := c.fs.String("payer", "", "account the money came from")
	payee := c.fs.String("payee", "", "account the money went to")
	reference := c.fs.String("reference", "", "bank reference or invoice number")
	paidAt := c.fs.String("paid-at", "", "when it was paid (default now)")
	if err := c.parse(args); err != nil {
		return err
	}
	minor, err := ordersvc.ParseAmount(*amount, *currency)
	if err != nil {
		return fmt.Errorf("%w: --amount %q: %w", ErrUsage, *amount, err)
	}
	at, err := parseTime("paid-at", *paidAt)
	if err != nil {
		return err
	}
	if at == nil {
		at = timestamppb.Now()
	}
	return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
		resp, err := svc.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
			RequestId: *c.requestID, OrderId: *order, AmountMinor: minor, Currency: *currency,
			PayerAccount: *payer, PayeeAccount: *payee, Reference: *reference, PaidAt: at,
		})
		if err != nil {
			return err
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, resp.GetSequence())
			return nil
		}
		p, o := resp.GetPayment(), resp.GetOrder()
		fmt.Fprintf(env.Stdout, "payment %s recorded (ORDER sequence %d)\n  %s %s to %s (company account: %v) from %s (payer: %s)\n  paid %s of %s\n",
			p.GetPaymentId(), resp.GetSequence(), ordersvc.FormatAmount(p.GetAmountMinor(), p.GetCurrency()), p.GetCurrency(),
			p.GetPayeeAccount(), p.GetPayeeIsCompanyAccount(), p.GetPayerAccount(),
			strings.ToLower(strings.TrimPrefix(p.GetPayerRelation().String(), "PAYER_RELATION_")),
			ordersvc.FormatAmount(o.GetPaidTotalMinor(), o.GetCurrency()), ordersvc.FormatAmount(o.GetAmountMinor(), o.GetCurrency()))
		return nil
	})
}

func recordShipment(ctx context.Context, env Env, args []string) error {
	c := newOrderCommand("order ship", "print only the shipment id", env)
	order := c.fs.String("order", "", "order id")
	carrier := c.fs.String("carrier", "", "carrier, e.g. 顺丰")
	tracking := c.fs.String("tracking", "", "tracking number")
	address := c.fs.String("address", "", "delivery address")
	shippedAt := c.fs.String("shipped-at", "", "when it left (default now)")
	if err := c.parse(args); err != nil {
		return err
	}
	at, err := parseTime("shipped-at", *shippedAt)
	if err != nil {
		return err
	}
	if at == nil {
		at = timestamppb.Now()
	}
	return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
		resp, err := svc.RecordShipment(ctx, &orderv1.RecordShipmentRequest{
			RequestId: *c.requestID, OrderId: *order, Carrier: *carrier, TrackingNumber: *tracking, DeliveryAddress: *address, ShippedAt: at,
		})
		if err != nil {
			return err
		}
		s := resp.GetShipment()
		if *c.quiet {
			fmt.Fprintln(env.Stdout, s.GetShipmentId())
			return nil
		}
		fmt.Fprintf(env.Stdout, "shipment %s recorded (ORDER sequence %d)\n  %s %s to %s (customer's registered address: %v)\n",
			s.GetShipmentId(), resp.GetSequence(), s.GetCarrier(), s.GetTrackingNumber(), s.GetDeliveryAddress(), s.GetAddressMatchesCustomer())
		return nil
	})
}

func statusName(s orderv1.OrderStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "ORDER_STATUS_"))
}

// printOrder writes one order for a person to read.
func printOrder(w io.Writer, o *orderv1.Order) {
	cur := o.GetCurrency()
	fmt.Fprintf(w, "ORDER %s  %s  customer %s  seller %s  %s %s  claimed %s (customer's: %s)",
		o.GetOrderId(), statusName(o.GetStatus()), o.GetCustomerId(), o.GetSellerId(), ordersvc.FormatAmount(o.GetAmountMinor(), cur), cur,
		sourceName(o.GetClaimedSource()), sourceName(o.GetCustomerSource()))
	if o.GetSourceContradiction() {
		fmt.Fprint(w, "  SOURCE CONTRADICTION")
	}
	fmt.Fprintf(w, "\n  paid %s, refunded %s, %d payment(s), %d shipment(s)\n",
		ordersvc.FormatAmount(o.GetPaidTotalMinor(), cur), ordersvc.FormatAmount(o.GetRefundedTotalMinor(), cur), len(o.GetPayments()), len(o.GetShipments()))
	for _, p := range o.GetPayments() {
		fmt.Fprintf(w, "  payment %s %s to %s company=%v payer=%s\n", p.GetPaymentId(), ordersvc.FormatAmount(p.GetAmountMinor(), p.GetCurrency()),
			p.GetPayeeAccount(), p.GetPayeeIsCompanyAccount(), strings.ToLower(strings.TrimPrefix(p.GetPayerRelation().String(), "PAYER_RELATION_")))
	}
	for _, s := range o.GetShipments() {
		fmt.Fprintf(w, "  shipment %s %s %s to %s matches-customer=%v delivered=%v\n", s.GetShipmentId(), s.GetCarrier(), s.GetTrackingNumber(),
			s.GetDeliveryAddress(), s.GetAddressMatchesCustomer(), s.GetDeliveredAt() != nil)
	}
}

func sourceName(s clientv1.SourceChannel) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "SOURCE_CHANNEL_"))
}

// readOrders implements `holdfast order get|list`.
func readOrders(ctx context.Context, env Env, sub string, args []string) error {
	c := newOrderCommand("order "+sub, "print only order ids", env)
	order := c.fs.String("order", "", "order id (get)")
	customer := c.fs.String("customer", "", "only this customer's orders (list)")
	seller := c.fs.String("seller", "", "only this employee's orders (list)")
	status := c.fs.String("status", "", "only orders in this status: draft, pending_approval, approved, rejected, won, lost, cancelled, refunded (list)")
	from := c.fs.String("from", "", "created at or after (list)")
	to := c.fs.String("to", "", "created before (list)")
	pageSize := c.fs.Int("page-size", 0, "orders per page (list; default 50)")
	pageToken := c.fs.String("page-token", "", "next_page_token of the previous page (list)")
	minSeq := c.fs.Uint64("min-sequence", 0, "wait until the read model has applied this ORDER sequence")
	if err := c.parse(args); err != nil {
		return err
	}
	if sub == "get" {
		if *order == "" {
			return fmt.Errorf("%w: --order ID is required", ErrUsage)
		}
		return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
			resp, err := svc.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: *order, MinSequence: *minSeq})
			if err != nil {
				return err
			}
			if *c.quiet {
				fmt.Fprintln(env.Stdout, resp.GetOrder().GetOrderId())
				return nil
			}
			printOrder(env.Stdout, resp.GetOrder())
			return nil
		})
	}
	req := &orderv1.ListOrdersRequest{CustomerId: *customer, SellerId: *seller, PageToken: *pageToken, MinSequence: *minSeq}
	if *pageSize < 0 || *pageSize > 500 {
		return fmt.Errorf("%w: --page-size must be 1 to 500", ErrUsage)
	}
	req.PageSize = int32(*pageSize) //nolint:gosec // bounded above
	if *status != "" {
		st, err := parseEnum("status", "ORDER_STATUS_", *status, orderv1.OrderStatus_value, "draft, pending_approval, approved, rejected, won, lost, cancelled or refunded")
		if err != nil {
			return err
		}
		req.Status = orderv1.OrderStatus(st)
	}
	var err error
	if req.CreatedFrom, err = parseTime("from", *from); err != nil {
		return err
	}
	if req.CreatedTo, err = parseTime("to", *to); err != nil {
		return err
	}
	return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
		resp, err := svc.ListOrders(ctx, req)
		if err != nil {
			return err
		}
		for _, o := range resp.GetOrders() {
			if *c.quiet {
				fmt.Fprintln(env.Stdout, o.GetOrderId())
				continue
			}
			printOrder(env.Stdout, o)
		}
		if len(resp.GetOrders()) == 0 && !*c.quiet {
			fmt.Fprintln(env.Stdout, "no orders")
		}
		if resp.GetNextPageToken() != "" && !*c.quiet {
			fmt.Fprintf(env.Stdout, "next page: --page-token %s\n", resp.GetNextPageToken())
		}
		return nil
	})
}

// salesFunnel implements `holdfast order funnel`.
func salesFunnel(ctx context.Context, env Env, args []string) error {
	c := newOrderCommand("order funnel", "print rows as tab-separated values", env)
	from := c.fs.String("from", "", "period start, e.g. 2026-03-01 (required)")
	to := c.fs.String("to", "", "period end, exclusive (required)")
	seller := c.fs.String("seller", "", "only this employee")
	minSeq := c.fs.Uint64("min-sequence", 0, "wait until the read model has applied this ORDER sequence")
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
	if f == nil || t == nil {
		return fmt.Errorf("%w: --from and --to are required", ErrUsage)
	}
	return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
		resp, err := svc.GetSalesFunnel(ctx, &orderv1.GetSalesFunnelRequest{From: f, To: t, SellerId: *seller, MinSequence: *minSeq})
		if err != nil {
			return err
		}
		if !*c.quiet {
			fmt.Fprintln(env.Stdout, "employee\tcreated\twon\tlost\tcancelled")
		}
		for _, r := range resp.GetRows() {
			fmt.Fprintf(env.Stdout, "%s\t%d\t%d\t%d\t%d\n", r.GetEmployeeId(), r.GetCreated(), r.GetWon(), r.GetLost(), r.GetCancelled())
		}
		return nil
	})
}

// addAccount implements `holdfast account add-company|add-payer`.
func addAccount(ctx context.Context, env Env, sub string, args []string) error {
	c := newOrderCommand("account "+sub, "print only the ORDER sequence written", env)
	account := c.fs.String("account", "", "account number (spaces and dashes are ignored)")
	label := c.fs.String("label", "", "what the account is, e.g. 工商银行 收款户")
	customer := c.fs.String("customer", "", "customer the account pays for (add-payer)")
	relation := c.fs.String("relation", "own", "own, parent_company or related (add-payer)")
	if err := c.parse(args); err != nil {
		return err
	}
	if *account == "" {
		return fmt.Errorf("%w: --account is required", ErrUsage)
	}
	var rel int32
	if sub == "add-payer" {
		var err error
		if rel, err = parseEnum("relation", "PAYER_RELATION_", *relation, orderv1.PayerRelation_value, "own, parent_company or related"); err != nil {
			return err
		}
		if *customer == "" {
			return fmt.Errorf("%w: --customer ID is required", ErrUsage)
		}
	}
	return c.call(ctx, func(ctx context.Context, svc orderv1.OrderServiceClient) error {
		var stored string
		var seq uint64
		if sub == "add-company" {
			resp, err := svc.AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{RequestId: *c.requestID, Account: *account, Label: *label})
			if err != nil {
				return err
			}
			stored, seq = resp.GetAccount(), resp.GetSequence()
		} else {
			resp, err := svc.RegisterPayerAccount(ctx, &orderv1.RegisterPayerAccountRequest{
				RequestId: *c.requestID, CustomerId: *customer, Account: *account, Relation: orderv1.PayerRelation(rel), Label: *label,
			})
			if err != nil {
				return err
			}
			stored, seq = resp.GetAccount(), resp.GetSequence()
		}
		if *c.quiet {
			fmt.Fprintln(env.Stdout, seq)
			return nil
		}
		fmt.Fprintf(env.Stdout, "account %s registered (ORDER sequence %d)\n", stored, seq)
		return nil
	})
}
