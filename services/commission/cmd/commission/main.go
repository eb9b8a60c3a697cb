// Command commission runs the Holdfast commission service on its own (Kubernetes);
// `holdfast dev` runs it together with the other services.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/commission/commissionsvc"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "commission:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context) error {
	var cfg commissionsvc.Config
	if err := platform.Load(platform.OSLookuper, &cfg); err != nil {
		return err
	}
	logger := platform.NewLogger("commission", cfg.LogLevel)
	platform.LogConfig(logger, "configuration", cfg)
	return commissionsvc.Run(ctx, cfg, logger)
}
