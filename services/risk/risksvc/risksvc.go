// Package risksvc assembles the risk service: the engine judging RISK_IN,
// the alert view projected from RISK, and holdfast.risk.v1.RiskService.
package risksvc

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/holdfast/holdfast/pkg/evidence"
	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/risk/internal/app"
	"github.com/holdfast/holdfast/services/risk/internal/engine"
	"github.com/holdfast/holdfast/services/risk/internal/grpcapi"
	"github.com/holdfast/holdfast/services/risk/internal/lexicon"
	"github.com/holdfast/holdfast/services/risk/internal/store"
)

// Config is the standalone risk service's configuration.
type Config struct {
	platform.Common
	GRPCAddr string `env:"HOLDFAST_RISK_GRPC_ADDR" default:"127.0.0.1:7105"`
	HTTPAddr string `env:"HOLDFAST_RISK_HTTP_ADDR" default:"127.0.0.1:9105"`
	// Tenants, comma-separated, makes this process one partition: it judges
	// and serves only these tenants (empty: every tenant). Partitions that
	// split the tenants decide together what one process decides.
	Tenants string `env:"HOLDFAST_RISK_TENANTS"`
	// SnapshotEvery is how many RISK_IN records the engine judges between
	// two snapshots of its state (0: never); a restart restores the latest
	// and replays only the records after it.
	SnapshotEvery uint64 `env:"HOLDFAST_RISK_SNAPSHOT_EVERY" default:"50000"`
}

// DefaultSnapshotEvery is Config.SnapshotEvery's default, used by Mount
// and MountTenants.
const DefaultSnapshotEvery = 50_000

// Options configure MountWith.
type Options struct {
	// Tenants makes the service one partition (nil: every tenant).
	Tenants []string
	// SnapshotEvery: see Config.SnapshotEvery.
	SnapshotEvery uint64
}

// Mount adds the risk service for every tenant; see MountTenants.
func Mount(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
	return MountTenants(nil)(ctx, a, ep, rt)
}

// MountTenants adds the risk service, judging and serving tenants (nil:
// every tenant), to an App: its gRPC API on ep, the engine, the alert and
// sensitive-hits projectors and the live clock scheduler as workers.
func MountTenants(tenants []string) platform.MountFunc {
	return MountWith(Options{Tenants: tenants, SnapshotEvery: DefaultSnapshotEvery})
}

// MountWith adds the risk service configured by opts.
func MountWith(opts Options) platform.MountFunc {
	return func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return mount(ctx, a, ep, rt, opts)
	}
}

func mount(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime, opts Options) error {
	logger := a.Logger().With("component", "risk")
	var st store.Store = store.NewMemory()
	if rt.Pool != nil {
		if err := store.Migrate(ctx, rt.Pool); err != nil {
			return fmt.Errorf("risk: migrate: %w", err)
		}
		st = store.NewPostgres(rt.Pool)
	}
	lex := lexicon.Default()
	eng := engine.New(lex, engine.DefaultSensitiveWords())
	uc, err := app.New(rt.Log, st, eng, lex, logger)
	if err != nil {
		return fmt.Errorf("risk: %w", err)
	}
	if err := uc.ServeTenants(opts.Tenants); err != nil {
		return err
	}
	if rt.Pool != nil {
		// Only once the tenants are known to be valid: a refused set
		// must not have claimed the schema.
		if err := store.ClaimPartition(ctx, rt.Pool, opts.Tenants); err != nil {
			return fmt.Errorf("risk: %w", err)
		}
	}
	if err := uc.EnableSnapshots(ctx, opts.SnapshotEvery); err != nil {
		return err
	}
	for _, c := range uc.Collectors() {
		if err := a.Registry().Register(c); err != nil {
			return fmt.Errorf("risk: metrics: %w", err)
		}
	}
	var apiOpts []grpcapi.Option
	if rt.EvidenceKeyDir != "" {
		apiOpts = append(apiOpts, grpcapi.WithEvidenceKeys(func(tenant string) (evidence.Key, error) {
			return evidence.LoadOrCreateKey(rt.EvidenceKeyDir, tenant)
		}))
	}
	riskv1.RegisterRiskServiceServer(ep.Server, grpcapi.New(uc, logger, apiOpts...))
	a.Go("risk engine", uc.RunEngine)
	a.Go("alert projector", uc.ProjectAlerts)
	a.Go("sensitive-hits projector", uc.ProjectSensitiveHits)
	a.Go("risk roster", uc.FollowRoster)
	// The live scheduler ticks, every wall-clock hour, each tenant seen in
	// RISK_IN whose clock is not external (see AdvanceClock).
	a.Go("risk live clock", uc.RunClock)
	a.Ready("risk engine, alert view and sensitive-hits view", uc.Ready)
	a.Ready("risk roster", uc.RosterReady)
	return nil
}

// Run runs the risk service alone until ctx ends.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	var tenants []string
	for _, t := range strings.Split(cfg.Tenants, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tenants = append(tenants, t)
		}
	}
	return platform.RunService(ctx, logger, "holdfast-risk", cfg.Common, cfg.GRPCAddr, cfg.HTTPAddr, MountWith(Options{Tenants: tenants, SnapshotEvery: cfg.SnapshotEvery}))
}
