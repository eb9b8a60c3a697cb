// Command console serves the HR console on its own: a thin web server that
// calls the risk, client, order and attendance services' gRPC APIs as the
// signed-in user.
//
// It serves plain HTTP and sets Secure cookies, so it must sit behind a
// TLS-terminating proxy (browsers keep Secure cookies only over https,
// localhost aside). Sign-in is with tokens signed by the identity provider
// whose public key HOLDFAST_AUTH_PUBLIC_KEY_FILE names; the development
// sign-in form is only in `holdfast dev`. Employees are shown by
// pseudonym, derived from the key in HOLDFAST_CONSOLE_PSEUDONYM_KEY_FILE.
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
	// The employee page also reads the client, order and attendance services.
	ClientAddr     string `env:"HOLDFAST_CLIENT_ADDR" default:"127.0.0.1:7101"`
	OrderAddr      string `env:"HOLDFAST_ORDER_ADDR" default:"127.0.0.1:7102"`
	AttendanceAddr string `env:"HOLDFAST_ATTENDANCE_ADDR" default:"127.0.0.1:7103"`
	// PseudonymKeyFile holds the secret (at least 32 bytes) each tenant's
	// pseudonyms are derived from; keep it like a signing key: with it and
	// the employee ids, pseudonyms can be reversed.
	PseudonymKeyFile string `env:"HOLDFAST_CONSOLE_PSEUDONYM_KEY_FILE"`
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
	if cfg.PseudonymKeyFile == "" {
		return errors.New("HOLDFAST_CONSOLE_PSEUDONYM_KEY_FILE is required: employees are shown by pseudonyms derived from it")
	}
	pseudonymKey, err := consolesvc.ReadPseudonymKey(cfg.PseudonymKeyFile)
	if err != nil {
		return err
	}
	conns := map[string]*grpc.ClientConn{}
	for name, addr := range map[string]string{"risk": cfg.RiskAddr, "client": cfg.ClientAddr, "order": cfg.OrderAddr, "attendance": cfg.AttendanceAddr} {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return fmt.Errorf("%s service at %s: %w", name, addr, err)
		}
		defer conn.Close()
		conns[name] = conn
	}
	console, err := consolesvc.New(consolesvc.Config{
		Risk: conns["risk"], Client: conns["client"], Order: conns["order"], Attendance: conns["attendance"],
		PseudonymKey: pseudonymKey, Verifier: verifier, Logger: logger,
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
