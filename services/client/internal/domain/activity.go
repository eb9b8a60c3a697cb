package domain

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Team activity (issue 9 item 8): how employees work the customers they
// hold, measured from the read model's holdings, interactions and
// registrations. Everything here is arithmetic over those facts; who may
// see which employees is decided by the app.

// CanReadTeamActivity: team reports are for the people who oversee sales
// (managers, for their own subtree) and who investigate it (hr, auditors,
// admins); a salesperson's own figures are on their self-view.
func (a Actor) CanReadTeamActivity() bool {
	return a.has("hr", "auditor", "admin", "manager")
}

// MaxActivitySpan bounds a team report's period: a year, leap day included.
const MaxActivitySpan = 366 * 24 * time.Hour

// week is the length of the windows utilisation is measured over.
const week = 7 * 24 * time.Hour

// lateAfterDays is how many whole days between the first off-book talk
// and the registration count as late.
const lateAfterDays = 7

// CheckActivityPeriod validates a report's period [from, to).
func CheckActivityPeriod(from, to time.Time) error {
	var v violations
	if from.IsZero() {
		v.Add("from", "required")
	}
	if to.IsZero() {
		v.Add("to", "required")
	}
	if !from.IsZero() && !to.IsZero() {
		switch {
		case !from.Before(to):
			v.Add("to", "must be after from")
		case to.Sub(from) > MaxActivitySpan:
			v.Add("to", "at most 366 days after from")
		}
	}
	return v.Err()
}

// Holding is one stretch of time an employee held a customer: from when
// they got it until they lost it (zero Until: they still hold it).
type Holding struct {
	Tenant     string
	CustomerID string
	EmployeeID string
	From       time.Time
	Until      time.Time
}

// heldAt reports whether the holding covers instant t.
func (h Holding) heldAt(t time.Time) bool {
	return !t.Before(h.From) && (h.Until.IsZero() || t.Before(h.Until))
}

// overlap is how much of [from, to) the holding covers.
func (h Holding) overlap(from, to time.Time) time.Duration {
	start, end := maxTime(h.From, from), to
	if !h.Until.IsZero() && h.Until.Before(end) {
		end = h.Until
	}
	if !start.Before(end) {
		return 0
	}
	return end.Sub(start)
}

// Touch is an interaction reduced to what the report needs: who talked to
// which customer when.
type Touch struct {
	EmployeeID string
	CustomerID string
	At         time.Time
}

// FirstContact is the first interaction an employee had with an
// unregistered contact (a normalised counterparty).
type FirstContact struct {
	EmployeeID   string
	Counterparty string
	At           time.Time
}

// Counterparties are the forms an unregistered contact of c would have
// been logged under: its phones and its WeChat id lower-cased (see
// NormalizeCounterparty). An e-mail is never a counterparty.
func Counterparties(c Customer) []string {
	out := slices.Clone(c.Phones)
	if c.WeChatID != "" {
		out = append(out, strings.ToLower(c.WeChatID))
	}
	return out
}

// ActivityFacts is what the read model holds about a set of employees for
// one period.
type ActivityFacts struct {
	// Holdings overlap the period or are still open.
	Holdings []Holding
	// Touches are the employees' interactions with customers in the period.
	Touches []Touch
	// Registered are the customers the employees registered in the period.
	Registered []Customer
	// FirstContacts are the employees' first talks with the counterparties
	// of Registered.
	FirstContacts []FirstContact
}

// WeekFigures is one week of one employee (or team): customers held at
// the week's start (due a follow-up that week), how many of them the
// holder followed up, and how many follow-ups of them there were.
type WeekFigures struct {
	Due, Followed, FollowUps int
}

// ActivityFigures are one employee's, or one team's, figures for a period
// (see holdfast.client.v1.ActivityFigures for the definitions).
type ActivityFigures struct {
	HeldNow          int
	HeldCustomerDays float64
	// Days is the measured length of the period in days.
	Days      float64
	FollowUps int
	Weeks     []WeekFigures
	// Registered counts registrations; Lateness has the whole days of
	// lateness of those made after an off-book talk.
	Registered int
	Lateness   []int
}

// HeldAverage is the customers held on average over the period.
func (f ActivityFigures) HeldAverage() float64 {
	if f.Days == 0 {
		return 0
	}
	return f.HeldCustomerDays / f.Days
}

// FollowUpsPerCustomerWeek is the follow-up efficiency: follow-ups of due
// customers ÷ due customer-weeks, on the same footing as Utilisation. A
// customer got mid-week counts from the next week, so a customer held for
// an hour cannot make the rate explode. False when no customer was due.
func (f ActivityFigures) FollowUpsPerCustomerWeek() (float64, bool) {
	due, n := 0, 0
	for _, w := range f.Weeks {
		due += w.Due
		n += w.FollowUps
	}
	if due == 0 {
		return 0, false
	}
	return float64(n) / float64(due), true
}

// DueFollowed sums the weeks: customer-weeks due and followed up.
func (f ActivityFigures) DueFollowed() (due, followed int) {
	for _, w := range f.Weeks {
		due += w.Due
		followed += w.Followed
	}
	return due, followed
}

// Utilisation is the share of held customers followed up at least once a
// week, averaged over the weeks with any due; false when none had.
func (f ActivityFigures) Utilisation() (float64, bool) {
	sum, n := 0.0, 0
	for _, w := range f.Weeks {
		if w.Due > 0 {
			sum += float64(w.Followed) / float64(w.Due)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// LatenessMedian is the median lateness in days; false when no
// registration followed an off-book talk.
func (f ActivityFigures) LatenessMedian() (float64, bool) {
	if len(f.Lateness) == 0 {
		return 0, false
	}
	s := slices.Clone(f.Lateness)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[mid]), true
	}
	return float64(s[mid-1]+s[mid]) / 2, true
}

// LateOver7Days counts registrations more than seven days late.
func (f ActivityFigures) LateOver7Days() int {
	n := 0
	for _, d := range f.Lateness {
		if d > lateAfterDays {
			n++
		}
	}
	return n
}

// Add merges g into f, week by week: a team's figures are its members'.
func (f ActivityFigures) Add(g ActivityFigures) ActivityFigures {
	f.HeldNow += g.HeldNow
	f.HeldCustomerDays += g.HeldCustomerDays
	// Every member is measured over the same period.
	f.Days = max(f.Days, g.Days)
	f.FollowUps += g.FollowUps
	weeks := make([]WeekFigures, max(len(f.Weeks), len(g.Weeks)))
	for i := range weeks {
		if i < len(f.Weeks) {
			weeks[i].Due += f.Weeks[i].Due
			weeks[i].Followed += f.Weeks[i].Followed
			weeks[i].FollowUps += f.Weeks[i].FollowUps
		}
		if i < len(g.Weeks) {
			weeks[i].Due += g.Weeks[i].Due
			weeks[i].Followed += g.Weeks[i].Followed
			weeks[i].FollowUps += g.Weeks[i].FollowUps
		}
	}
	f.Weeks = weeks
	f.Registered += g.Registered
	f.Lateness = append(slices.Clone(f.Lateness), g.Lateness...)
	return f
}

// MeasureActivity computes each employee's figures for [from, to),
// measured up to now when the period has not ended: the weeks cut from
// from, holdings counted to the measured end, follow-ups being touches
// made while the employee held the customer. Employees without facts get
// zero figures, so every one asked about has a row.
func MeasureActivity(employees []string, facts ActivityFacts, from, to, now time.Time) map[string]ActivityFigures {
	end := to
	if now.Before(end) {
		end = now
	}
	if end.Before(from) {
		end = from
	}
	var weekStarts []time.Time
	for t := from; t.Before(end); t = t.Add(week) {
		weekStarts = append(weekStarts, t)
	}
	out := make(map[string]ActivityFigures, len(employees))
	for _, e := range employees {
		out[e] = ActivityFigures{Days: end.Sub(from).Hours() / 24, Weeks: make([]WeekFigures, len(weekStarts))}
	}
	// Each (employee, customer) pair gets an index: its holdings, so a
	// touch finds whether its employee held the customer at the time, and
	// the weeks it was already counted as followed in (a bitset), so a
	// second follow-up in a week adds a follow-up but not a followed
	// customer.
	type pair struct{ employee, customer string }
	index := map[pair]int{}
	var holdings [][]Holding
	var followed [][]uint64
	for _, h := range facts.Holdings {
		f, ok := out[h.EmployeeID]
		if !ok {
			continue
		}
		p := pair{h.EmployeeID, h.CustomerID}
		i, seen := index[p]
		if !seen {
			i = len(holdings)
			index[p] = i
			holdings = append(holdings, nil)
			followed = append(followed, make([]uint64, (len(weekStarts)+63)/64))
		}
		holdings[i] = append(holdings[i], h)
		if h.Until.IsZero() {
			f.HeldNow++
		}
		f.HeldCustomerDays += h.overlap(from, end).Hours() / 24
		for w, ws := range weekStarts {
			if h.heldAt(ws) {
				f.Weeks[w].Due++
			}
		}
		out[h.EmployeeID] = f
	}
	for _, t := range facts.Touches {
		if t.At.Before(from) || !t.At.Before(end) {
			continue
		}
		i, ok := index[pair{t.EmployeeID, t.CustomerID}]
		if !ok || !slices.ContainsFunc(holdings[i], func(h Holding) bool { return h.heldAt(t.At) }) {
			continue
		}
		f := out[t.EmployeeID]
		f.FollowUps++
		w := int(t.At.Sub(from) / week)
		// Only a customer due that week (held at its start) counts as
		// followed: one got mid-week is due from the next.
		if slices.ContainsFunc(holdings[i], func(h Holding) bool { return h.heldAt(weekStarts[w]) }) {
			f.Weeks[w].FollowUps++
			if bit := uint64(1) << (w % 64); followed[i][w/64]&bit == 0 {
				followed[i][w/64] |= bit
				f.Weeks[w].Followed++
			}
		}
		out[t.EmployeeID] = f
	}
	first := map[pair]time.Time{}
	for _, c := range facts.FirstContacts {
		first[pair{c.EmployeeID, c.Counterparty}] = c.At
	}
	for _, c := range facts.Registered {
		f, ok := out[c.RegisteredBy]
		if !ok || c.RegisteredAt.Before(from) || !c.RegisteredAt.Before(end) {
			continue
		}
		f.Registered++
		var earliest time.Time
		for _, cp := range Counterparties(c) {
			at, ok := first[pair{c.RegisteredBy, cp}]
			if ok && !at.After(c.RegisteredAt) && (earliest.IsZero() || at.Before(earliest)) {
				earliest = at
			}
		}
		if !earliest.IsZero() {
			f.Lateness = append(f.Lateness, int(c.RegisteredAt.Sub(earliest)/(24*time.Hour)))
		}
		out[c.RegisteredBy] = f
	}
	return out
}

// SortedHoldings orders holdings by employee, customer and start, as
// stores return them.
func SortedHoldings(hs []Holding) []Holding {
	slices.SortFunc(hs, func(a, b Holding) int {
		return cmp.Or(cmp.Compare(a.EmployeeID, b.EmployeeID), cmp.Compare(a.CustomerID, b.CustomerID), a.From.Compare(b.From))
	})
	return hs
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
