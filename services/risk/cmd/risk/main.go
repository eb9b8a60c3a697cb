// Command risk runs the Holdfast risk service on its own (Kubernetes);
// `holdfast dev` runs it together with the other services.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "risk:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context) error {
	var cfg risksvc.Config
	if err := platform.Load(platform.OSLookuper, &cfg); err != nil {
		return err
	}
	logger := platform.NewLogger("risk", cfg.LogLevel)
	platform.LogConfig(logger, "configuration", cfg)
	return risksvc.Run(ctx, cfg, logger)
}
