package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/holdfast/holdfast/services/holdfast/internal/sim"
)

// TestSimAgainstDevStack drives a small organisation with every pattern
// through the dev stack's gRPC APIs and checks the report scored from the
// alerts read back over gRPC: every act landed, every diversion pattern
// S1–S10 was caught (recall 1.0), no look-alike H1–H6 drew an alert
// above low severity, and neither did the honest background churn
// (customers changing hands, a resignation worked out to a departure, a
// mid-span hire) nor anyone's ordinary work. Twenty salespeople fill two teams of eight and one
// of four, so S9's peer median exists wherever it lands; 50 warm-up days
// give S9 the baseline of 20 decided orders it needs and 36 days leave S6's 15-day payment
// deadline room to pass.
func TestSimAgainstDevStack(t *testing.T) {
	stack, dataDir := startDevStack(t)
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	reportFile := filepath.Join(t.TempDir(), "report.json")
	end := time.Now().UTC().Truncate(24 * time.Hour).Format(time.DateOnly)
	var out, errOut bytes.Buffer
	args := []string{
		"sim", "--seed", "1", "--employees", "20", "--days", "36", "--warmup", "50", "--tenant", "simtest", "--end", end,
		"--data", dataDir, "--report-json", reportFile,
		"--client-addr", stack.Endpoints.ClientGRPC, "--order-addr", stack.Endpoints.OrderGRPC,
		"--attendance-addr", stack.Endpoints.AttendanceGRPC, "--risk-addr", stack.Endpoints.RiskGRPC,
	}
	if err := realMain(t.Context(), args, &out, &errOut); err != nil {
		t.Fatalf("holdfast sim: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	t.Log(out.String())
	b, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatal(err)
	}
	var rep sim.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	if len(rep.Run.Failed) != 0 {
		t.Errorf("acts failed: %v\n%s", rep.Run.Failed, strings.Join(rep.Run.Errors, "\n"))
	}
	if rep.Run.Acts == 0 || rep.Alerts == 0 {
		t.Fatalf("run wrote %d acts and read %d alerts", rep.Run.Acts, rep.Alerts)
	}
	for _, k := range []sim.Kind{sim.KindReassign, sim.KindDepart, sim.KindHire} {
		if rep.Run.ByKind[k] == 0 {
			t.Errorf("the run made no %s call: %v", k, rep.Run.ByKind)
		}
	}
	for _, f := range rep.HonestFlagged {
		// A failing look-alike is reported below, by pattern.
		if !strings.HasPrefix(f.Role, "H") {
			t.Errorf("honest employee %s (%q) flagged by %d alert(s) %v", f.Employee, f.Role, f.Alerts, f.Rules)
		}
	}
	recall := map[string]float64{}
	for _, s := range rep.Patterns {
		recall[s.Pattern] = s.Recall
	}
	for _, p := range []string{"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10"} {
		if recall[p] != 1 {
			t.Errorf("%s recall = %v, want 1", p, recall[p])
		}
	}
	if len(rep.LookAlikes) != 6 {
		t.Errorf("report has %d look-alikes, want H1-H6", len(rep.LookAlikes))
	}
	for _, h := range rep.LookAlikes {
		if !h.Pass || h.AboveLow != 0 {
			t.Errorf("look-alike %s (%s): %d alerts above low %v", h.Pattern, h.Employee, h.AboveLow, h.Rules)
		}
	}
	// The detections are alerts anyone with HR's role reads back too.
	for _, l := range rep.Truth {
		if l.Pattern != "S1" && l.Pattern != "S5" {
			continue
		}
		var listed bytes.Buffer
		if err := realMain(t.Context(), []string{
			"alerts", "list", "--tenant", "simtest", "--as", "hr1", "--role", "hr", "--data", dataDir,
			"--addr", stack.Endpoints.RiskGRPC, "--employee", l.Employee,
		}, &listed, io.Discard); err != nil {
			t.Fatalf("alerts list: %v", err)
		}
		found := false
		for _, rule := range sim.PatternRules[l.Pattern] {
			found = found || strings.Contains(listed.String(), "rule "+rule+" ")
		}
		if !found {
			t.Errorf("%s employee %s: alerts list shows none of %v:\n%s", l.Pattern, l.Employee, sim.PatternRules[l.Pattern], listed.String())
		}
	}
}

// TestSimLoadAgainstDevStack offers a small steady load and checks that
// every interaction landed and every timed private-deal message had its
// alert readable, with a measured latency.
func TestSimLoadAgainstDevStack(t *testing.T) {
	stack, dataDir := startDevStack(t)
	if err := realMain(t.Context(), []string{"ready", "--addr", stack.Endpoints.HTTP, "--timeout", "30s"}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	reportFile := filepath.Join(t.TempDir(), "load.json")
	var out, errOut bytes.Buffer
	args := []string{
		"sim", "--load", "--rate", "40", "--duration", "2s", "--sample-every", "8", "--employees", "5", "--tenant", "loadtest",
		"--data", dataDir, "--report-json", reportFile, "--client-addr", stack.Endpoints.ClientGRPC, "--risk-addr", stack.Endpoints.RiskGRPC,
	}
	if err := realMain(t.Context(), args, &out, &errOut); err != nil {
		t.Fatalf("holdfast sim --load: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	t.Log(out.String())
	b, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatal(err)
	}
	var res sim.LoadResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("load JSON: %v", err)
	}
	if res.Sent != 80 || res.Failed != 0 {
		t.Errorf("sent %d, failed %d; want 80 sent, none failed: %v", res.Sent, res.Failed, res.Errors)
	}
	if res.Samples != 10 || res.Unalerted != 0 {
		t.Errorf("%d latency samples, %d without an alert; want 10 and 0", res.Samples, res.Unalerted)
	}
	if res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 || res.Achieved <= 0 {
		t.Errorf("figures out of order: %+v", res)
	}
}
