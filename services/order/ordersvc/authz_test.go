package ordersvc_test

import (
	"fmt"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

// matrixRow is one row of the authorisation matrix: a call of one RPC,
// made by every role, and the status each role gets.
type matrixRow struct {
	rpc     string
	variant string
	call    func(t *testing.T, c orderv1.OrderServiceClient, role string) error
	want    map[string]codes.Code
}

func (r matrixRow) name() string {
	if r.variant == "" {
		return r.rpc
	}
	return r.rpc + " " + r.variant
}

// stage is how far a fixture order has gone.
type stage int

const (
	draft stage = iota
	pending
	approved
	paid
	shipped
)

// testAuthorisationMatrix asserts the status of every RPC for every role.
// Each cell that changes an order acts on an order of its own, sold by
// "employee" (e1) to a customer e1 holds, brought to the stage the call
// needs by an admin; so an allowed caller gets OK.
func testAuthorisationMatrix(t *testing.T, env *testEnv, svc *testkit.RunningService) {
	const tenant = "matrix"
	env.orgTree(t, tenant)
	roles := []struct {
		name string
		who  auth.Principal
	}{
		{"employee", principal(tenant, "e1", auth.RoleSales)},
		{"sales-other", principal(tenant, "s-other", auth.RoleSales)},
		{"senior_sales", principal(tenant, "ss-1", auth.RoleSeniorSales)},
		{"manager", principal(tenant, "m-1", auth.RoleManager)},
		// manager-other manages another branch: e1 is outside their subtree.
		{"manager-other", principal(tenant, "m-other", auth.RoleManager)},
		{"hr", principal(tenant, "hr-1", auth.RoleHR)},
		{"auditor", principal(tenant, "au-1", auth.RoleAuditor)},
		{"admin", principal(tenant, "ad-1", auth.RoleAdmin)},
		{"service", principal(tenant, "svc-1", auth.RoleService)},
	}
	var roleNames []string
	clients := map[string]orderv1.OrderServiceClient{}
	for _, r := range roles {
		roleNames = append(roleNames, r.name)
		clients[r.name] = env.dial(t, svc, r.who)
		// Every caller holds a customer of their own.
		env.registerCustomer(t, tenant, "c-"+r.who.Subject, r.who.Subject, tradeShow, shanghai)
	}
	allowed := func(roles ...string) map[string]codes.Code {
		want := map[string]codes.Code{}
		for _, r := range roleNames {
			want[r] = codes.PermissionDenied
		}
		for _, r := range roles {
			want[r] = codes.OK
		}
		return want
	}
	admin, seller := clients["admin"], clients["employee"]
	policy := &orderv1.OrderPolicy{Thresholds: []*orderv1.ApprovalThreshold{{Currency: "CNY", AdminAboveMinor: cny(1_000_000)}}}
	if _, err := admin.SetOrderPolicy(t.Context(), &orderv1.SetOrderPolicyRequest{RequestId: "matrix-policy", Policy: policy}); err != nil {
		t.Fatalf("SetOrderPolicy: %v", err)
	}
	// Fixture payments go into a company account, so they can be refunded.
	if _, err := admin.AddCompanyAccount(t.Context(), &orderv1.AddCompanyAccountRequest{RequestId: "matrix-account", Account: "3333 4444"}); err != nil {
		t.Fatalf("AddCompanyAccount: %v", err)
	}

	n := 0
	// fixture makes one of e1's orders and brings it to st; it returns the
	// order id and, from shipped on, its shipment id.
	fixture := func(t *testing.T, st stage) (string, string) {
		t.Helper()
		n++
		ctx := t.Context()
		resp, err := seller.CreateOrder(ctx, createRequest(fmt.Sprintf("fx-%d", n), "c-e1", 100, tradeShow))
		if err != nil {
			t.Fatalf("fixture create: %v", err)
		}
		id := resp.GetOrder().GetOrderId()
		step := func(name string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("fixture %s: %v", name, err)
			}
		}
		if st >= pending {
			_, err := seller.SubmitOrder(ctx, &orderv1.SubmitOrderRequest{RequestId: "fx-submit", OrderId: id})
			step("submit", err)
		}
		if st >= approved {
			_, err := admin.ApproveOrder(ctx, &orderv1.ApproveOrderRequest{RequestId: "fx-approve", OrderId: id})
			step("approve", err)
		}
		if st >= paid {
			_, err := admin.MarkOrderWon(ctx, &orderv1.MarkOrderWonRequest{RequestId: "fx-won", OrderId: id})
			step("won", err)
			_, err = admin.RecordPayment(ctx, &orderv1.RecordPaymentRequest{
				RequestId: "fx-pay", OrderId: id, AmountMinor: cny(100), Currency: "CNY", PayerAccount: "1111 2222", PayeeAccount: "3333 4444", PaidAt: timestamppb.Now(),
			})
			step("pay", err)
		}
		shipment := ""
		if st >= shipped {
			resp, err := admin.RecordShipment(ctx, &orderv1.RecordShipmentRequest{
				RequestId: "fx-ship", OrderId: id, Carrier: "顺丰", TrackingNumber: "SF1", DeliveryAddress: shanghai, ShippedAt: timestamppb.Now(),
			})
			step("ship", err)
			shipment = resp.GetShipment().GetShipmentId()
		}
		return id, shipment
	}
	readable, _ := fixture(t, shipped)
	day := time.Now().UTC()
	period := func() (*timestamppb.Timestamp, *timestamppb.Timestamp) {
		return timestamppb.New(day.Add(-time.Hour)), timestamppb.New(day.Add(time.Hour))
	}
	readers := allowed("employee", "manager", "hr", "auditor", "admin", "service")
	workers := allowed("employee", "manager", "admin")
	recorders := allowed("admin", "service")

	rows := []matrixRow{
		{
			rpc: "CreateOrder", variant: "as themselves", want: allowed("employee", "sales-other", "senior_sales", "manager", "manager-other", "admin"),
			call: func(t *testing.T, c orderv1.OrderServiceClient, role string) error {
				subject := map[string]string{
					"employee": "e1", "sales-other": "s-other", "senior_sales": "ss-1", "manager": "m-1", "manager-other": "m-other",
					"hr": "hr-1", "auditor": "au-1", "admin": "ad-1", "service": "svc-1",
				}[role]
				_, err := c.CreateOrder(t.Context(), createRequest("matrix-own-"+role, "c-"+subject, 100, tradeShow))
				return err
			},
		},
		{
			rpc: "CreateOrder", variant: "for e1", want: allowed("employee", "manager", "admin"),
			call: func(t *testing.T, c orderv1.OrderServiceClient, role string) error {
				req := createRequest("matrix-for-e1-"+role, "c-e1", 100, tradeShow)
				req.SellerId = "e1"
				_, err := c.CreateOrder(t.Context(), req)
				return err
			},
		},
		{rpc: "SubmitOrder", want: workers, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, draft)
			_, err := c.SubmitOrder(t.Context(), &orderv1.SubmitOrderRequest{RequestId: "m", OrderId: id})
			return err
		}},
		{rpc: "ApproveOrder", want: allowed("manager", "admin"), call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, pending)
			_, err := c.ApproveOrder(t.Context(), &orderv1.ApproveOrderRequest{RequestId: "m", OrderId: id})
			return err
		}},
		{rpc: "RejectOrder", want: allowed("manager", "admin"), call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, pending)
			_, err := c.RejectOrder(t.Context(), &orderv1.RejectOrderRequest{RequestId: "m", OrderId: id, Reason: "no"})
			return err
		}},
		{rpc: "MarkOrderWon", want: workers, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, approved)
			_, err := c.MarkOrderWon(t.Context(), &orderv1.MarkOrderWonRequest{RequestId: "m", OrderId: id})
			return err
		}},
		{rpc: "MarkOrderLost", want: workers, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, draft)
			_, err := c.MarkOrderLost(t.Context(), &orderv1.MarkOrderLostRequest{RequestId: "m", OrderId: id, Reason: "lost"})
			return err
		}},
		{rpc: "CancelOrder", want: workers, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, draft)
			_, err := c.CancelOrder(t.Context(), &orderv1.CancelOrderRequest{RequestId: "m", OrderId: id, Reason: "off"})
			return err
		}},
		{rpc: "RefundOrder", want: recorders, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, paid)
			_, err := c.RefundOrder(t.Context(), &orderv1.RefundOrderRequest{RequestId: "m", OrderId: id, AmountMinor: cny(100), Currency: "CNY", Reason: "back"})
			return err
		}},
		{rpc: "RecordPayment", want: recorders, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, approved)
			_, err := c.RecordPayment(t.Context(), &orderv1.RecordPaymentRequest{
				RequestId: "m", OrderId: id, AmountMinor: 1, Currency: "CNY", PayerAccount: "1111", PayeeAccount: "2222", PaidAt: timestamppb.Now(),
			})
			return err
		}},
		{rpc: "RecordShipment", want: recorders, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, _ := fixture(t, approved)
			_, err := c.RecordShipment(t.Context(), &orderv1.RecordShipmentRequest{
				RequestId: "m", OrderId: id, Carrier: "EMS", TrackingNumber: "E1", DeliveryAddress: shanghai, ShippedAt: timestamppb.Now(),
			})
			return err
		}},
		{rpc: "RecordDelivery", want: recorders, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			id, shipment := fixture(t, shipped)
			_, err := c.RecordDelivery(t.Context(), &orderv1.RecordDeliveryRequest{RequestId: "m", OrderId: id, ShipmentId: shipment})
			return err
		}},
		{rpc: "SetOrderPolicy", want: allowed("admin"), call: func(t *testing.T, c orderv1.OrderServiceClient, role string) error {
			_, err := c.SetOrderPolicy(t.Context(), &orderv1.SetOrderPolicyRequest{RequestId: "matrix-policy-" + role, Policy: policy})
			return err
		}},
		{rpc: "GetOrderPolicy", want: allowed(roleNames...), call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			_, err := c.GetOrderPolicy(t.Context(), &orderv1.GetOrderPolicyRequest{})
			return err
		}},
		{rpc: "AddCompanyAccount", want: allowed("admin"), call: func(t *testing.T, c orderv1.OrderServiceClient, role string) error {
			_, err := c.AddCompanyAccount(t.Context(), &orderv1.AddCompanyAccountRequest{RequestId: "m", Account: "ACME-" + fmt.Sprint(len(role)) + role[:2]})
			return err
		}},
		{rpc: "RegisterPayerAccount", want: recorders, call: func(t *testing.T, c orderv1.OrderServiceClient, role string) error {
			_, err := c.RegisterPayerAccount(t.Context(), &orderv1.RegisterPayerAccountRequest{
				RequestId: "m", CustomerId: "c-e1", Account: "PAYER" + fmt.Sprint(len(role)) + role[:2], Relation: orderv1.PayerRelation_PAYER_RELATION_OWN,
			})
			return err
		}},
		{rpc: "GetOrder", want: readers, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			_, err := c.GetOrder(t.Context(), &orderv1.GetOrderRequest{OrderId: readable})
			return err
		}},
		{rpc: "ListOrders", variant: "of e1", want: readers, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			_, err := c.ListOrders(t.Context(), &orderv1.ListOrdersRequest{SellerId: "e1"})
			return err
		}},
		{
			// A manager names one seller of their subtree at a time.
			rpc: "ListOrders", variant: "unfiltered (sales: their own)", want: allowed("employee", "sales-other", "senior_sales", "hr", "auditor", "admin", "service"),
			call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
				_, err := c.ListOrders(t.Context(), &orderv1.ListOrdersRequest{})
				return err
			},
		},
		{rpc: "GetSalesFunnel", want: readers, call: func(t *testing.T, c orderv1.OrderServiceClient, _ string) error {
			from, to := period()
			_, err := c.GetSalesFunnel(t.Context(), &orderv1.GetSalesFunnelRequest{From: from, To: to, SellerId: "e1"})
			return err
		}},
	}
	covered := map[string]bool{}
	for _, row := range rows {
		covered[row.rpc] = true
		for _, role := range roleNames {
			if got := status.Code(row.call(t, clients[role], role)); got != row.want[role] {
				t.Errorf("%s as %s: %v, want %v", row.name(), role, got, row.want[role])
			}
		}
	}
	for _, m := range orderv1.OrderService_ServiceDesc.Methods {
		if !covered[m.MethodName] {
			t.Errorf("the matrix has no row for %s", m.MethodName)
		}
	}
}
