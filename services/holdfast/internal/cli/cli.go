// Package cli is the holdfast command's client side: issue dev tokens and
// call the gRPC APIs the way another internal system would, so a newcomer
// can try Holdfast without grpcurl.
package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
)

// Env is what commands need from the process: arguments, output, environment.
type Env struct {
	Stdout, Stderr io.Writer
	Lookup         platform.Lookuper
}

// ErrUsage means the command line was wrong; the message says how.
var ErrUsage = errors.New("usage")

// identity flags: who the command acts as. With --token (or HOLDFAST_TOKEN)
// that token is used; otherwise a short-lived token is signed with the dev
// key under --data, which works only against a stack using that key.
type identity struct {
	tenant, subject, roles, token, dataDir string
}

func (id *identity) register(fs *flag.FlagSet, env Env) {
	fs.StringVar(&id.tenant, "tenant", "acme", "tenant id")
	fs.StringVar(&id.subject, "as", "", "employee id to act as (token subject)")
	fs.StringVar(&id.roles, "role", "sales", "comma-separated roles: sales, senior_sales, manager, hr, auditor, admin, service")
	tok, _ := env.Lookup("HOLDFAST_TOKEN")
	fs.StringVar(&id.token, "token", tok, "bearer token to send instead of signing one (env HOLDFAST_TOKEN)")
	dir, ok := env.Lookup("HOLDFAST_DATA_DIR")
	if !ok || dir == "" {
		dir = ".data"
	}
	fs.StringVar(&id.dataDir, "data", dir, "data directory holding the dev signing key")
}

func (id *identity) principal() (auth.Principal, error) {
	if id.subject == "" {
		return auth.Principal{}, fmt.Errorf("%w: --as EMPLOYEE_ID is required", ErrUsage)
	}
	p := auth.Principal{Tenant: id.tenant, Subject: id.subject}
	for _, r := range strings.Split(id.roles, ",") {
		role, err := auth.ParseRole(strings.TrimSpace(r))
		if err != nil {
			return auth.Principal{}, fmt.Errorf("%w: --role: %w", ErrUsage, err)
		}
		p.Roles = append(p.Roles, role)
	}
	return p, nil
}

func (id *identity) bearer() (string, error) {
	if id.token != "" {
		return id.token, nil
	}
	p, err := id.principal()
	if err != nil {
		return "", err
	}
	return signDevToken(id.dataDir, p, time.Hour)
}

func signDevToken(dataDir string, p auth.Principal, ttl time.Duration) (string, error) {
	priv, err := auth.LoadOrCreateDevKey(platform.DevKeyDir(dataDir))
	if err != nil {
		return "", err
	}
	return auth.NewIssuer(ed25519.PrivateKey(priv)).Issue(p, ttl)
}

// connect opens a plaintext gRPC connection (the dev stack listens on
// loopback) that sends the identity's bearer token with every call.
func (id *identity) connect(addr string) (*grpc.ClientConn, error) {
	token, err := id.bearer()
	if err != nil {
		return nil, err
	}
	return grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(auth.BearerToken(token)),
		grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(platform.MaxMessageBytes),
			grpc.MaxCallSendMsgSize(platform.MaxMessageBytes)))
}

// envOr is the environment variable key, or def when it is unset or empty.
func envOr(env Env, key, def string) string {
	if v, ok := env.Lookup(key); ok && v != "" {
		return v
	}
	return def
}

// Token implements `holdfast token`: print a dev token.
func Token(_ context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	fs.StringVar(&id.subject, "sub", "", "employee id (token subject); same as --as")
	ttl := fs.Duration("ttl", 12*time.Hour, "how long the token is valid")
	backfill := fs.Bool("backfill", false, "grant the right to date commands in the past with the "+auth.EventTimeHeader+" header (history import, simulation)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	p, err := id.principal()
	if err != nil {
		return err
	}
	p.Backfill = *backfill
	tok, err := signDevToken(id.dataDir, p, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, tok)
	return nil
}

// parsePosition parses STREAM:SEQUENCE, e.g. CLIENT:42.
func parsePosition(s string) (string, uint64, error) {
	stream, seq, ok := strings.Cut(s, ":")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || stream == "" || err != nil || n == 0 {
		return "", 0, fmt.Errorf("%w: want STREAM:SEQUENCE like CLIENT:42, got %q", ErrUsage, s)
	}
	return strings.ToUpper(stream), n, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 15*time.Second)
}
