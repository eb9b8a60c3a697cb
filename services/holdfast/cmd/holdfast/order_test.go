package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/eventlog"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/holdfast/internal/cli"
)

// TestOrderFlow drives the dev stack with the holdfast CLI as a new user
// would: a salesperson registers a customer with the client service, sells
// to them twice — one order paid into a company account by the customer's
// parent company and shipped to the customer, one paid into a personal
// account — and a colleague tries to sell to the same customer. The facts
// the risk and commission services need must be on the ORDER events.
func TestOrderFlow(t *testing.T) {
	stack, dataDir := startDevStack(t)
	t.Setenv("HOLDFAST_DATA_DIR", dataDir)
	t.Setenv("HOLDFAST_CLIENT_ADDR", stack.Endpoints.ClientGRPC)
	t.Setenv("HOLDFAST_ORDER_ADDR", stack.Endpoints.OrderGRPC)
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var welcome bytes.Buffer
	stack.PrintWelcome(&welcome, "bin/holdfast")
	if !strings.Contains(welcome.String(), stack.Endpoints.OrderGRPC+"   (holdfast.order.v1.OrderService)") ||
		!strings.Contains(welcome.String(), stack.Endpoints.AttendanceGRPC+"   (holdfast.attendance.v1.AttendanceService)") {
		t.Errorf("welcome text lacks the order or attendance endpoint:\n%s", welcome.String())
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := realMain(t.Context(), args, &out, &errOut); err != nil {
			t.Fatalf("holdfast %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	as := func(who, role string, args ...string) string {
		t.Helper()
		return run(append(args, "--tenant", "acme", "--as", who, "--role", role)...)
	}
	salesTeam(t, stack, "e1", "e2")
	const address = "上海市浦东新区世纪大道100号"
	cid := as("e1", "sales", "customer", "register", "--name", "王伟", "--company", "上海星海贸易有限公司",
		"--phone", "138 0013 8000", "--source", "trade_show", "--address", address, "-q")
	as("ad1", "admin", "account", "add-company", "--account", "6222 0210 0000 0001", "--label", "工商银行 收款户", "-q")
	as("fin", "service", "account", "add-payer", "--customer", cid, "--account", "6228-4800-0000-0009", "--relation", "parent_company", "-q")

	// sell walks one order through approval (the default chain: a manager,
	// then an admin) to won and a payment into payee.
	sell := func(requestID, payee string) (string, string) {
		t.Helper()
		oid := as("e1", "sales", "order", "create", "--customer", cid, "--line", "液压泵 HP-200:2:10000.00",
			"--source", "personal", "--address", "上海市 浦东新区 世纪大道１００号", "--request-id", requestID, "-q")
		as("e1", "sales", "order", "submit", "--order", oid, "-q")
		as("m1", "manager", "order", "approve", "--order", oid, "--comment", "价格合理", "-q")
		as("ad1", "admin", "order", "approve", "--order", oid, "-q")
		as("e1", "sales", "order", "won", "--order", oid, "-q")
		seq := as("fin", "service", "order", "pay", "--order", oid, "--amount", "20,000.00",
			"--payer", "6228 4800 0000 0009", "--payee", payee, "--reference", "INV-"+requestID, "-q")
		return oid, seq
	}
	companyOrder, _ := sell("to-company", "6222021000000001")
	shipment := as("fin", "service", "order", "ship", "--order", companyOrder, "--carrier", "顺丰", "--tracking", "SF1234567890",
		"--address", address, "-q")
	as("fin", "service", "order", "deliver", "--order", companyOrder, "--shipment", shipment, "-q")
	personalOrder, last := sell("to-person", "6230 5800 1234 5678")

	// A colleague's order for e1's customer is refused, and on record.
	var errOut bytes.Buffer
	err := realMain(t.Context(), []string{
		"order", "create", "--tenant", "acme", "--as", "e2", "--role", "sales",
		"--customer", cid, "--line", "x:1:1.00", "--source", "personal",
	}, io.Discard, &errOut)
	if err == nil || errors.Is(err, cli.ErrUsage) || !strings.Contains(err.Error(), "FailedPrecondition") {
		t.Errorf("e2's order for e1's customer: %v, want FailedPrecondition", err)
	}

	got := as("hr1", "hr", "order", "get", "--order", companyOrder, "--min-sequence", last)
	for _, want := range []string{"won", "20000.00 CNY", "claimed personal (customer's: trade_show)", "SOURCE CONTRADICTION", "company=true payer=parent_company", "matches-customer=true delivered=true"} {
		if !strings.Contains(got, want) {
			t.Errorf("order get output lacks %q:\n%s", want, got)
		}
	}
	funnel := as("m1", "manager", "order", "funnel", "--from", "2000-01-01", "--to", "2100-01-01", "--min-sequence", last)
	if !strings.Contains(funnel, "e1\t2\t2\t0\t0") {
		t.Errorf("funnel:\n%s\nwant e1 with 2 created and 2 won", funnel)
	}

	// The facts on the events, as the risk and commission services read them.
	log := eventLog(t, stack.Endpoints.NATS)
	companyEvents := payloads(t, log, "order", companyOrder)
	created := companyEvents[0].(*orderv1.OrderCreated)
	if !created.GetSourceContradiction() || created.GetCustomerSource() != clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW ||
		created.GetClaimedSource() != clientv1.SourceChannel_SOURCE_CHANNEL_PERSONAL || !created.GetDeliveryAddressMatchesCustomer() {
		t.Errorf("OrderCreated = %v; want a source contradiction against trade_show and a matching address", created)
	}
	paid := findEvent[*orderv1.PaymentRecorded](t, companyEvents)
	if !paid.GetPayeeIsCompanyAccount() || paid.GetPayerRelation() != orderv1.PayerRelation_PAYER_RELATION_PARENT_COMPANY ||
		!paid.GetPaidInFull() || paid.GetPaidTotalMinor() != 2_000_000 || paid.GetOrderAmountMinor() != 2_000_000 || paid.GetPaidToCompanyTotalMinor() != 2_000_000 {
		t.Errorf("PaymentRecorded to the company = %v", paid)
	}
	if s := findEvent[*orderv1.ShipmentRecorded](t, companyEvents); !s.GetAddressMatchesCustomer() || !s.GetAddressMatchesOrder() {
		t.Errorf("ShipmentRecorded = %v; want it to match the customer's and the order's address", s)
	}
	findEvent[*orderv1.DeliveryRecorded](t, companyEvents)
	personal := findEvent[*orderv1.PaymentRecorded](t, payloads(t, log, "order", personalOrder))
	if personal.GetPayeeIsCompanyAccount() || personal.GetPayeeAccount() != "6230580012345678" || personal.GetPaidToCompanyTotalMinor() != 0 || !personal.GetPaidInFull() {
		t.Errorf("PaymentRecorded to a person = %v; want a payee that is not the company's", personal)
	}
	refused := findEvent[*orderv1.OrderAttemptRefused](t, payloads(t, log, "seller", "e2"))
	if refused.GetHolderId() != "e1" || refused.GetRefusal() != orderv1.AttemptRefusal_ATTEMPT_REFUSAL_NOT_HELD_BY_SELLER {
		t.Errorf("OrderAttemptRefused = %v; want e1 holding the customer", refused)
	}
}

// eventLog connects to the stack's NATS to read ORDER as other services do.
func eventLog(t *testing.T, url string) *eventlog.Log {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return eventlog.New(js)
}

func payloads(t *testing.T, log *eventlog.Log, typ, id string) []proto.Message {
	t.Helper()
	agg, err := log.Load(t.Context(), eventlog.AggregateRef{Context: "order", Tenant: "acme", Type: typ, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []proto.Message
	for _, rec := range agg.Records {
		msg, err := rec.Payload()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, msg)
	}
	if len(out) == 0 {
		t.Fatalf("no events on order.acme.%s.%s", typ, id)
	}
	return out
}

// findEvent is the first event of type T, failing t when there is none.
func findEvent[T proto.Message](t *testing.T, events []proto.Message) T {
	t.Helper()
	for _, e := range events {
		if v, ok := e.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T among %d events", zero, len(events))
	return zero
}
