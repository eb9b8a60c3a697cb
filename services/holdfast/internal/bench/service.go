package bench

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/platform"
)

// benchService is one service mounted on its own App with the full
// interceptor chain (auth, metrics, logging), as a deployment runs it, and
// the connections the bench dialled to it.
type benchService struct {
	addr   string
	issuer *auth.Issuer
	conns  []*grpc.ClientConn
	stop   func()
}

// startService mounts a service on a fresh App over log and runs it until
// close. Its tokens are signed by a key made for this run.
func startService(ctx context.Context, log *eventlog.Log, mount platform.MountFunc) (*benchService, error) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	app, err := platform.NewApp(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), "127.0.0.1:0", 5*time.Second)
	if err != nil {
		return nil, err
	}
	rt := &platform.Runtime{Log: log, Verifier: auth.NewVerifier(pub)}
	ep, err := app.NewGRPCServer("127.0.0.1:0", rt.Verifier)
	if err != nil {
		return nil, err
	}
	if err := mount(ctx, app, ep, rt); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = app.Run(runCtx); close(done) }()
	return &benchService{addr: ep.Addr(), issuer: auth.NewIssuer(priv), stop: func() { cancel(); <-done }}, nil
}

// dial connects as p; close closes the connection.
func (s *benchService) dial(p auth.Principal) (*grpc.ClientConn, error) {
	tok, err := s.issuer.Issue(p, time.Hour)
	if err != nil {
		return nil, err
	}
	cc, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(auth.BearerToken(tok)))
	if err != nil {
		return nil, err
	}
	s.conns = append(s.conns, cc)
	return cc, nil
}

// close closes every connection, then stops the service.
func (s *benchService) close() {
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.stop()
}
