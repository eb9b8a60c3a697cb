package ordersvc_test

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
)

// TestManagersSeeTheirSubtree: a manager reads and acts on the orders of
// sellers in their part of the organisation tree only, and a transfer
// moves that reach on the next call.
func TestManagersSeeTheirSubtree(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	const tenant = "subtree"
	env.orgTree(t, tenant)
	ctx := t.Context()
	env.registerCustomer(t, tenant, "c1", "e1", tradeShow, shanghai)
	e1 := env.as(t, svc, tenant, "e1", auth.RoleSales)
	m1 := env.as(t, svc, tenant, "m1", auth.RoleManager)
	other := env.as(t, svc, tenant, "m-other", auth.RoleManager)
	created, err := e1.CreateOrder(ctx, createRequest("o1", "c1", 100, tradeShow))
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	id := created.GetOrder().GetOrderId()
	funnelRows := func(c orderv1.OrderServiceClient) int {
		t.Helper()
		resp, err := c.GetSalesFunnel(ctx, &orderv1.GetSalesFunnelRequest{
			From: timestamppb.New(created.GetOrder().GetCreatedAt().AsTime().Add(-1)), To: timestamppb.Now(), MinSequence: created.GetSequence(),
		})
		if err != nil {
			t.Fatalf("GetSalesFunnel: %v", err)
		}
		return len(resp.GetRows())
	}

	if _, err := m1.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: id, MinSequence: created.GetSequence()}); err != nil {
		t.Errorf("m1 reads their team's order: %v", err)
	}
	_, err = other.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: id, MinSequence: created.GetSequence()})
	wantCode(t, err, codes.PermissionDenied)
	_, err = other.ListOrders(ctx, &orderv1.ListOrdersRequest{SellerId: "e1"})
	wantCode(t, err, codes.PermissionDenied)
	_, err = other.CancelOrder(ctx, &orderv1.CancelOrderRequest{RequestId: "c", OrderId: id, Reason: "x"})
	wantCode(t, err, codes.PermissionDenied)
	if n := funnelRows(m1); n != 1 {
		t.Errorf("m1's funnel has %d rows, want e1's", n)
	}
	if n := funnelRows(other); n != 0 {
		t.Errorf("m-other's funnel has %d rows, want none", n)
	}

	// e1 moves to m-other's branch: the reach follows on the next call.
	testkit.WriteAttendance(t, env.Log, tenant, testkit.AttendanceEvent{
		Type: "employee", ID: "e1",
		Payload: &attendancev1.EmployeeTransferred{EmployeeId: "e1", FromOrgUnitId: "team", ToOrgUnitId: "elsewhere", ToManagerId: "m-other"},
	})
	if _, err := other.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: id}); err != nil {
		t.Errorf("m-other reads the order after the transfer: %v", err)
	}
	_, err = m1.GetOrder(ctx, &orderv1.GetOrderRequest{OrderId: id})
	wantCode(t, err, codes.PermissionDenied)
}
