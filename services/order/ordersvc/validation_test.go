package ordersvc_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

// testInvalidArguments sends bad requests of every RPC and checks each
// answer names every bad field, and that nothing was written.
func testInvalidArguments(t *testing.T, env *testEnv, svc *testkit.RunningService) {
	const tenant = "invalid"
	admin := env.as(t, svc, tenant, "ad-1", auth.RoleAdmin)
	ctx := t.Context()
	before := env.streamMessages(t, "order."+tenant+".>")
	badTime := &timestamppb.Timestamp{Seconds: -1 << 62}
	tests := []struct {
		name       string
		call       func() error
		wantFields []string
	}{
		{"create: nothing", func() error {
			_, err := admin.CreateOrder(ctx, &orderv1.CreateOrderRequest{})
			return err
		}, []string{"claimed_source", "currency", "customer_id", "lines", "request_id"}},
		{"create: bad lines, currency, source, ids", func() error {
			_, err := admin.CreateOrder(ctx, &orderv1.CreateOrderRequest{
				RequestId: "r", CustomerId: "a.b", SellerId: "x y", Currency: "cny", ClaimedSource: 42,
				Lines: []*orderv1.LineItem{{Product: "", Quantity: 0, UnitPriceMinor: -1}},
			})
			return err
		}, []string{"claimed_source", "currency", "customer_id", "lines.product", "lines.quantity", "lines.unit_price_minor", "seller_id"}},
		{"create: total overflows", func() error {
			_, err := admin.CreateOrder(ctx, &orderv1.CreateOrderRequest{
				RequestId: "r", CustomerId: "c1", Currency: "CNY", ClaimedSource: tradeShow,
				Lines: []*orderv1.LineItem{{Product: "p", Quantity: 1_000_000_000, UnitPriceMinor: 1_000_000_000_000}},
			})
			return err
		}, []string{"lines"}},
		{"submit: no ids", func() error {
			_, err := admin.SubmitOrder(ctx, &orderv1.SubmitOrderRequest{})
			return err
		}, []string{"order_id", "request_id"}},
		{"approve: bad comment", func() error {
			_, err := admin.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "r", OrderId: "o", Comment: strings.Repeat("很", 400)})
			return err
		}, []string{"comment"}},
		{"reject: no reason", func() error {
			_, err := admin.RejectOrder(ctx, &orderv1.RejectOrderRequest{RequestId: "r", OrderId: "a/b"})
			return err
		}, []string{"order_id", "reason"}},
		{"won: bad time", func() error {
			_, err := admin.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: "r", OrderId: "o", WonAt: badTime})
			return err
		}, []string{"won_at"}},
		{"lost: no reason", func() error {
			_, err := admin.MarkOrderLost(ctx, &orderv1.MarkOrderLostRequest{RequestId: "r", OrderId: "o"})
			return err
		}, []string{"reason"}},
		{"cancel: no request id", func() error {
			_, err := admin.CancelOrder(ctx, &orderv1.CancelOrderRequest{OrderId: "o", Reason: "x"})
			return err
		}, []string{"request_id"}},
		{"refund: bad amount and currency", func() error {
			_, err := admin.RefundOrder(ctx, &orderv1.RefundOrderRequest{RequestId: "r", OrderId: "o", AmountMinor: -5, Currency: "XXX"})
			return err
		}, []string{"amount_minor", "currency", "reason"}},
		{"payment: nothing", func() error {
			_, err := admin.RecordPayment(ctx, &orderv1.RecordPaymentRequest{RequestId: "r", OrderId: "o"})
			return err
		}, []string{"amount_minor", "currency", "paid_at", "payee_account", "payer_account"}},
		{"payment: bad accounts", func() error {
			_, err := admin.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
				RequestId: "r", OrderId: "o", AmountMinor: 1, Currency: "CNY", PayerAccount: "12", PayeeAccount: "工行账户", PaidAt: timestamppb.Now(),
			})
			return err
		}, []string{"payee_account", "payer_account"}},
		{"payment: bad time", func() error {
			_, err := admin.RecordPayment(ctx, &orderv1.RecordPaymentRequest{RequestId: "r", OrderId: "o", PaidAt: badTime})
			return err
		}, []string{"paid_at"}},
		{"shipment: nothing", func() error {
			_, err := admin.RecordShipment(ctx, &orderv1.RecordShipmentRequest{RequestId: "r", OrderId: "o"})
			return err
		}, []string{"carrier", "delivery_address", "shipped_at", "tracking_number"}},
		{"delivery: bad ids and time", func() error {
			_, err := admin.RecordDelivery(ctx, &orderv1.RecordDeliveryRequest{RequestId: "r", OrderId: "o", ShipmentId: "", DeliveredAt: badTime})
			return err
		}, []string{"delivered_at"}},
		{"delivery: no shipment id", func() error {
			_, err := admin.RecordDelivery(ctx, &orderv1.RecordDeliveryRequest{RequestId: "r", OrderId: "o"})
			return err
		}, []string{"shipment_id"}},
		{"policy: bad thresholds", func() error {
			_, err := admin.SetOrderPolicy(ctx, &orderv1.SetOrderPolicyRequest{RequestId: "r", Policy: &orderv1.OrderPolicy{Thresholds: []*orderv1.ApprovalThreshold{
				{Currency: "CNY", AutoApproveUpToMinor: 500, AdminAboveMinor: 100},
				{Currency: "CNY", AutoApproveUpToMinor: -1, AdminAboveMinor: 0},
				{Currency: "ABC"},
			}}})
			return err
		}, []string{"policy.thresholds.admin_above_minor", "policy.thresholds.auto_approve_up_to_minor", "policy.thresholds.currency"}},
		{"company account: bad", func() error {
			_, err := admin.AddCompanyAccount(ctx, &orderv1.AddCompanyAccountRequest{Account: "a!", Label: strings.Repeat("x", 201)})
			return err
		}, []string{"account", "label", "request_id"}},
		{"payer account: bad", func() error {
			_, err := admin.RegisterPayerAccount(ctx, &orderv1.RegisterPayerAccountRequest{RequestId: "r", CustomerId: "", Account: "", Relation: orderv1.PayerRelation_PAYER_RELATION_UNKNOWN})
			return err
		}, []string{"account", "customer_id", "relation"}},
		{"get: bad id", func() error {
			_, err := admin.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: "a b"})
			return err
		}, []string{"order_id"}},
		{"list: bad filters", func() error {
			_, err := admin.ListOrders(ctx, &orderv1.ListOrdersRequest{
				CustomerId: "a b", SellerId: "c.d", Status: 99, PageSize: -1, PageToken: "junk",
				CreatedFrom: timestamppb.New(timestamppb.Now().AsTime()), CreatedTo: timestamppb.New(timestamppb.Now().AsTime().Add(-1e9)),
			})
			return err
		}, []string{"created_to", "customer_id", "page_size", "page_token", "seller_id", "status"}},
		{"funnel: no period", func() error {
			_, err := admin.GetSalesFunnel(ctx, &orderv1.GetSalesFunnelRequest{SellerId: "a b"})
			return err
		}, []string{"from", "seller_id", "to"}},
		{"funnel: reversed period", func() error {
			now := timestamppb.Now()
			_, err := admin.GetSalesFunnel(ctx, &orderv1.GetSalesFunnelRequest{From: now, To: now})
			return err
		}, []string{"to"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.wantFields, testkit.ViolatedFields(t, tt.call())); diff != "" {
			t.Errorf("%s: fields mismatch (-want, +got):\n%s", tt.name, diff)
		}
	}
	if n := env.streamMessages(t, "order."+tenant+".>"); n != before {
		t.Errorf("invalid requests wrote %d events", n-before)
	}
}
