package ordersvc_test

import (
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

const tradeShow = clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW

// testRefusedAttempts: an order for a customer the seller does not hold is
// refused, and each attempt is on record under the seller.
func testRefusedAttempts(t *testing.T, env *testEnv, svc *testkit.RunningService) {
	ctx := t.Context()
	const tenant = "refuse"
	env.orgTree(t, tenant)
	e1 := env.as(t, svc, tenant, "e1", auth.RoleSales)
	e2 := env.as(t, svc, tenant, "e2", auth.RoleSales)
	m1 := env.as(t, svc, tenant, "m1", auth.RoleManager)
	env.registerCustomer(t, tenant, "c1", "e1", tradeShow, shanghai)
	env.registerCustomer(t, tenant, "pooled", "", tradeShow, shanghai)

	_, err := e2.CreateOrder(ctx, createRequest("steal", "c1", 100, tradeShow))
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e2.CreateOrder(ctx, createRequest("steal", "c1", 100, tradeShow)) // a retry records nothing new
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e2.CreateOrder(ctx, createRequest("ghost", "nobody", 100, tradeShow))
	wantCode(t, err, codes.FailedPrecondition)
	_, err = e2.CreateOrder(ctx, createRequest("pool", "pooled", 100, tradeShow))
	wantCode(t, err, codes.FailedPrecondition)
	_, err = m1.CreateOrder(ctx, &orderv1.CreateOrderRequest{
		RequestId: "for-e2", CustomerId: "c1", SellerId: "e2", Currency: "CNY", ClaimedSource: tradeShow,
		Lines: []*orderv1.LineItem{{Product: "x", Quantity: 1, UnitPriceMinor: 1}},
	})
	wantCode(t, err, codes.FailedPrecondition)

	evs := env.events(t, tenant, "seller", "e2")
	if len(evs) != 4 {
		t.Fatalf("e2 has %d refused attempts on record, want 4", len(evs))
	}
	first := evs[0].(*orderv1.OrderAttemptRefused)
	if first.GetRefusal() != orderv1.AttemptRefusal_ATTEMPT_REFUSAL_NOT_HELD_BY_SELLER || first.GetHolderId() != "e1" || first.GetAmountMinor() != cny(100) || first.GetRequestedBy() != "e2" {
		t.Errorf("first attempt = %v; want not held, holder e1, 100.00, by e2", first)
	}
	if r := evs[1].(*orderv1.OrderAttemptRefused).GetRefusal(); r != orderv1.AttemptRefusal_ATTEMPT_REFUSAL_CUSTOMER_NOT_FOUND {
		t.Errorf("second attempt refusal = %v, want customer not found", r)
	}
	if a := evs[3].(*orderv1.OrderAttemptRefused); a.GetRequestedBy() != "m1" || a.GetSellerId() != "e2" {
		t.Errorf("manager's attempt = %v; want requested by m1 for e2", a)
	}

	// A handover makes the customer e2's: e2 may sell, e1 no longer.
	env.changeOwner(t, tenant, "c1", "e1", "e2", "handover-c1")
	if _, err := e2.CreateOrder(ctx, createRequest("after-handover", "c1", 100, tradeShow)); err != nil {
		t.Errorf("CreateOrder by the new holder: %v", err)
	}
	_, err = e1.CreateOrder(ctx, createRequest("old-holder", "c1", 100, tradeShow))
	wantCode(t, err, codes.FailedPrecondition)
}

// testApprovalChain covers the default chain (manager then admin), distinct
// approvers, the seller never approving, rejection, automatic approval
// under the threshold, and cancellation and refund after payment.
func testApprovalChain(t *testing.T, env *testEnv, svc *testkit.RunningService) {
	ctx := t.Context()
	const tenant = "chain"
	env.orgTree(t, tenant)
	e1 := env.as(t, svc, tenant, "e1", auth.RoleSales)
	m1 := env.as(t, svc, tenant, "m1", auth.RoleManager)
	m2 := env.as(t, svc, tenant, "m2", auth.RoleManager)
	admin := env.as(t, svc, tenant, "ad-1", auth.RoleAdmin)
	finance := env.as(t, svc, tenant, "fin", auth.RoleService)
	env.registerCustomer(t, tenant, "c1", "e1", tradeShow, shanghai)
	env.registerCustomer(t, tenant, "cm", "m1", tradeShow, shanghai)

	policy, err := e1.GetOrderPolicy(ctx, &orderv1.GetOrderPolicyRequest{})
	if err != nil || !policy.GetIsDefault() {
		t.Fatalf("GetOrderPolicy = %v, %v; want the default", policy, err)
	}
	var submitted uint64 // the last submission's sequence
	create := func(c orderv1.OrderServiceClient, requestID, customer string, yuan int64) string {
		t.Helper()
		resp, err := c.CreateOrder(ctx, createRequest(requestID, customer, yuan, tradeShow))
		if err != nil {
			t.Fatalf("CreateOrder %s: %v", requestID, err)
		}
		sub, err := c.SubmitOrder(ctx, &orderv1.SubmitOrderRequest{RequestId: "submit-" + requestID, OrderId: resp.GetOrder().GetOrderId()})
		if err != nil {
			t.Fatalf("SubmitOrder %s: %v", requestID, err)
		}
		submitted = sub.GetSequence()
		return resp.GetOrder().GetOrderId()
	}
	id := create(e1, "big", "c1", 50_000)
	if _, err := m1.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "a1", OrderId: id}); err != nil {
		t.Fatalf("manager step: %v", err)
	}
	_, err = admin.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "a1", OrderId: "nope"})
	wantCode(t, err, codes.NotFound)
	_, err = m1.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "a2", OrderId: id})
	wantCode(t, err, codes.PermissionDenied) // the admin step is not a manager's
	_, err = m2.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "a2", OrderId: id})
	wantCode(t, err, codes.PermissionDenied)
	approved, err := admin.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "a3", OrderId: id})
	if err != nil {
		t.Fatalf("admin step: %v", err)
	}
	if approved.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_APPROVED {
		t.Errorf("status after the chain = %v, want approved", approved.GetOrder().GetStatus())
	}

	// One admin may not take both steps.
	twice := create(e1, "twice", "c1", 50_000)
	if _, err := admin.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "t1", OrderId: twice}); err != nil {
		t.Fatalf("admin on the manager step: %v", err)
	}
	_, err = admin.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "t2", OrderId: twice})
	wantCode(t, err, codes.FailedPrecondition)

	// A manager selling never approves their own order.
	own := create(m1, "own", "cm", 100)
	_, err = m1.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "approve-own", OrderId: own})
	wantCode(t, err, codes.PermissionDenied)
	rejected, err := m2.RejectOrder(ctx, &orderv1.RejectOrderRequest{RequestId: "rej", OrderId: own, Reason: "折扣过大"})
	if err != nil || rejected.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_REJECTED {
		t.Fatalf("RejectOrder = %v, %v; want rejected", rejected, err)
	}
	_, err = m1.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: "won-rejected", OrderId: own})
	wantCode(t, err, codes.FailedPrecondition)

	// Under the threshold an order is approved on submission.
	if _, err := admin.SetOrderPolicy(ctx, &orderv1.SetOrderPolicyRequest{RequestId: "p", Policy: &orderv1.OrderPolicy{
		Thresholds: []*orderv1.ApprovalThreshold{{Currency: "CNY", AutoApproveUpToMinor: cny(1000), AdminAboveMinor: cny(10_000)}},
	}}); err != nil {
		t.Fatalf("SetOrderPolicy: %v", err)
	}
	small := create(e1, "small", "c1", 800)
	got, err := e1.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: small, MinSequence: submitted})
	if err != nil {
		t.Fatalf("GetOrder: %v", err)
	}
	if got.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_APPROVED {
		t.Errorf("order under the threshold is %v after submission, want approved", got.GetOrder().GetStatus())
	}
	// The seller does not date their own win; the server does.
	_, err = e1.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: "won-small-dated", OrderId: small, WonAt: timestamppb.New(time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC))})
	wantCode(t, err, codes.InvalidArgument)
	won, err := e1.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: "won-small", OrderId: small})
	if err != nil {
		t.Fatalf("MarkOrderWon of an auto-approved order: %v", err)
	}
	if len(won.GetOrder().GetApprovalChain()) != 0 {
		t.Errorf("auto-approved order has chain %v", won.GetOrder().GetApprovalChain())
	}

	// Paid, cancelled, refunded; a refund beyond what was paid is refused,
	// and so is refunding money that went to a personal account.
	if _, err := finance.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
		RequestId: "pay-personal", OrderId: small, AmountMinor: cny(50), Currency: "CNY", PayerAccount: "1111 2222", PayeeAccount: "6222 9999 0000 1234", PaidAt: timestamppb.Now(),
	}); err != nil {
		t.Fatalf("RecordPayment: %v", err)
	}
	if _, err := env.as(t, svc, tenant, "ad-1", auth.RoleAdmin).AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{RequestId: "company-3333", Account: "3333 4444"}); err != nil {
		t.Fatalf("AddCompanyAccount: %v", err)
	}
	if _, err := finance.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
		RequestId: "pay", OrderId: small, AmountMinor: cny(800), Currency: "CNY", PayerAccount: "1111 2222", PayeeAccount: "3333 4444", PaidAt: timestamppb.Now(),
	}); err != nil {
		t.Fatalf("RecordPayment: %v", err)
	}
	cancelled, err := e1.CancelOrder(ctx, &orderv1.CancelOrderRequest{RequestId: "cancel", OrderId: small, Reason: "客户取消"})
	if err != nil {
		t.Fatalf("CancelOrder: %v", err)
	}
	if c := env.events(t, tenant, "order", small); c[len(c)-1].(*orderv1.OrderCancelled).GetPaidTotalMinor() != cny(850) {
		t.Errorf("OrderCancelled does not carry the paid total: %v", c[len(c)-1])
	}
	if cancelled.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_CANCELLED {
		t.Errorf("status after cancel = %v", cancelled.GetOrder().GetStatus())
	}
	_, err = finance.RefundOrder(ctx, &orderv1.RefundOrderRequest{RequestId: "refund-much", OrderId: small, AmountMinor: cny(801), Currency: "CNY", Reason: "退款"})
	wantCode(t, err, codes.FailedPrecondition)
	partly, err := finance.RefundOrder(ctx, &orderv1.RefundOrderRequest{RequestId: "refund-part", OrderId: small, AmountMinor: cny(300), Currency: "CNY", Reason: "部分退款"})
	if err != nil || partly.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_CANCELLED {
		t.Errorf("a partial refund = %v, %v; want the order still cancelled", partly.GetOrder().GetStatus(), err)
	}
	refunded, err := finance.RefundOrder(ctx, &orderv1.RefundOrderRequest{RequestId: "refund", OrderId: small, AmountMinor: cny(500), Currency: "CNY", Reason: "退款"})
	if err != nil || refunded.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_REFUNDED || refunded.GetOrder().GetRefundedTotalMinor() != cny(800) {
		t.Errorf("RefundOrder = %v, %v; want refunded 800.00", refunded, err)
	}

	// A lost draft.
	lost, err := e1.CreateOrder(ctx, createRequest("lost", "c1", 300, tradeShow))
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	if resp, err := e1.MarkOrderLost(ctx, &orderv1.MarkOrderLostRequest{RequestId: "lost", OrderId: lost.GetOrder().GetOrderId(), Reason: "选了别家"}); err != nil || resp.GetOrder().GetStatus() != orderv1.OrderStatus_ORDER_STATUS_LOST {
		t.Errorf("MarkOrderLost = %v, %v; want lost", resp, err)
	}
	// Goods that leave for a lost order are recorded all the same, with the
	// status they left in: the shipment is the evidence.
	if _, err := finance.RecordShipment(ctx, &orderv1.RecordShipmentRequest{
		RequestId: "ship-lost", OrderId: lost.GetOrder().GetOrderId(), Carrier: "德邦", TrackingNumber: "DB9", DeliveryAddress: "苏州市工业园区星湖街1号", ShippedAt: timestamppb.Now(),
	}); err != nil {
		t.Fatalf("RecordShipment of a lost order: %v", err)
	}
	evs := env.events(t, tenant, "order", lost.GetOrder().GetOrderId())
	if s := evs[len(evs)-1].(*orderv1.ShipmentRecorded); s.GetOrderStatus() != orderv1.OrderStatus_ORDER_STATUS_LOST || s.GetAddressMatchesCustomer() {
		t.Errorf("ShipmentRecorded of a lost order = %v; want status lost, elsewhere", s)
	}
}

// testRetries: a retried command returns its first result and writes
// nothing; another caller's equal request id is another request.
func testRetries(t *testing.T, env *testEnv, svc *testkit.RunningService) {
	ctx := t.Context()
	const tenant = "retry"
	env.orgTree(t, tenant)
	e1 := env.as(t, svc, tenant, "e1", auth.RoleSales)
	m1 := env.as(t, svc, tenant, "m1", auth.RoleManager)
	admin := env.as(t, svc, tenant, "ad-1", auth.RoleAdmin)
	finance := env.as(t, svc, tenant, "fin", auth.RoleService)
	env.registerCustomer(t, tenant, "c1", "e1", tradeShow, shanghai)

	first, err := e1.CreateOrder(ctx, createRequest("same", "c1", 100, tradeShow))
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	again, err := e1.CreateOrder(ctx, createRequest("same", "c1", 999, tradeShow))
	if err != nil {
		t.Fatalf("CreateOrder retry: %v", err)
	}
	if again.GetOrder().GetOrderId() != first.GetOrder().GetOrderId() || again.GetSequence() != first.GetSequence() || again.GetOrder().GetAmountMinor() != cny(100) {
		t.Errorf("retry = %v; want the first order at sequence %d", again, first.GetSequence())
	}
	other, err := m1.CreateOrder(ctx, &orderv1.CreateOrderRequest{
		RequestId: "same", CustomerId: "c1", SellerId: "e1", Currency: "CNY", ClaimedSource: tradeShow,
		Lines: []*orderv1.LineItem{{Product: "x", Quantity: 1, UnitPriceMinor: 1}},
	})
	if err != nil {
		t.Fatalf("CreateOrder by another caller: %v", err)
	}
	if other.GetOrder().GetOrderId() == first.GetOrder().GetOrderId() {
		t.Error("another caller's equal request id addressed the first order")
	}
	id := first.GetOrder().GetOrderId()
	pay := &orderv1.RecordPaymentRequest{
		RequestId: "pay", OrderId: id, AmountMinor: cny(40), Currency: "CNY", PayerAccount: "1111 2222", PayeeAccount: "3333 4444", PaidAt: timestamppb.Now(),
	}
	p1, err := finance.RecordPayment(ctx, pay)
	if err != nil {
		t.Fatalf("RecordPayment: %v", err)
	}
	p2, err := finance.RecordPayment(ctx, pay)
	if err != nil {
		t.Fatalf("RecordPayment retry: %v", err)
	}
	if p1.GetPayment().GetPaymentId() != p2.GetPayment().GetPaymentId() || p1.GetSequence() != p2.GetSequence() || p2.GetOrder().GetPaidTotalMinor() != cny(40) {
		t.Errorf("payment retry = %v; want the first payment, counted once", p2)
	}
	if n := len(env.events(t, tenant, "order", id)); n != 2 {
		t.Errorf("order has %d events after retries, want 2", n)
	}
	if _, err := admin.AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{RequestId: "acc", Account: "ACME-0001"}); err != nil {
		t.Fatalf("AddCompanyAccount: %v", err)
	}
	if _, err := admin.AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{RequestId: "acc", Account: "ACME-0001"}); err != nil {
		t.Errorf("AddCompanyAccount retry: %v", err)
	}
	_, err = admin.AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{RequestId: "acc-again", Account: "acme 0001"})
	wantCode(t, err, codes.AlreadyExists)
}
