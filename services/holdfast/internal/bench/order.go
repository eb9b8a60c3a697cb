package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/ordersvc"
)

// orderTenant keeps the order figures' events apart from the others'.
const orderTenant = "bench-order"

// orderBench measures OrderService.CreateOrder end to end over gRPC (auth,
// order load, customer check against the CLIENT projection caught up to
// the stream's end, append) beside two raw baselines measured in the same
// run at the same concurrency: a grpc-go no-op unary call and a plain
// js.Publish of an OrderCreated envelope. The service starts on first use,
// so its CLIENT projector does not run during the other figures.
type orderBench struct {
	b     *bencher
	rpc   *rpcBench
	calls int

	once     sync.Once
	startErr error
	client   orderv1.OrderServiceClient
	envelope []byte
	stop     func()
}

func newOrderBench(b *bencher, rpc *rpcBench, calls int) *orderBench {
	return &orderBench{b: b, rpc: rpc, calls: calls, stop: func() {}}
}

// close stops the service if it was started.
func (ob *orderBench) close() { ob.stop() }

// start mounts the order service (memory read model) on its own App with
// the full interceptor chain, registers one customer held by the caller in
// CLIENT, and waits until the service has caught up.
func (ob *orderBench) start(ctx context.Context) error {
	ob.once.Do(func() { ob.startErr = ob.startOnce(ctx) })
	return ob.startErr
}

func (ob *orderBench) startOnce(ctx context.Context) error {
	svc, err := startService(ctx, ob.b.log, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return ordersvc.Mount(ctx, a, ep, rt, time.Now)
	})
	if err != nil {
		return err
	}
	ob.stop = svc.close
	cc, err := svc.dial(auth.Principal{Tenant: orderTenant, Subject: "e1", Roles: []auth.Role{auth.RoleSales}})
	if err != nil {
		return err
	}
	ob.client = orderv1.NewOrderServiceClient(cc)
	if _, err := ob.b.log.Append(ctx, eventlog.AppendRequest{
		Ref: eventlog.AggregateRef{Context: "client", Tenant: orderTenant, Type: "customer", ID: "c1"}, RequestID: "bench-customer",
		Payload: &clientv1.CustomerRegistered{CustomerId: "c1", PersonName: "王伟", SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, OwnerEmployeeId: "e1"},
	}); err != nil {
		return err
	}
	// The first order waits for the CLIENT replay; it also yields the
	// envelope bytes the JetStream baseline publishes.
	first, err := ob.client.CreateOrder(ctx, ob.request("warm-up"))
	if err != nil {
		return err
	}
	rec, err := ob.b.log.Get(ctx, eventlog.StreamOrder, first.GetSequence())
	if err != nil {
		return err
	}
	ob.envelope = rec.Data
	return nil
}

func (ob *orderBench) request(requestID string) *orderv1.CreateOrderRequest {
	return &orderv1.CreateOrderRequest{
		RequestId: requestID, CustomerId: "c1", Currency: "CNY", ClaimedSource: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
		Lines:                   []*orderv1.LineItem{{Product: "液压泵 HP-200", Quantity: 2, UnitPriceMinor: 1_250_000}},
		ExpectedDeliveryAddress: "上海市浦东新区世纪大道100号",
	}
}

// createOrders makes ob.calls orders over rpcWorkers callers: calls/s.
func (ob *orderBench) createOrders(ctx context.Context) (float64, error) {
	r := round.Add(1)
	return parallel(ctx, ob.calls, func(ctx context.Context, i int) error {
		_, err := ob.client.CreateOrder(ctx, ob.request(fmt.Sprintf("order-%d-%d", r, i)))
		return err
	})
}

// vsGRPC is order_create beside a raw grpc-go no-op unary call.
func (ob *orderBench) vsGRPC(ctx context.Context) (Figure, error) {
	if err := ob.start(ctx); err != nil {
		return Figure{}, err
	}
	base, err := ob.rpc.baseline(ctx)
	if err != nil {
		return Figure{}, err
	}
	value, err := ob.createOrders(ctx)
	return Figure{
		Name: "order_create", Value: value, Unit: "calls/s", Baseline: base,
		Note: fmt.Sprintf("CreateOrder (auth, order load, CLIENT catch-up and customer check, append) vs a raw grpc-go no-op unary handler, %d callers", rpcWorkers),
	}, err
}

// vsJetStream is order_create beside plain js.Publish of the same
// envelope bytes into ORDER, one publish per call, same concurrency.
func (ob *orderBench) vsJetStream(ctx context.Context) (Figure, error) {
	if err := ob.start(ctx); err != nil {
		return Figure{}, err
	}
	r := round.Add(1)
	base, err := parallel(ctx, ob.calls, func(ctx context.Context, i int) error {
		_, err := ob.b.js.Publish(ctx, fmt.Sprintf("order.bench.rawcreate.r%d-%d", r, i), ob.envelope)
		return err
	})
	if err != nil {
		return Figure{}, err
	}
	value, err := ob.createOrders(ctx)
	return Figure{
		Name: "order_create_vs_publish", Value: value, Unit: "calls/s", Baseline: base,
		Note: fmt.Sprintf("CreateOrder end to end vs plain js.Publish of an OrderCreated envelope, %d callers", rpcWorkers),
	}, err
}
