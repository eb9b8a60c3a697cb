package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// city is where a branch sits: its time zone, language, currency and centre.
type city struct {
	name, zhName, tz, currency string
	zh                         bool
	lat, lon                   float64
}

// cities span two time zones and two languages on purpose: per-day rules
// and lexicons must work in each.
var cities = []city{
	{name: "Shanghai", zhName: "上海", tz: "Asia/Shanghai", currency: "CNY", zh: true, lat: 31.2304, lon: 121.4737},
	{name: "London", zhName: "伦敦", tz: "Europe/London", currency: "GBP", zh: false, lat: 51.5074, lon: -0.1278},
	{name: "Beijing", zhName: "北京", tz: "Asia/Shanghai", currency: "CNY", zh: true, lat: 39.9042, lon: 116.4074},
}

// Config says what to generate.
type Config struct {
	Seed      uint64
	Tenant    string
	Employees int // salespeople, 20–2,000 for a real run (fewer for tests)
	Days      int // simulated span the patterns are injected in
	// Warmup is days of honest history before that span, so baselines
	// (S9 compares 30 days with the 90 before) exist when it starts.
	Warmup int
	End    time.Time // exclusive end of the span; must not be in the future when driven
	// Patterns to inject, one employee each (S1…S10, H1…H6); nil means all.
	Patterns []string
}

// AllPatterns lists every pattern the generator can inject.
var AllPatterns = []string{"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9", "S10", "H1", "H2", "H3", "H4", "H5", "H6"}

// employee is a generated salesperson or manager.
type employee struct {
	id, name, manager, team, role string
	city                          city
	loc                           *time.Location
	customers                     []string // keys of the customers they hold
	notes                         []string // keys of interactions they logged
	// start is the day a mid-span hire starts (0 for everyone hired
	// before the span); their first three days build their book.
	start int
}

// customer is a generated company customer.
type customer struct {
	key, person, company, phone, source, owner, account string
	lat, lon                                            float64
	zh                                                  bool
	payerOnFile                                         bool // its own account is registered as a payer
	// busyUntil is the time of the last act of any order on it: it does
	// not change hands before then (background.go).
	busyUntil time.Time
	// moved: it has changed holder at least once; initial: registered
	// into a starting book (registerBooks).
	moved, initial bool
	movedOn        int // the day of the latest change of holder
}

// gen holds generation state; every random choice comes from r, in a fixed
// order, which is what makes a plan a function of its seed.
type gen struct {
	cfg       Config
	r         *rand.Rand
	start     time.Time
	acts      []Act
	next      int
	sales     []*employee
	byID      map[string]*employee
	managers  map[string]*employee
	customers map[string]*customer
	custOrder []string
	companies map[string]bool
	truth     []Label
	// days an employee does no honest work (leave, after departure) or no
	// follow-up of assigned customers (S2), by employee and day index.
	off, quiet map[string]map[int]bool
	h1         string
	// patterned are the employees carrying a pattern; noOrders marks the
	// days a leaver opens no order. leavers, hires, the shared pool and
	// when each pooled customer was released are background.go's.
	patterned map[string]bool
	noOrders  map[string]map[int]bool
	leavers   []leaver
	hires     []*employee
	pool      []string
	released  map[string]int
}

// Generate builds the plan for cfg.
func Generate(cfg Config) (*Plan, error) {
	if cfg.Tenant == "" {
		return nil, errors.New("sim: tenant is required")
	}
	if cfg.Days < 7 {
		return nil, fmt.Errorf("sim: days %d: at least 7", cfg.Days)
	}
	if cfg.Warmup < 0 || cfg.Warmup > 365 {
		return nil, fmt.Errorf("sim: warm-up %d days: want 0 to 365", cfg.Warmup)
	}
	patterns := cfg.Patterns
	if patterns == nil {
		patterns = AllPatterns
	}
	for _, p := range patterns {
		if !slices.Contains(AllPatterns, p) {
			return nil, fmt.Errorf("sim: unknown pattern %q", p)
		}
	}
	if cfg.Employees < len(patterns)+2 {
		return nil, fmt.Errorf("sim: %d employees cannot carry %d patterns: need at least %d", cfg.Employees, len(patterns), len(patterns)+2)
	}
	end := cfg.End.UTC().Truncate(24 * time.Hour)
	g := &gen{
		cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 0x686f6c6466617374)), //nolint:gosec // the same seed must give the same organisation
		start: end.AddDate(0, 0, -cfg.Warmup-cfg.Days), byID: map[string]*employee{}, managers: map[string]*employee{},
		customers: map[string]*customer{}, companies: map[string]bool{}, off: map[string]map[int]bool{}, quiet: map[string]map[int]bool{},
		patterned: map[string]bool{}, noOrders: map[string]map[int]bool{}, released: map[string]int{},
	}
	g.setup()
	injections := g.planPatterns(patterns)
	g.planBackground()
	g.registerBooks()
	for day := 0; day < g.days(); day++ {
		g.backgroundDay(day)
		for _, e := range g.sales {
			g.honestDay(e, day)
		}
	}
	for _, inject := range injections {
		inject()
	}
	acts := g.acts[:0]
	for _, a := range g.acts {
		if a.At.Before(end) {
			acts = append(acts, a)
		}
	}
	slices.SortStableFunc(acts, func(a, b Act) int { return a.At.Compare(b.At) })
	ids := make([]string, len(g.sales))
	for i, e := range g.sales {
		ids[i] = e.id
	}
	slices.SortFunc(g.truth, func(a, b Label) int { return a.First.Compare(b.First) })
	plan := &Plan{Tenant: cfg.Tenant, Start: g.start, End: end, Warmup: cfg.Warmup, Employees: ids, Acts: acts, Truth: g.truth}
	for _, l := range g.leavers {
		plan.Leavers = append(plan.Leavers, l.e.id)
	}
	for _, h := range g.hires {
		plan.Hires = append(plan.Hires, h.id)
	}
	return plan, nil
}

// days is the whole generated span, warm-up included.
func (g *gen) days() int { return g.cfg.Warmup + g.cfg.Days }

// add appends a with a fresh request id.
func (g *gen) add(a Act) Act {
	g.next++
	a.ID = fmt.Sprintf("sim-%06d", g.next)
	a.At = a.At.UTC()
	g.acts = append(g.acts, a)
	return a
}

// key makes a new generator key with a prefix.
func (g *gen) key(prefix string) string {
	g.next++
	return fmt.Sprintf("%s%06d", prefix, g.next)
}

// setup creates the org tree, the people, and the tenant policies, an hour
// before the span starts.
func (g *gen) setup() {
	// Units and policies an hour before the hires that need them, and the
	// hires an hour before the span: the driver runs one hour's actors
	// concurrently, so what depends on another actor is an hour later.
	at := g.start.Add(-2 * time.Hour)
	hireAt := g.start.Add(-time.Hour)
	admin, hr := "admin-1", "hr-1"
	company := g.add(Act{At: at, Kind: KindOrgUnit, Actor: admin, Role: "admin", Key: "u-company", Name: "Holdfast 模拟贸易集团", Text: "company", TimeZone: "Asia/Shanghai"})
	g.add(Act{At: at, Kind: KindClientPolicy, Actor: admin, Role: "admin"})
	g.add(Act{At: at, Kind: KindOrderPolicy, Actor: admin, Role: "admin"})
	g.add(Act{At: at, Kind: KindCompanyAcct, Actor: admin, Role: "admin", Account: "6222021000000001"})
	g.add(Act{At: at, Kind: KindCompanyAcct, Actor: admin, Role: "admin", Account: "GB29NWBK60161331926819"})
	hired := g.start.AddDate(0, -6, 0).Format(time.DateOnly)
	teamSize := 8
	n := 0
	for n < g.cfg.Employees {
		c := cities[(n/teamSize)%len(cities)]
		loc, err := time.LoadLocation(c.tz)
		if err != nil {
			loc = time.UTC
		}
		branch := "u-branch-" + c.name
		if !slices.ContainsFunc(g.acts, func(a Act) bool { return a.Key == branch }) {
			name := c.zhName + "分公司"
			if !c.zh {
				name = c.name + " branch"
			}
			g.add(Act{At: at, Kind: KindOrgUnit, Actor: admin, Role: "admin", Key: branch, Ref: company.Key, Name: name, Text: "branch", TimeZone: c.tz})
		}
		team := fmt.Sprintf("u-team-%02d", n/teamSize+1)
		g.add(Act{At: at, Kind: KindOrgUnit, Actor: admin, Role: "admin", Key: team, Ref: branch, Name: fmt.Sprintf("%s team %d", c.name, n/teamSize+1), Text: "team", TimeZone: c.tz})
		mgr := &employee{id: fmt.Sprintf("m%03d", n/teamSize+1), name: personName(g.r, c.zh), team: team, role: "manager", city: c, loc: loc}
		g.managers[mgr.id] = mgr
		g.byID[mgr.id] = mgr
		g.add(Act{At: hireAt, Kind: KindHire, Actor: hr, Role: "hr", Employee: mgr.id, Name: mgr.name, Ref: branch, Text: "manager", Date: hired})
		for i := 0; i < teamSize && n < g.cfg.Employees; i++ {
			n++
			e := &employee{id: fmt.Sprintf("e%04d", n), name: personName(g.r, c.zh), manager: mgr.id, team: team, role: "sales", city: c, loc: loc}
			g.sales = append(g.sales, e)
			g.byID[e.id] = e
			g.add(Act{At: hireAt, Kind: KindHire, Actor: hr, Role: "hr", Employee: e.id, Name: e.name, Ref: team, Manager: mgr.id, Text: "sales", Date: hired})
		}
	}
}

// local is day's date at hh:mm in e's branch time zone.
func (g *gen) local(e *employee, day, hh, mm int) time.Time {
	d := g.start.AddDate(0, 0, day).In(e.loc)
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, e.loc)
}

// workingDay reports whether day is Monday–Friday where e works.
func (g *gen) workingDay(e *employee, day int) bool {
	wd := g.local(e, day, 12, 0).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// workTime is a random time in e's working hours on day.
func (g *gen) workTime(e *employee, day int) time.Time {
	return g.local(e, day, 9+g.r.IntN(8), g.r.IntN(60))
}

// near returns a point about metres away from lat, lon in a random direction.
func near(r *rand.Rand, lat, lon, metres float64) (float64, float64) {
	const mPerDeg = 111_320.0
	dx := (r.Float64()*2 - 1) * metres
	dy := (r.Float64()*2 - 1) * metres
	return lat + dy/mPerDeg, lon + dx/(mPerDeg*cosDeg(lat))
}

func cosDeg(deg float64) float64 { return math.Cos(deg * math.Pi / 180) }
