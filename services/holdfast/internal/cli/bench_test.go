package cli

import (
	"bytes"
	"errors"
	"testing"
)

func TestBenchRejectsBadFlagsBeforeMeasuring(t *testing.T) {
	for _, args := range [][]string{
		{"--only", "risk"},
		{"--only", "risk_replay,"},
		{"--risk-history", t.TempDir()},
		{"--risk-history", t.TempDir(), "--only", "risk_replay,risk_memory"},
		{"--only", "risk_replay", "extra"},
		{"--history", "x"},
	} {
		var out bytes.Buffer
		env := Env{Stdout: &out, Stderr: &bytes.Buffer{}, Lookup: func(string) (string, bool) { return "", false }}
		if err := Bench(t.Context(), env, args); !errors.Is(err, ErrUsage) {
			t.Errorf("bench %q: err = %v, want ErrUsage", args, err)
		}
		if out.Len() != 0 {
			t.Errorf("bench %q measured before refusing:\n%s", args, out.String())
		}
	}
}
