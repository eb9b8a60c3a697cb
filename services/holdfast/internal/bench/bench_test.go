package bench

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestRunPrintsEveryFigureBesideItsBaseline runs the whole bench at a toy
// size: every step must work end to end and print a positive value and
// baseline. The figures themselves mean nothing at this size; `make bench`
// measures.
func TestRunPrintsEveryFigureBesideItsBaseline(t *testing.T) {
	var out bytes.Buffer
	opts := Options{
		SyncEvents: 40, BatchEvents: 400, BatchSize: 100, RPCCalls: 80, IngestRecords: 150, CommissionOrders: 30,
		RiskEvents: 3000, RiskEmployees: 100, RiskTenants: 2, RiskDays: 100, RiskGrowthEvents: 1000,
		LatencyRate: 50, LatencyDuration: time.Second, LatencyEmployees: 3, LatencySampleEvery: 5, LatencyConcurrency: 8,
	}
	if err := Run(t.Context(), &out, opts); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	line := regexp.MustCompile(`(?m)^bench: (\S+) value=(\d+) unit=\S+ baseline=(\d+) ratio=`)
	seen := map[string]bool{}
	values := map[string][2]int{}
	for _, m := range line.FindAllStringSubmatch(out.String(), -1) {
		v, _ := strconv.Atoi(m[2])
		b, _ := strconv.Atoi(m[3])
		values[m[1]] = [2]int{v, b}
		// Heap growth can honestly be nothing at all once windows are full.
		if (v <= 0 && m[1] != "risk_heap_growth") || b <= 0 {
			t.Errorf("%s: value %d, baseline %d; want both positive", m[1], v, b)
		}
		seen[m[1]] = true
	}
	for _, name := range []string{
		"eventlog_append_sync", "eventlog_append_batch", "eventlog_replay", "client_register_customer",
		"client_log_interaction", "client_ingest_interactions", "attendance_check_in", "attendance_check_in_vs_js",
		"order_create", "order_create_vs_publish", "commission_projection",
		"risk_replay", "risk_replay_cpu", "risk_replay_alloc", "risk_snapshot_restore", "risk_heap_per_employee", "risk_heap_growth",
		"risk_alert_latency_p50", "risk_alert_latency_p99",
	} {
		if !seen[name] {
			t.Errorf("no figure %s in:\n%s", name, out.String())
		}
	}
	// The latency lines are one run's percentiles, each beside the raw
	// round trip's: p99 cannot be below p50 on either side, and the note
	// says what rate the services actually sustained.
	p50, p99 := values["risk_alert_latency_p50"], values["risk_alert_latency_p99"]
	if p99[0] < p50[0] || p99[1] < p50[1] {
		t.Errorf("latency p99 %v below p50 %v (value, baseline)", p99, p50)
	}
	if !regexp.MustCompile(`offered 50/s for 1s \(3 salespeople\), achieved \d+/s, 50 calls, 0 failed, 0 samples without an alert`).MatchString(out.String()) {
		t.Errorf("latency note lacks the offered and achieved rates:\n%s", out.String())
	}
}
