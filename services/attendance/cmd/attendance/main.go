// Command attendance runs the Holdfast attendance service on its own (Kubernetes);
// `holdfast dev` runs it together with the other services.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/attendance/attendancesvc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "attendance:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context) error {
	var cfg attendancesvc.Config
	if err := platform.Load(platform.OSLookuper, &cfg); err != nil {
		return err
	}
	logger := platform.NewLogger("attendance", cfg.LogLevel)
	platform.LogConfig(logger, "configuration", cfg)
	return attendancesvc.Run(ctx, cfg, logger)
}
