package platform

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/departures"
	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/pgstore"
)

// Runtime is what a service needs from the outside world: the event log
// (streams provisioned), PostgreSQL when configured, and a token verifier.
type Runtime struct {
	NATS     *nats.Conn
	Log      *eventlog.Log
	Pool     *pgxpool.Pool // nil: in-memory read models
	Verifier *auth.Verifier
	// Departures is what Verifier refuses tokens of departed employees by;
	// nil in runtimes built by hand (tests), which then refuse nobody.
	Departures *departures.Tracker
	// EvidenceKeyDir is where tenants' evidence signing keys live (see
	// Common.EvidenceKeyDir); empty in runtimes built by hand.
	EvidenceKeyDir string
	// stopTracing flushes buffered spans.
	stopTracing func(context.Context) error
}

// Close releases the runtime's connections; NATS is drained so pending
// publishes are flushed.
func (r *Runtime) Close() {
	if r.stopTracing != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.stopTracing(ctx)
	}
	if r.Pool != nil {
		r.Pool.Close()
	}
	if r.NATS != nil {
		_ = r.NATS.Drain()
	}
}

// Connect builds a Runtime from common configuration, registering the event
// log's metrics with app's registry. It also adds to app the departures
// tracker as a worker and a readiness check: the verifier refuses the tokens
// of employees who have departed, which it knows once the tracker has caught
// up with ATTENDANCE.
func Connect(ctx context.Context, name string, c Common, app *App) (*Runtime, error) {
	rt := &Runtime{EvidenceKeyDir: c.EvidenceKeys()}
	stop, err := SetupTracing(ctx, name, c.Tracing)
	if err != nil {
		return nil, err
	}
	rt.stopTracing = stop
	nc, err := nats.Connect(c.NATSURL, nats.Name(name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true), nats.ReconnectWait(time.Second))
	if err != nil {
		rt.Close()
		return nil, fmt.Errorf("connect nats %s: %w", c.NATSURL, err)
	}
	rt.NATS = nc
	js, err := jetstream.New(nc)
	if err != nil {
		rt.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	pcfg := eventlog.DefaultProvisionConfig()
	pcfg.Replicas = c.StreamReplicas
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := eventlog.Provision(pctx, js, pcfg, eventlog.AllStreams()...); err != nil {
		rt.Close()
		return nil, err
	}
	rt.Log = eventlog.New(js, eventlog.WithLogger(app.Logger()), eventlog.WithRegisterer(app.Registry()))
	rt.Departures = departures.NewTracker(rt.Log)
	verifier, err := VerifierFor(c, auth.WithRevocationCheck(rt.Departures.Departed))
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.Verifier = verifier
	app.Go("departures", rt.Departures.Run)
	app.Ready("departures", rt.Departures.Ready)
	if c.DatabaseURL != "" {
		pool, err := pgstore.Open(ctx, c.DatabaseURL.Reveal())
		if err != nil {
			rt.Close()
			return nil, err
		}
		rt.Pool = pool
	}
	return rt, nil
}

// VerifierFor returns the token verifier, configured by opts: the configured
// public key, or the dev key under the data directory (created on first use).
func VerifierFor(c Common, opts ...auth.VerifierOption) (*auth.Verifier, error) {
	opts = append(opts, auth.WithBackfill(c.AllowBackfill))
	if c.AuthPublicKeyFile == "" {
		priv, err := auth.LoadOrCreateDevKey(DevKeyDir(c.DataDir))
		if err != nil {
			return nil, err
		}
		pub, _ := priv.Public().(ed25519.PublicKey)
		return auth.NewVerifier(pub, opts...), nil
	}
	b, err := os.ReadFile(c.AuthPublicKeyFile)
	if err != nil {
		return nil, fmt.Errorf("HOLDFAST_AUTH_PUBLIC_KEY_FILE: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("HOLDFAST_AUTH_PUBLIC_KEY_FILE: no PEM block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("HOLDFAST_AUTH_PUBLIC_KEY_FILE: %w", err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("HOLDFAST_AUTH_PUBLIC_KEY_FILE: not an Ed25519 public key")
	}
	return auth.NewVerifier(pub, opts...), nil
}

// EvidenceKeys is the directory of tenants' evidence signing keys.
func (c Common) EvidenceKeys() string {
	if c.EvidenceKeyDir != "" {
		return c.EvidenceKeyDir
	}
	return filepath.Join(DevKeyDir(c.DataDir), "evidence")
}

// DevKeyDir is where the dev signing key lives under a data directory.
func DevKeyDir(dataDir string) string { return filepath.Join(dataDir, "keys") }

// MountFunc adds one service to an App: its API on ep and its workers.
type MountFunc func(ctx context.Context, a *App, ep *GRPCEndpoint, rt *Runtime) error

// RunService runs one service on its own (its cmd/ binary) until ctx ends:
// validate the configuration, connect, mount, serve, shut down in order.
func RunService(ctx context.Context, logger *slog.Logger, name string, c Common, grpcAddr, httpAddr string, mount MountFunc) error {
	if err := c.Validate(); err != nil {
		return err
	}
	a, err := NewApp(logger, httpAddr, c.ShutdownTimeout)
	if err != nil {
		return err
	}
	rt, err := Connect(ctx, name, c, a)
	if err != nil {
		return err
	}
	defer rt.Close()
	ep, err := a.NewGRPCServer(grpcAddr, rt.Verifier)
	if err != nil {
		return err
	}
	if err := mount(ctx, a, ep, rt); err != nil {
		return err
	}
	return a.Run(ctx)
}
