package ordersvc_test

import (
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/holdfast/holdfast/pkg/auth"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
)

// TestEventTimeDatesOrders checks that a backfill-granted caller's
// holdfast-event-time is the order's creation time, and that the header is
// refused for a token without the grant.
func TestEventTimeDatesOrders(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	svc := env.start(t, nil)
	const tenant = "acme"
	env.orgTree(t, tenant)
	env.registerCustomer(t, tenant, "c1", "e1", clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW, shanghai)
	backfill := env.dial(t, svc, auth.Principal{Tenant: tenant, Subject: "e1", Roles: []auth.Role{auth.RoleSales}, Backfill: true})
	plain := env.as(t, svc, tenant, "e1", auth.RoleSales)

	at := time.Now().Add(-20 * 24 * time.Hour).UTC().Truncate(time.Microsecond)
	ctx := auth.OutgoingEventTime(t.Context(), at)
	created, err := backfill.CreateOrder(ctx, createRequest("order-1", "c1", 20_000, clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW))
	if err != nil {
		t.Fatalf("backfilled CreateOrder: %v", err)
	}
	if got := created.GetOrder().GetCreatedAt().AsTime(); !got.Equal(at) {
		t.Errorf("created_at = %v, want the event time %v", got, at)
	}
	_, err = plain.CreateOrder(ctx, createRequest("order-2", "c1", 20_000, clientv1.SourceChannel_SOURCE_CHANNEL_TRADE_SHOW))
	wantCode(t, err, codes.PermissionDenied)
}
