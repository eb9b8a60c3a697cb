package cli_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/holdfast/holdfast/pkg/auth"
	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/pkg/testkit"
	attendancev1 "github.com/holdfast/holdfast/proto/holdfast/attendance/v1"
	"github.com/holdfast/holdfast/services/holdfast/internal/cli"
	"github.com/holdfast/holdfast/services/risk/risksvc"
)

// TestBacktestAndRiskCommands drives `holdfast rules backtest` and
// `holdfast risk employee|list` against a risk service.
func TestBacktestAndRiskCommands(t *testing.T) {
	t.Parallel()
	env := testkit.NewServiceEnv(t)
	testkit.WriteAttendance(t, env.Log, "acme",
		testkit.AttendanceEvent{Type: "orgunit", ID: "co", Payload: &attendancev1.OrgUnitCreated{OrgUnitId: "co"}},
		testkit.AttendanceEvent{Type: "employee", ID: "s1", Payload: &attendancev1.EmployeeHired{EmployeeId: "s1", OrgUnitId: "co", Role: "sales"}},
	)
	svc := env.StartService(t, nil, risksvc.Mount)
	as := func(subject string, role auth.Role) (cli.Env, *bytes.Buffer) {
		token, err := env.Issuer.Issue(testkit.Principal("acme", subject, role), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		return cli.Env{Stdout: &out, Stderr: &bytes.Buffer{}, Lookup: platform.MapLookuper(map[string]string{
			"HOLDFAST_TOKEN": token, "HOLDFAST_RISK_ADDR": svc.Addr,
		})}, &out
	}
	hr, out := as("hr-1", auth.RoleHR)
	span := []string{"--from", "2026-01-01", "--to", "2026-02-01"}
	if err := cli.Rules(t.Context(), hr, "backtest", append([]string{"--rule", "reveal_spike", "--param", "threshold=30"}, span...)); err != nil {
		t.Fatalf("rules backtest: %v", err)
	}
	for _, want := range []string{"BACKTEST reveal_spike  0 alerts", "param threshold = 30", "precision n/a  recall n/a"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rules backtest printed no %q:\n%s", want, out)
		}
	}
	err := cli.Rules(t.Context(), hr, "backtest", append([]string{"--rule", "reveal_spike", "--param", "threshold=many"}, span...))
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "parameters[0]") {
		t.Errorf("a text value for an integer parameter: %v, want InvalidArgument naming parameters[0]", err)
	}
	for _, args := range [][]string{
		{"--rule", "reveal_spike"},
		append([]string{"--rule", "reveal_spike", "--param", "threshold"}, span...),
		span,
	} {
		if err := cli.Rules(t.Context(), hr, "backtest", args); !errors.Is(err, cli.ErrUsage) {
			t.Errorf("rules backtest %v: %v, want a usage error", args, err)
		}
	}

	out.Reset()
	if err := cli.Risk(t.Context(), hr, "employee", []string{"--employee", "s1"}); err != nil {
		t.Fatalf("risk employee: %v", err)
	}
	for _, want := range []string{"EMPLOYEE s1  score 0  LOW", "alerts 0  0 of 60 points", "zh: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("risk employee printed no %q:\n%s", want, out)
		}
	}
	out.Reset()
	if err := cli.Risk(t.Context(), hr, "list", []string{"--org-unit", "co"}); err != nil || !strings.Contains(out.String(), "EMPLOYEE s1  score 0  LOW") {
		t.Errorf("risk list: %v\n%s", err, out)
	}
	self, selfOut := as("s1", auth.RoleSales)
	if err := cli.Risk(t.Context(), self, "employee", []string{"--employee", "s1"}); err != nil || !strings.Contains(selfOut.String(), "EMPLOYEE s1  your own indicators") || strings.Contains(selfOut.String(), "points") {
		t.Errorf("risk employee of oneself: %v\n%s", err, selfOut)
	}
	if err := cli.Risk(t.Context(), self, "list", []string{"--org-unit", "co"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("risk list as sales: %v, want PermissionDenied", err)
	}
	if err := cli.Risk(t.Context(), hr, "frobnicate", nil); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("unknown subcommand: %v, want a usage error", err)
	}
}
