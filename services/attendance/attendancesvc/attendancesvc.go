// Package attendancesvc assembles the attendance service: the organisation
// tree and the employee lifecycle, served as
// holdfast.attendance.v1.AttendanceService.
package attendancesvc

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/holdfast/holdfast/pkg/platform"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/attendance/internal/app"
	"github.com/holdfast/holdfast/services/attendance/internal/grpcapi"
	"github.com/holdfast/holdfast/services/attendance/internal/store"
)

// Config is the standalone attendance service's configuration.
type Config struct {
	platform.Common
	GRPCAddr string `env:"HOLDFAST_ATTENDANCE_GRPC_ADDR" default:"127.0.0.1:7103"`
	HTTPAddr string `env:"HOLDFAST_ATTENDANCE_HTTP_ADDR" default:"127.0.0.1:9103"`
}

// Mount adds the attendance service to an App: its gRPC API on ep and its
// projector as a worker. With rt.Pool set the read model is PostgreSQL
// (migrated here), else memory rebuilt by replay.
func Mount(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime, now func() time.Time) error {
	logger := a.Logger().With("component", "attendance")
	var st store.Store = store.NewMemory()
	if rt.Pool != nil {
		if err := store.Migrate(ctx, rt.Pool); err != nil {
			return fmt.Errorf("attendance: migrate: %w", err)
		}
		st = store.NewPostgres(rt.Pool)
	}
	uc := app.New(rt.Log, st, logger, now)
	attendancev1.RegisterAttendanceServiceServer(ep.Server, grpcapi.New(uc, logger))
	a.Go("attendance projector", uc.Project)
	a.Ready("attendance read model", uc.Ready)
	return nil
}

// Run runs the attendance service alone until ctx ends.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	return platform.RunService(ctx, logger, "holdfast-attendance", cfg.Common, cfg.GRPCAddr, cfg.HTTPAddr, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		return Mount(ctx, a, ep, rt, time.Now)
	})
}
