// Command console serves the HR console on its own: a thin web server that
// calls the risk service's gRPC API as the signed-in user.
//
// It serves plain HTTP and sets Secure cookies, so it must sit behind a
// TLS-terminating proxy (browsers keep Secure cookies only over https,
// localhost aside). Sign-in is with tokens signed by the identity provider
// whose public key HOLDFAST_AUTH_PUBLIC_KEY_FILE names; the development
// sign-in form is only in `holdfast dev`.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/console/consolesvc"
)

// config is the console's environment.
type config struct {
	platform.Common
	Addr     string `env:"HOLDFAST_CONSOLE_ADDR" default:"127.0.0.1:7180"`
	RiskAddr string `env:"HOLDFAST_RISK_ADDR" default:"127.0.0.1:7105"`
	// ClientAddr and OrderAddr serve the team report.
	ClientAddr string `env:"HOLDFAST_CLIENT_ADDR" default:"127.0.0.1:7101"`
	OrderAddr  string `env:"HOLDFAST_ORDER_ADDR" default:"127.0.0.1:7102"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := realMain(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "console:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context) error {
	var cfg config
	if err := platform.Load(platform.OSLookuper, &cfg); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if cfg.AuthPublicKeyFile == "" {
		return errors.New("HOLDFAST_AUTH_PUBLIC_KEY_FILE is required: the console accepts only tokens of your identity provider")
	}
	verifier, err := platform.VerifierFor(cfg.Common)
	if err != nil {
		return err
	}
	conn, err := grpc.NewClient(cfg.RiskAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	clientConn, err := grpc.NewClient(cfg.ClientAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer clientConn.Close()
	orderConn, err := grpc.NewClient(cfg.OrderAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer orderConn.Close()
	console, err := consolesvc.New(consolesvc.Config{
		Risk: conn, Team: consolesvc.TeamReportAPIs{Client: clientConn, Order: orderConn}, Verifier: verifier, Logger: logger,
	})
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: cfg.Addr, Handler: console, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("console listening", "addr", cfg.Addr, "risk", cfg.RiskAddr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	return srv.Shutdown(shutdown)
}
