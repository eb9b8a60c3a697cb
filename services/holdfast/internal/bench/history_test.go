package bench

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// smallReplayOptions measure only the risk replay over a small history.
func smallReplayOptions(dir string) Options {
	return Options{
		BatchSize: 100, RiskEvents: 3000, RiskEmployees: 100, RiskTenants: 2, RiskDays: 100,
		LatencyDuration: time.Second, Only: []string{GroupRiskReplay}, RiskHistoryDir: dir,
	}
}

var replayNote = regexp.MustCompile(`ReplayEach \(decode, judge, marshal each decision; (\d+) decisions, digest ([0-9a-f]{12})\) over a mixed RISK_IN of (\d+) events`)

// replayed runs the bench and returns risk_replay's decisions, digest and
// event count.
func replayed(t *testing.T, opts Options) []string {
	t.Helper()
	var out bytes.Buffer
	if err := Run(t.Context(), &out, opts); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	m := replayNote.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no risk_replay note in:\n%s", out.String())
	}
	// Five rounds, each a raw read and a replay, all deciding alike
	// (replay fails otherwise).
	if !regexp.MustCompile(`median ratio of 5, each a raw read then a replay \(replay/raw events/s: \d+/\d+(, \d+/\d+){4}\)`).MatchString(out.String()) {
		t.Errorf("risk_replay's note names no five rounds:\n%s", out.String())
	}
	if regexp.MustCompile(`bench: (setup|eventlog|client|order|commission|risk_heap|risk_alert)`).MatchString(out.String()) {
		t.Errorf("--only %s measured other groups:\n%s", GroupRiskReplay, out.String())
	}
	return m[1:]
}

func TestKeptRiskHistoryIsReplayedAsStored(t *testing.T) {
	dir := t.TempDir()
	first := replayed(t, smallReplayOptions(dir))
	if _, err := os.Stat(filepath.Join(dir, historyShapeFile)); err != nil {
		t.Fatalf("no history shape after the first run: %v", err)
	}
	// The second run writes nothing: the same events, so the same
	// decisions to the byte.
	second := replayed(t, smallReplayOptions(dir))
	if first[0] != second[0] || first[1] != second[1] || first[2] != second[2] {
		t.Errorf("second replay of the kept history: decisions, digest, events %v; first %v", second, first)
	}

	// A profile of the measured replay: a gzipped pprof file.
	profiled := smallReplayOptions(dir)
	profiled.RiskReplayProfile = filepath.Join(t.TempDir(), "cpu.pprof")
	replayed(t, profiled)
	for _, name := range []string{profiled.RiskReplayProfile, profiled.RiskReplayProfile + ".allocs.before", profiled.RiskReplayProfile + ".allocs"} {
		if b, err := os.ReadFile(name); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("replay profile %s: %d bytes, error %v; want a gzipped profile", filepath.Base(name), len(b), err)
		}
	}

	other := smallReplayOptions(dir)
	other.RiskEmployees = 50
	if err := Run(t.Context(), &bytes.Buffer{}, other); !errors.Is(err, ErrOptions) {
		t.Errorf("Run over a history of another shape: %v, want ErrOptions", err)
	}
	if err := os.Remove(filepath.Join(dir, historyShapeFile)); err != nil {
		t.Fatal(err)
	}
	if err := Run(t.Context(), &bytes.Buffer{}, smallReplayOptions(dir)); !errors.Is(err, ErrOptions) {
		t.Errorf("Run over events without a complete history: %v, want ErrOptions", err)
	}
}

func TestRunRefusesSelectionsItCannotMeasure(t *testing.T) {
	for name, opts := range map[string]Options{
		"unknown group":            {Only: []string{"risk"}},
		"kept history, all groups": {RiskHistoryDir: t.TempDir()},
		"kept history, memory":     {RiskHistoryDir: t.TempDir(), Only: []string{GroupRiskReplay, GroupRiskMemory}},
		"kept history, eventlog":   {RiskHistoryDir: t.TempDir(), Only: []string{GroupEventlog, GroupRiskReplay}},
		"profile, no replay":       {RiskReplayProfile: filepath.Join(t.TempDir(), "cpu.pprof"), Only: []string{GroupRiskMemory}},
	} {
		var out bytes.Buffer
		if err := Run(t.Context(), &out, opts); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: Run = %v, want ErrOptions", name, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: measured before refusing:\n%s", name, out.String())
		}
	}
}
