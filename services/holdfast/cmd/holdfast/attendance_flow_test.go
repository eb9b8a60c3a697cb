package main

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/holdfast/holdfast/services/holdfast/internal/cli"
	"github.com/holdfast/holdfast/services/holdfast/internal/devstack"
)

// TestAttendanceFlow runs the README's attendance walk-through with the
// CLI against a dev stack: an org tree, a hire, a visit that is too far
// from the customer, a leave, a transfer, and the employee's timeline.
func TestAttendanceFlow(t *testing.T) {
	stack, dataDir := startDevStack(t)
	t.Setenv("HOLDFAST_DATA_DIR", dataDir)
	t.Setenv("HOLDFAST_CLIENT_ADDR", stack.Endpoints.ClientGRPC)
	t.Setenv("HOLDFAST_ATTENDANCE_ADDR", stack.Endpoints.AttendanceGRPC)
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := realMain(t.Context(), args, &out, &errOut); err != nil {
			t.Fatalf("holdfast %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	admin := []string{"--tenant", "acme", "--as", "ad1", "--role", "admin"}
	hr := []string{"--tenant", "acme", "--as", "hr1", "--role", "hr"}
	with := func(who []string, args ...string) []string { return append(args, who...) }

	company := run(with(admin, "orgunit", "create", "--kind", "company", "--name", "Acme 贸易", "-q")...)
	branch := run(with(admin, "orgunit", "create", "--kind", "branch", "--parent", company, "--name", "上海分公司",
		"--tz", "Asia/Shanghai", "--weekdays", "1-5", "--holidays", "2026-10-01..2026-10-07", "-q")...)
	team := run(with(admin, "orgunit", "create", "--kind", "team", "--parent", branch, "--name", "华东一组", "-q")...)
	run(with(hr, "employee", "hire", "--employee", "m1", "--name", "李经理", "--unit", branch, "--employee-role", "manager", "--start", "2026-01-05")...)
	run(with(hr, "employee", "hire", "--employee", "e1", "--name", "王伟", "--unit", team, "--manager", "m1", "--start", "2026-01-05")...)

	registered := run("customer", "register", "--tenant", "acme", "--as", "e1", "--role", "sales", "--company", "上海星海贸易有限公司",
		"--phone", "138 0013 8000", "--source", "trade_show", "--address", "上海市黄浦区中山东一路1号", "--lat", "31.2400", "--lng", "121.4900")
	m := regexp.MustCompile(`^customer (\S+) registered \(CLIENT sequence (\d+)\)`).FindStringSubmatch(registered)
	if m == nil {
		t.Fatalf("customer register printed no id and sequence:\n%s", registered)
	}
	cid := m[1]
	// Customer visibility follows the tree: m1 manages the branch above
	// e1's team. (The list waits for the registration: under load the
	// read model may not have applied it yet.)
	if got := run("customer", "list", "--tenant", "acme", "--as", "m1", "--role", "manager", "--org-unit", branch, "--min-sequence", m[2]); !strings.Contains(got, cid) {
		t.Errorf("m1's branch lacks e1's customer:\n%s", got)
	}
	var errOut bytes.Buffer
	if err := realMain(t.Context(), []string{"customer", "list", "--tenant", "acme", "--as", "m9", "--role", "manager", "--org-unit", branch}, io.Discard, &errOut); err == nil {
		t.Error("a manager who is not on the roster listed the branch's customers")
	}
	visit := run("checkin", "--tenant", "acme", "--as", "e1", "--role", "sales", "--at", "31.2304,121.4737", "--accuracy", "12",
		"--customer", cid, "--purpose", "季度拜访")
	for _, want := range []string{"m from customer " + cid + "'s registered address", "e1 visit at 31.23040,121.47370"} {
		if !strings.Contains(visit, want) {
			t.Errorf("checkin output lacks %q:\n%s", want, visit)
		}
	}

	// Three minutes later in Beijing: nobody travels that fast (S5).
	jump := run("checkin", "--tenant", "acme", "--as", "e1", "--role", "sales", "--at", "39.9042,116.4074", "--accuracy", "12",
		"--customer", cid, "-q")
	t.Setenv("HOLDFAST_RISK_ADDR", stack.Endpoints.RiskGRPC)
	alerts := run(with(hr, "alerts", "list", "--employee", "e1", "--consistent-with", "ATTENDANCE:"+jump)...)
	for _, want := range []string{"rule unregistered_visit v1", "rule impossible_travel v1", "evidence: ATTENDANCE " + jump} {
		if !strings.Contains(alerts, want) {
			t.Errorf("alerts after the check-ins lack %q:\n%s", want, alerts)
		}
	}

	seq := run(with(hr, "employee", "leave", "--employee", "e1", "--from", "2026-03-02", "--to", "2026-03-03", "--type", "annual", "-q")...)
	day := run(with([]string{"--tenant", "acme", "--as", "m1", "--role", "manager"}, "employee", "workday", "--employee", "e1", "--date", "2026-10-02")...)
	if !strings.Contains(day, "holiday") {
		t.Errorf("2026-10-02 should be a holiday:\n%s", day)
	}
	list := run(with([]string{"--tenant", "acme", "--as", "m1", "--role", "manager"}, "employee", "list", "--unit", branch, "--subunits", "--min-sequence", seq)...)
	if !strings.Contains(list, "e1  王伟") || !strings.Contains(list, "m1  李经理") {
		t.Errorf("m1's subtree lacks someone:\n%s", list)
	}
	run(with(hr, "employee", "transfer", "--employee", "e1", "--unit", branch, "--manager", "m1", "--effective", "2026-04-01")...)
	run(with(hr, "employee", "role", "--employee", "e1", "--to", "senior_sales", "--effective", "2026-05-01")...)
	timeline := strings.Split(run(with(hr, "employee", "timeline", "--employee", "e1")...), "\n")
	if len(timeline) != 4 || !strings.Contains(timeline[2], "transferred from "+team+" to "+branch) || !strings.Contains(timeline[3], "role changed from sales to senior_sales") {
		t.Errorf("timeline:\n%s", strings.Join(timeline, "\n"))
	}
	checkins := run(with(hr, "checkins", "list", "--customer", cid)...)
	if strings.Count("\n"+checkins, "\ncheck-in ") != 2 {
		t.Errorf("the customer's check-ins:\n%s", checkins)
	}
}

func TestAttendanceUsageErrors(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"checkin without a place":   {"checkin", "--as", "e1"},
		"checkin at a bad place":    {"checkin", "--as", "e1", "--at", "91,0"},
		"checkin of a bad kind":     {"checkin", "--as", "e1", "--at", "31,121", "--kind", "party"},
		"branch with bad weekdays":  {"orgunit", "create", "--as", "ad1", "--role", "admin", "--kind", "branch", "--weekdays", "0-9"},
		"branch with bad holidays":  {"orgunit", "create", "--as", "ad1", "--role", "admin", "--kind", "branch", "--holidays", "2026-10-07..2026-10-01"},
		"holiday range too long":    {"orgunit", "create", "--as", "ad1", "--role", "admin", "--kind", "branch", "--holidays", "2026-01-01..2026-12-31"},
		"org unit of no kind":       {"orgunit", "create", "--as", "ad1", "--role", "admin"},
		"unknown employee command":  {"employee", "promote", "--as", "hr1"},
		"leave of an unknown type":  {"employee", "leave", "--as", "hr1", "--role", "hr", "--type", "gardening"},
		"checkins without list":     {"checkins", "show"},
		"orgunit without a command": {"orgunit"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// A token of its own: no dev key is created in the source tree.
			err := realMain(t.Context(), append(args, "--token", "not-used"), io.Discard, io.Discard)
			if !errors.Is(err, cli.ErrUsage) {
				t.Errorf("holdfast %v: err = %v, want a usage error", args, err)
			}
		})
	}
}

// salesTeam hires, through the CLI, a sales team in tenant acme: a branch
// managed by m1 and a team of sellers under it. Managers act only within
// their part of the organisation tree, in every service.
func salesTeam(t *testing.T, stack *devstack.Stack, sellers ...string) (team string) {
	t.Helper()
	t.Setenv("HOLDFAST_ATTENDANCE_ADDR", stack.Endpoints.AttendanceGRPC)
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := realMain(t.Context(), append(args, "--tenant", "acme"), &out, &errOut); err != nil {
			t.Fatalf("holdfast %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	admin := []string{"--as", "ad1", "--role", "admin", "-q"}
	company := run(append([]string{"orgunit", "create", "--kind", "company", "--name", "Acme"}, admin...)...)
	branch := run(append([]string{"orgunit", "create", "--kind", "branch", "--parent", company, "--name", "上海分公司", "--tz", "Asia/Shanghai"}, admin...)...)
	team = run(append([]string{"orgunit", "create", "--kind", "team", "--parent", branch, "--name", "华东一组"}, admin...)...)
	hr := []string{"--as", "hr1", "--role", "hr", "-q"}
	run(append([]string{"employee", "hire", "--employee", "m1", "--name", "李经理", "--unit", branch, "--employee-role", "manager", "--start", "2026-01-05"}, hr...)...)
	for _, s := range sellers {
		run(append([]string{"employee", "hire", "--employee", s, "--name", s, "--unit", team, "--manager", "m1", "--start", "2026-01-05"}, hr...)...)
	}
	return team
}
