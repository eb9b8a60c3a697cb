// Package commissionsvc assembles the commission service: tenant commission
// plans, accruals on valid orders judged from ORDER, clawbacks on
// cancellation and refund, holds while risk alerts are open (RISK),
// statements and payroll exports, served as
// holdfast.commission.v1.CommissionService.
package commissionsvc

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/pkg/platform"
	commissionv1 "github.com/holdfast/holdfast/proto/holdfast/commission/v1"
	"github.com/holdfast/holdfast/services/commission/internal/app"
	"github.com/holdfast/holdfast/services/commission/internal/grpcapi"
	"github.com/holdfast/holdfast/services/commission/internal/store"
)

// Config is the standalone commission service's configuration.
type Config struct {
	platform.Common
	GRPCAddr string `env:"HOLDFAST_COMMISSION_GRPC_ADDR" default:"127.0.0.1:7104"`
	HTTPAddr string `env:"HOLDFAST_COMMISSION_HTTP_ADDR" default:"127.0.0.1:9104"`
}

// Mount adds the commission service to an App: its gRPC API on ep, the
// accrual worker (ORDER), the hold worker (RISK) and the statement
// projector (COMMISSION) as workers. With rt.Pool set the read model is PostgreSQL (migrated here),
// else memory rebuilt by replay.
//
// WARNING: the accrual and hold workers append before it checkpoints and dedups on
// the accrual aggregate, so several replicas are safe but do the same work;
// run one per deployment until workers are partitioned.
func Mount(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime, now func() time.Time) error {
	logger := a.Logger().With("component", "commission")
	var st store.Store = store.NewMemory()
	if rt.Pool != nil {
		if err := store.Migrate(ctx, rt.Pool); err != nil {
			return fmt.Errorf("commission: migrate: %w", err)
		}
		st = store.NewPostgres(rt.Pool)
	}
	uc := app.New(rt.Log, st, logger, now)
	commissionv1.RegisterCommissionServiceServer(ep.Server, grpcapi.New(uc, logger))
	a.Go("commission accrual worker", uc.ProjectOrders)
	a.Go("commission hold worker", uc.ProjectRisk)
	a.Go("commission statement projector", uc.ProjectStatement)
	a.Go("commission roster", uc.FollowRoster)
	a.Ready("commission read model", uc.Ready)
	a.Ready("commission roster", uc.RosterReady)
	return nil
}

// Run runs the commission service alone until ctx ends.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return platform.RunService(ctx, logger, "holdfast-commission", cfg.Common, cfg.GRPCAddr, cfg.HTTPAddr, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return Mount(ctx, a, ep, rt, time.Now)
	})
}
