package bench

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
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
	}
	if err := Run(t.Context(), &out, opts); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	line := regexp.MustCompile(`(?m)^bench: (\S+) value=(\d+) unit=\S+ baseline=(\d+) ratio=`)
	seen := map[string]bool{}
	for _, m := range line.FindAllStringSubmatch(out.String(), -1) {
		v, _ := strconv.Atoi(m[2])
		b, _ := strconv.Atoi(m[3])
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
		"risk_replay", "risk_snapshot_restore", "risk_heap_per_employee", "risk_heap_growth",
	} {
		if !seen[name] {
			t.Errorf("no figure %s in:\n%s", name, out.String())
		}
	}
}
