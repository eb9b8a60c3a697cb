package engine

import (
	"maps"
	"math"
	"math/big"
	"slices"
	"time"

	"github.com/holdfast/holdfast/services/risk/internal/domain"
)

// The sales-activity projection behind conversion_drop (S9): per employee,
// daily counts of orders won, orders decided (won or lost), interactions
// and orders created over the last activityDays days, and a long-term
// conversion rate that every day leaving the recent window folds into
// with exponential decay, so a slow drift over many months is compared
// with where the employee once stood and not only with the last quarter.
// Integer arithmetic only: replay must reproduce every rate exactly.
const (
	// RuleConversionDrop is the built-in rule of scenario S9.
	RuleConversionDrop = "conversion_drop"
	factConversion     = "conversion_review"

	recentDays             = 30
	conversionBaselineDays = 90
	activityDays           = recentDays + conversionBaselineDays
	// longTermDecayPerMille is the daily decay of the long-term rate
	// (a half-life of about 173 days); longTermScale keeps fractions.
	longTermDecayPerMille = 996
	longTermScale         = 1000
	// decidedEvidenceCap bounds the order decisions kept per employee as
	// evidence of a drop.
	decidedEvidenceCap = 20
)

// dayCounts is one employee's activity on one UTC day (day is its
// dayIndex), in 20 bytes: the daily conversion review walks every
// seller's days, and at 40 bytes a day that walk was mostly cache misses.
// A day's counts fit int32 many times over, and so does every day of the
// years Timestamp allows (count ignores a day beyond them).
type dayCounts struct {
	day                                 int32
	won, decided, interactions, created int32
}

// salesActivity is one employee's activity projection.
type salesActivity struct {
	days []dayCounts // ascending, within activityDays of the latest tick
	// longWon and longDecided are the decayed sums, × longTermScale, of
	// every day before the recent window up to foldedThrough.
	longWon, longDecided int64
	foldedThrough        int64
	decided              []domain.Evidence // latest order decisions
	// sums are the review's window sums as of the start of day sumsDay
	// (when sumsValid): count keeps them current, review moves them on a
	// day at a time instead of adding up every day again. Derived, so
	// never snapshotted: a restored projection adds them up once.
	sums      windowSums
	sumsDay   int64
	sumsValid bool
}

// find is the index of day d in days, or where it would be inserted, and
// whether it is there: a binary search written out, since the daily
// review searches every seller's days several times (over 120 days it
// took 5 ns a search, slices.BinarySearchFunc with a comparator 22 ns).
// The first and last days are looked at first: the review's days that
// leave the windows are mostly there, and each probe of a seller's days
// is a cache miss in a review of thousands.
func (a *salesActivity) find(d int64) (int, bool) {
	n := len(a.days)
	if n == 0 || int64(a.days[0].day) >= d {
		return 0, n > 0 && int64(a.days[0].day) == d
	}
	if last := int64(a.days[n-1].day); last <= d {
		if last == d {
			return n - 1, true
		}
		return n, false
	}
	lo, hi := 1, n-1 // days[0] < d < days[n-1]
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if int64(a.days[mid].day) < d {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(a.days) && int64(a.days[lo].day) == d
}

// windowSums are one employee's counts over the recent window (the
// recentDays days before a review day) and the baseline window (the
// conversionBaselineDays before those).
type windowSums struct {
	recentWon, recentDecided, recentActivity int64
	baseWon, baseDecided, baseActivity       int64
}

// addRecent and addBase add c's counts, negated when sign is -1.
func (w *windowSums) addRecent(c dayCounts, sign int64) {
	w.recentWon += sign * int64(c.won)
	w.recentDecided += sign * int64(c.decided)
	w.recentActivity += sign * (int64(c.interactions) + int64(c.created))
}

func (w *windowSums) addBase(c dayCounts, sign int64) {
	w.baseWon += sign * int64(c.won)
	w.baseDecided += sign * int64(c.decided)
	w.baseActivity += sign * (int64(c.interactions) + int64(c.created))
}

// maxSumsStep is how many days review moves the sums on one at a time;
// a longer gap adds them up again.
const maxSumsStep = 7

// dayIndex is the UTC day number of t.
func dayIndex(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// salesOf is the employee's projection, created on first use.
func (e *Engine) salesOf(tenant, employee string) *salesActivity {
	key := employeeKey{tenant, employee}
	a, _ := e.sales.get(key)
	if a == nil {
		a = &salesActivity{foldedThrough: -1}
		e.sales.put(key, a)
		delete(e.sellerOrder, tenant)
	}
	return a
}

// count adds to the employee's counts of at's day.
func (a *salesActivity) count(at time.Time, add func(*dayCounts)) {
	d := dayIndex(at)
	if d != int64(int32(d)) {
		return // more than five million years from 1970: no real event's day
	}
	i := len(a.days)
	switch {
	case i > 0 && int64(a.days[i-1].day) == d:
		i-- // events mostly come in time order: most count on the latest day
	case i == 0 || int64(a.days[i-1].day) < d:
		a.days = append(a.days, dayCounts{day: int32(d)})
	default:
		var found bool
		i, found = a.find(d)
		if !found {
			a.days = slices.Insert(a.days, i, dayCounts{day: int32(d)})
		}
	}
	before := a.days[i]
	add(&a.days[i])
	if a.sumsValid {
		// A late event lands in a window the sums already cover.
		switch {
		case d >= a.sumsDay:
		case d >= a.sumsDay-recentDays:
			a.sums.addRecent(before, -1)
			a.sums.addRecent(a.days[i], 1)
		case d >= a.sumsDay-activityDays:
			a.sums.addBase(before, -1)
			a.sums.addBase(a.days[i], 1)
		}
	}
}

// on is the employee's counts of day d (zero when none).
func (a *salesActivity) on(d int64) dayCounts {
	if i, ok := a.find(d); ok {
		return a.days[i]
	}
	return dayCounts{}
}

// moveSums brings the window sums to the start of day today: day by day
// from the last review when that was at most maxSumsStep days before,
// otherwise by adding up every day again. It runs before days older than
// the baseline are dropped, since the days leaving it are subtracted.
func (a *salesActivity) moveSums(today int64) {
	if a.sumsValid && today >= a.sumsDay && today-a.sumsDay <= maxSumsStep {
		for t := a.sumsDay; t < today; t++ {
			// The start of day t+1: day t enters the recent window, day
			// t-recentDays leaves it for the baseline, day t-activityDays
			// leaves the baseline.
			a.sums.addRecent(a.on(t), 1)
			moved := a.on(t - recentDays)
			a.sums.addRecent(moved, -1)
			a.sums.addBase(moved, 1)
			a.sums.addBase(a.on(t-activityDays), -1)
		}
		a.sumsDay = today
		return
	}
	recentFrom, baseFrom := today-recentDays, today-activityDays
	a.sums = windowSums{}
	for _, c := range a.days {
		switch {
		case int64(c.day) >= today || int64(c.day) < baseFrom:
		case int64(c.day) >= recentFrom:
			a.sums.addRecent(c, 1)
		default:
			a.sums.addBase(c, 1)
		}
	}
	a.sumsDay, a.sumsValid = today, true
}

// recordSale counts an order created, won or lost for its seller.
func (e *Engine) recordSale(tenant, seller string, at time.Time, step OrderStepKind, created bool, ev domain.Evidence) {
	if seller == "" {
		return
	}
	a := e.salesOf(tenant, seller)
	switch {
	case created:
		a.count(at, func(c *dayCounts) { c.created++ })
	case step == OrderStepWon:
		a.count(at, func(c *dayCounts) { c.won++; c.decided++ })
	case step == OrderStepLost:
		a.count(at, func(c *dayCounts) { c.decided++ })
	default:
		return
	}
	if !created {
		a.decided = append(a.decided, ev)
		if len(a.decided) > decidedEvidenceCap {
			a.decided = slices.Delete(a.decided, 0, len(a.decided)-decidedEvidenceCap)
		}
	}
}

// recordInteractionActivity counts an interaction for its employee.
func (e *Engine) recordInteractionActivity(tenant, employee string, at time.Time) {
	if employee != "" {
		e.salesOf(tenant, employee).count(at, func(c *dayCounts) { c.interactions++ })
	}
}

// maxConfidenceZx100 caps confidence_z_x100 (z = 4 is already certainty
// for any practical purpose).
const maxConfidenceZx100 = 400

// The built-in conversion_drop (version 2) compares the upper bound at
// z = 1, not the plain rate, to call only a credible collapse: with ~15
// decisions a month at a 65% win rate, about one honest seller in sixty
// dips below half of the baselines by chance each month. In `holdfast sim
// --employees 200` the plain rate flagged 19 honest sellers in 120 days
// and the bound 2; the bound caught the injected collapse 3 days later.
// A slow drift (40% to 8% over 300 days, one decision a day) it catches
// only on day 342 (TestConversionDrop). A tenant's confidence_z_x100 = 0
// compares the plain rate again.
//
// wilsonUpperBp is the upper end of the Wilson score interval of won ÷
// decided at z = zX100/100 standard errors, in basis points: how high the
// employee's true rate could plausibly be given so few decisions. With 10
// decisions a rate of 3 in 10 could well be noise around 50%; with 100 it
// could not. zX100 = 0 gives the plain rate. Exact integer arithmetic
// (math/big), so replay reproduces it:
//
//	UB = (w + z²/2 + z·√(w(n−w)/n + z²/4)) / (n + z²), and with z = c/100
//	UB·10⁴ = 10⁴·(n·(2·10⁴·w + c²) + c·√(n·(4·10⁴·w(n−w) + c²·n))) / (n·(2·10⁴·n + 2c²))
func wilsonUpperBp(won, decided, zX100 int64) int64 {
	if decided <= 0 {
		return 0
	}
	if zX100 <= 0 {
		// z = 0 reduces the formula to 10⁴·w/n: the plain rate.
		return min(rateBp(won, decided), 10_000)
	}
	if 0 <= won && won <= decided && decided <= maxInt64Decided {
		return wilsonInt64Bp(won, decided, min(zX100, maxConfidenceZx100))
	}
	return wilsonExactBp(won, decided, zX100)
}

// maxInt64Decided is the most decisions wilsonInt64Bp takes: with n ≤ 2¹³
// and c ≤ 400, x < 6·10¹⁵ (below 2⁵³, so float64 holds it exactly and
// its square root is within one of the integer one), the numerator
// < 1.4·10¹⁶ and the denominator < 1.4·10¹²: nothing overflows int64.
// More decisions than that in 30 days go to math/big.
const maxInt64Decided = 1 << 13

// wilsonInt64Bp is wilsonExactBp in int64, for 0 ≤ won ≤ decided ≤
// maxInt64Decided and 0 < zX100 ≤ maxConfidenceZx100: the same integer
// steps (a floored square root, a truncated quotient) without
// math/big's allocations, since the built-in rule reviews every seller
// every day. TestWilsonInt64IsExact holds the two to the same value.
func wilsonInt64Bp(won, decided, zX100 int64) int64 {
	n, w, c := decided, won, zX100
	c2 := c * c
	x := n * ((n-w)*w*40_000 + c2*n)
	num := ((w*20_000+c2)*n + c*isqrt(x)) * 10_000
	den := (n*20_000 + 2*c2) * n
	return min(num/den, 10_000)
}

// isqrt is ⌊√x⌋ for 0 ≤ x < 2⁵³.
func isqrt(x int64) int64 {
	r := int64(math.Sqrt(float64(x)))
	for r > 0 && r*r > x {
		r--
	}
	for (r+1)*(r+1) <= x {
		r++
	}
	return r
}

// wilsonExactBp is wilsonUpperBp for zX100 > 0, in math/big.
func wilsonExactBp(won, decided, zX100 int64) int64 {
	n, w, c := big.NewInt(decided), big.NewInt(won), big.NewInt(min(max(zX100, 0), maxConfidenceZx100))
	k := big.NewInt(10_000)
	c2 := new(big.Int).Mul(c, c)
	// x = n·(4·10⁴·w(n−w) + c²·n)
	x := new(big.Int).Sub(n, w)
	x.Mul(x, w).Mul(x, big.NewInt(40_000)).Add(x, new(big.Int).Mul(c2, n)).Mul(x, n)
	if x.Sign() < 0 { // won > decided: not a rate; the plain one is all there is
		x.SetInt64(0)
	}
	num := new(big.Int).Mul(w, big.NewInt(20_000))
	num.Add(num, c2).Mul(num, n).Add(num, new(big.Int).Mul(c, x.Sqrt(x))).Mul(num, k)
	den := new(big.Int).Mul(n, big.NewInt(20_000))
	den.Add(den, new(big.Int).Lsh(c2, 1)).Mul(den, n)
	ub := num.Quo(num, den).Int64()
	return min(ub, 10_000)
}

// conversionStats is one employee's numbers on a review day: the window
// sums and the long-term rate's whole orders (unscaled).
type conversionStats struct {
	windowSums
	longWon, longDecided int64
}

// rateBp is won ÷ decided in basis points (0 when nothing was decided).
func rateBp(won, decided int64) int64 {
	if decided <= 0 {
		return 0
	}
	return won * 10000 / decided
}

// review folds the days that left the recent window into the long-term
// rate, drops days older than activityDays and returns the stats as of
// the start of day today.
func (a *salesActivity) review(today int64) conversionStats {
	recentFrom, baseFrom := today-recentDays, today-activityDays
	if a.foldedThrough < 0 {
		first := recentFrom
		if len(a.days) > 0 {
			first = min(first, int64(a.days[0].day))
		}
		a.foldedThrough = first - 1
	}
	steps := 0
	// days is in ascending order: one search finds the first day to fold,
	// the loop walks on from there.
	i, _ := a.find(a.foldedThrough + 1)
	for d := a.foldedThrough + 1; d < recentFrom && steps < 2*activityDays; d, steps = d+1, steps+1 {
		a.longWon = a.longWon * longTermDecayPerMille / 1000
		a.longDecided = a.longDecided * longTermDecayPerMille / 1000
		for i < len(a.days) && int64(a.days[i].day) < d {
			i++
		}
		if i < len(a.days) && int64(a.days[i].day) == d {
			a.longWon += int64(a.days[i].won) * longTermScale
			a.longDecided += int64(a.days[i].decided) * longTermScale
		}
	}
	a.foldedThrough = max(a.foldedThrough, recentFrom-1)
	a.moveSums(today)
	if old, _ := a.find(baseFrom); old > 0 {
		a.days = slices.Delete(a.days, 0, old)
	}
	return conversionStats{windowSums: a.sums, longWon: a.longWon / longTermScale, longDecided: a.longDecided / longTermScale}
}

// conversionCheck reviews, at the tenant's first tick of each UTC day,
// every employee with sales activity, in id order. Each review is one
// observation (event.type "conversion_review") with the facts
// event.recent_won, event.recent_decided, event.recent_rate_bp (the last
// 30 days), event.recent_rate_upper_bp (its Wilson upper bound at
// params.confidence_z_x100/100 standard errors, see wilsonUpperBp; the
// plain rate when the rule has no such parameter), event.baseline_decided
// and event.baseline_rate_bp (the 90 days before), event.longterm_decided and event.longterm_rate_bp (all
// history before the last 30 days, decayed), event.own_baseline_bp and
// event.own_baseline_decided (the higher of the two baselines that has
// params.min_baseline_decided decisions), event.peer_median_bp and
// event.peers_counted (same org unit and role, peers with
// params.min_decided recent decisions), event.recent_activity,
// event.baseline_activity_per_30d and event.activity_pct (interactions
// and orders created, recent against baseline). The employee's recent
// order decisions are the evidence.
func (e *Engine) conversionCheck(t Tick) []Change {
	today := dayIndex(t.At)
	if last, ok := e.conversionDay[t.Tenant]; ok && today <= last {
		return nil
	}
	e.conversionDay[t.Tenant] = today
	reviews := e.scratch.reviews[:0]
	defer func() { clear(reviews); e.scratch.reviews = reviews[:0] }() // keeps no dropped seller alive
	for _, sr := range e.sellers(t.Tenant) {
		s := sr.sales.review(today)
		if len(sr.sales.days) == 0 && s.longDecided == 0 {
			e.dropSeller(employeeKey{t.Tenant, sr.id}) // quiet for longer than the projection looks back
			continue
		}
		reviews = append(reviews, sellerReview{seller: sr, stats: s})
	}
	if programs, _ := e.applying(t.Tenant, factConversion); len(programs) == 0 {
		return nil // no rule in force judges reviews: the projection is pruned, nothing to evaluate
	}
	minDecided := e.intParam(t.Tenant, RuleConversionDrop, "min_decided", 10)
	minBaseline := e.intParam(t.Tenant, RuleConversionDrop, "min_baseline_decided", 20)
	confidence := e.intParam(t.Tenant, RuleConversionDrop, "confidence_z_x100", 0)
	e.peerMedians(t.Tenant, reviews, minDecided)
	// One context for every review, reading the seller under review: a
	// closure per review was a million allocations a replay.
	var a *salesActivity
	context := func() []piece {
		out := make([]piece, 0, len(a.decided))
		for _, ev := range a.decided {
			out = append(out, piece{evidence: ev})
		}
		return out
	}
	var out []Change
	for i := range reviews {
		r := &reviews[i]
		s := r.stats
		own, ownDecided := int64(0), int64(0)
		for _, b := range [][2]int64{{rateBp(s.baseWon, s.baseDecided), s.baseDecided}, {rateBp(s.longWon, s.longDecided), s.longDecided}} {
			if b[1] >= minBaseline && b[0] > own {
				own, ownDecided = b[0], b[1]
			}
		}
		basePer30 := s.baseActivity * recentDays / conversionBaselineDays
		var activityPct int64
		if basePer30 > 0 {
			activityPct = s.recentActivity * 100 / basePer30
		}
		a = r.sales
		f := &e.scratch.conversion
		*f = conversionFacts{
			employee: r.id, recentWon: s.recentWon, recentDecided: s.recentDecided, recentRateBp: rateBp(s.recentWon, s.recentDecided),
			recentRateUpperBp: wilsonUpperBp(s.recentWon, s.recentDecided, confidence),
			baselineDecided:   s.baseDecided, baselineRateBp: rateBp(s.baseWon, s.baseDecided),
			longtermDecided: s.longDecided, longtermRateBp: rateBp(s.longWon, s.longDecided),
			ownBaselineBp: own, ownBaselineDecided: ownDecided, peerMedianBp: r.peerMedian, peersCounted: r.peersCounted,
			recentActivity: s.recentActivity, baselineActivityPer30d: basePer30, activityPct: activityPct,
		}
		out = appendChanges(out, e.observe(observation{
			tenant: t.Tenant, employee: r.id, at: t.At,
			typed:   f,
			this:    evidenceOnly(t.Evidence),
			context: context,
		}))
	}
	return out
}

// seller is one employee with a sales-activity projection, and the
// employee's staff record (nil: none), read for the peer group at every
// review.
type seller struct {
	id     string
	sales  *salesActivity
	member *staffMember
}

// sellerReview is one seller in a tenant's daily conversion review.
type sellerReview struct {
	seller
	stats conversionStats
	// group is the seller's peer group in the review's peerRates (-1:
	// the seller has no staff record); rate is the seller's recent rate
	// as counted among the group's rates (-1: not counted).
	group, rate int64
	// peerMedian and peersCounted are peerMedians' result.
	peerMedian, peersCounted int64
}

// sellers is the tenant's sellers in id order, sorted again only after a
// seller was added or dropped, or a staff record added or dropped (see
// staffChanged): the daily review walks them all.
func (e *Engine) sellers(tenant string) []seller {
	order, ok := e.sellerOrder[tenant]
	if !ok {
		sales, members := e.sales.of(tenant), e.staff.members.of(tenant)
		order = make([]seller, 0, len(sales))
		for _, id := range slices.Sorted(maps.Keys(sales)) {
			order = append(order, seller{id, sales[id], members[id]})
		}
		e.sellerOrder[tenant] = order
	}
	return order
}

// staffChanged is called when the tenant's staff records were added to or
// dropped from: the sellers hold theirs.
func (e *Engine) staffChanged(tenant string) { delete(e.sellerOrder, tenant) }

// dropSeller removes the seller's sales-activity projection.
func (e *Engine) dropSeller(key employeeKey) {
	e.sales.del(key)
	delete(e.sellerOrder, key.tenant)
}

// peerMedians sets each review's peerMedian and peersCounted: the median
// recent conversion rate of the seller's peers (same org unit and role,
// the seller left out) among those with at least minDecided recent
// decisions, and how many were counted. Peers are the reviewed sellers
// whose staff record puts them, not departed, in the group. Each group's
// rates are sorted once; the median without the seller is read around
// the seller's own rate's index.
func (e *Engine) peerMedians(tenant string, reviews []sellerReview, minDecided int64) {
	groups := &e.scratch.peers
	groups.reset()
	for i := range reviews {
		r := &reviews[i]
		r.group, r.rate = -1, -1
		m := r.member
		if m == nil {
			continue
		}
		r.group = groups.of(m.unit, m.role)
		if !m.departed && r.stats.recentDecided >= minDecided {
			r.rate = rateBp(r.stats.recentWon, r.stats.recentDecided)
			groups.rates[r.group] = append(groups.rates[r.group], r.rate)
		}
	}
	for _, rates := range groups.rates {
		slices.Sort(rates)
	}
	for i := range reviews {
		r := &reviews[i]
		r.peerMedian, r.peersCounted = groups.medianWithout(r.group, r.rate)
	}
}

// peerRates is one review's peer groups by (org unit, role), each with
// the recent rates counted in it. Its slices are reused review after
// review.
type peerRates struct {
	index map[[2]string]int64
	rates [][]int64
}

func (g *peerRates) reset() {
	if g.index == nil {
		g.index = map[[2]string]int64{}
	}
	clear(g.index)
	for i := range g.rates {
		g.rates[i] = g.rates[i][:0]
	}
	g.rates = g.rates[:0]
}

// of is the group of unit and role, added when new.
func (g *peerRates) of(unit, role string) int64 {
	k := [2]string{unit, role}
	if i, ok := g.index[k]; ok {
		return i
	}
	i := int64(len(g.rates))
	g.index[k] = i
	if len(g.rates) < cap(g.rates) {
		g.rates = g.rates[:len(g.rates)+1]
	} else {
		g.rates = append(g.rates, nil)
	}
	return i
}

// medianWithout is the median of group's sorted rates with one
// occurrence of own left out (own < 0: none), and how many rates that
// is; (0, 0) for no group or no rates.
func (g *peerRates) medianWithout(group, own int64) (median, counted int64) {
	if group < 0 {
		return 0, 0
	}
	rates := g.rates[group]
	skip := -1
	if own >= 0 {
		skip, _ = slices.BinarySearch(rates, own)
	}
	n := len(rates)
	if skip >= 0 {
		n--
	}
	if n <= 0 {
		return 0, 0
	}
	at := func(j int) int64 {
		if skip >= 0 && j >= skip {
			return rates[j+1]
		}
		return rates[j]
	}
	if n%2 == 1 {
		return at(n / 2), int64(n)
	}
	return (at(n/2-1) + at(n/2)) / 2, int64(n)
}

// intParam is the integer parameter name of the tenant's rule in force,
// or def when the rule does not define it: projections that must decide
// in Go what a rule counts read its parameters this way.
func (e *Engine) intParam(tenant, rule, name string, def int64) int64 {
	if p, _, ok := e.rule(tenant, rule); ok {
		if v, ok := p.Params()[name].(int64); ok {
			return v
		}
	}
	return def
}

// conversionFacts is a seller's daily conversion review as the CEL
// variable event. The review refills one for every seller instead of
// building a map of these seventeen facts, and a rule reads only the facts
// it names (rules.Facts).
type conversionFacts struct {
	employee                                                  string
	recentWon, recentDecided, recentRateBp, recentRateUpperBp int64
	baselineDecided, baselineRateBp                           int64
	longtermDecided, longtermRateBp                           int64
	ownBaselineBp, ownBaselineDecided                         int64
	peerMedianBp, peersCounted                                int64
	recentActivity, baselineActivityPer30d, activityPct       int64
}

// conversionFactNames are the names conversionFacts answers to.
var conversionFactNames = []string{
	"type", "employee_id",
	"recent_won", "recent_decided", "recent_rate_bp", "recent_rate_upper_bp",
	"baseline_decided", "baseline_rate_bp", "longterm_decided", "longterm_rate_bp",
	"own_baseline_bp", "own_baseline_decided", "peer_median_bp", "peers_counted",
	"recent_activity", "baseline_activity_per_30d", "activity_pct",
}

func (f *conversionFacts) Fact(name string) (any, bool) {
	switch name {
	case "type":
		return factConversion, true
	case "employee_id":
		return f.employee, true
	case "recent_won":
		return f.recentWon, true
	case "recent_decided":
		return f.recentDecided, true
	case "recent_rate_bp":
		return f.recentRateBp, true
	case "recent_rate_upper_bp":
		return f.recentRateUpperBp, true
	case "baseline_decided":
		return f.baselineDecided, true
	case "baseline_rate_bp":
		return f.baselineRateBp, true
	case "longterm_decided":
		return f.longtermDecided, true
	case "longterm_rate_bp":
		return f.longtermRateBp, true
	case "own_baseline_bp":
		return f.ownBaselineBp, true
	case "own_baseline_decided":
		return f.ownBaselineDecided, true
	case "peer_median_bp":
		return f.peerMedianBp, true
	case "peers_counted":
		return f.peersCounted, true
	case "recent_activity":
		return f.recentActivity, true
	case "baseline_activity_per_30d":
		return f.baselineActivityPer30d, true
	case "activity_pct":
		return f.activityPct, true
	}
	return nil, false
}

func (f *conversionFacts) Map() map[string]any {
	m := make(map[string]any, len(conversionFactNames))
	for _, name := range conversionFactNames {
		m[name], _ = f.Fact(name)
	}
	return m
}
