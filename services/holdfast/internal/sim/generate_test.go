package sim

import (
	"slices"
	"testing"
	"time"
)

var testEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func mustGenerate(t *testing.T, cfg Config) *Plan {
	t.Helper()
	p, err := Generate(cfg)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", cfg, err)
	}
	return p
}

func TestGenerateIsDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	cfg := Config{Seed: 7, Tenant: "sim", Employees: 30, Days: 60, End: testEnd}
	a, b := mustGenerate(t, cfg), mustGenerate(t, cfg)
	if a.Hash() != b.Hash() {
		t.Fatalf("same seed, different plans: %s vs %s", a.Hash(), b.Hash())
	}
	cfg.Seed = 8
	if c := mustGenerate(t, cfg); c.Hash() == a.Hash() {
		t.Fatal("seeds 7 and 8 gave the same plan")
	}
}

func TestGenerateInjectsEveryPattern(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		p := mustGenerate(t, Config{Seed: seed, Tenant: "sim", Employees: 40, Days: 60, End: testEnd})
		var got []string
		seen := map[string]bool{}
		for _, l := range p.Truth {
			got = append(got, l.Pattern)
			if l.First.Before(p.Start) || !l.First.Before(p.End) {
				t.Errorf("seed %d: %s first act %v outside the span %v–%v", seed, l.Pattern, l.First, p.Start, p.End)
			}
			if seen[l.Employee] && l.Pattern != "H2" {
				t.Errorf("seed %d: employee %s carries two patterns", seed, l.Employee)
			}
			seen[l.Employee] = true
		}
		slices.Sort(got)
		want := slices.Clone(AllPatterns)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("seed %d: patterns %v, want %v", seed, got, want)
		}
	}
}

func TestGeneratePlanShape(t *testing.T) {
	t.Parallel()
	p := mustGenerate(t, Config{Seed: 3, Tenant: "sim", Employees: 25, Days: 30, End: testEnd})
	if len(p.Employees) != 25 {
		t.Errorf("%d salespeople, want 25", len(p.Employees))
	}
	kinds := map[Kind]int{}
	zones := map[string]bool{}
	ids := map[string]bool{}
	for i, a := range p.Acts {
		kinds[a.Kind]++
		if a.TimeZone != "" {
			zones[a.TimeZone] = true
		}
		if ids[a.ID] {
			t.Fatalf("request id %s used twice", a.ID)
		}
		ids[a.ID] = true
		if i > 0 && a.At.Before(p.Acts[i-1].At) {
			t.Fatalf("act %d at %v before act %d at %v", i, a.At, i-1, p.Acts[i-1].At)
		}
		if !a.At.Before(p.End) {
			t.Fatalf("act %s at %v not before the end %v", a.ID, a.At, p.End)
		}
	}
	if len(zones) < 2 {
		t.Errorf("branches in %d time zones, want at least 2", len(zones))
	}
	for _, k := range []Kind{KindRegister, KindInteraction, KindReveal, KindCheckIn, KindOrderCreate, KindOrderApprove, KindPayment, KindShipment, KindLeave, KindResign, KindExportRequest, KindExportApprove} {
		if kinds[k] == 0 {
			t.Errorf("no %s acts", k)
		}
	}
}

func TestGenerateVariesInjections(t *testing.T) {
	t.Parallel()
	// S1 text is not one fixed sentence across seeds.
	texts := map[string]bool{}
	for seed := uint64(1); seed <= 6; seed++ {
		p := mustGenerate(t, Config{Seed: seed, Tenant: "sim", Employees: 20, Days: 30, End: testEnd, Patterns: []string{"S1"}})
		s1 := p.Truth[0]
		for _, a := range p.Acts {
			if a.Actor == s1.Employee && a.At.Equal(s1.First) && a.Kind == KindInteraction {
				texts[a.Text] = true
			}
		}
	}
	if len(texts) < 3 {
		t.Errorf("six seeds gave %d distinct S1 texts, want at least 3: %v", len(texts), texts)
	}
}

func TestGenerateRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"no tenant":       {Seed: 1, Employees: 30, Days: 30, End: testEnd},
		"too short":       {Seed: 1, Tenant: "sim", Employees: 30, Days: 3, End: testEnd},
		"too few people":  {Seed: 1, Tenant: "sim", Employees: 5, Days: 30, End: testEnd},
		"unknown pattern": {Seed: 1, Tenant: "sim", Employees: 30, Days: 30, End: testEnd, Patterns: []string{"S11"}},
	} {
		if _, err := Generate(cfg); err == nil {
			t.Errorf("%s: Generate accepted %+v", name, cfg)
		}
	}
}

func TestGenerateInjectsOnlyWhatIsAsked(t *testing.T) {
	t.Parallel()
	p := mustGenerate(t, Config{Seed: 5, Tenant: "sim", Employees: 12, Days: 10, End: testEnd, Patterns: []string{"S5", "H3"}})
	var got []string
	for _, l := range p.Truth {
		got = append(got, l.Pattern)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"H3", "S5"}) {
		t.Errorf("patterns %v, want [H3 S5]", got)
	}
	for _, a := range p.Acts {
		if a.Kind == KindExportRequest || a.Kind == KindResign {
			t.Errorf("act %s %s belongs to a pattern that was not asked for", a.ID, a.Kind)
		}
	}
}
