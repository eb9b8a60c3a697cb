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

func TestGenerateWarmupIsHonest(t *testing.T) {
	t.Parallel()
	p := mustGenerate(t, Config{Seed: 2, Tenant: "sim", Employees: 24, Days: 36, Warmup: 40, End: testEnd})
	if got := p.End.Sub(p.Start); got != 76*24*time.Hour {
		t.Fatalf("span %v, want 76 days", got)
	}
	warm := p.Start.AddDate(0, 0, p.Warmup)
	for _, l := range p.Truth {
		// H1 is a top performer all along; everything else starts after the warm-up.
		if l.Pattern != "H1" && l.First.Before(warm) {
			t.Errorf("%s on %s starts %v, inside the warm-up ending %v", l.Pattern, l.Employee, l.First, warm)
		}
	}
	for _, a := range p.Acts {
		if a.At.Before(warm) && (a.Kind == KindResign || a.Kind == KindExportRequest || a.Kind == KindOrderCancel || a.Kind == KindDeleteNote) {
			t.Errorf("pattern act %s %s at %v inside the warm-up", a.ID, a.Kind, a.At)
		}
	}
	if _, err := Generate(Config{Seed: 2, Tenant: "sim", Employees: 24, Days: 36, Warmup: -1, End: testEnd}); err == nil {
		t.Error("a negative warm-up was accepted")
	}
}

// TestGeneratePaymentsComeFromAccountsOnFile: an honest payment comes from
// an account registered on the customer before it (own, or the parent's
// for H4), and an order S9 turned into a loss is never paid nor shipped.
func TestGeneratePaymentsComeFromAccountsOnFile(t *testing.T) {
	t.Parallel()
	p := mustGenerate(t, Config{Seed: 4, Tenant: "sim", Employees: 24, Days: 40, Warmup: 30, End: testEnd})
	onFile := map[string]bool{}
	customerOf := map[string]string{}
	ended := map[string]Kind{}
	for _, a := range p.Acts {
		switch a.Kind {
		case KindPayerAccount:
			onFile[a.Customer+"/"+a.Account] = true
		case KindOrderCreate:
			customerOf[a.Key] = a.Customer
		case KindOrderLost, KindOrderWon:
			ended[a.Ref] = a.Kind
		case KindPayment, KindShipment:
			if ended[a.Ref] != KindOrderWon {
				t.Errorf("%s %s of order %s, which is %q", a.ID, a.Kind, a.Ref, ended[a.Ref])
			}
			if a.Kind == KindPayment && !onFile[customerOf[a.Ref]+"/"+a.Account] {
				t.Errorf("payment %s from %s, not on file for customer %s", a.ID, a.Account, customerOf[a.Ref])
			}
		}
	}
	if len(onFile) == 0 {
		t.Fatal("no payer account was put on file")
	}
}
