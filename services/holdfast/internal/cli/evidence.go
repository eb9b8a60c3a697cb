package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/holdfast/holdfast/pkg/eventlog"
	"github.com/holdfast/holdfast/pkg/evidence"
	"github.com/holdfast/holdfast/pkg/platform"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
)

// EvidenceKeyDir is where the dev stack keeps tenants' evidence signing
// keys: the services' default (platform.Common.EvidenceKeys).
func EvidenceKeyDir(dataDir string) string { return platform.Common{DataDir: dataDir}.EvidenceKeys() }

// Evidence implements `holdfast evidence verify|key`.
func Evidence(ctx context.Context, env Env, sub string, args []string) error {
	switch sub {
	case "verify":
		return verifyEvidence(env, args)
	case "key":
		return evidenceKey(env, args)
	case "export":
		return exportEvidence(ctx, env, args)
	}
	return fmt.Errorf("%w: holdfast evidence verify BUNDLE [--key KEY | --key-file F] | export --alert ID --out F | key --tenant T", ErrUsage)
}

// verifyEvidence checks a bundle offline and prints what it proves.
func verifyEvidence(env Env, args []string) error {
	fs := flag.NewFlagSet("evidence verify", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	key := fs.String("key", "", "the tenant's published evidence verifier key (name+hash+keydata)")
	keyFile := fs.String("key-file", "", "a file holding the tenant's published verifier key")
	embedded := fs.Bool("trust-embedded-key", false, "accept the key shipped inside the bundle (proves the bundle is intact, not who signed it)")
	// The bundle may come before or after the flags.
	var path string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if path == "" && fs.NArg() == 1 {
		path = fs.Arg(0)
	} else if fs.NArg() > 0 || path == "" {
		return fmt.Errorf("%w: holdfast evidence verify BUNDLE [--key KEY | --key-file F]", ErrUsage)
	}
	var trusted []string
	if *key != "" {
		trusted = append(trusted, *key)
	}
	if *keyFile != "" {
		data, err := os.ReadFile(*keyFile) //nolint:gosec // the operator names the file
		if err != nil {
			return fmt.Errorf("evidence verify: %w", err)
		}
		trusted = append(trusted, strings.TrimSpace(string(data)))
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("evidence verify: %w", err)
	}
	if info.Size() > evidence.MaxBundleBytes {
		return fmt.Errorf("evidence verify: %s is %d bytes, more than a bundle may have", path, info.Size())
	}
	data, err := os.ReadFile(path) //nolint:gosec // the operator names the file
	if err != nil {
		return fmt.Errorf("evidence verify: %w", err)
	}
	rep, err := evidence.Verify(data, trusted...)
	if err == nil {
		err = checkEnvelopes(rep)
	}
	if err != nil {
		fmt.Fprintf(env.Stdout, "FAILED: %s\n", path)
		return err
	}
	if !rep.KeyTrusted && !*embedded {
		fmt.Fprintf(env.Stdout, "INTACT, SIGNER NOT ESTABLISHED: %s is intact and signed by %s, shipped inside it.\n"+
			"Pass the tenant's published key with --key (holdfast evidence key prints it), or --trust-embedded-key to accept this one.\n", path, rep.VerifierKey)
		return errSignerNotEstablished
	}
	fmt.Fprintf(env.Stdout, "OK: %s verifies: tenant %s, case %s", path, rep.Tenant, rep.CaseID)
	if rep.Title != "" {
		fmt.Fprintf(env.Stdout, " (%s)", rep.Title)
	}
	fmt.Fprintf(env.Stdout, ", %d events, Merkle root %s, created %s\n", len(rep.Events), rep.Root, rep.CreatedAt.Format("2006-01-02 15:04:05 MST"))
	if rep.KeyTrusted {
		fmt.Fprintf(env.Stdout, "signed by the key you gave: %s\n", rep.VerifierKey)
	} else {
		fmt.Fprintf(env.Stdout, "WARNING: checked against the key shipped inside the bundle, %s\n"+
			"  the contents are intact, but anyone can make a key with that name: compare it with the tenant's published key (or pass it with --key)\n", rep.VerifierKey)
	}
	for _, e := range rep.Events {
		fmt.Fprintf(env.Stdout, "  %4d  %-10s #%-8d %s  %s  %s\n", e.Index, e.Stream, e.Sequence,
			e.OccurredAt.UTC().Format("2006-01-02 15:04:05Z"), e.EventType, e.EventID)
	}
	for _, d := range rep.Documents {
		fmt.Fprintf(env.Stdout, "  document %s\n", d)
	}
	return nil
}

// errSignerNotEstablished: the bundle is intact, but only against the key
// it carries itself.
var errSignerNotEstablished = errors.New("evidence verify: the signer is not established: no trusted key given")

// checkEnvelopes decodes each verified event and checks it is what the
// manifest says it is: an envelope of the bundle's tenant with that id.
func checkEnvelopes(rep evidence.Report) error {
	var problems []string
	for _, e := range rep.Events {
		env, err := eventlog.Unmarshal(e.Data)
		if err != nil {
			problems = append(problems, fmt.Sprintf("event %d (%s #%d) is not an event envelope: %v", e.Index, e.Stream, e.Sequence, err))
			continue
		}
		if env.GetTenantId() != rep.Tenant {
			problems = append(problems, fmt.Sprintf("event %d (%s #%d) belongs to tenant %q, the bundle is tenant %q's", e.Index, e.Stream, e.Sequence, env.GetTenantId(), rep.Tenant))
		}
		if e.EventID != "" && env.GetEventId() != e.EventID {
			problems = append(problems, fmt.Sprintf("event %d (%s #%d) is event %s, the manifest says %s", e.Index, e.Stream, e.Sequence, env.GetEventId(), e.EventID))
		}
	}
	if len(problems) > 0 {
		return &evidence.Failure{Problems: problems}
	}
	return nil
}

// evidenceKey prints a tenant's verifier key from the dev key directory,
// creating the key on first use: what a company publishes for its bundles.
func evidenceKey(env Env, args []string) error {
	fs := flag.NewFlagSet("evidence key", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	tenant := fs.String("tenant", "acme", "tenant id")
	dir, ok := env.Lookup("HOLDFAST_DATA_DIR")
	if !ok || dir == "" {
		dir = ".data"
	}
	dataDir := fs.String("data", dir, "data directory holding the keys")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	k, err := evidence.LoadOrCreateKey(EvidenceKeyDir(*dataDir), *tenant)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, k.VerifierKey)
	return nil
}

// exportEvidence asks the risk service for a case's signed bundle, writes
// it, and checks it against the tenant's key before saying it is done.
func exportEvidence(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("evidence export", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	var id identity
	id.register(fs, env)
	addr := fs.String("addr", envOr(env, "HOLDFAST_RISK_ADDR", "127.0.0.1:7105"), "RiskService address (env HOLDFAST_RISK_ADDR)")
	alert := fs.String("alert", "", "the alert whose case to bundle")
	lang := fs.String("lang", "zh", "language of the report: zh or en")
	out := fs.String("out", "", "file to write (default: the name the service suggests, in the current directory)")
	requestID := fs.String("request-id", "", "an id of this export ([A-Za-z0-9_-]): running the command again with it records the export on the case once")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if *alert == "" {
		return fmt.Errorf("%w: --alert is required", ErrUsage)
	}
	conn, err := id.connect(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	rc := riskv1.NewRiskServiceClient(conn)
	cctx, cancel := callContext(ctx)
	defer cancel()
	resp, err := rc.ExportEvidence(cctx, &riskv1.ExportEvidenceRequest{AlertId: *alert, Language: *lang, RequestId: *requestID})
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = resp.GetFileName()
	}
	if _, err := evidence.Verify(resp.GetBundle(), resp.GetVerifierKey()); err != nil {
		return fmt.Errorf("evidence export: the bundle received does not verify: %w", err)
	}
	if err := os.WriteFile(path, resp.GetBundle(), 0o600); err != nil {
		return fmt.Errorf("evidence export: %w", err)
	}
	fmt.Fprintf(env.Stdout, "wrote %s: %d events, Merkle root %s\nsigned by %s\ncheck it anywhere with: holdfast evidence verify %s --key %q\n",
		path, resp.GetEvents(), resp.GetMerkleRoot(), resp.GetVerifierKey(), path, resp.GetVerifierKey())
	return nil
}
