// Package workcal answers "was this a working day for this employee?" from
// data alone: a branch's working calendar (working weekdays and public
// holidays), the employee's employment period and approved leave. It does
// no I/O, so the attendance service answers IsWorkingDay with it and the
// risk engine counts "working days without follow-up" on projected data
// without a remote call per event.
package workcal

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Date is a calendar day with no time zone, counted in days since
// 1970-01-01. Dates order and subtract as integers.
type Date int32

// Layout is how a Date is written: YYYY-MM-DD.
const Layout = "2006-01-02"

const secondsPerDay = 24 * 60 * 60

// ErrDate is wrapped by ParseDate's errors.
var ErrDate = errors.New("not a YYYY-MM-DD calendar date")

// ParseDate parses a real calendar day written YYYY-MM-DD (2026-02-30 is
// refused), between years 1 and 9999.
func ParseDate(s string) (Date, error) {
	if len(s) != len(Layout) {
		return 0, fmt.Errorf("workcal: %q: %w", s, ErrDate)
	}
	t, err := time.Parse(Layout, s)
	if err != nil {
		return 0, fmt.Errorf("workcal: %q: %w", s, ErrDate)
	}
	return DateOf(t, time.UTC), nil
}

// MustParseDate is ParseDate for constants in tests and tables; it panics on
// a bad date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf is the day t falls on in loc (a branch's time zone).
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// Time is the start of the day in UTC.
func (d Date) Time() time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }

// String writes the date as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(Layout) }

// AddDays is the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// ISOWeekday is 1 (Monday) … 7 (Sunday).
func (d Date) ISOWeekday() int {
	w := int(d.Time().Weekday())
	if w == 0 {
		return 7
	}
	return w
}

// Period is a run of days, both ends inclusive.
type Period struct {
	From, To Date
}

// Contains reports whether d is in the period.
func (p Period) Contains(d Date) bool { return p.From <= d && d <= p.To }

// ParsePeriod parses "FROM..TO" (both YYYY-MM-DD, inclusive) or a single
// date meaning that one day.
func ParsePeriod(s string) (Period, error) {
	fromText, toText, isRange := strings.Cut(s, "..")
	from, err := ParseDate(fromText)
	if err != nil {
		return Period{}, err
	}
	if !isRange {
		return Period{From: from, To: from}, nil
	}
	to, err := ParseDate(toText)
	if err != nil {
		return Period{}, err
	}
	if to < from {
		return Period{}, fmt.Errorf("workcal: %q: the period ends before it starts", s)
	}
	return Period{From: from, To: to}, nil
}

// Calendar is a branch's working calendar: which weekdays are worked and
// which days are public holidays.
type Calendar struct {
	working  [8]bool // indexed by ISO weekday
	holidays []Date  // ascending, no repeats
}

// NewCalendar builds a calendar from ISO weekdays (1 = Monday … 7 =
// Sunday) and holidays written YYYY-MM-DD, in any order.
func NewCalendar(weekdays []int, holidays []string) (Calendar, error) {
	var c Calendar
	if len(weekdays) == 0 {
		return c, errors.New("workcal: a calendar needs at least one working weekday")
	}
	for _, w := range weekdays {
		if w < 1 || w > 7 {
			return c, fmt.Errorf("workcal: weekday %d: want 1 (Monday) to 7 (Sunday)", w)
		}
		c.working[w] = true
	}
	for _, h := range holidays {
		d, err := ParseDate(h)
		if err != nil {
			return c, err
		}
		c.holidays = append(c.holidays, d)
	}
	slices.Sort(c.holidays)
	c.holidays = slices.Compact(c.holidays)
	return c, nil
}

// MondayToFriday is the calendar of a unit with no branch calendar of its
// own: Monday to Friday, no public holidays.
func MondayToFriday() Calendar {
	c, _ := NewCalendar([]int{1, 2, 3, 4, 5}, nil)
	return c
}

// IsHoliday reports whether d is a public holiday.
func (c Calendar) IsHoliday(d Date) bool {
	_, found := slices.BinarySearch(c.holidays, d)
	return found
}

// IsWorkedWeekday reports whether d's weekday is a working weekday.
func (c Calendar) IsWorkedWeekday(d Date) bool { return c.working[d.ISOWeekday()] }

// DayKind says why a day is or is not a working day.
type DayKind int

// Day kinds, in the order Schedule.Day checks them: a public holiday inside
// a leave is a holiday (the leave is not used up by it).
const (
	Working DayKind = iota + 1
	NotEmployed
	Holiday
	RestDay
	OnLeave
)

func (k DayKind) String() string {
	switch k {
	case Working:
		return "working"
	case NotEmployed:
		return "not_employed"
	case Holiday:
		return "holiday"
	case RestDay:
		return "rest_day"
	case OnLeave:
		return "on_leave"
	}
	return "unknown"
}

// Schedule is one employee's working days: their branch's calendar, the
// days they were employed, and their approved leave.
type Schedule struct {
	Calendar Calendar
	// Employed is the employment period; To is the last day, or a far
	// future date while the employee has not left.
	Employed Period
	Leaves   []Period
}

// Forever is the To of an employment that has not ended.
const Forever Date = 1<<31 - 1

// Day says what kind of day d is for the employee.
func (s Schedule) Day(d Date) DayKind {
	switch {
	case !s.Employed.Contains(d):
		return NotEmployed
	case s.Calendar.IsHoliday(d):
		return Holiday
	case !s.Calendar.IsWorkedWeekday(d):
		return RestDay
	}
	for _, l := range s.Leaves {
		if l.Contains(d) {
			return OnLeave
		}
	}
	return Working
}

// IsWorkingDay reports whether the employee was due at work on d.
func (s Schedule) IsWorkingDay(d Date) bool { return s.Day(d) == Working }

// MaxSpan bounds WorkingDaysIn, so a mistyped year cannot make a query
// walk millennia: a bit over ten years.
const MaxSpan = 3700

// ErrSpan is returned for a period longer than MaxSpan days.
var ErrSpan = fmt.Errorf("workcal: a period may span at most %d days", MaxSpan)

// WorkingDaysIn counts the employee's working days in p.
func (s Schedule) WorkingDaysIn(p Period) (int, error) {
	if p.To < p.From {
		return 0, nil
	}
	if int(p.To-p.From) >= MaxSpan {
		return 0, ErrSpan
	}
	n := 0
	for i := 0; i <= int(p.To-p.From); i++ { // counted, so To = Forever cannot overflow
		if s.IsWorkingDay(p.From.AddDays(i)) {
			n++
		}
	}
	return n, nil
}
