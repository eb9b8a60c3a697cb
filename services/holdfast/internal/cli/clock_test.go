package cli_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	"github.com/holdfast/holdfast/services/holdfast/internal/cli"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

// TestClockAndCasesCommands drives `holdfast clock advance` and `holdfast
// cases list` against a risk service: the clock ticks from --from to --to,
// refuses to go back, and an empty tenant lists no cases.
func TestClockAndCasesCommands(t *testing.T) {
	t.Parallel()
	env := testkit.NewServiceEnv(t)
	svc := env.StartService(t, nil, risksvc.Mount)
	token, err := env.Issuer.Issue(testkit.Principal("simco", "admin-1", auth.RoleAdmin), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	cenv := func(out *bytes.Buffer) cli.Env {
		return cli.Env{Stdout: out, Stderr: &bytes.Buffer{}, Lookup: platform.MapLookuper(map[string]string{"HOLDFAST_TOKEN": token, "HOLDFAST_RISK_ADDR": svc.Addr})}
	}
	var out bytes.Buffer
	if err := cli.Clock(t.Context(), cenv(&out), "advance", []string{"--from", "2026-04-30T22:00:00Z", "--to", "2026-05-01T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "clock at 2026-05-01T00:00:00Z (3 ticks appended); wait for the engine with --consistent-with TICK:3") {
		t.Errorf("clock advance printed %q", got)
	}
	if err := cli.Clock(t.Context(), cenv(&out), "advance", []string{"--to", "2026-04-30"}); err == nil || !strings.Contains(err.Error(), "FailedPrecondition") {
		t.Errorf("clock advance back in time: %v, want FailedPrecondition", err)
	}
	for _, args := range [][]string{{}, {"--to", "tomorrow"}} {
		if err := cli.Clock(t.Context(), cenv(&out), "advance", args); !errors.Is(err, cli.ErrUsage) {
			t.Errorf("clock advance %v: %v, want a usage error", args, err)
		}
	}
	if err := cli.Clock(t.Context(), cenv(&out), "rewind", nil); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("clock rewind: %v, want a usage error", err)
	}

	out.Reset()
	if err := cli.ListCases(t.Context(), cenv(&out), []string{"--status", "open", "--outcome", "no_diversion"}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "no cases\n" {
		t.Errorf("cases list printed %q", out.String())
	}
	if err := cli.ListCases(t.Context(), cenv(&out), []string{"--status", "maybe"}); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("cases list --status maybe: %v, want a usage error", err)
	}
}
