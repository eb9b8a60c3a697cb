package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	riskv1 "github.com/holdfast/holdfast/proto/holdfast/risk/v1"
	"github.com/holdfast/holdfast/services/client/clientsvc"
	"github.com/holdfast/holdfast/services/holdfast/internal/cli"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("github.com/nats-io/nats-server/v2/server.(*stream).trySetupSourceConsumer.func3"))
}

// TestRulesCommands drives `holdfast rules` against a risk service: list
// the pack, get a rule as JSON, upsert an edited copy of that JSON, then
// disable and enable it; a bad expression comes back with its position.
func TestRulesCommands(t *testing.T) {
	t.Parallel()
	env := testkit.NewServiceEnv(t)
	svc := env.StartService(t, nil, risksvc.Mount)
	token, err := env.Issuer.Issue(testkit.Principal("acme", "admin-1", auth.RoleAdmin), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	lookup := platform.MapLookuper(map[string]string{"HOLDFAST_TOKEN": token, "HOLDFAST_RISK_ADDR": svc.Addr})
	run := func(sub string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := cli.Rules(t.Context(), cli.Env{Stdout: &out, Stderr: &errOut, Lookup: lookup}, sub, args)
		return out.String(), err
	}
	must := func(sub string, args ...string) string {
		t.Helper()
		out, err := run(sub, args...)
		if err != nil {
			t.Fatalf("rules %s %v: %v", sub, args, err)
		}
		return out
	}

	if out := must("list"); strings.Count(out, "RULE ") != 14 || !strings.Contains(out, "RULE bulk_export v1  enabled  built-in  severity MEDIUM  window 168h0m0s") {
		t.Errorf("rules list:\n%s", out)
	}
	// protojson varies its spacing on purpose: compare decoded rules.
	decode := func(out string) *riskv1.Rule {
		t.Helper()
		var r riskv1.Rule
		if err := protojson.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("rules get printed no Rule (%v):\n%s", err, out)
		}
		return &r
	}
	rule := decode(must("get", "--rule", "reveal_spike"))
	if got := rule.GetDefinition().GetTrigger(); !strings.HasPrefix(got, `event.type == "reveal" && features.reveals_24h > params.threshold && (`) {
		t.Fatalf("rules get: trigger %q", got)
	}
	dir := t.TempDir()
	write := func(name string, r proto.Message) string {
		t.Helper()
		b, err := protojson.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	rule.GetDefinition().GetParameters()[0].Value = &riskv1.RuleParameter_IntValue{IntValue: 30}
	edited := write("rule.json", rule)
	out := must("upsert", "--file", edited, "--reason", "fewer false alarms", "--expected-version", "1")
	if !strings.Contains(out, "RULE reveal_spike v2  enabled  tenant") || !strings.Contains(out, "RISK sequence 1") {
		t.Errorf("rules upsert:\n%s", out)
	}
	if got := decode(must("get", "--rule", "reveal_spike", "--min-sequence", "1")); got.GetVersion() != 2 ||
		got.GetDefinition().GetParameters()[0].GetIntValue() != 30 {
		t.Errorf("rule after upsert: %v", got)
	}
	if out := must("disable", "--rule", "reveal_spike", "--reason", "review"); !strings.Contains(out, "v2  disabled") {
		t.Errorf("rules disable:\n%s", out)
	}
	if out := must("enable", "--rule", "reveal_spike"); !strings.Contains(out, "v2  enabled") {
		t.Errorf("rules enable:\n%s", out)
	}

	rule.GetDefinition().Trigger = `event.type == "reveal" && features.reveals_24h > params.treshold`
	bad := write("bad.json", rule.GetDefinition()) // a bare RuleDefinition is accepted too
	if _, err := run("upsert", "--file", bad); err == nil || !strings.Contains(err.Error(), "line 1, column") {
		t.Errorf("upsert of a misspelt parameter: err = %v, want its position", err)
	}
	if _, err := run("upsert"); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("upsert without --file: err = %v, want a usage error", err)
	}
	if err := cli.AlertCase(t.Context(), cli.Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Lookup: lookup}, "resolve", []string{"--alert", "a1", "--outcome", "maybe"}); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("resolve with an unknown outcome: err = %v, want a usage error", err)
	}
	if _, err := run("frobnicate"); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("unknown subcommand: err = %v, want a usage error", err)
	}
}

// TestAlertCaseCommands walks an alert raised through the client service
// to a resolved case with `holdfast alerts ack|confirm|note|resolve|case`.
func TestAlertCaseCommands(t *testing.T) {
	t.Parallel()
	env := testkit.NewServiceEnv(t)
	keys := t.TempDir()
	svc := env.StartService(t, nil, func(ctx context.Context, a *platform.App, ep *platform.GRPCEndpoint, rt *platform.Runtime) error {
		if err := clientsvc.Mount(ctx, a, ep, rt, time.Now); err != nil {
			return err
		}
		withKeys := *rt
		withKeys.EvidenceKeyDir = keys
		return risksvc.Mount(ctx, a, ep, &withKeys)
	})
	as := func(p auth.Principal) cli.Env {
		token, err := env.Issuer.Issue(p, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return cli.Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Lookup: platform.MapLookuper(map[string]string{
			"HOLDFAST_TOKEN": token, "HOLDFAST_RISK_ADDR": svc.Addr, "HOLDFAST_CLIENT_ADDR": svc.Addr,
		})}
	}
	run := func(e cli.Env, cmd func(context.Context, cli.Env, []string) error, args ...string) string {
		t.Helper()
		out := e.Stdout.(*bytes.Buffer)
		out.Reset()
		if err := cmd(t.Context(), e, args); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return strings.TrimSpace(out.String())
	}
	caseCmd := func(sub string) func(context.Context, cli.Env, []string) error {
		return func(ctx context.Context, e cli.Env, args []string) error { return cli.AlertCase(ctx, e, sub, args) }
	}
	sales, hr := as(testkit.Principal("acme", "e1", auth.RoleSales)), as(testkit.Principal("acme", "hr1", auth.RoleHR))
	cid := run(sales, cli.RegisterCustomer, "--name", "王伟", "--company", "上海星海贸易有限公司", "--phone", "138 0013 8000", "--source", "trade_show", "-q")
	seq := run(sales, cli.LogInteraction, "--customer", cid, "--text", "加我私人微信，这单我们走私单", "-q")
	alerts := run(hr, cli.ListAlerts, "--consistent-with", "CLIENT:"+seq)
	fields := strings.Fields(alerts)
	if len(fields) < 2 || fields[0] != "ALERT" {
		t.Fatalf("alerts list:\n%s", alerts)
	}
	id := fields[1]
	run(hr, caseCmd("ack"), "--alert", id, "--note", "looking")
	run(hr, caseCmd("confirm"), "--alert", id, "--note", "the customer confirms")
	run(hr, caseCmd("note"), "--alert", id, "--note", "interviewed")
	out := run(hr, caseCmd("resolve"), "--alert", id, "--outcome", "diversion_confirmed")
	for _, want := range []string{"CASE " + id + "  RESOLVED  outcome DIVERSION_CONFIRMED", "acknowledged by hr1: looking", "note by hr1: interviewed"} {
		if !strings.Contains(out, want) {
			t.Errorf("alerts resolve output lacks %q:\n%s", want, out)
		}
	}
	if got := run(hr, caseCmd("case"), "--alert", id); got != out {
		t.Errorf("alerts case:\n%s\nwant what resolve printed:\n%s", got, out)
	}

	// An export run twice with one --request-id is on the case once.
	bundle := filepath.Join(t.TempDir(), "bundle.zip")
	export := func(ctx context.Context, e cli.Env, args []string) error { return cli.Evidence(ctx, e, "export", args) }
	for range 2 {
		if got := run(hr, export, "--alert", id, "--request-id", "nightly-1", "--out", bundle); !strings.HasPrefix(got, "wrote "+bundle) {
			t.Errorf("evidence export says:\n%s", got)
		}
	}
	if got := strings.Count(run(hr, caseCmd("case"), "--alert", id), "evidence_exported"); got != 1 {
		t.Errorf("the case lists %d exports after one --request-id ran twice, want 1", got)
	}
}
