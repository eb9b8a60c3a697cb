package engine

import (
	"slices"
	"time"

	"github.com/holdfast/holdfast/pkg/workcal"
)

// An employee's own baseline: per UTC day, how many contacts they
// revealed (and of those, of customers they did not hold), how many
// exports they requested and how many interaction records they deleted.
// Rules compare what an employee does now with what the same employee did
// in the weeks before (H1: a top performer is measured against their own
// history; S3: a departing employee against the weeks before the notice).

// Baseline windows. baselineDays is the look-back a baseline averages
// over; activityKeepDays bounds the history kept per employee: a
// look-back before a notice plus the longest activation after it.
const (
	baselineDays     = 28
	activityKeepDays = 2*baselineDays + 35
)

// dayActivity is one employee's counts on one UTC day.
type dayActivity struct {
	day        workcal.Date
	reveals    int64
	unassigned int64
	exports    int64
	deletions  int64
}

func (d dayActivity) plus(o dayActivity) dayActivity {
	return dayActivity{
		day: d.day, reveals: d.reveals + o.reveals, unassigned: d.unassigned + o.unassigned,
		exports: d.exports + o.exports, deletions: d.deletions + o.deletions,
	}
}

// recordActivity counts o in the employee's day history, if it is an
// event the baselines count, and drops days older than activityKeepDays
// before it. Days stay in ascending order; an event out of order is
// counted on its own day.
func (e *Engine) recordActivity(o *observation) {
	var add dayActivity
	switch o.kind {
	case factReveal:
		add.reveals = 1
		v, _ := o.fact("assigned")
		if assigned, _ := v.(bool); !assigned {
			add.unassigned = 1
		}
	case factExport:
		add.exports = 1
	case factDeletion:
		add.deletions = 1
	default:
		return
	}
	key := employeeKey{o.tenant, o.employee}
	days, _ := e.activity.get(key)
	today := workcal.DateOf(o.at, time.UTC)
	add.day = today
	i := len(days)
	for i > 0 && days[i-1].day > today {
		i--
	}
	if i > 0 && days[i-1].day == today {
		days[i-1] = days[i-1].plus(add)
	} else {
		days = slices.Insert(days, i, add)
	}
	oldest := days[len(days)-1].day.AddDays(-activityKeepDays)
	drop := 0
	for drop < len(days) && days[drop].day < oldest {
		drop++
	}
	e.activity.put(key, days[drop:])
}

// activityIn sums the employee's days in [from, to].
func (e *Engine) activityIn(key employeeKey, from, to workcal.Date) dayActivity {
	var sum dayActivity
	days, _ := e.activity.get(key)
	for _, d := range days {
		if d.day >= from && d.day <= to {
			sum = sum.plus(d)
		}
	}
	return sum
}

// activityFeatures adds to out the employee's features at at (the
// observation already counted by recordActivity): those that compare them with their own baseline:
//
//	reveals_baseline_daily   reveals per day, averaged over the baselineDays
//	                         days before today (whole number, rounded down)
//	reveals_baseline_days    how many of those days the engine has history
//	                         for (a baseline shorter than a rule's minimum
//	                         is no baseline)
//	notice_days              whole days since the resignation notice in
//	                         force (-1: none), the start of S3's sequence
//	lookback_days            the look-back before the notice: baselineDays
//	unassigned_reveals_lookback     reveals of customers not held, in the
//	                                look-back before the notice
//	unassigned_reveals_since_notice the same, from the notice's day on
//	exports_since_notice, deletions_since_notice  likewise
func (e *Engine) activityFeatures(key employeeKey, at time.Time, out map[string]any) {
	today := workcal.DateOf(at, time.UTC)
	out["lookback_days"] = int64(baselineDays)

	before := e.activityIn(key, today.AddDays(-baselineDays), today.AddDays(-1))
	out["reveals_baseline_daily"] = before.reveals / baselineDays
	var history int64
	if days, _ := e.activity.get(key); len(days) > 0 && days[0].day < today {
		history = min(int64(today-days[0].day), baselineDays)
	}
	out["reveals_baseline_days"] = history

	var lookback, since dayActivity
	noticeDays := int64(-1)
	if m, ok := e.member(key.tenant, key.employee); ok && !m.notice.IsZero() && !at.Before(m.notice) {
		noticeDay := workcal.DateOf(m.notice, time.UTC)
		noticeDays = int64(today - noticeDay)
		lookback = e.activityIn(key, noticeDay.AddDays(-baselineDays), noticeDay.AddDays(-1))
		since = e.activityIn(key, noticeDay, today)
	}
	out["notice_days"] = noticeDays
	out["unassigned_reveals_lookback"] = lookback.unassigned
	out["unassigned_reveals_since_notice"] = since.unassigned
	out["exports_since_notice"] = since.exports
	out["deletions_since_notice"] = since.deletions
}
