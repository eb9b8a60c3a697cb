// Package ordersvc assembles the order service: orders from draft to
// refund with their approval chain, payments, shipments and the facts the
// risk and commission services judge them by, served as
// holdfast.order.v1.OrderService.
package ordersvc

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/pkg/platform"
	orderv1 "github.com/holdfast/holdfast/proto/holdfast/order/v1"
	"github.com/holdfast/holdfast/services/order/internal/app"
	"github.com/holdfast/holdfast/services/order/internal/grpcapi"
	"github.com/holdfast/holdfast/services/order/internal/store"
)

// Config is the standalone order service's configuration.
type Config struct {
	platform.Common
	GRPCAddr string `env:"HOLDFAST_ORDER_GRPC_ADDR" default:"127.0.0.1:7102"`
	HTTPAddr string `env:"HOLDFAST_ORDER_HTTP_ADDR" default:"127.0.0.1:9102"`
}

// Mount adds the order service to an App: its gRPC API on ep and its two
// projectors (ORDER into orders, CLIENT into customers) as workers. With
// rt.Pool set the read model is PostgreSQL (migrated here), else memory
// rebuilt by replay.
func Mount(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime, now func() time.Time) error {
	logger := a.Logger().With("component", "order")
	var st store.Store = store.NewMemory()
	if rt.Pool != nil {
		if err := store.Migrate(ctx, rt.Pool); err != nil {
			return fmt.Errorf("order: migrate: %w", err)
		}
		st = store.NewPostgres(rt.Pool)
	}
	uc := app.New(rt.Log, st, logger, now)
	orderv1.RegisterOrderServiceServer(ep.Server, grpcapi.New(uc, logger))
	a.Go("order projector", uc.ProjectOrders)
	a.Go("order customer projector", uc.ProjectCustomers)
	a.Go("order roster", uc.FollowRoster)
	a.Ready("order read model", uc.Ready)
	a.Ready("order roster", uc.RosterReady)
	return nil
}

// Run runs the order service alone until ctx ends.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return platform.RunService(ctx, logger, "holdfast-order", cfg.Common, cfg.GRPCAddr, cfg.HTTPAddr, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return Mount(ctx, a, ep, rt, time.Now)
	})
}
