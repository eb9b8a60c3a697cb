package engine

import "testing"

func TestWilsonUpperBp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		won, decided, z, want int64
	}{
		{0, 0, 100, 0},       // nothing decided: no rate
		{3, 10, 0, 3000},     // z = 0: the plain rate
		{0, 10, 100, 909},    // (0 + ½ + √¼) / 11
		{3, 10, 100, 4575},   // (3.5 + √2.35) / 11 = 0.45754
		{5, 15, 100, 4620},   // (5.5 + √(50/15 + ¼)) / 16 = 0.46206
		{30, 100, 100, 3476}, // more decisions, a tighter bound: (30.5 + √21.25) / 101 = 0.34762
		{10, 10, 100, 10000}, // all won
		{3, 10, 9999, 8030},  // z capped at 4: (3 + 8 + 4·√(2.1 + 4)) / 26 = 0.80305
	} {
		if got := wilsonUpperBp(tt.won, tt.decided, tt.z); got != tt.want {
			t.Errorf("wilsonUpperBp(%d, %d, %d) = %d, want %d", tt.won, tt.decided, tt.z, got, tt.want)
		}
	}
}

// The plain-rate shortcut at z = 0 is exactly the formula's value.
func TestWilsonAtZeroIsTheFormula(t *testing.T) {
	t.Parallel()
	for decided := int64(1); decided <= 60; decided++ {
		for won := int64(0); won <= decided+3; won++ {
			if got, want := wilsonUpperBp(won, decided, 0), wilsonExactBp(won, decided, 0); got != want {
				t.Errorf("wilsonUpperBp(%d, %d, 0) = %d, formula %d", won, decided, got, want)
			}
		}
	}
}
