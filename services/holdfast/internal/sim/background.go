package sim

import (
	"fmt"
	"slices"
	"time"
)

// Honest background churn of a living sales organisation: customers move
// between colleagues (a manager rebalancing the team's books), go back to
// the shared pool and are claimed from it, salespeople resign, work their
// notice, hand their book over and leave, and new salespeople join mid-span
// and build a book. None of it is a pattern and none of it may raise an
// alert above low severity by itself; the detection report counts any that
// does against precision.
//
// Only employees carrying no pattern take part (as giver, receiver or
// leaver): a pattern's injections are written after the honest days and
// pick from the book the employee holds at the end, which must be the book
// they held all along.

// Background rates, per working day.
const (
	rebalanceRate = 0.08 // a team's manager moves one customer from the fullest book to the emptiest
	releaseRate   = 0.02 // a salesperson releases a quiet customer to the pool
	claimRate     = 0.25 // a pooled customer (released two days ago or more) is claimed
	minBook       = 6    // nobody releases or gives away below this many customers
	noticeDays    = 14   // a leaver's notice, in calendar days (plus up to a week)
	// windDownDays before the last day a leaver opens no new order, so
	// every order of theirs is decided while they can still mark it.
	windDownDays = 7
)

// leaver is an honest departure: notice on day notice, last day last.
type leaver struct {
	e            *employee
	notice, last int
}

// planBackground picks the honest leavers and the mid-span hires, about
// one of each per 25 salespeople (at least one of each), among employees
// carrying no pattern, and marks the days their honest work changes. It
// runs after planPatterns and before registerBooks.
func (g *gen) planBackground() {
	n := max(1, g.cfg.Employees/25)
	free := slices.DeleteFunc(slices.Clone(g.sales), func(e *employee) bool { return g.patterned[e.id] })
	// A notice needs a month of history before it (departing_exfiltration
	// compares with the 28 days before) and room for notice and handover
	// before the end.
	lo, hi := max(g.cfg.Warmup, 30), g.days()-noticeDays-9
	for i := 0; i < n && len(free) > 1 && lo < hi; i++ {
		k := g.r.IntN(len(free))
		e := free[k]
		free = slices.Delete(free, k, k+1)
		notice := g.nextWorking(e, lo+g.r.IntN(hi-lo), 0)
		last := g.nextWorking(e, notice+noticeDays+g.r.IntN(7), 0)
		if last >= g.days()-1 {
			continue
		}
		g.leavers = append(g.leavers, leaver{e: e, notice: notice, last: last})
		g.mark(g.noOrders, e, last-windDownDays, last)
		g.mark(g.off, e, last+1, g.days())
	}
	// Hires join the smallest team a while into the span, with enough
	// days left to build a book and work it.
	lo, hi = min(5, g.days()/4), g.days()-10
	for i := 0; i < n && lo < hi; i++ {
		team, mgr := g.smallestTeam()
		c := g.teamCity(team)
		e := &employee{
			id: fmt.Sprintf("e%04d", len(g.sales)+1), name: personName(g.r, c.zh), manager: mgr.id, team: team, role: "sales",
			city: c, loc: mgr.loc,
		}
		e.start = g.nextWorking(e, lo+g.r.IntN(hi-lo), 0)
		g.sales = append(g.sales, e)
		g.byID[e.id] = e
		g.hires = append(g.hires, e)
	}
}

// smallestTeam is the team with the fewest salespeople (the first of
// equals) and its manager.
func (g *gen) smallestTeam() (string, *employee) {
	size := map[string]int{}
	var teams []string
	for _, e := range g.sales {
		if size[e.team] == 0 {
			teams = append(teams, e.team)
		}
		size[e.team]++
	}
	best := teams[0]
	for _, t := range teams {
		if size[t] < size[best] {
			best = t
		}
	}
	for _, e := range g.sales {
		if e.team == best {
			return best, g.managers[e.manager]
		}
	}
	panic("sim: a team without salespeople")
}

func (g *gen) teamCity(team string) city {
	for _, e := range g.sales {
		if e.team == team {
			return e.city
		}
	}
	return cities[0]
}

// active reports whether e works on day: hired, started, not yet gone.
func (g *gen) active(e *employee, day int) bool {
	return day >= e.start && !g.off[e.id][day]
}

// movable reports whether e may give or receive customers on day: no
// pattern, at work, not working a notice, and past their first days.
func (g *gen) movable(e *employee, day int) bool {
	if g.patterned[e.id] || !g.active(e, day) || day < e.start+3 {
		return false
	}
	return !slices.ContainsFunc(g.leavers, func(l leaver) bool { return l.e == e && day >= l.notice })
}

// backgroundDay writes the day's churn, before anyone's honest work of
// the day is generated: changes of holder happen at 08:00–08:59 local, an
// hour before the working day, so nobody acts on a customer in the hour
// it changes hands.
func (g *gen) backgroundDay(day int) {
	for _, h := range g.hires {
		if h.start == day {
			g.hireMidSpan(h, day)
		}
	}
	for _, l := range g.leavers {
		switch day {
		case l.notice:
			notice := g.local(l.e, day, 9, 30)
			g.add(Act{
				At: notice, Kind: KindResign, Actor: "hr-1", Role: "hr", Employee: l.e.id,
				Date: notice.Format(time.DateOnly), Date2: g.local(l.e, l.last, 12, 0).Format(time.DateOnly),
			})
		case l.last + 1:
			g.handOver(l, day)
		}
	}
	g.rebalance(day)
	g.releases(day)
	g.claims(day)
}

// hireMidSpan hires h on day into their team; their manager assigns them
// up to two pooled customers of their language, and they register a
// handful of new ones over their first three days.
func (g *gen) hireMidSpan(h *employee, day int) {
	hired := g.local(h, day, 8, 0)
	g.add(Act{
		At: hired, Kind: KindHire, Actor: "hr-1", Role: "hr", Employee: h.id, Name: h.name, Ref: h.team, Manager: h.manager,
		Text: "sales", Date: hired.Format(time.DateOnly),
	})
	for i := 0; i < 2; i++ {
		c := g.pooled(h, day)
		if c == nil {
			break
		}
		g.moveTo(c, h, day)
		g.add(Act{At: g.local(h, day, 10, g.r.IntN(60)), Kind: KindAssign, Actor: h.manager, Role: "manager", Customer: c.key, Employee: h.id, Text: "new joiner's starting book / 新人起步客户"})
	}
	for i := 0; i < 4+g.r.IntN(5); i++ {
		g.newCustomer(h, g.workTime(h, day+i%3), pick(g.r, sources[:4]))
	}
}

// handOver gives a leaver's book to their teammates in turn the evening of
// their last day (or, with nobody to take it, the manager releases it to
// the pool), then HR records the departure an hour later: by then they
// hold nothing, so the client service's own handover has nothing to move.
func (g *gen) handOver(l leaver, day int) {
	last := l.last
	var mates []*employee
	for _, e := range g.sales {
		if e != l.e && e.team == l.e.team && g.movable(e, day) {
			mates = append(mates, e)
		}
	}
	at := g.local(l.e, last, 19, 0)
	for i, key := range slices.Clone(l.e.customers) {
		c := g.customers[key]
		when := at.Add(time.Duration(i%60) * time.Minute)
		if len(mates) == 0 {
			g.moveTo(c, nil, day)
			g.released[key] = day
			g.add(Act{At: when, Kind: KindRelease, Actor: l.e.manager, Role: "manager", Customer: key, Text: "handover: back to the pool / 离职交接退回公海"})
			continue
		}
		to := mates[i%len(mates)]
		g.moveTo(c, to, day)
		g.add(Act{At: when, Kind: KindReassign, Actor: l.e.manager, Role: "manager", Customer: key, Employee: to.id, Text: "handover: " + l.e.id + " leaves / 离职交接"})
	}
	g.add(Act{At: g.local(l.e, last, 20, 30), Kind: KindDepart, Actor: "hr-1", Role: "hr", Employee: l.e.id, Date: g.local(l.e, last, 12, 0).Format(time.DateOnly)})
}

// rebalance: now and then a manager moves a customer from the fullest
// book in the team to the emptiest.
func (g *gen) rebalance(day int) {
	teams := map[string][]*employee{}
	var order []string
	for _, e := range g.sales {
		if !g.movable(e, day) || !g.workingDay(e, day) {
			continue
		}
		if teams[e.team] == nil {
			order = append(order, e.team)
		}
		teams[e.team] = append(teams[e.team], e)
	}
	for _, team := range order {
		members := teams[team]
		if len(members) < 2 || g.r.Float64() >= rebalanceRate {
			continue
		}
		from, to := members[0], members[0]
		for _, e := range members {
			if len(e.customers) > len(from.customers) {
				from = e
			}
			if len(e.customers) < len(to.customers) {
				to = e
			}
		}
		at := g.local(from, day, 8, g.r.IntN(60))
		c := g.idleCustomer(from, day, at)
		if from == to || len(from.customers) <= minBook || c == nil {
			continue
		}
		g.moveTo(c, to, day)
		g.add(Act{At: at, Kind: KindReassign, Actor: from.manager, Role: "manager", Customer: c.key, Employee: to.id, Text: "rebalancing the team's books / 团队客户调配"})
	}
}

// releases: a salesperson now and then gives a quiet customer back to the
// pool.
func (g *gen) releases(day int) {
	for _, e := range g.sales {
		if !g.movable(e, day) || !g.workingDay(e, day) || len(e.customers) <= minBook || g.r.Float64() >= releaseRate {
			continue
		}
		at := g.local(e, day, 8, g.r.IntN(60))
		c := g.idleCustomer(e, day, at)
		if c == nil {
			continue
		}
		g.moveTo(c, nil, day)
		g.released[c.key] = day
		g.add(Act{At: at, Kind: KindRelease, Actor: e.id, Role: "sales", Customer: c.key, Text: "no demand this year / 客户暂无需求"})
	}
}

// claims: a pooled customer released at least two days ago is sometimes
// claimed by a salesperson of its language.
func (g *gen) claims(day int) {
	for _, key := range slices.Clone(g.pool) {
		if day-g.released[key] < 2 || g.r.Float64() >= claimRate {
			continue
		}
		c := g.customers[key]
		var takers []*employee
		for _, e := range g.sales {
			if e.city.zh == c.zh && g.movable(e, day) && g.workingDay(e, day) {
				takers = append(takers, e)
			}
		}
		if len(takers) == 0 {
			continue
		}
		e := pick(g.r, takers)
		g.moveTo(c, e, day)
		g.add(Act{At: g.local(e, day, 8, g.r.IntN(60)), Kind: KindClaim, Actor: e.id, Role: "sales", Customer: key})
	}
}

// pooled is a pooled customer of e's language released before day, the
// longest waiting first; nil when there is none.
func (g *gen) pooled(e *employee, day int) *customer {
	for _, key := range g.pool {
		if c := g.customers[key]; c.zh == e.city.zh && g.released[key] < day {
			return c
		}
	}
	return nil
}

// idleCustomer is one of e's customers with no order of theirs still in
// flight at at and that did not change hands earlier on day (in the same
// hour, the driver would run both changes at once, in either order), a
// random pick among those; or nil.
func (g *gen) idleCustomer(e *employee, day int, at time.Time) *customer {
	var idle []*customer
	for _, key := range e.customers {
		if c := g.customers[key]; c.busyUntil.Before(at) && (!c.moved || c.movedOn != day) {
			idle = append(idle, c)
		}
	}
	if len(idle) == 0 {
		return nil
	}
	return pick(g.r, idle)
}

// moveTo changes c's holder to e (nil: the shared pool) in the generator's
// books on day.
func (g *gen) moveTo(c *customer, e *employee, day int) {
	if from := g.byID[c.owner]; from != nil {
		from.customers = slices.DeleteFunc(from.customers, func(k string) bool { return k == c.key })
	}
	g.pool = slices.DeleteFunc(g.pool, func(k string) bool { return k == c.key })
	c.moved, c.movedOn = true, day
	if e == nil {
		c.owner = ""
		g.pool = append(g.pool, c.key)
		return
	}
	c.owner = e.id
	e.customers = append(e.customers, c.key)
}
