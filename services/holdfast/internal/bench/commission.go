package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/commission/commissionsvc"
)

// commissionTenant keeps the commission figure's orders apart.
const commissionTenant = "bench-commission"

// commissionBench measures the commission projection: a fresh commission
// service (memory read model) replays ORDER from the start, judging every
// event and appending an accrual for each order that qualifies, and its
// statement projector applies those accruals from COMMISSION; the figure
// is ORDER events judged per second until a statement reads them all.
// Its baseline, in the same run, is a raw ordered consumer reading the
// same ORDER messages without decoding them.
//
// It is measured once per run: Holdfast's streams deny purges, and a
// second fresh service would find every accrual already made and take the
// cheaper path, so the second round repeats the first figure.
type commissionBench struct {
	b      *bencher
	orders int
	ready  bool
	done   *Figure
}

func newCommissionBench(b *bencher, orders int) *commissionBench {
	return &commissionBench{b: b, orders: orders}
}

// writeOrders appends, once, orders that each qualify: created,
// auto-approved, paid in full into a company account, shipped. Each stage
// is one AppendBatch over every order, as an import would write them.
func (cb *commissionBench) writeOrders(ctx context.Context) error {
	if cb.ready {
		return nil
	}
	const amount = 1_250_000
	positions := make([]eventlog.Position, cb.orders)
	stages := []func(id string) proto.Message{
		func(id string) proto.Message {
			return &orderv1.OrderCreated{
				OrderId: id, CustomerId: "c1", SellerId: "e1", Currency: "CNY", AmountMinor: amount,
				ClaimedSource: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE, CustomerSource: clientv1.SourceChannel_SOURCE_CHANNEL_WEBSITE,
			}
		},
		func(id string) proto.Message {
			return &orderv1.OrderSubmitted{OrderId: id, AmountMinor: amount, Currency: "CNY", AutoApproved: true}
		},
		func(id string) proto.Message {
			return &orderv1.PaymentRecorded{
				OrderId: id, PaymentId: "p-" + id, SellerId: "e1", CustomerId: "c1", AmountMinor: amount, Currency: "CNY",
				PayeeIsCompanyAccount: true, CurrencyMatchesOrder: true, OrderAmountMinor: amount, PaidTotalMinor: amount,
				PaidInFull: true, PaidToCompanyTotalMinor: amount,
			}
		},
		func(id string) proto.Message {
			return &orderv1.ShipmentRecorded{OrderId: id, ShipmentId: "s-" + id, SellerId: "e1", CustomerId: "c1", Carrier: "顺丰"}
		},
	}
	for stage, payload := range stages {
		reqs := make([]eventlog.AppendRequest, cb.orders)
		for i := range reqs {
			id := "o" + strconv.Itoa(i)
			reqs[i] = eventlog.AppendRequest{
				Ref: eventlog.AggregateRef{Context: "order", Tenant: commissionTenant, Type: "order", ID: id}, After: positions[i],
				RequestID: "stage-" + strconv.Itoa(stage), ActorID: "e1", Payload: payload(id),
			}
		}
		results, err := cb.b.log.AppendBatch(ctx, reqs)
		if err != nil {
			return err
		}
		for i, r := range results {
			if r.Err != nil {
				return r.Err
			}
			positions[i] = eventlog.Position{Version: r.Appended.Version, Sequence: r.Appended.Sequence}
		}
	}
	cb.ready = true
	return nil
}

// project measures a fresh service until a statement has judged ORDER to
// its end, and checks every order accrued.
func (cb *commissionBench) project(ctx context.Context, lastOrder uint64) (time.Duration, error) {
	start := time.Now()
	svc, err := startService(ctx, cb.b.log, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return commissionsvc.Mount(ctx, a, ep, rt, time.Now)
	})
	if err != nil {
		return 0, err
	}
	defer svc.close()
	cc, err := svc.dial(auth.Principal{Tenant: commissionTenant, Subject: "hr1", Roles: []auth.Role{auth.RoleHR}})
	if err != nil {
		return 0, err
	}
	client := commissionv1.NewCommissionServiceClient(cc)
	for {
		// The statement waits (up to its own bound) for the accrual worker
		// to judge ORDER up to lastOrder and for the accruals to be read.
		st, err := client.GetStatement(ctx, &commissionv1.GetStatementRequest{EmployeeId: "e1", MinOrderSequence: lastOrder})
		if status.Code(err) == codes.DeadlineExceeded && ctx.Err() == nil {
			continue
		}
		if err != nil {
			return 0, err
		}
		elapsed := time.Since(start)
		if n := len(st.GetEntries()); n != cb.orders {
			return 0, fmt.Errorf("commission projection accrued %d of %d orders", n, cb.orders)
		}
		return elapsed, nil
	}
}

// rawRead reads total messages of stream with a plain ordered consumer,
// no decoding.
func (b *bencher) rawRead(ctx context.Context, stream string, total int) (time.Duration, error) {
	return rawRead(ctx, b.js, stream, total)
}

// rawRead is the raw baseline of the replay figures: total messages of
// stream read with a plain ordered consumer, no decoding.
func rawRead(ctx context.Context, js jetstream.JetStream, stream string, total int) (time.Duration, error) {
	start := time.Now()
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return 0, err
	}
	it, err := cons.Messages()
	if err != nil {
		return 0, err
	}
	defer it.Stop()
	for range total {
		if _, err := it.Next(); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// projection is commission_projection beside the raw read of ORDER.
func (cb *commissionBench) projection(ctx context.Context) (Figure, error) {
	if cb.done != nil {
		return *cb.done, nil
	}
	if err := cb.writeOrders(ctx); err != nil {
		return Figure{}, err
	}
	last, err := cb.b.log.LastSequence(ctx, eventlog.StreamOrder)
	if err != nil {
		return Figure{}, err
	}
	total := int(last) // ORDER is never purged: sequence 1..last are all there
	raw, err := cb.b.rawRead(ctx, eventlog.StreamOrder, total)
	if err != nil {
		return Figure{}, err
	}
	took, err := cb.project(ctx, last)
	if err != nil {
		return Figure{}, err
	}
	cb.done = &Figure{
		Name: "commission_projection", Value: rate(total, took), Unit: "events/s", Baseline: rate(total, raw),
		Note: fmt.Sprintf("a fresh commission service judging %d ORDER events (%d orders accrue, one append each) until a statement reads them, vs a raw ordered consumer over the same messages; measured once", total, cb.orders),
	}
	return *cb.done, nil
}
