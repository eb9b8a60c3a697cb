// Package clientsvc assembles the client service: the company's customer
// registry and interaction trail, served as holdfast.client.v1.ClientService.
package clientsvc

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
	clientv1 "github.com/holdfast/holdfast/proto/holdfast/client/v1"
	"github.com/holdfast/holdfast/services/client/internal/app"
	"github.com/holdfast/holdfast/services/client/internal/grpcapi"
	"github.com/holdfast/holdfast/services/client/internal/store"
)

// Config is the standalone client service's configuration.
type Config struct {
	platform.Common
	GRPCAddr string `env:"HOLDFAST_CLIENT_GRPC_ADDR" default:"127.0.0.1:7101"`
	HTTPAddr string `env:"HOLDFAST_CLIENT_HTTP_ADDR" default:"127.0.0.1:9101"`
}

// IdleSweepInterval is how often held customers without follow-up are
// returned to the shared pool (the limit itself is a tenant policy).
const IdleSweepInterval = time.Hour

// Option tunes Mount.
type Option func(*options)

type options struct {
	handoverProgress *eventlog.Progress
}

// WithHandoverProgress has the departure handover worker record in p each
// ATTENDANCE sequence it has finished with, so a caller (a test) can wait
// for a departure's handover without polling.
func WithHandoverProgress(p *eventlog.Progress) Option {
	return func(o *options) { o.handoverProgress = p }
}

// Mount adds the client service to an App: its gRPC API on ep, its
// projector, idle sweeper and departure handover as workers. With rt.Pool
// set the read model is PostgreSQL (migrated here), else memory rebuilt by
// replay.
func Mount(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime, now func() time.Time, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	logger := a.Logger().With("component", "client")
	var st store.Store = store.NewMemory()
	if rt.Pool != nil {
		if err := store.Migrate(ctx, rt.Pool); err != nil {
			return fmt.Errorf("client: migrate: %w", err)
		}
		st = store.NewPostgres(rt.Pool)
	}
	uc := app.New(rt.Log, st, logger, now)
	clientv1.RegisterClientServiceServer(ep.Server, grpcapi.New(uc, logger))
	a.Go("client projector", uc.Project)
	a.Go("client idle sweeper", func(ctx context.Context) error { return uc.RunIdleSweeper(ctx, IdleSweepInterval) })
	a.Ready("client read model", uc.Ready)
	a.Go("client roster", uc.ProjectRoster)
	a.Ready("client roster", uc.RosterReady)
	handover := uc.NewHandover(o.handoverProgress)
	a.Go("client departure handover", handover.Run)
	a.Ready("client departure handover", handover.Ready)
	return nil
}

// Run runs the client service alone until ctx ends.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return platform.RunService(ctx, logger, "holdfast-client", cfg.Common, cfg.GRPCAddr, cfg.HTTPAddr, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return Mount(ctx, a, ep, rt, time.Now)
	})
}
