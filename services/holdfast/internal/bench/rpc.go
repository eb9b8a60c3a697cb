package bench

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/clientsvc"
)

// rpcWorkers is how many callers run at once: enough to keep two cores busy.
const rpcWorkers = 8

// rpcBench measures ClientService calls against a raw grpc-go no-op unary
// handler on the same machine, in the same run.
type rpcBench struct {
	client   clientv1.ClientServiceClient
	raw      healthpb.HealthClient
	customer string
	calls    int
}

// startRPC mounts the client service (memory read model) on a gRPC server
// with the full interceptor chain, and a bare grpc-go server with only the
// health service as the baseline.
func startRPC(ctx context.Context, b *bencher, calls int) (*rpcBench, func(), error) {
	svc, err := startService(ctx, b.log, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return clientsvc.Mount(ctx, a, ep, rt, time.Now)
	})
	if err != nil {
		return nil, nil, err
	}
	rawLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		svc.close()
		return nil, nil, err
	}
	rawSrv := grpc.NewServer()
	healthpb.RegisterHealthServer(rawSrv, health.NewServer())
	go func() { _ = rawSrv.Serve(rawLis) }()
	cleanup := func() {
		rawSrv.Stop()
		svc.close()
	}
	cc, err := svc.dial(auth.Principal{Tenant: "bench", Subject: "e1", Roles: []auth.Role{auth.RoleSales}})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	rawCC, err := grpc.NewClient(rawLis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	svc.conns = append(svc.conns, rawCC)
	rb := &rpcBench{client: clientv1.NewClientServiceClient(cc), raw: healthpb.NewHealthClient(rawCC), calls: calls}
	reg, err := rb.client.RegisterCustomer(ctx, &clientv1.RegisterCustomerRequest{
		RequestId: "bench-customer", PersonName: "王伟", Phones: []string{"+8613000000000"},
		SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
	})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	rb.customer = reg.GetCustomer().GetCustomerId()
	return rb, cleanup, nil
}

// parallel runs n calls over rpcWorkers goroutines and returns calls/s.
func parallel(ctx context.Context, n int, call func(ctx context.Context, i int) error) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, rpcWorkers)
	start := time.Now()
	for range rpcWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := call(ctx, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return rate(n, time.Since(start)), nil
}

func (rb *rpcBench) baseline(ctx context.Context) (float64, error) {
	return parallel(ctx, rb.calls, func(ctx context.Context, _ int) error {
		_, err := rb.raw.Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	})
}

// round is a counter so each measurement registers new customers.
var round atomic.Int64

func (rb *rpcBench) registerCustomer(ctx context.Context) (Figure, error) {
	base, err := rb.baseline(ctx)
	if err != nil {
		return Figure{}, err
	}
	r := round.Add(1)
	value, err := parallel(ctx, rb.calls, func(ctx context.Context, i int) error {
		_, err := rb.client.RegisterCustomer(ctx, &clientv1.RegisterCustomerRequest{
			RequestId:     fmt.Sprintf("reg-%d-%d", r, i),
			PersonName:    "客户",
			Phones:        []string{fmt.Sprintf("+86139%02d%06d", r%100, i)},
			SourceChannel: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
		})
		return err
	})
	return Figure{
		Name: "client_register_customer", Value: value, Unit: "calls/s", Baseline: base,
		Note: fmt.Sprintf("RegisterCustomer (auth, duplicate lookup, append) vs a raw grpc-go no-op unary handler, %d callers", rpcWorkers),
	}, err
}

func (rb *rpcBench) logInteraction(ctx context.Context) (Figure, error) {
	base, err := rb.baseline(ctx)
	if err != nil {
		return Figure{}, err
	}
	r := round.Add(1)
	value, err := parallel(ctx, rb.calls, func(ctx context.Context, i int) error {
		_, err := rb.client.LogInteraction(ctx, &clientv1.LogInteractionRequest{
			RequestId: fmt.Sprintf("log-%d-%d", r, i), CustomerId: rb.customer,
			Kind: clientv1.InteractionKind_INTERACTION_KIND_CHAT, Direction: clientv1.Direction_DIRECTION_OUTBOUND,
			Text: "王总您好，报价单已发邮箱，请查收。",
		})
		return err
	})
	return Figure{
		Name: "client_log_interaction", Value: value, Unit: "calls/s", Baseline: base,
		Note: fmt.Sprintf("LogInteraction (auth, customer load, append) vs a raw grpc-go no-op unary handler, %d callers", rpcWorkers),
	}, err
}

func (rb *rpcBench) ingestInteractions(ctx context.Context, b *bencher) (Figure, error) {
	ingestRecords := b.opts.IngestRecords
	data, err := b.envelopeBytes(ctx)
	if err != nil {
		return Figure{}, err
	}
	r := round.Add(1)
	start := time.Now()
	for i := range ingestRecords {
		if _, err := b.js.PublishAsync(fmt.Sprintf("client.bench.rawingest.r%d-%d", r, i), data); err != nil {
			return Figure{}, err
		}
	}
	select {
	case <-b.js.PublishAsyncComplete():
	case <-ctx.Done():
		return Figure{}, ctx.Err()
	}
	baseline := rate(ingestRecords, time.Since(start))

	start = time.Now()
	stream, err := rb.client.IngestInteractions(ctx)
	if err != nil {
		return Figure{}, err
	}
	for i := range ingestRecords {
		if err := stream.Send(&clientv1.IngestInteractionsRequest{Interaction: &clientv1.LogInteractionRequest{
			RequestId: fmt.Sprintf("ing-%d-%d", r, i), CustomerId: rb.customer,
			Kind: clientv1.InteractionKind_INTERACTION_KIND_CALL, Direction: clientv1.Direction_DIRECTION_INBOUND,
			Text: "客户来电询问交期", Duration: nil,
		}}); err != nil {
			return Figure{}, err
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return Figure{}, err
	}
	if int(resp.GetAccepted()) != ingestRecords {
		return Figure{}, fmt.Errorf("ingest accepted %d of %d records", resp.GetAccepted(), ingestRecords)
	}
	value := rate(ingestRecords, time.Since(start))
	return Figure{
		Name: "client_ingest_interactions", Value: value, Unit: "events/s", Baseline: baseline,
		Note: fmt.Sprintf("IngestInteractions, one stream of %d records, vs raw js.PublishAsync of the same count of envelopes", ingestRecords),
	}, nil
}
