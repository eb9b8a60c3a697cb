package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/pkg/platform"
	"github.com/holdfast/holdfast/services/holdfast/internal/cli"
	"github.com/holdfast/holdfast/services/holdfast/internal/devstack"
)

// TestReadmeExample runs the example `holdfast dev` prints, command by
// command, against a dev stack on free ports: what a new user pastes must
// end with the alert.
func TestReadmeExample(t *testing.T) {
	stack, dataDir := startDevStack(t)

	var welcome bytes.Buffer
	stack.PrintWelcome(&welcome, "bin/holdfast")
	if !strings.Contains(welcome.String(), "加我私人微信，这单我们走私单") {
		t.Fatalf("welcome text lacks the example:\n%s", welcome.String())
	}
	if !strings.Contains(welcome.String(), stack.Endpoints.AttendanceGRPC+"   (holdfast.attendance.v1.AttendanceService)") {
		t.Errorf("welcome text lacks the attendance endpoint:\n%s", welcome.String())
	}

	t.Setenv("HOLDFAST_DATA_DIR", dataDir)
	t.Setenv("HOLDFAST_CLIENT_ADDR", stack.Endpoints.ClientGRPC)
	t.Setenv("HOLDFAST_RISK_ADDR", stack.Endpoints.RiskGRPC)
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := realMain(t.Context(), args, &out, &errOut); err != nil {
			t.Fatalf("holdfast %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return strings.TrimSpace(out.String())
	}
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cid := run("customer", "register", "--tenant", "acme", "--as", "e1", "--role", "sales",
		"--name", "王伟", "--company", "上海星海贸易有限公司", "--phone", "138 0013 8000", "--source", "trade_show", "-q")
	seq := run("interaction", "log", "--tenant", "acme", "--as", "e1", "--role", "sales",
		"--customer", cid, "--text", "加我私人微信，这单我们走私单", "-q")
	alerts := run("alerts", "list", "--tenant", "acme", "--as", "hr1", "--role", "hr", "--consistent-with", "CLIENT:"+seq)

	for _, want := range []string{"HIGH", "employee e1", "rule sensitive_words", "evidence: CLIENT " + seq, "「私单」"} {
		if !strings.Contains(alerts, want) {
			t.Errorf("alerts list output lacks %q:\n%s", want, alerts)
		}
	}
	if n := strings.Count(alerts, "ALERT "); n != 1 {
		t.Errorf("alerts list shows %d alerts, want 1:\n%s", n, alerts)
	}

	// HR reads the customer's trail: the registration, then the interaction.
	history := strings.Split(run("customer", "history", "--tenant", "acme", "--as", "hr1", "--role", "hr",
		"--customer", cid, "--min-sequence", seq), "\n")
	if len(history) != 2 || !strings.Contains(history[0], "CustomerRegistered  e1 registered the customer (source: trade show)") ||
		!strings.HasPrefix(history[1], "CLIENT:"+seq+"  ") || !strings.Contains(history[1], "InteractionLogged  e1 logged an outbound chat") {
		t.Errorf("customer history output:\n%s\nwant the registration, then the interaction at CLIENT:%s", strings.Join(history, "\n"), seq)
	}

	token := run("token", "--tenant", "acme", "--sub", "e1", "--role", "hr", "--ttl", time.Hour.String())
	if strings.Count(token, ".") != 2 {
		t.Errorf("token %q is not a JWT", token)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"no command", nil},
		{"unknown command", []string{"frobnicate"}},
		{"register without source", []string{"customer", "register", "--as", "e1", "--name", "x"}},
		{"bad role", []string{"token", "--sub", "e1", "--role", "boss"}},
		{"token without subject", []string{"token"}},
		{"bad position", []string{"alerts", "list", "--as", "hr1", "--role", "hr", "--consistent-with", "CLIENT"}},
		{"bad kind", []string{"interaction", "log", "--as", "e1", "--kind", "fax"}},
		{"history without customer", []string{"customer", "history", "--as", "hr1", "--role", "hr"}},
		{"history page too large", []string{"customer", "history", "--as", "hr1", "--role", "hr", "--customer", "c1", "--page-size", "501"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := realMain(t.Context(), tt.args, io.Discard, io.Discard)
			if !errors.Is(err, cli.ErrUsage) {
				t.Errorf("holdfast %v: err = %v, want a usage error", tt.args, err)
			}
		})
	}
}

// startDevStack runs `holdfast dev` in-process on free ports with its data
// under a temporary directory, stopped in t.Cleanup.
func startDevStack(t *testing.T) (*devstack.Stack, string) {
	t.Helper()
	dataDir := t.TempDir()
	var cfg devstack.Config
	if err := platform.Load(platform.MapLookuper(map[string]string{
		"HOLDFAST_DATA_DIR":              dataDir,
		"HOLDFAST_DEV_NATS_PORT":         "-1",
		"HOLDFAST_DEV_NATS_MONITOR_PORT": "0",
		"HOLDFAST_HTTP_ADDR":             "127.0.0.1:0",
		"HOLDFAST_CLIENT_GRPC_ADDR":      "127.0.0.1:0",
		"HOLDFAST_ORDER_GRPC_ADDR":       "127.0.0.1:0",
		"HOLDFAST_ATTENDANCE_GRPC_ADDR":  "127.0.0.1:0",
		"HOLDFAST_COMMISSION_GRPC_ADDR":  "127.0.0.1:0",
		"HOLDFAST_RISK_GRPC_ADDR":        "127.0.0.1:0",
		"HOLDFAST_CONSOLE_ADDR":          "127.0.0.1:0",
	}), &cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stack, err := devstack.Start(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- stack.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev stack: %v", err)
		}
	})
	return stack, dataDir
}
