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
	// 25 at the start and one hired mid-span.
	if len(p.Employees) != 26 {
		t.Errorf("%d salespeople, want 26", len(p.Employees))
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
	departs := map[string]bool{}
	for _, a := range p.Acts {
		if a.Kind == KindDepart {
			departs[a.Employee] = true
		}
	}
	for _, a := range p.Acts {
		// A resignation worked out to a departure is background churn.
		if a.Kind == KindExportRequest || a.Kind == KindResign && !departs[a.Employee] {
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

// TestGenerateBackgroundChurn: customers change hands (reassigned by a
// manager, released to the pool and claimed from it), salespeople resign,
// hand over and leave, and others join mid-span, and the acts stay
// consistent with who holds what: every act on a customer is by its holder
// at that time, nobody acts before their hire or after their departure, a
// leaver holds nothing when HR records the departure, and no employee
// carrying a pattern gives or receives a customer.
func TestGenerateBackgroundChurn(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		p := mustGenerate(t, Config{Seed: seed, Tenant: "sim", Employees: 60, Days: 60, Warmup: 40, End: testEnd})
		patterned := map[string]bool{}
		for _, l := range p.Truth {
			patterned[l.Employee] = true
		}
		kinds := map[Kind]int{}
		holder := map[string]string{} // customer key → employee ("" = pool)
		hiredAt := map[string]time.Time{}
		departed := map[string]time.Time{}
		midSpan := 0
		// The driver runs one hour's actors concurrently: a change of
		// holder and anything else on that customer by someone else in
		// the same hour could land in either order.
		type change struct {
			hour  time.Time
			actor string
		}
		lastChange := map[string]change{}
		actsOn := func(a Act) bool {
			switch a.Kind {
			case KindInteraction, KindCheckIn:
				return a.Customer != ""
			case KindReveal, KindOrderCreate:
				return true
			}
			return false
		}
		for _, a := range p.Acts {
			kinds[a.Kind]++
			ownership := a.Kind == KindAssign || a.Kind == KindClaim || a.Kind == KindReassign || a.Kind == KindRelease
			if ch, ok := lastChange[a.Customer]; ok && (ownership || actsOn(a)) && ch.hour.Equal(a.At.Truncate(time.Hour)) && ch.actor != a.Actor {
				t.Errorf("seed %d: %s %s by %s on %s in the hour %s changed its holder", seed, a.ID, a.Kind, a.Actor, a.Customer, ch.actor)
			}
			if ownership {
				lastChange[a.Customer] = change{hour: a.At.Truncate(time.Hour), actor: a.Actor}
			}
			if at, ok := departed[a.Actor]; ok && !a.At.Before(at) {
				t.Errorf("seed %d: %s %s by %s at %v, after their departure at %v", seed, a.ID, a.Kind, a.Actor, a.At, at)
			}
			if at, ok := hiredAt[a.Actor]; ok && a.At.Before(at.Add(time.Hour)) {
				t.Errorf("seed %d: %s %s by %s at %v, within an hour of their hire at %v", seed, a.ID, a.Kind, a.Actor, a.At, at)
			}
			switch a.Kind {
			case KindHire:
				if a.At.After(p.Start) {
					hiredAt[a.Employee] = a.At
					midSpan++
				}
			case KindRegister:
				if !a.Refused {
					holder[a.Key] = a.Actor
				}
			case KindAssign, KindClaim:
				if h := holder[a.Customer]; h != "" {
					t.Errorf("seed %d: %s %s of %s, held by %s", seed, a.ID, a.Kind, a.Customer, h)
				}
				to := a.Employee
				if a.Kind == KindClaim {
					to = a.Actor
				}
				if patterned[to] {
					t.Errorf("seed %d: %s gives %s to %s, who carries a pattern", seed, a.ID, a.Customer, to)
				}
				holder[a.Customer] = to
			case KindReassign, KindRelease:
				from := holder[a.Customer]
				if from == "" || patterned[from] || patterned[a.Employee] {
					t.Errorf("seed %d: %s %s of %s from %q to %q", seed, a.ID, a.Kind, a.Customer, from, a.Employee)
				}
				if a.Kind == KindRelease && a.Role == "sales" && a.Actor != from {
					t.Errorf("seed %d: %s: %s releases %s, held by %s", seed, a.ID, a.Actor, a.Customer, from)
				}
				holder[a.Customer] = a.Employee
			case KindDepart:
				departed[a.Employee] = a.At
				for c, h := range holder {
					if h == a.Employee {
						t.Errorf("seed %d: %s departs at %v still holding %s", seed, a.Employee, a.At, c)
					}
				}
			}
			if actsOn(a) && holder[a.Customer] != a.Actor {
				t.Errorf("seed %d: %s %s by %s on %s, held by %q", seed, a.ID, a.Kind, a.Actor, a.Customer, holder[a.Customer])
			}
		}
		for _, k := range []Kind{KindReassign, KindRelease, KindClaim, KindDepart} {
			if kinds[k] == 0 {
				t.Errorf("seed %d: no %s acts", seed, k)
			}
		}
		if kinds[KindResign] < len(departed)+2 {
			t.Errorf("seed %d: %d resignations, want the %d leavers' and S3's and H5's", seed, kinds[KindResign], len(departed))
		}
		if midSpan == 0 || len(p.Employees) != 60+midSpan {
			t.Errorf("seed %d: %d mid-span hires, %d salespeople scored", seed, midSpan, len(p.Employees))
		}
	}
}
