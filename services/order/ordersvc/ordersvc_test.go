package ordersvc_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/store"
)

func TestOrderServiceMemory(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	testLifecycle(t, env, svc)
	t.Run("refused attempts", func(t *testing.T) { testRefusedAttempts(t, env, svc) })
	t.Run("approval chain", func(t *testing.T) { testApprovalChain(t, env, svc) })
	t.Run("authorisation", func(t *testing.T) { testAuthorisationMatrix(t, env, svc) })
	t.Run("invalid arguments", func(t *testing.T) { testInvalidArguments(t, env, svc) })
	t.Run("retries", func(t *testing.T) { testRetries(t, env, svc) })
}

func TestOrderServicePostgres(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	pool := testkit.NewDatabase(t, "orders", func(ctx context.Context, pool *pgxpool.Pool) error {
		return store.Migrate(ctx, pool)
	})
	svc := env.start(t, pool)
	orderID, last := testLifecycle(t, env, svc)
	t.Run("refused attempts", func(t *testing.T) { testRefusedAttempts(t, env, svc) })

	// A restart resumes from the PostgreSQL checkpoints and reads the same.
	svc.Stop()
	restarted := env.start(t, pool)
	hr := env.as(t, restarted, "acme", "hr-1", auth.RoleHR)
	got, err := hr.GetOrder(t.Context(), &orderv1.GetOrderRequest{OrderId: orderID, MinSequence: last})
	if err != nil {
		t.Fatalf("GetOrder after restart: %v", err)
	}
	if got.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_WON || len(got.GetOrder().GetPayments()) != 2 {
		t.Errorf("after restart: status %v with %d payments, want won with 2", got.GetOrder().GetStatus(), len(got.GetOrder().GetPayments()))
	}
	// The customer projection resumed too: its holder still sells to it.
	e1 := env.as(t, restarted, "acme", "e1", auth.RoleSales)
	if _, err := e1.CreateOrder(t.Context(), createRequest("after-restart", "c1", 500, clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW)); err != nil {
		t.Errorf("CreateOrder after restart: %v", err)
	}
}

// testLifecycle walks one order from creation through approval, sale, two
// payments (one to a company account from the customer's parent company,
// one to an account that is not the company's), a shipment elsewhere and
// its delivery, and checks the facts on every event. It returns the order
// and the last ORDER sequence written.
func testLifecycle(t *testing.T, env *testEnv, svc *testkit.RunningService) (string, uint64) {
	ctx := t.Context()
	const tenant = "acme"
	env.orgTree(t, tenant)
	admin := env.as(t, svc, tenant, "ad-1", auth.RoleAdmin)
	finance := env.as(t, svc, tenant, "finance", auth.RoleService)
	e1 := env.as(t, svc, tenant, "e1", auth.RoleSales)
	m1 := env.as(t, svc, tenant, "m1", auth.RoleManager)
	hr := env.as(t, svc, tenant, "hr-1", auth.RoleHR)

	env.registerCustomer(t, tenant, "c1", "e1", clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW, shanghai)
	if _, err := admin.AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{RequestId: "acc-1", Account: "6222 0210 0000 0001", Label: "工商银行 收款户"}); err != nil {
		t.Fatalf("AddCompanyAccount: %v", err)
	}
	payer, err := finance.RegisterPayerAccount(ctx, &orderv1.RegisterPayerAccountRequest{
		RequestId: "payer-1", CustomerId: "c1", Account: "6228-4800-0000-0009", Relation: orderv1.PayerRelation_PAYER_RELATION_PARENT_COMPANY, Label: "母公司",
	})
	if err != nil {
		t.Fatalf("RegisterPayerAccount: %v", err)
	}
	if payer.GetAccount() != "6228480000000009" {
		t.Errorf("payer account stored as %q, want it normalised", payer.GetAccount())
	}
	if _, err := admin.SetOrderPolicy(ctx, &orderv1.SetOrderPolicyRequest{RequestId: "policy-1", Reason: "FY26", Policy: &orderv1.OrderPolicy{
		Thresholds: []*orderv1.ApprovalThreshold{{Currency: "CNY", AutoApproveUpToMinor: cny(1000), AdminAboveMinor: cny(100_000)}},
	}}); err != nil {
		t.Fatalf("SetOrderPolicy: %v", err)
	}

	// A personal claim on a trade-show customer: the contradiction is a fact.
	created, err := e1.CreateOrder(ctx, createRequest("order-1", "c1", 20_000, clientv1.SourceChannel_SOURCE_CHANNEL_PERSONAL))
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	o := created.GetOrder()
	if o.GetStatus() != orderv1.OrderStatus_ORDER_STATUS_DRAFT || o.GetAmountMinor() != cny(20_000) || o.GetSellerId() != "e1" || !o.GetSourceContradiction() {
		t.Errorf("created %v: want a draft of 20000.00 sold by e1 with a source contradiction", o)
	}
	id := o.GetOrderId()
	submitted, err := e1.SubmitOrder(ctx, &orderv1.SubmitOrderRequest{RequestId: "submit-1", OrderId: id})
	if err != nil {
		t.Fatalf("SubmitOrder: %v", err)
	}
	if diff := cmp.Diff([]string{"manager"}, submitted.GetOrder().GetApprovalChain()); diff != "" {
		t.Errorf("chain mismatch (-want, +got):\n%s", diff)
	}
	_, err = e1.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: "won-early", OrderId: id})
	wantCode(t, err, codes.FailedPrecondition)
	if _, err := m1.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "approve-1", OrderId: id, Comment: "价格合理"}); err != nil {
		t.Fatalf("ApproveOrder: %v", err)
	}
	won, err := e1.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: "won-1", OrderId: id})
	if err != nil {
		t.Fatalf("MarkOrderWon: %v", err)
	}
	if won.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_WON {
		t.Errorf("status after won = %v", won.GetOrder().GetStatus())
	}
	paidAt := timestamppb.New(time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC))
	toCompany, err := finance.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
		RequestId: "pay-1", OrderId: id, AmountMinor: cny(15_000), Currency: "CNY",
		PayerAccount: "6228 4800 0000 0009", PayeeAccount: "6222021000000001", Reference: "INV-2026-001", PaidAt: paidAt,
	})
	if err != nil {
		t.Fatalf("RecordPayment to the company: %v", err)
	}
	if p := toCompany.GetPayment(); !p.GetPayeeIsCompanyAccount() || p.GetPayerRelation() != orderv1.PayerRelation_PAYER_RELATION_PARENT_COMPANY {
		t.Errorf("payment to the company = %v, want a company payee and a parent-company payer", p)
	}
	toPerson, err := finance.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
		RequestId: "pay-2", OrderId: id, AmountMinor: cny(5_000), Currency: "CNY",
		PayerAccount: "6217000011112222", PayeeAccount: "6230 5800 1234 5678", Reference: "转账", PaidAt: paidAt,
	})
	if err != nil {
		t.Fatalf("RecordPayment to a person: %v", err)
	}
	if p := toPerson.GetPayment(); p.GetPayeeIsCompanyAccount() || p.GetPayerRelation() != orderv1.PayerRelation_PAYER_RELATION_UNKNOWN {
		t.Errorf("payment to a person = %v, want a payee that is not the company's and an unknown payer", p)
	}
	shipped, err := finance.RecordShipment(ctx, &orderv1.RecordShipmentRequest{
		RequestId: "ship-1", OrderId: id, Carrier: "顺丰", TrackingNumber: "SF1234567890", DeliveryAddress: "杭州市西湖区文三路1号", ShippedAt: paidAt,
	})
	if err != nil {
		t.Fatalf("RecordShipment: %v", err)
	}
	if shipped.GetShipment().GetAddressMatchesCustomer() {
		t.Error("a shipment to Hangzhou matches the Shanghai customer's address")
	}
	delivered, err := finance.RecordDelivery(ctx, &orderv1.RecordDeliveryRequest{RequestId: "deliver-1", OrderId: id, ShipmentId: shipped.GetShipment().GetShipmentId()})
	if err != nil {
		t.Fatalf("RecordDelivery: %v", err)
	}

	// The facts on the events, as the risk and commission services read them.
	evs := env.events(t, tenant, "order", id)
	if len(evs) != 8 {
		t.Fatalf("order has %d events, want 8: %v", len(evs), evs)
	}
	createdEv := evs[0].(*orderv1.OrderCreated)
	if !createdEv.GetSourceContradiction() || createdEv.GetCustomerSource() != clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW || !createdEv.GetDeliveryAddressMatchesCustomer() {
		t.Errorf("OrderCreated facts = %v; want the contradiction, the recorded source and a matching address", createdEv)
	}
	if w := evs[3].(*orderv1.OrderWon); w.GetPaidTotalMinor() != 0 || w.GetShipped() {
		t.Errorf("OrderWon = %v; want nothing paid or shipped yet", w)
	}
	wantPay1 := &orderv1.PaymentRecorded{
		OrderId: id, PaymentId: toCompany.GetPayment().GetPaymentId(), SellerId: "e1", CustomerId: "c1",
		AmountMinor: cny(15_000), Currency: "CNY", PayerAccount: "6228480000000009", PayeeAccount: "6222021000000001",
		Reference: "INV-2026-001", PaidAt: paidAt, PayeeIsCompanyAccount: true, PayerRelation: orderv1.PayerRelation_PAYER_RELATION_PARENT_COMPANY,
		CurrencyMatchesOrder: true, OrderAmountMinor: cny(20_000), PaidTotalMinor: cny(15_000), OrderStatus: orderv1.OrderStatus_ORDER_STATUS_WON,
		PaidToCompanyTotalMinor: cny(15_000),
	}
	if diff := cmp.Diff(wantPay1, evs[4], protocmp.Transform()); diff != "" {
		t.Errorf("first PaymentRecorded mismatch (-want, +got):\n%s", diff)
	}
	if p := evs[5].(*orderv1.PaymentRecorded); p.GetPayeeIsCompanyAccount() || p.GetPaidTotalMinor() != cny(20_000) || !p.GetPaidInFull() || p.GetOverpaid() || p.GetPaidToCompanyTotalMinor() != cny(15_000) {
		t.Errorf("second PaymentRecorded = %v; want a personal payee that completes the total but not the company's", p)
	}
	if s := evs[6].(*orderv1.ShipmentRecorded); s.GetAddressMatchesCustomer() || s.GetAddressMatchesOrder() || s.GetCustomerAddress() != shanghai {
		t.Errorf("ShipmentRecorded = %v; want mismatches against %s", s, shanghai)
	}

	// The read model, read as of the last write.
	last := delivered.GetSequence()
	got, err := hr.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: id, MinSequence: last})
	if err != nil {
		t.Fatalf("GetOrder: %v", err)
	}
	g := got.GetOrder()
	if g.GetPaidTotalMinor() != cny(20_000) || len(g.GetShipments()) != 1 || g.GetShipments()[0].GetDeliveredAt() == nil || len(g.GetApprovals()) != 1 {
		t.Errorf("GetOrder = %v; want 20000.00 paid, one delivered shipment, one approval", g)
	}
	list, err := hr.ListOrders(ctx, &orderv1.ListOrdersRequest{SellerId: "e1", Status: orderv1.OrderStatus_ORDER_STATUS_WON, MinSequence: last})
	if err != nil || len(list.GetOrders()) != 1 || list.GetOrders()[0].GetOrderId() != id {
		t.Errorf("ListOrders(e1, won) = %v, %v; want the order", list, err)
	}
	day := time.Now().UTC()
	funnel, err := e1.GetSalesFunnel(ctx, &orderv1.GetSalesFunnelRequest{From: timestamppb.New(day.Add(-time.Hour)), To: timestamppb.New(day.Add(time.Hour)), MinSequence: last})
	if err != nil {
		t.Fatalf("GetSalesFunnel: %v", err)
	}
	if diff := cmp.Diff([]*orderv1.FunnelRow{{EmployeeId: "e1", Created: 1, Won: 1}}, funnel.GetRows(), protocmp.Transform()); diff != "" {
		t.Errorf("funnel mismatch (-want, +got):\n%s", diff)
	}
	return id, last
}
