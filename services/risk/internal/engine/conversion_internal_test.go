package engine

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

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

// The int64 path gives math/big's value wherever it is taken: every won
// count up to 300 decisions, random ones up to its limit, the limit
// itself, and every z up to the cap.
func TestWilsonInt64IsExact(t *testing.T) {
	t.Parallel()
	check := func(won, decided, z int64) {
		t.Helper()
		if got, want := wilsonUpperBp(won, decided, z), wilsonExactBp(won, decided, z); got != want {
			t.Fatalf("wilsonUpperBp(%d, %d, %d) = %d, math/big %d", won, decided, z, got, want)
		}
	}
	zs := []int64{1, 37, 100, 196, 399, 400, 401, 9999}
	for decided := int64(1); decided <= 300; decided++ {
		for won := int64(0); won <= decided; won++ {
			for _, z := range zs {
				check(won, decided, z)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		decided := 1 + rng.Int64N(maxInt64Decided)
		check(rng.Int64N(decided+1), decided, 1+rng.Int64N(maxConfidenceZx100))
	}
	for _, won := range []int64{0, 1, maxInt64Decided / 2, maxInt64Decided - 1, maxInt64Decided} {
		for _, z := range zs {
			check(won, maxInt64Decided, z)
			check(won, maxInt64Decided+1, z) // math/big on both sides
		}
	}
}

// reviewByDay is review as first written: a search per folded day, a
// scan of every day for the ones to drop and a sum over every day kept.
// The walking version, whose window sums move a day at a time, must fold,
// drop and count exactly as it did, late events included.
func reviewByDay(a *salesActivity, today int64) conversionStats {
	recentFrom, baseFrom := today-recentDays, today-activityDays
	if a.foldedThrough < 0 {
		first := recentFrom
		if len(a.days) > 0 {
			first = min(first, int64(a.days[0].day))
		}
		a.foldedThrough = first - 1
	}
	steps := 0
	for d := a.foldedThrough + 1; d < recentFrom && steps < 2*activityDays; d, steps = d+1, steps+1 {
		a.longWon = a.longWon * longTermDecayPerMille / 1000
		a.longDecided = a.longDecided * longTermDecayPerMille / 1000
		if i := slices.IndexFunc(a.days, func(c dayCounts) bool { return int64(c.day) == d }); i >= 0 {
			a.longWon += int64(a.days[i].won) * longTermScale
			a.longDecided += int64(a.days[i].decided) * longTermScale
		}
	}
	a.foldedThrough = max(a.foldedThrough, recentFrom-1)
	a.days = slices.DeleteFunc(a.days, func(c dayCounts) bool { return int64(c.day) < baseFrom })
	s := conversionStats{longWon: a.longWon / longTermScale, longDecided: a.longDecided / longTermScale}
	for _, c := range a.days {
		switch {
		case int64(c.day) >= today:
		case int64(c.day) >= recentFrom:
			s.recentWon += int64(c.won)
			s.recentDecided += int64(c.decided)
			s.recentActivity += int64(c.interactions) + int64(c.created)
		default:
			s.baseWon += int64(c.won)
			s.baseDecided += int64(c.decided)
			s.baseActivity += int64(c.interactions) + int64(c.created)
		}
	}
	return s
}

func TestReviewWalksAsItSearched(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	for run := range 300 {
		var walked, searched salesActivity
		walked.foldedThrough, searched.foldedThrough = -1, -1
		day := int64(20_000)
		for step := range 400 {
			// Sales on some days, reviews on others, gaps of up to a year
			// (longer than the fold's bound) now and then.
			day += int64(rng.IntN(3))
			if rng.IntN(200) == 0 {
				day += int64(rng.IntN(400))
			}
			if rng.IntN(3) > 0 {
				sold := day
				if rng.IntN(8) == 0 {
					// A late event, into either window or before both.
					sold -= int64(rng.IntN(activityDays + 10))
				}
				at := time.Unix(sold*86400+int64(rng.IntN(86400)), 0).UTC()
				won := rng.IntN(2) == 0
				add := func(c *dayCounts) { c.decided++; c.interactions += 2; c.created++ }
				if won {
					add = func(c *dayCounts) { c.won++; c.decided++ }
				}
				walked.count(at, add)
				searched.count(at, add)
				continue
			}
			got, want := walked.review(day), reviewByDay(&searched, day)
			if got != want || !slices.Equal(walked.days, searched.days) || walked.foldedThrough != searched.foldedThrough {
				t.Fatalf("run %d step %d day %d: review %+v, searching version %+v", run, step, day, got, want)
			}
		}
	}
}

// find must give what a plain search gives, over days dense, sparse and
// in between, for days before, among and after them.
func TestFindIsASearch(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		a := &salesActivity{}
		day := int64(rng.IntN(40) - 20)
		for range rng.IntN(130) {
			a.days = append(a.days, dayCounts{day: int32(day)})
			day += 1 + int64(rng.IntN(1+rng.IntN(6)))
		}
		for d := int64(-30); d < day+5; d++ {
			want := slices.IndexFunc(a.days, func(c dayCounts) bool { return int64(c.day) >= d })
			if want < 0 {
				want = len(a.days)
			}
			wantFound := want < len(a.days) && int64(a.days[want].day) == d
			if got, found := a.find(d); got != want || found != wantFound {
				t.Fatalf("find(%d) over %v = %d, %v; want %d, %v", d, a.days, got, found, want, wantFound)
			}
		}
	}
}

// A seller's review answers to every name it lists with the field the
// name stands for, and lists every field.
func TestConversionFactsAnswerEveryName(t *testing.T) {
	t.Parallel()
	var f conversionFacts
	fields := map[string]*int64{
		"recent_won": &f.recentWon, "recent_decided": &f.recentDecided, "recent_rate_bp": &f.recentRateBp,
		"recent_rate_upper_bp": &f.recentRateUpperBp, "baseline_decided": &f.baselineDecided, "baseline_rate_bp": &f.baselineRateBp,
		"longterm_decided": &f.longtermDecided, "longterm_rate_bp": &f.longtermRateBp, "own_baseline_bp": &f.ownBaselineBp,
		"own_baseline_decided": &f.ownBaselineDecided, "peer_median_bp": &f.peerMedianBp, "peers_counted": &f.peersCounted,
		"recent_activity": &f.recentActivity, "baseline_activity_per_30d": &f.baselineActivityPer30d, "activity_pct": &f.activityPct,
	}
	if got, want := reflect.TypeFor[conversionFacts]().NumField(), len(fields)+1; got != want { // +1: employee
		t.Fatalf("conversionFacts has %d fields, the test knows %d", got, want)
	}
	// Each field a value of its own, so that a name answering with
	// another name's field is caught.
	next := int64(1000)
	for _, p := range fields {
		*p, next = next, next+1
	}
	f.employee = "e7"
	want := map[string]any{"type": factConversion, "employee_id": "e7"}
	for name, p := range fields {
		want[name] = *p
	}
	got := map[string]any{}
	for _, name := range conversionFactNames {
		v, ok := f.Fact(name)
		if !ok {
			t.Errorf("Fact(%q) answers nothing", name)
		}
		got[name] = v
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Fact of every name (-want, +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, f.Map()); diff != "" {
		t.Errorf("Map (-want, +got):\n%s", diff)
	}
	if v, ok := f.Fact("missing"); ok {
		t.Errorf("Fact(missing) = %v, want none", v)
	}
}

// An event dated past what a dayCounts day holds is not counted, and
// leaves the days sorted.
func TestFarDayIsNotCounted(t *testing.T) {
	t.Parallel()
	a := &salesActivity{foldedThrough: -1}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a.count(at, func(c *dayCounts) { c.decided++ })
	far := time.Unix(int64(1<<31)*86400+86400*3, 0) // day 2^31+3 wraps to a negative int32
	a.count(far, func(c *dayCounts) { c.won++; c.decided++ })
	if len(a.days) != 1 || !slices.IsSortedFunc(a.days, func(x, y dayCounts) int { return int(x.day - y.day) }) {
		t.Errorf("days after a far event: %+v", a.days)
	}
}
