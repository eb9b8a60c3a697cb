// Package devstack runs every Holdfast service in one process with an
// embedded nats-server: `holdfast dev`, the way to try Holdfast with nothing
// but Go installed.
package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/departures"
	"github.com/holdfast/holdfast/pkg/natsembed"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/attendance/attendancesvc"
	"github.com/holdfast/holdfast/services/client/clientsvc"
	"github.com/holdfast/holdfast/services/commission/commissionsvc"
	"github.com/holdfast/holdfast/services/console/consolesvc"
	"github.com/holdfast/holdfast/services/order/ordersvc"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

// Config is the dev stack's configuration; every default works on a laptop.
type Config struct {
	platform.Common
	// NATSPort is the embedded server's port: 4322, never 4222, so it does
	// not collide with a NATS the machine already runs.
	NATSPort int `env:"HOLDFAST_DEV_NATS_PORT" default:"4322"`
	// NATSMonitorPort serves the embedded server's monitoring endpoint.
	NATSMonitorPort int    `env:"HOLDFAST_DEV_NATS_MONITOR_PORT" default:"8322"`
	EmbedNATS       bool   `env:"HOLDFAST_DEV_EMBED_NATS" default:"true"`
	HTTPAddr        string `env:"HOLDFAST_HTTP_ADDR" default:"127.0.0.1:9100"`
	ClientGRPCAddr  string `env:"HOLDFAST_CLIENT_GRPC_ADDR" default:"127.0.0.1:7101"`
	// OrderGRPCAddr serves holdfast.order.v1.OrderService.
	OrderGRPCAddr string `env:"HOLDFAST_ORDER_GRPC_ADDR" default:"127.0.0.1:7102"`
	// AttendanceGRPCAddr serves holdfast.attendance.v1.AttendanceService.
	AttendanceGRPCAddr string `env:"HOLDFAST_ATTENDANCE_GRPC_ADDR" default:"127.0.0.1:7103"`
	// CommissionGRPCAddr serves holdfast.commission.v1.CommissionService.
	CommissionGRPCAddr string `env:"HOLDFAST_COMMISSION_GRPC_ADDR" default:"127.0.0.1:7104"`
	RiskGRPCAddr       string `env:"HOLDFAST_RISK_GRPC_ADDR" default:"127.0.0.1:7105"`
	// ConsoleAddr serves the HR console (with the dev sign-in form).
	ConsoleAddr string `env:"HOLDFAST_CONSOLE_ADDR" default:"127.0.0.1:7180"`
}

// Endpoints are where a started stack listens.
type Endpoints struct {
	NATS           string
	HTTP           string
	ClientGRPC     string
	OrderGRPC      string
	AttendanceGRPC string
	RiskGRPC       string
	CommissionGRPC string
	// Console is the HR console's base URL.
	Console string
}

// Stack is a started dev stack, ready to Run.
type Stack struct {
	app       *platform.App
	rt        *platform.Runtime
	nats      *natsembed.Server
	console   *http.Server
	consoleLn net.Listener
	// conns are the console's connections to the services.
	conns     []*grpc.ClientConn
	Endpoints Endpoints
}

// Start starts the embedded NATS (unless disabled), connects, and mounts
// every service. Nothing serves until Run.
func Start(ctx context.Context, cfg Config, logger *slog.Logger) (_ *Stack, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Stack{}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if cfg.EmbedNATS {
		s.nats, err = natsembed.Start(natsembed.Config{
			Port:     cfg.NATSPort,
			HTTPPort: cfg.NATSMonitorPort,
			StoreDir: filepath.Join(cfg.DataDir, "nats"),
		})
		if err != nil {
			return nil, fmt.Errorf("embedded nats on port %d: %w", cfg.NATSPort, err)
		}
		cfg.NATSURL = s.nats.ClientURL()
	}
	// The dev stack is where simulations run: it accepts backdated events
	// from tokens with the backfill grant (holdfast sim, holdfast token
	// --backfill). Production services refuse them unless their operator
	// sets HOLDFAST_ALLOW_BACKFILL.
	cfg.AllowBackfill = true
	s.app, err = platform.NewApp(logger, cfg.HTTPAddr, cfg.ShutdownTimeout)
	if err != nil {
		return nil, err
	}
	s.rt, err = platform.Connect(ctx, "holdfast-dev", cfg.Common, s.app)
	if err != nil {
		return nil, err
	}
	clientEP, err := s.app.NewGRPCServer(cfg.ClientGRPCAddr, s.rt.Verifier)
	if err != nil {
		return nil, err
	}
	if err := clientsvc.Mount(ctx, s.app, clientEP, s.rt, time.Now); err != nil {
		return nil, err
	}
	orderEP, err := s.app.NewGRPCServer(cfg.OrderGRPCAddr, s.rt.Verifier)
	if err != nil {
		return nil, err
	}
	if err := ordersvc.Mount(ctx, s.app, orderEP, s.rt, time.Now); err != nil {
		return nil, err
	}
	attendanceEP, err := s.app.NewGRPCServer(cfg.AttendanceGRPCAddr, s.rt.Verifier)
	if err != nil {
		return nil, err
	}
	if err := attendancesvc.Mount(ctx, s.app, attendanceEP, s.rt, time.Now); err != nil {
		return nil, err
	}
	commissionEP, err := s.app.NewGRPCServer(cfg.CommissionGRPCAddr, s.rt.Verifier)
	if err != nil {
		return nil, err
	}
	if err := commissionsvc.Mount(ctx, s.app, commissionEP, s.rt, time.Now); err != nil {
		return nil, err
	}
	riskEP, err := s.app.NewGRPCServer(cfg.RiskGRPCAddr, s.rt.Verifier)
	if err != nil {
		return nil, err
	}
	if err := risksvc.Mount(ctx, s.app, riskEP, s.rt); err != nil {
		return nil, err
	}
	s.Endpoints = Endpoints{NATS: cfg.NATSURL, HTTP: s.app.HTTPAddr(), ClientGRPC: clientEP.Addr(), AttendanceGRPC: attendanceEP.Addr(), RiskGRPC: riskEP.Addr()}
	s.Endpoints.OrderGRPC = orderEP.Addr()
	s.Endpoints.CommissionGRPC = commissionEP.Addr()
	if err := s.startConsole(cfg, logger); err != nil {
		return nil, err
	}
	return s, nil
}

// startConsole listens for the HR console, which calls the risk, client,
// order and attendance services over gRPC like any other client, with dev
// sign-in enabled. Its pseudonym key lives in the data directory.
func (s *Stack) startConsole(cfg Config, logger *slog.Logger) error {
	key, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(cfg.DataDir))
	if err != nil {
		return err
	}
	pseudonymKey, err := consolesvc.LoadOrCreatePseudonymKey(filepath.Join(cfg.DataDir, "console", "pseudonym.key"))
	if err != nil {
		return err
	}
	dial := func(addr string) (*grpc.ClientConn, error) {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err == nil {
			s.conns = append(s.conns, conn)
		}
		return conn, err
	}
	conf := consolesvc.Config{Verifier: s.rt.Verifier, DevIssuer: auth.NewIssuer(key), PseudonymKey: pseudonymKey, Logger: logger}
	for _, c := range []struct {
		addr string
		to   *grpc.ClientConnInterface
	}{
		{s.Endpoints.RiskGRPC, &conf.Risk},
		{s.Endpoints.ClientGRPC, &conf.Client},
		{s.Endpoints.OrderGRPC, &conf.Order},
		{s.Endpoints.AttendanceGRPC, &conf.Attendance},
	} {
		conn, err := dial(c.addr)
		if err != nil {
			return err
		}
		*c.to = conn
	}
	console, err := consolesvc.New(conf)
	if err != nil {
		return err
	}
	s.consoleLn, err = net.Listen("tcp", cfg.ConsoleAddr)
	if err != nil {
		return fmt.Errorf("console on %s: %w", cfg.ConsoleAddr, err)
	}
	s.console = &http.Server{Handler: console, ReadHeaderTimeout: 10 * time.Second}
	_, port, _ := net.SplitHostPort(s.consoleLn.Addr().String())
	// Browsers keep the console's Secure cookie over plain http only for
	// localhost, so that is the address to open.
	s.Endpoints.Console = "http://localhost:" + port
	return nil
}

// Ready reports whether every service has caught up with its streams.
func (s *Stack) Ready(ctx context.Context) error {
	return s.app.ReadyErr(ctx)
}

// Departures is the tracker every service's verifier refuses departed
// employees by; tests wait on it to know a departure is in force.
func (s *Stack) Departures() *departures.Tracker { return s.rt.Departures }

// Run serves until ctx ends, then shuts everything down.
func (s *Stack) Run(ctx context.Context) error {
	defer s.close()
	consoleDone := make(chan error, 1)
	go func() { consoleDone <- s.console.Serve(s.consoleLn) }()
	err := s.app.Run(ctx)
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.console.Shutdown(shutdown)
	if cerr := <-consoleDone; !errors.Is(cerr, http.ErrServerClosed) && err == nil {
		err = cerr
	}
	return err
}

func (s *Stack) close() {
	for _, c := range s.conns {
		_ = c.Close()
	}
	if s.rt != nil {
		s.rt.Close()
	}
	if s.nats != nil {
		s.nats.Stop()
	}
}

// PrintWelcome writes the endpoints and a copy-paste example.
func (s *Stack) PrintWelcome(w io.Writer, holdfastCmd string) {
	e := s.Endpoints
	fmt.Fprintf(w, `
Holdfast dev stack is running.

  ClientService gRPC      %s   (holdfast.client.v1.ClientService)
  OrderService gRPC       %[7]s   (holdfast.order.v1.OrderService)
  AttendanceService gRPC  %[2]s   (holdfast.attendance.v1.AttendanceService)
  CommissionService gRPC  %[8]s   (holdfast.commission.v1.CommissionService)
  RiskService gRPC        %[3]s   (holdfast.risk.v1.RiskService)
  HR console              %[9]s   (sign in as hr1, role hr)
  metrics/health          http://%[4]s/metrics  /healthz  /readyz
  NATS (embedded)         %[5]s
  data                    .data/ (kept across restarts; delete it to start over)

Try it — a salesperson registers a customer and talks about a private deal,
then HR lists the alert (paste into another terminal in this directory):

  CID=$(%[6]s customer register --tenant acme --as e1 --role sales \
          --name 王伟 --company 上海星海贸易有限公司 --phone "138 0013 8000" --source trade_show --request-id demo-customer -q)
  SEQ=$(%[6]s interaction log --tenant acme --as e1 --role sales \
          --customer "$CID" --text "加我私人微信，这单我们走私单" --request-id demo-chat -q)
  %[6]s alerts list --tenant acme --as hr1 --role hr --consistent-with "CLIENT:$SEQ"

Stop with Ctrl-C.
`, e.ClientGRPC, e.AttendanceGRPC, e.RiskGRPC, e.HTTP, e.NATS, holdfastCmd, e.OrderGRPC, e.CommissionGRPC, e.Console)
}
